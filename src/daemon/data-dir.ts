/**
 * The data directory (DESIGN.md §4): where a daemon keeps its store, client socket, config,
 * lock, pid and log files.
 *
 *   ~/.p2pmsg/            mode 0700
 *     store.sqlite        identity secrets, inbox, outbox, contacts (0600; src/store)
 *     client.sock         the client protocol (0600; src/client)
 *     config.json         optional settings (config.ts)
 *     daemon.lock         exists while a daemon runs here; holds its pid
 *     daemon.pid          the running daemon's pid (for scripts and systemd)
 *     daemon.log          stdout/stderr of a `--detach`ed daemon
 *
 * Rule 1: the directory is created 0700; an existing one readable by group or others is
 *         tightened to 0700 (it holds the only gate to the daemon, the socket).
 * Rule 2: two daemons never share a data directory. The lock file is created with O_EXCL
 *         and holds the pid. A lock whose pid is not alive is stale (a SIGKILLed daemon) and
 *         is taken over; a live one refuses the start with the pid named.
 * Rule 3: a lock is released only by its owner (the pid in it is ours).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DATA_DIR_DEFAULT_NAME,
  DATA_DIR_MODE,
  LOCK_FILE_NAME,
  PID_FILE_MAX_BYTES,
  PID_FILE_NAME,
  PRIVATE_FILE_MODE,
} from './limits.js';

export type DataDirErrorCode = 'locked' | 'not-a-directory' | 'io';

/** The data directory cannot be used; the message says why and what to do. */
export class DataDirError extends Error {
  override name = 'DataDirError';
  constructor(
    readonly code: DataDirErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `--data-dir` if given (resolved against the working directory), else `~/.p2pmsg`. */
export function resolveDataDir(flag: string | undefined, home = os.homedir()): string {
  return path.resolve(flag ?? path.join(home, DATA_DIR_DEFAULT_NAME));
}

/** Creates the directory (0700) or checks and tightens an existing one (Rule 1). */
export function ensureDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  } catch (err) {
    throw new DataDirError('io', `cannot create data directory ${dir}: ${errText(err)}`);
  }
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new DataDirError('not-a-directory', `${dir} is not a directory`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, DATA_DIR_MODE);
}

/** Reads a pid file; null if absent or not a pid. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(PID_FILE_MAX_BYTES);
      const n = fs.readSync(fd, buffer, 0, PID_FILE_MAX_BYTES, 0);
      text = buffer.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** true if a process with this pid exists (ours or another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock if it is still ours (Rule 3). Idempotent. */
  release(): void;
}

/** Lock files held by this process (a pid alone cannot tell two daemons of one process apart). */
const heldHere = new Set<string>();

/** Takes the data directory's lock (Rule 2) for `pid`, or throws DataDirError 'locked'. */
export function acquireLock(dir: string, pid = process.pid): DataDirLock {
  const file = path.join(dir, LOCK_FILE_NAME);
  if (heldHere.has(file)) {
    throw new DataDirError('locked', `a daemon in this process is already using ${dir}`);
  }
  // Two tries: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
      try {
        fs.writeSync(fd, `${pid}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      heldHere.add(file);
      return lockHandle(file, pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DataDirError('io', `cannot create ${file}: ${errText(err)}`);
      }
    }
    const owner = readPidFile(file);
    if (owner !== null && owner !== pid && processAlive(owner)) {
      throw new DataDirError(
        'locked',
        `another p2pmsg daemon (pid ${owner}) is using ${dir}; stop it first ` +
          `(\`kill ${owner}\`) or pass a different --data-dir`,
      );
    }
    try {
      fs.unlinkSync(file); // Stale: its daemon is gone (or the file is garbage).
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DataDirError('io', `cannot remove stale lock ${file}: ${errText(err)}`);
      }
    }
  }
  throw new DataDirError('locked', `${file} keeps reappearing; is another daemon starting?`);
}

function lockHandle(file: string, pid: number): DataDirLock {
  let released = false;
  return {
    path: file,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      if (readPidFile(file) === pid) removeQuietly(file);
    },
  };
}

/** Writes `daemon.pid`; returns a remover that deletes it only if it still names `pid`. */
export function writePidFile(dir: string, pid = process.pid): () => void {
  const file = pidFilePath(dir);
  const temp = `${file}.${pid}.tmp`;
  fs.writeFileSync(temp, `${pid}\n`, { mode: PRIVATE_FILE_MODE });
  fs.renameSync(temp, file);
  return () => {
    if (readPidFile(file) === pid) removeQuietly(file);
  };
}

export function pidFilePath(dir: string): string {
  return path.join(dir, PID_FILE_NAME);
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
