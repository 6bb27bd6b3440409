/**
 * The walkthrough in docs/daemon.md works as written: the commands between its
 * `walkthrough:begin` and `walkthrough:end` markers run, in order, in one bash script
 * (`set -euo pipefail`), with `p2pmsg` being this checkout's CLI. Only three things are
 * moved out of the way of other tests and of a testnet the reader may be running: the
 * data directory root (/tmp/p2pmsg-demo → a temp dir), the addresses (127.0.0.x →
 * 127.0.14.x) and the port (7000 → a random one).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, readPidFile } from '../../src/daemon/data-dir.js';
import { CLI_ENTRY, randomPort, ROOT, waitFor } from './harness.js';

const SCRIPT_MAX_MS = 150_000;

/** The shell lines of the walkthrough block in docs/daemon.md. */
export function walkthroughScript(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/daemon.md'), 'utf8');
  const begin = doc.indexOf('<!-- walkthrough:begin -->');
  const end = doc.indexOf('<!-- walkthrough:end -->');
  if (begin < 0 || end < begin) throw new Error('docs/daemon.md has no walkthrough markers');
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(begin, end));
  if (block === null) throw new Error('the walkthrough has no ```sh block');
  return block[1] as string;
}

describe('the docs/daemon.md walkthrough', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'p2w-'));
  const port = randomPort();
  const names = ['alice', 'bob', 'carol'];

  afterAll(() => {
    for (const n of names) {
      const pid = readPidFile(path.join(root, n, 'daemon.pid'));
      if (pid !== null && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(
    'runs as written: every command succeeds, Bob reads what Alice sent, the daemons stop',
    async () => {
      const script = walkthroughScript()
        .replaceAll('/tmp/p2pmsg-demo', root)
        .replaceAll('127.0.0.', '127.0.14.')
        .replaceAll(':7000', `:${port}`);
      const prelude = [
        'set -euo pipefail',
        `p2pmsg() { "${process.execPath}" --import tsx "${CLI_ENTRY}" "$@"; }`,
        'set -x',
      ].join('\n');
      const result = await new Promise<{ code: number | null; out: string; err: string }>(
        (resolve, reject) => {
          const child = spawn('bash', ['-c', `${prelude}\n${script}`], {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (err += c.toString()));
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`the walkthrough timed out\n${out}\n${err}`));
          }, SCRIPT_MAX_MS);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, out, err });
          });
        },
      );
      expect(result.code, `${result.out}\n${result.err}`).toBe(0);
      const { out } = result;
      expect(out).toMatch(/daemon started in the background: pid \d+/);
      expect(out).toMatch(/^node +[a-z2-7]{32}$/m); // alice's status
      expect(out).toMatch(/^added bob → [a-z2-7]{32}$/m);
      expect(out).toMatch(/^[0-9a-f]{32} delivered$/m); // send --wait
      expect(out).toMatch(/^bob.*: 2 unread|^[a-z2-7]{32}: 2 unread/m); // bob's inbox
      expect(out).toContain(`(127.0.14.2:${port}): hi Bob, it's Alice`); // bob's pull
      expect(out).toContain(`(127.0.14.2:${port}): sent from a script`);
      expect(out).toMatch(/you: hello Alice/); // the chat's history
      expect(out).toMatch(/^bob +\S+ \S+ +\d+ +\d+ +[a-z2-7]{32}$/m); // alice's conversations
      expect(out).toMatch(/^message [0-9a-f]{32} to bob \([a-z2-7]{32}\)$/m); // trace
      expect(out).toMatch(/^ {2}#1 left .* acked /m);
      // Step 7 stopped every daemon.
      for (const n of names) {
        await waitFor(
          () => !fs.existsSync(path.join(root, n, 'daemon.pid')),
          `${n} to stop`,
          15_000,
        );
      }
      // Alice has Bob's chat line (sent by the chat before it left).
      const aliceLog = fs.readFileSync(path.join(root, 'alice', 'daemon.log'), 'utf8');
      expect(aliceLog).toContain('node started');
    },
    SCRIPT_MAX_MS + 20_000,
  );
});
