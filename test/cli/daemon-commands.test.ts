/**
 * The daemon and client commands as a user meets them without a network: help with
 * examples, usage errors (exit 2, one line), a missing daemon (exit 1, one line). Most run
 * in-process (fast); two run the real executable to check exit codes and that no stack
 * trace reaches the terminal.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/app.js';
import type { CliIo } from '../../src/cli/context.js';
import { runCli as runExecutable, type RunResult } from '../integration/harness.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pmsg-cli-d-'));
const nobody = path.join(tmp, 'nobody');

const COMMANDS = [
  'node',
  'send',
  'pull',
  'inbox',
  'chat',
  'conversations',
  'contacts',
  'id',
  'peers',
  'status',
  'trace',
  'testnet',
];

/** Runs the CLI in-process; help text (cac writes it with console.info) is captured too. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const info = vi.spyOn(console, 'info').mockImplementation((text: unknown) => {
    out.push(String(text));
  });
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: false, columns: 80, write: () => true },
    clock: () => Date.now(),
    env: {},
    stdin: { isTTY: true } as CliIo['stdin'],
  };
  try {
    const code = await runCli(args, io);
    return { code, out: out.join('\n'), err };
  } finally {
    info.mockRestore();
  }
}

function oneErrorLine(result: { code: number | null; err: string[] }, code: number): string {
  expect(result.code, result.err.join('\n')).toBe(code);
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(/^error: /);
  return result.err[0] as string;
}

/** The real executable: one `error:` line on stderr, no stack frames. */
function oneStderrLine(result: RunResult, code: number): string {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('daemon and client commands', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--help lists every command, a getting-started section and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(result.out).toContain('Getting started');
    expect(result.out).toContain('--data-dir <dir>');
    expect(result.out).toContain('0 ok, 1 failed');
  });

  it('every command has --help with an example of itself', async () => {
    for (const name of COMMANDS) {
      const result = await run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`\\$ p2pmsg .*\\b${name}\\b`));
    }
  });

  it('node --client-listen on a non-loopback address: exit 2, one line', async () => {
    const line = oneErrorLine(
      await run(['--data-dir', path.join(tmp, 'a'), 'node', '--client-listen', '0.0.0.0:7999']),
      2,
    );
    expect(line).toContain('0.0.0.0 is not a loopback address');
  });

  it('node with an unknown key in config.json: exit 2 naming the key', async () => {
    const dir = path.join(tmp, 'b');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), '{"lisen": "127.0.0.2:7000"}');
    const line = oneErrorLine(await run(['--data-dir', dir, 'node']), 2);
    expect(line).toContain('unknown key "lisen" (did you mean "listen"?)');
  });

  it('node with a bad flag value: exit 2', async () => {
    const line = oneErrorLine(
      await run(['--data-dir', path.join(tmp, 'c'), 'node', '--hops', '12']),
      2,
    );
    expect(line).toContain('--hops: expected an integer from 1 to 4, found 12');
  });

  it('a client command with no daemon: exit 1, one line that says how to start one', async () => {
    for (const args of [['status'], ['send', 'bob', 'hi'], ['pull'], ['peers', '--json']]) {
      const line = oneErrorLine(await run(['--data-dir', nobody, ...args]), 1);
      expect(line).toContain('no p2pmsg daemon is listening on');
      expect(line).toContain('p2pmsg node');
    }
  });

  it('usage mistakes: exit 2, one line', async () => {
    const cases: [string[], string][] = [
      [['send', 'bob'], 'missing message'],
      [['send', 'bob', 'x'.repeat(1025)], 'at most 1024 fit one packet'],
      [['send', 'bob', 'a\u0001b'], 'control character'],
      [['contacts', 'frob'], 'unknown contacts action "frob"'],
      [['contacts', 'add', 'bob'], 'usage: contacts add <alias> <node-id>'],
      [['trace'], 'missing required args'],
      [['testnet', '--nodes', '0'], '--nodes: expected an integer from 1 to 64'],
      [['status', '--jsn'], 'unknown option --jsn (did you mean --json?)'],
    ];
    for (const [args, text] of cases) {
      expect(oneErrorLine(await run(['--data-dir', nobody, ...args]), 2)).toContain(text);
    }
  });

  it('the executable: no daemon is exit 1 and a usage error exit 2, one line each, no stack', async () => {
    const missing = oneStderrLine(await runExecutable(['--data-dir', nobody, 'status']), 1);
    expect(missing).toMatch(/^error: no p2pmsg daemon is listening on /);
    const usage = oneStderrLine(
      await runExecutable(['--data-dir', nobody, 'send', 'bob'], { stdin: '' }),
      2,
    );
    expect(usage).toBe('error: message is empty (see `p2pmsg send --help`)');
  });
});
