/**
 * Store failures (STYLE.md #7 at the disk edge).
 *
 * - The machine failing us (disk full, read-only file system, a corrupt or foreign file, a
 *   lock held too long, a schema from a newer p2pmsg) is a `StoreError` with a code. The
 *   daemon answers FAIL, logs one line and keeps running; nothing is half-written because
 *   every write is one transaction.
 * - The caller handing the store an impossible value (a 5 MB body, a malformed id) is a
 *   `StoreInputError`: a bug in the caller, thrown before any SQL runs.
 * - Anything else SQLite throws (a constraint we did not expect) is a bug and is rethrown.
 */

export const STORE_ERROR_CODES = [
  /** SQLITE_FULL / ENOSPC, or the DB_MAX_BYTES cap. Recoverable when space returns. */
  'full',
  /** SQLITE_READONLY*, EROFS, EACCES: the file or file system refuses writes. */
  'readonly',
  /** SQLITE_CORRUPT*, SQLITE_NOTADB: the file is damaged or not a database. */
  'corrupt',
  /** SQLITE_BUSY*, SQLITE_LOCKED*: another connection held a lock past the busy timeout. */
  'busy',
  /** Schema newer than this program, or a database that is not p2pmsg's. */
  'schema',
  /** Any other I/O failure (SQLITE_IOERR*, SQLITE_CANTOPEN, SQLITE_PERM). */
  'io',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value the caller should never have passed (STYLE.md #7: local misuse). */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

const SQLITE_PREFIXES: ReadonlyArray<[string, StoreErrorCode]> = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'readonly'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_PERM', 'io'],
];

const ERRNO_CODES: Readonly<Record<string, StoreErrorCode>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'readonly',
  EACCES: 'readonly',
  EPERM: 'readonly',
  EIO: 'io',
  ENOENT: 'io',
  ENOTDIR: 'io',
};

const HUMAN: Readonly<Record<StoreErrorCode, string>> = {
  full: 'the disk (or the store size cap) is full',
  readonly: 'the store is read-only',
  corrupt: 'the store file is corrupt or not a database',
  busy: 'the store is locked by another process',
  schema: 'the store schema is not usable by this program',
  io: 'the store could not be read or written',
};

/** The StoreError for `err` if it is a known disk/SQLite failure, else null (a bug). */
export function classifyStoreError(err: unknown, doing: string): StoreError | null {
  if (err instanceof StoreError) return err;
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  let mapped: StoreErrorCode | undefined;
  if (code.startsWith('SQLITE_')) {
    mapped = SQLITE_PREFIXES.find(([prefix]) => code.startsWith(prefix))?.[1];
  } else {
    mapped = ERRNO_CODES[code];
  }
  if (mapped === undefined) return null;
  return new StoreError(mapped, `${doing}: ${HUMAN[mapped]} (${code}: ${err.message})`, {
    cause: err,
  });
}

/** Runs `fn`, turning disk and SQLite failures into StoreError; bugs pass through. */
export function guard<T>(doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw classifyStoreError(err, doing) ?? err;
  }
}
