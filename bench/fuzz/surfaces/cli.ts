/**
 * Surface `cli`: the command-line parser (src/cli/app.ts `parseCli`: cac plus p2pmsg's own
 * checks) on random argument vectors. Nothing runs: parsing alone must be total.
 *
 * Arguments are drawn from the real vocabulary (every command name and every flag the
 * commands declare, read off a registered cac instance), near misses (typos, `--no-` forms,
 * `--flag=value`, dotted and prototype-ish names, single dashes, `--`), awkward values
 * (empty, negative, huge, unicode, long) and random strings.
 *
 * Rule checked on every input: `parseCli` returns a parse or throws a UsageError, nothing
 * else; and it prints nothing (the io given to it fails the input if used).
 */
import { cac } from 'cac';
import fc from 'fast-check';
import { COMMANDS, parseCli } from '../../../src/cli/app.js';
import type { CliIo } from '../../../src/cli/context.js';
import { UsageError } from '../../../src/cli/errors.js';
import { InvariantError, statelessSurface } from '../campaign.js';

/** An io that must not be used while parsing. */
const SILENT_IO: CliIo = {
  out: (line) => {
    throw new InvariantError(`parseCli printed ${JSON.stringify(line)}`);
  },
  err: (line) => {
    throw new InvariantError(`parseCli printed ${JSON.stringify(line)} to stderr`);
  },
  progress: {
    isTTY: false,
    write: () => {
      throw new InvariantError('parseCli drew progress');
    },
  },
  clock: () => 0,
  env: {},
};

/** The commands and flags p2pmsg declares. */
function vocabulary(): { commands: string[]; flags: string[] } {
  const cli = cac('p2pmsg');
  for (const command of COMMANDS) command.register(cli, SILENT_IO);
  cli.help();
  cli.version('0');
  const flags = new Set(['--data-dir', '--socket']);
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) {
      for (const flag of option.rawName.match(/--?[\w-]+/g) ?? []) flags.add(flag);
    }
  }
  return { commands: COMMANDS.map((c) => c.name), flags: [...flags].sort() };
}

const AWKWARD = [
  '',
  ' ',
  '-',
  '--',
  '---',
  '-1',
  '-0',
  '0',
  '1e309',
  'NaN',
  '99999999999999999999',
  '-5.5',
  '=',
  '==',
  '--=',
  '--=x',
  '-=',
  '.',
  '..',
  '../x',
  '/',
  '~',
  '🙂',
  'a\nb',
  '\0',
  'x'.repeat(500),
  '--__proto__',
  '--constructor',
  '--prototype',
  '--__proto__.polluted',
  '--constructor.prototype.x',
  '--a.b',
  '--a.0',
  '--0',
  '--no-',
  '--no',
  '-h',
  '-v',
  '-hv',
  '-abc',
  '--help',
  '--version',
  '127.0.0.1:7000',
  '127.0.0.1:99999',
  '[::1]:1',
  'sim/scenarios/smoke.yaml',
  '--json=false',
];

function arbArgv(words: { commands: string[]; flags: string[] }): fc.Arbitrary<string[]> {
  const { commands, flags } = words;
  const arbFlag = fc.constantFrom(...flags);
  const arbWord = fc.oneof(
    { weight: 4, arbitrary: arbFlag },
    { weight: 2, arbitrary: fc.constantFrom(...commands) },
    { weight: 3, arbitrary: fc.constantFrom(...AWKWARD) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(arbFlag, fc.constantFrom(...AWKWARD))
        .map(([flag, value]) => `${flag}=${value}`),
    },
    { weight: 1, arbitrary: arbFlag.map((flag) => flag.replace(/^--/, '--no-')) },
    // A typo, a dotted path or a doubled dash on a real flag.
    {
      weight: 1,
      arbitrary: fc
        .tuple(arbFlag, fc.constantFrom('x', '.x', '.0', '-', 's'))
        .map(([flag, tail]) => flag + tail),
    },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );
  return fc.oneof(
    // Mostly a command first, as people type it.
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...commands), fc.array(arbWord, { maxLength: 8 }))
        .map(([command, rest]) => [command, ...rest]),
    },
    { weight: 1, arbitrary: fc.array(arbWord, { maxLength: 8 }) },
  );
}

export function cliOutcome(argv: readonly string[]): string {
  try {
    const parsed = parseCli(argv, SILENT_IO);
    return parsed.kind === 'command' ? `command:${parsed.command}` : parsed.kind;
  } catch (err) {
    if (err instanceof UsageError) return 'usage-error';
    throw err;
  }
}

export const cliSurface = statelessSurface<string[]>({
  name: 'cli',
  typedError: 'UsageError',
  prepare: () => ({ arbitrary: arbArgv(vocabulary()), run: cliOutcome }),
  show: (argv) => JSON.stringify(argv),
});
