/**
 * The data directory: created 0700, locked against a second daemon, stale locks taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireLock,
  DataDirError,
  ensureDataDir,
  processAlive,
  readPidFile,
  resolveDataDir,
  writePidFile,
} from '../../src/daemon/data-dir.js';

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'p2pmsg-dd-'));

/** A pid that is certainly not running: beyond Linux's pid_max. */
const DEAD_PID = 4_194_304 + 17;

describe('data directory', () => {
  it('defaults to ~/.p2pmsg; --data-dir is resolved against the working directory', () => {
    expect(resolveDataDir(undefined, '/home/ann')).toBe('/home/ann/.p2pmsg');
    expect(resolveDataDir('rel/dir')).toBe(path.resolve('rel/dir'));
  });

  it('is created with mode 0700, and an existing one open to others is tightened', () => {
    const dir = path.join(temp(), 'a', 'b');
    ensureDataDir(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    fs.chmodSync(dir, 0o755);
    ensureDataDir(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a file where the directory should be is refused', () => {
    const file = path.join(temp(), 'file');
    fs.writeFileSync(file, '');
    expect(() => ensureDataDir(file)).toThrow(DataDirError);
  });

  it('two daemons never share it: the second lock names the first pid', () => {
    const dir = temp();
    const first = acquireLock(dir);
    expect(readPidFile(path.join(dir, 'daemon.lock'))).toBe(process.pid);
    expect(() => acquireLock(dir)).toThrow(/already using/);
    // Another live process holding it (our parent stands in for another daemon).
    first.release();
    fs.writeFileSync(path.join(dir, 'daemon.lock'), `${process.ppid}\n`);
    expect(() => acquireLock(dir)).toThrow(
      new RegExp(`another p2pmsg daemon \\(pid ${process.ppid}\\) is using`),
    );
  });

  it('a stale lock (its daemon was SIGKILLed) is taken over; garbage is too', () => {
    const dir = temp();
    expect(processAlive(DEAD_PID)).toBe(false);
    fs.writeFileSync(path.join(dir, 'daemon.lock'), `${DEAD_PID}\n`);
    const lock = acquireLock(dir);
    expect(readPidFile(path.join(dir, 'daemon.lock'))).toBe(process.pid);
    lock.release();
    fs.writeFileSync(path.join(dir, 'daemon.lock'), 'not a pid');
    acquireLock(dir).release();
  });

  it('release removes the lock only while it is ours', () => {
    const dir = temp();
    const lock = acquireLock(dir);
    fs.writeFileSync(path.join(dir, 'daemon.lock'), `${process.ppid}\n`); // someone took over
    lock.release();
    expect(fs.existsSync(path.join(dir, 'daemon.lock'))).toBe(true);
  });

  it('the pid file is written whole (mode 0600) and removed only while it names us', () => {
    const dir = temp();
    const remove = writePidFile(dir);
    const file = path.join(dir, 'daemon.pid');
    expect(readPidFile(file)).toBe(process.pid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    remove();
    expect(fs.existsSync(file)).toBe(false);
  });
});
