/**
 * A small tmpfs for a daemon's data directory, so a test can fill the disk under it or
 * mount it read-only (test/integration/faults-disk.test.ts).
 *
 * Mounting needs root, or a user and mount namespace of one's own: run the test file as
 * `unshare -Urm npx vitest run test/integration/faults-disk.test.ts` and the daemons it
 * starts share the namespace and its mounts. Without either, `mount` fails and so does the
 * test, with that advice: a disk test that skipped itself would prove nothing.
 *
 * Linux refuses `mount -o remount,ro` while any process holds a file of the mount open for
 * writing (EBUSY), and a running daemon always holds its store open; `remount` is therefore
 * only for a file system whose daemon is down.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const FILLER = '.filler';
const FILL_CHUNK_BYTES = 4096;

export class Tmpfs {
  private mounted = true;

  private constructor(readonly dir: string) {}

  /** Mounts a tmpfs of `bytes` at `dir` (created), mode 0700; throws a clear error if it cannot. */
  static mount(dir: string, bytes: number): Tmpfs {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
    } catch (err) {
      throw new Error(
        `cannot mount a tmpfs at ${dir} (${(err as Error).message.trim()}): this test needs ` +
          'root, or its own user and mount namespace — run it as `unshare -Urm npx vitest run ' +
          'test/integration/faults-disk.test.ts`',
      );
    }
    return new Tmpfs(dir);
  }

  get fillerPath(): string {
    return path.join(this.dir, FILLER);
  }

  /** Writes a filler file until the file system answers ENOSPC; returns the bytes written. */
  fill(): number {
    const fd = fs.openSync(this.fillerPath, 'a');
    const chunk = Buffer.alloc(FILL_CHUNK_BYTES, 0x5a);
    let written = 0;
    try {
      for (;;) written += fs.writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      fs.closeSync(fd);
    }
    return written;
  }

  /** Space returns: the filler goes. */
  free(): void {
    fs.rmSync(this.fillerPath, { force: true });
  }

  /** Remounts read-only or read-write (only while nothing holds a file open for writing). */
  remount(mode: 'ro' | 'rw'): void {
    run('mount', ['-o', `remount,${mode}`, this.dir]);
  }

  /** Unmounts (lazily if something still holds it); idempotent, never throws. */
  unmount(): void {
    if (!this.mounted) return;
    this.mounted = false;
    try {
      run('umount', [this.dir]);
    } catch {
      try {
        run('umount', ['-l', this.dir]);
      } catch {
        // Nothing more to do; the test's own failure is the one to report.
      }
    }
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`${command} ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}
