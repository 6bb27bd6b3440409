/**
 * Reading the small text files a scenario consists of (the scenario itself, a latency
 * matrix) with a size limit and reasons a user can act on, instead of raw errno codes.
 */
import { readFileSync, statSync } from 'node:fs';

/** A file that cannot be used: too big, or unreadable (`reason` says why). */
export class TextFileError extends Error {
  override name = 'TextFileError';
  constructor(
    readonly kind: 'too-big' | 'unreadable',
    /** For 'too-big' the whole sentence; for 'unreadable' the reason ("no such file"). */
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The UTF-8 text of `path`, at most `maxBytes` long; `what` names the expected file. */
export function readTextFile(path: string, maxBytes: number, what: string): string {
  try {
    const size = statSync(path).size;
    if (size > maxBytes) {
      throw new TextFileError(
        'too-big',
        `expected ${what} of at most ${maxBytes} bytes, found ${size} bytes`,
      );
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof TextFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? `is a directory, expected ${what}`
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new TextFileError('unreadable', reason);
  }
}
