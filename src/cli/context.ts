/**
 * What a CLI command may touch, passed in rather than reached for, so commands can be run
 * in-process by tests with captured output.
 */

import type { CAC } from 'cac';
import type { ProgressStream } from './progress.js';

export interface CliIo {
  /** One line to stdout (a newline is added). */
  out(line: string): void;
  /** One line to stderr (a newline is added). */
  err(line: string): void;
  /** Where the progress bar goes (stderr); drawn only if it is a TTY. */
  progress: ProgressStream;
  /** Wall clock in ms, for the terminal only. */
  clock(): number;
  /** Environment variables (P2PMSG_DEBUG shows stack traces of internal errors). */
  env: Readonly<Record<string, string | undefined>>;
  /** Standard input (`send … -`, `chat`); absent in tests that do not need it. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /**
   * Calls `handler` on SIGINT and SIGTERM (`node`, `testnet`, `chat`); returns the
   * unsubscribe. Absent: the command cannot be interrupted gracefully.
   */
  onSignal?: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
  /**
   * Runs this same command line again in a new process with extra Node flags and
   * environment variables, its stdio ours, and resolves when it ends (`sim --max-heap`).
   * Absent in tests that do not need it.
   */
  relaunch?: (
    nodeFlags: readonly string[],
    env: Readonly<Record<string, string>>,
  ) => Promise<Ended>;
  /** Raw bytes to stdout (chat prompts without a newline). */
  write?: (text: string) => void;
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface Ended {
  code: number | null;
  signal: string | null;
}

/** An extra section shown by `--help` for one command. */
export interface HelpSection {
  title?: string;
  body: string;
}

/**
 * One subcommand. `register` adds it to the cac instance; its action resolves to the exit
 * code. Usage mistakes throw UsageError (exit 2); anything else is an internal error.
 */
export interface CliCommand {
  name: string;
  register(cli: CAC, io: CliIo): void;
  /** Sections appended to this command's --help. */
  helpSections?: readonly HelpSection[];
}
