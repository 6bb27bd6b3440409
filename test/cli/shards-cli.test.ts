/**
 * `--shards` on the command line (issue 7): `p2pmsg send --shards n/k` and the node default
 * (`p2pmsg node --shards`, `"shards"` in config.json) refuse a bad value with one clear
 * line and exit code 2, before any daemon is asked or started.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../integration/harness.js';

const dir = () => mkdtempSync(join(tmpdir(), 'p2pmsg-shards-'));

describe.concurrent('--shards on the command line', () => {
  it('send: k above n, n above the limit, and no n/k at all are usage errors', async () => {
    const dataDir = dir();
    for (const [value, message] of [
      ['2/3', '--shards: k (3) cannot exceed n (2): any k of the n shards rebuild the message'],
      ['9/2', '--shards: at most 8 shards per message, found n = 9'],
      ['three', '--shards: expected n/k with 1 ≤ k ≤ n ≤ 8 (e.g. 3/2) or "none", found "three"'],
    ] as const) {
      const r = await runCli(['--data-dir', dataDir, 'send', '--shards', value, 'bob', 'hi']);
      expect([r.code, r.stderr.trim()]).toEqual([
        2,
        `error: ${message} (see \`p2pmsg send --help\`)`,
      ]);
    }
  }, 60_000);

  it('node: a bad --shards or config.json "shards" stops the start, naming its source', async () => {
    const flag = await runCli(['--data-dir', dir(), 'node', '--shards', '0/0']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--shards: n must be a whole number of shards from 1 to 8');
    const dataDir = dir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ shards: '4/5' }));
    const file = await runCli(['--data-dir', dataDir, 'node']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('config.json: shards: k (5) cannot exceed n (4)');
  }, 60_000);
});
