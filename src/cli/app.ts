/**
 * The `p2pmsg` command line: cac parses, this file decides what every outcome means.
 *
 * Theory of operation: each subcommand lives in commands/<name>.ts and registers itself on
 * one cac instance (COMMANDS below; add new ones there). `parseCli` parses without running
 * or printing, and rejects unknown commands and options itself (cac would print its own
 * messages or ignore them); `runCli` prints help or the version, or runs the matched
 * command, and maps the outcome to an exit code (errors.ts). Nothing here calls
 * process.exit: the caller sets process.exitCode so buffered output is flushed.
 */

import { cac, type CAC, type Command } from 'cac';
import { didYouMean } from '../sim/did-you-mean.js';
import { chatCommand } from './commands/chat.js';
import { contactsCommand } from './commands/contacts.js';
import { conversationsCommand } from './commands/conversations.js';
import { idCommand } from './commands/id.js';
import { inboxCommand } from './commands/inbox.js';
import { nodeCommand } from './commands/node.js';
import { peersCommand } from './commands/peers.js';
import { pullCommand } from './commands/pull.js';
import { sendCommand } from './commands/send.js';
import { simCommand } from './commands/sim.js';
import { statusCommand } from './commands/status.js';
import { testnetCommand } from './commands/testnet.js';
import { traceCommand } from './commands/trace.js';
import type { CliCommand, CliIo } from './context.js';
import {
  CommandError,
  EXIT_FAILED,
  EXIT_INTERNAL,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  isCacError,
  lowerFirst,
} from './errors.js';
import { packageVersion } from './version.js';

export const COMMANDS: readonly CliCommand[] = [
  nodeCommand,
  sendCommand,
  pullCommand,
  inboxCommand,
  chatCommand,
  conversationsCommand,
  contactsCommand,
  idCommand,
  peersCommand,
  statusCommand,
  traceCommand,
  testnetCommand,
  simCommand,
];

const GLOBAL_SECTIONS = [
  {
    title: 'Getting started',
    body:
      '  $ p2pmsg node --listen 127.0.0.2:7000 --detach          # start a daemon\n' +
      '  $ p2pmsg id                                             # your node ID\n' +
      '  $ p2pmsg send <node-id | alias | ip:port> "hello"       # send\n' +
      '  $ p2pmsg pull                                           # receive\n' +
      '  $ p2pmsg testnet --nodes 5                              # a local test network\n' +
      '  Every command has --help with examples (p2pmsg send --help).',
  },
  {
    title: 'Exit codes',
    body: '  0 ok, 1 failed (or internal error), 2 bad usage or input',
  },
];

/** What a command line asks for, once parsed; nothing has run and nothing was printed. */
export type ParsedCommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  /** No command and no options: the global help and `error: missing command`. */
  | { kind: 'missing-command' }
  | {
      kind: 'command';
      command: string;
      args: readonly unknown[];
      options: Record<string, unknown>;
    };

/**
 * Parses `args` (without the node and script paths) without running anything. Every bad
 * command line is a UsageError: an unknown command or option, an option without its value,
 * missing or surplus arguments. Nothing else is thrown (fuzzed: bench/fuzz, surface `cli`).
 */
export function parseCli(args: readonly string[], io: CliIo): ParsedCommandLine {
  return parseWith(buildCli(io), args);
}

/** Runs the CLI on `args` (without the node and script paths); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const cli = buildCli(io);
  try {
    const parsed = parseWith(cli, args);
    switch (parsed.kind) {
      case 'help':
        cli.outputHelp(); // the matched command's help, or the global one
        return EXIT_OK;
      case 'version':
        cli.outputVersion();
        return EXIT_OK;
      case 'missing-command':
        cli.outputHelp();
        io.err('error: missing command');
        return EXIT_USAGE;
      case 'command': {
        const code: unknown = await cli.runMatchedCommand();
        return typeof code === 'number' ? code : EXIT_OK;
      }
    }
  } catch (err) {
    if (err instanceof UsageError || isCacError(err)) {
      const command = cli.matchedCommand?.name;
      const help = command === undefined ? 'p2pmsg --help' : `p2pmsg ${command} --help`;
      io.err(`error: ${lowerFirst(err.message)} (see \`${help}\`)`);
      return EXIT_USAGE;
    }
    if (err instanceof CommandError) {
      io.err(`error: ${err.message}`);
      return EXIT_FAILED;
    }
    io.err(`error: internal error: ${err instanceof Error ? err.message : String(err)}`);
    const debug = io.env['P2PMSG_DEBUG'];
    if (debug !== undefined && debug !== '' && debug !== '0' && err instanceof Error && err.stack) {
      io.err(err.stack);
    }
    return EXIT_INTERNAL;
  }
}

function parseWith(cli: CAC, args: readonly string[]): ParsedCommandLine {
  rejectDottedOptions(args);
  // cac would print help and version while parsing; printing is runCli's job.
  cli.showHelpOnExit = false;
  cli.showVersionOnExit = false;
  try {
    cli.parse(['node', 'p2pmsg', ...args], { run: false });
    if (cli.options['help'] === true) return { kind: 'help' };
    if (cli.options['version'] === true) return { kind: 'version' };
    const command = cli.matchedCommand;
    if (command === undefined) return noCommand(cli);
    checkOptions(cli, command);
    // cac's own checks, which runMatchedCommand repeats: argument counts.
    command.checkRequiredArgs();
    command.checkUnusedArgs();
    return { kind: 'command', command: command.name, args: cli.args, options: cli.options };
  } catch (err) {
    if (isCacError(err)) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * cac reads a dot in an option name as nesting (`--a.b` sets `a: {b}`) and throws a
 * TypeError when `a` already holds a value: `--seed 5 --seed.x 1`, or `--no- -5.5` (the
 * short flags `5 . 5` make the key `.`, nested under the empty key `--no-` set to false).
 * Found by the fuzzer (bench/fuzz, surface `cli`). No p2pmsg option has a dot in its name,
 * so a flag with one is an unknown option, said before cac sees it. Values, arguments and
 * everything after `--` may contain dots.
 */
function rejectDottedOptions(args: readonly string[]): void {
  for (const arg of args) {
    if (arg === '--') return;
    if (!arg.startsWith('-')) continue;
    const name = arg.split('=', 1)[0] as string;
    if (name.includes('.')) throw new UsageError(`unknown option ${name}`);
  }
}

function buildCli(io: CliIo): CAC {
  const cli = cac('p2pmsg');
  cli.option('--data-dir <dir>', 'Data directory of the daemon (default ~/.p2pmsg)');
  cli.option(
    '--socket <path|host:port>',
    "The daemon's client socket (default <data-dir>/client.sock)",
  );
  for (const command of COMMANDS) command.register(cli, io);
  cli.help((sections) => {
    const matched = COMMANDS.find((c) => c.name === cli.matchedCommand?.name);
    return [...sections, ...(matched?.helpSections ?? GLOBAL_SECTIONS)];
  });
  cli.version(packageVersion());
  cli.example('  $ p2pmsg node --listen 127.0.0.2:7000');
  cli.example('  $ p2pmsg send alice "hello"');
  cli.example('  $ p2pmsg sim sim/scenarios/overlay.yaml --seed 7');
  return cli;
}

function noCommand(cli: CAC): ParsedCommandLine {
  const word = cli.args[0];
  if (word !== undefined) {
    const guess = didYouMean(
      String(word),
      COMMANDS.map((c) => c.name),
    );
    throw new UsageError(
      `unknown command ${JSON.stringify(String(word))}` +
        (guess === undefined ? '' : ` (did you mean "${guess}"?)`),
    );
  }
  const stray = Object.keys(cli.options).filter((name) => name !== '--');
  if (stray.length > 0) {
    throw new UsageError(`missing command before ${flag(stray[0] as string)}`);
  }
  return { kind: 'missing-command' };
}

/**
 * Rejects options given without their value (`--seed --out x` or `--seed -1` parse as a bare
 * `--seed`) and options the matched command does not declare, with a did-you-mean.
 */
function checkOptions(cli: CAC, command: Command): void {
  const declared = [...command.options, ...cli.globalCommand.options];
  for (const option of declared) {
    if (option.required === true && cli.options[option.name] === true) {
      throw new UsageError(`option ${option.rawName} needs a value`);
    }
  }
  const known = declared.flatMap((o) => o.names);
  for (const name of Object.keys(cli.options)) {
    if (name === '--' || known.includes(name)) continue;
    const guess = didYouMean(
      name,
      known.filter((n) => n.length > 1),
    );
    throw new UsageError(
      `unknown option ${flag(name)}` +
        (guess === undefined ? '' : ` (did you mean ${flag(guess)}?)`),
    );
  }
}

/** An option's camelCase name as typed on the command line. */
function flag(name: string): string {
  return name.length === 1
    ? `-${name}`
    : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
