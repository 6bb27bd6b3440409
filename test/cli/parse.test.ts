/**
 * `parseCli`: the command line parsed without running or printing anything (app.ts), and
 * the inputs the fuzzing campaign found that made it throw a TypeError out of cac (an
 * internal error, exit 1) instead of a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { parseCli, runCli } from '../../src/cli/app.js';
import type { CliIo } from '../../src/cli/context.js';
import { UsageError } from '../../src/cli/errors.js';

function quietIo(err: string[] = []): CliIo {
  return {
    out: () => {},
    err: (line) => void err.push(line),
    progress: { isTTY: false, write: () => true },
    clock: () => 0,
    env: {},
  };
}

/**
 * Found by `npm run fuzz -- --surface cli` (seed 1, index 118 and others): a dot in a flag
 * name is nesting to cac, and nesting under a flag that already holds a value threw.
 */
const FOUND_BY_FUZZING: readonly (readonly string[])[] = [
  ['testnet', '-h', '--no-', '-5.5', '--help', '--seeds', '--quiet=a\nb', '~6BPXcs~%G', 'node'],
  ['chat', '--no-', 'send', '--hops', '-5.5', '.', '--help'],
  ['-v.0', '--no-relay.x'],
  [
    'conversations',
    '--hops=127.0.0.1:7000',
    '--version',
    'sim/scenarios/smoke.yaml',
    '--trace=--',
    'peers',
    '--trace.0',
    'pull',
  ],
  ['contacts', 'testnet', '--quiet=-abc', '--quiet.x'],
  ['sim', 'sim/scenarios/smoke.yaml', '--seed', '5', '--seed.x', '1'],
];

describe('parseCli', () => {
  it('parses a command line without running it', () => {
    expect(parseCli(['send', 'bob', 'hi there'], quietIo())).toMatchObject({
      kind: 'command',
      command: 'send',
      args: ['bob', 'hi there'],
    });
    expect(parseCli(['--help'], quietIo())).toEqual({ kind: 'help' });
    expect(parseCli(['sim', '--version'], quietIo())).toEqual({ kind: 'version' });
    expect(parseCli([], quietIo())).toEqual({ kind: 'missing-command' });
  });

  it('keeps dots in values, in --flag=value, and after --', () => {
    const io = quietIo();
    expect(parseCli(['sim', 'a.yaml', '--out', './r.d', '--seed=7'], io)).toMatchObject({
      kind: 'command',
      args: ['a.yaml'],
      options: { out: './r.d', seed: 7 },
    });
    expect(parseCli(['send', 'bob', '--', '-1.5'], io)).toMatchObject({ kind: 'command' });
  });

  it('a missing or surplus argument is a UsageError', () => {
    expect(() => parseCli(['send'], quietIo())).toThrow(UsageError);
    expect(() => parseCli(['id', 'extra'], quietIo())).toThrow(UsageError);
  });

  it.each(FOUND_BY_FUZZING.map((argv) => [JSON.stringify(argv), argv] as const))(
    'fuzz regression %s: a UsageError, not a crash',
    async (_name, argv) => {
      expect(() => parseCli(argv, quietIo())).toThrow(UsageError);
      const err: string[] = [];
      expect(await runCli(argv, quietIo(err))).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^error: unknown option -[^ ]*\./);
    },
  );
});
