/**
 * The log of a `--detach`ed daemon is readable by its owner only (SECURITY.md, "Another
 * local user"): created 0600, and tightened to 0600 when an earlier one was looser. Daemon on
 * 127.0.16.x.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRIVATE_FILE_MODE, LOG_FILE_NAME } from '../../src/daemon/limits.js';
import { readPidFile } from '../../src/daemon/data-dir.js';
import { runCli, Testbed, waitFor } from './harness.js';

describe('the detached daemon’s log file', () => {
  const bed = new Testbed(16);
  afterAll(() => bed.cleanup(), 30_000);

  /** Starts a detached daemon in `dir` and stops it again (its pid file goes as it stops). */
  async function detachIn(dir: string, index: number): Promise<void> {
    const args = ['--data-dir', dir, 'node', '--listen', bed.addressOf(index), '--detach'];
    const started = await runCli(args);
    expect(started.code, started.stderr).toBe(0);
    const pidFile = path.join(dir, 'daemon.pid');
    process.kill(readPidFile(pidFile) as number, 'SIGTERM');
    await waitFor(() => !fs.existsSync(pidFile), 'the detached daemon to stop', 15_000);
  }

  it('a new log is created 0600; one found 0644 is tightened to 0600', async () => {
    const fresh = path.join(bed.dir, 'fresh');
    await detachIn(fresh, 0);
    expect(fs.statSync(path.join(fresh, LOG_FILE_NAME)).mode & 0o777).toBe(PRIVATE_FILE_MODE);

    const loose = path.join(bed.dir, 'loose');
    fs.mkdirSync(loose, { mode: 0o700 });
    const log = path.join(loose, LOG_FILE_NAME);
    fs.writeFileSync(log, 'an earlier life\n', { mode: 0o644 });
    fs.chmodSync(log, 0o644);
    await detachIn(loose, 1);
    expect(fs.statSync(log).mode & 0o777).toBe(PRIVATE_FILE_MODE);
    expect(fs.readFileSync(log, 'utf8').startsWith('an earlier life\n')).toBe(true); // appended
  }, 90_000);
});
