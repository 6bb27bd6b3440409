/**
 * `p2pmsg node --detach`: start the daemon as a background process and return once it is
 * up (DESIGN.md §4).
 *
 * Theory of operation. The parent spawns the same CLI (`selfCommand`) with the same node
 * flags but without --detach, in its own session (`detached: true`: no controlling
 * terminal, so closing the terminal does not stop it), stdin from /dev/null and stdout and
 * stderr appended to `daemon.log` in the data directory. The daemon writes `daemon.pid` when
 * it is ready; the parent waits for that file to name the child's pid (DETACH_READY_MAX_MS
 * at most), then returns the pid. If the child exits first, the error is the tail of its log.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDataDir, pidFilePath, readPidFile } from './data-dir.js';
import {
  DETACH_READY_MAX_MS,
  LOG_FILE_NAME,
  POLL_INTERVAL_MS,
  PRIVATE_FILE_MODE,
} from './limits.js';
import { DETACHED_ENV, selfCommand } from './spawn.js';

/** Lines of the child's log quoted when it fails to start. */
const LOG_TAIL_LINES = 5;
const LOG_TAIL_BYTES = 4096;

/** The detached daemon did not come up; the message has the reason from its log. */
export class DetachError extends Error {
  override name = 'DetachError';
}

export interface Detached {
  pid: number;
  logFile: string;
}

/** Starts `p2pmsg <args>` in the background (args begin with 'node'); resolves once ready. */
export async function startDetached(dataDir: string, args: readonly string[]): Promise<Detached> {
  ensureDataDir(dataDir);
  const logFile = path.join(dataDir, LOG_FILE_NAME);
  const fd = fs.openSync(logFile, 'a', PRIVATE_FILE_MODE);
  // The mode above applies only to a new file: a log found looser is tightened (it holds
  // who talks to whom at debug level, SECURITY.md).
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  const self = selfCommand();
  let exitCode: number | null = null;
  let child;
  try {
    child = spawn(self.command, [...self.args, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, [DETACHED_ENV]: '1' },
    });
  } finally {
    fs.closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new DetachError('could not start the daemon process');
  const onExit = (code: number | null) => (exitCode = code ?? 1);
  child.on('exit', onExit);
  child.unref();
  const deadline = Date.now() + DETACH_READY_MAX_MS;
  try {
    for (;;) {
      if (readPidFile(pidFilePath(dataDir)) === pid) return { pid, logFile };
      if (exitCode !== null) {
        throw new DetachError(
          `the daemon exited with code ${exitCode} while starting: ${logTail(logFile)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new DetachError(
          `the daemon (pid ${pid}) did not report ready within ${DETACH_READY_MAX_MS} ms; ` +
            `see ${logFile}`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  } finally {
    child.off('exit', onExit);
  }
}

function logTail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8').slice(-LOG_TAIL_BYTES);
    const lines = text.trimEnd().split('\n').slice(-LOG_TAIL_LINES);
    return lines.join(' | ') || '(empty log)';
  } catch {
    return '(no log)';
  }
}
