/**
 * CLI failure kinds and their exit codes (STYLE.md #7 at the process edge).
 *
 * - 0: success.
 * - 1: failed: the daemon refused or is not running (`CommandError`: one `error: …` line),
 *      or an internal error (a bug, or the machine failed us): the message, the seed and
 *      the command that reproduces the run go to stderr.
 * - 2: the user asked for something we cannot do (bad option, bad scenario file): one line on
 *      stderr, `error: …`, never a stack trace.
 */

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** A command that ran and failed (the daemon said no, or is not there): exit 1. */
export const EXIT_FAILED = 1;

/** The command could not do its job; shown as `error: <message>` with exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** A bad command line; its message is shown as `error: <message>` with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** cac throws its own CACError (not exported) for missing or surplus arguments. */
export function isCacError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'CACError';
}

/** First letter lowercased, so library messages read as the tail of `error: …`. */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
