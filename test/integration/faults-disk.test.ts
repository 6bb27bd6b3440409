/**
 * A real daemon whose disk fills up or is read-only (issue 8 item 4). The daemon under test
 * (node2) keeps its data directory — store and log — on a small tmpfs (tmpfs.ts); node1
 * and node3 are on the ordinary disk. Daemons on 127.0.151.x.
 *
 * What a real system should do, and what these tests hold the daemon to:
 * - Disk full, sending: PUSH answers FAIL (NDJSON: `store-full`); nothing that was answered
 *   SUCCESS is lost; the daemon stays up; PULL still reads; the store passes
 *   `PRAGMA integrity_check`; when space returns, PUSH succeeds again and everything
 *   accepted is delivered exactly once.
 * - Disk full, receiving: a message the daemon cannot store must not be acknowledged (the
 *   engine's in-memory "seen" table would then acknowledge the sender's retry without
 *   delivering it), so the daemon logs one clear line and exits 1 (daemon.ts Rule 1); the
 *   sender keeps the message, and once space returns and the daemon is restarted (systemd's
 *   Restart=on-failure) it arrives, once.
 * - Read-only: Linux refuses to remount a file system read-only while the daemon holds its
 *   store open for writing, so the case met in practice is a daemon (re)started on a
 *   read-only file system (after the kernel remounted it on an I/O error): it refuses to
 *   start with one clear line and exit 1, changes nothing on disk, and starts normally —
 *   delivering what it had pending — once the file system is writable again. A store that
 *   turns read-only under a running daemon is the unit test in test/store/schema.test.ts
 *   (StoreError 'readonly', the same FAIL path as 'full').
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRequest } from '../../src/client/index.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { Store, StoreError, storePath } from '../../src/store/index.js';
import { ROOT, runCli, sleep, Testbed, waitFor, type DaemonProc } from './harness.js';
import { Tmpfs } from './tmpfs.js';

/** Room for the store, its WAL and the log at the start; filled with a filler file. */
const TMPFS_BYTES = 8 * 1024 * 1024;
/** Bodies near the one-packet limit (1 KiB) fill the slack the store keeps in few PUSHes. */
const BODY_PAD = 'x'.repeat(900);
/** More PUSHes than the store's slack can take on a full disk (each is > 900 bytes). */
const FILL_PUSHES_MAX = 20_000;
/** Retries after 5, 10, 20, 40 s; a restarted daemon also rejoins first. */
const DELIVERY_MAX_MS = 90_000;

async function seedPush(p: DaemonProc, to: string, body: string): Promise<boolean> {
  return (await sendRequest(p.socket, { kind: 'push', destination: to, message: body })).ok;
}

/** An NDJSON push; resolves with the error code, or null on success. */
async function pushCode(p: DaemonProc, to: string, body: string): Promise<string | null> {
  const r = (await p.request({ kind: 'json', request: { op: 'push', to, body } })) as
    { ok: true } | { ok: false; error: { code: string } };
  return r.ok ? null : r.error.code;
}

async function pending(p: DaemonProc): Promise<number> {
  const { status } = await p.ask({ op: 'status' });
  return Number((status['outbox'] as { pending: number }).pending);
}

/** Bodies of `from`'s messages in `to`'s store. */
async function received(to: DaemonProc, from: DaemonProc): Promise<string[]> {
  const { messages } = await to.ask({ op: 'history', peer: from.id, limit: 1000 });
  return messages.filter((m) => m.direction === 'in').map((m) => m.body);
}

/** Waits until `body` is in `to`'s store and `from` has its acknowledgement; once only. */
async function expectDeliveredOnce(to: DaemonProc, from: DaemonProc, body: string): Promise<void> {
  await waitFor(
    async () => (await received(to, from)).includes(body) && (await pending(from)) === 0,
    `"${body}" to reach ${to.name} and be acknowledged`,
    DELIVERY_MAX_MS,
    250,
  );
  expect((await received(to, from)).filter((b) => b === body)).toEqual([body]);
}

/** SQLite's full integrity check, on a read-only connection beside the daemon. */
function integrity(p: DaemonProc): string {
  const db = openDatabase(storePath(p.dataDir), { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/** PUSHes from `p` until its store answers anything but success; returns what was accepted. */
async function pushUntilRefused(
  p: DaemonProc,
  to: string,
): Promise<{ accepted: string[]; code: string }> {
  const accepted: string[] = [];
  for (let i = 0; i < FILL_PUSHES_MAX; i++) {
    const body = `while full ${i} ${BODY_PAD}`;
    const code = await pushCode(p, to, body);
    if (code !== null) return { accepted, code };
    accepted.push(body);
  }
  throw new Error(`${FILL_PUSHES_MAX} PUSHes accepted on a full disk: is the disk full?`);
}

describe('the store and the log on a full file system', () => {
  let disk: Tmpfs | null = null;
  let dir = '';
  afterEach(() => {
    disk?.unmount();
    disk = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a write that cannot be committed throws StoreError full and leaves nothing behind', () => {
    // Regression: INSERT … RETURNING read with `get` in autocommit committed in the
    // statement's reset, whose SQLITE_FULL better-sqlite3 does not report: the call
    // returned a message that was never on disk (messages.ts Rule 5).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2i151s-'));
    disk = Tmpfs.mount(path.join(dir, 'mnt'), 1024 * 1024);
    const file = storePath(disk.dir);
    const store = Store.open({ path: file });
    const message = (body: string) => ({
      destination: 'bob',
      peer: 'a'.repeat(32),
      body: `${body} ${BODY_PAD}`,
      expiresAt: 9e12,
    });
    for (let i = 0; i < 20; i++) store.enqueueOutgoing(message(`room ${i}`));
    disk.fill();
    let error: unknown = null;
    let returned = 0;
    for (let i = 0; i < 2_000 && error === null; i++) {
      try {
        store.enqueueOutgoing(message(`full ${i}`));
        returned++;
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('full');
    // Every call that returned is on disk: reopened, the store holds exactly those.
    expect(store.pendingCount()).toBe(20 + returned);
    store.close();
    disk.free();
    const again = Store.open({ path: file });
    expect(again.pendingCount()).toBe(20 + returned);
    expect(again.quickCheck()).toBe(true);
    again.close();
  });
  it('a daemon whose log is on the full disk loses log lines, not its life', () => {
    // Regression: a failed write to a file on stderr is not thrown but emitted as 'error'
    // on process.stderr, and an unhandled 'error' ended the process (log.ts Rule 1).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2i151s-'));
    disk = Tmpfs.mount(path.join(dir, 'mnt'), 256 * 1024);
    const script = path.join(dir, 'log-on-full-disk.mts');
    fs.writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(path.join(ROOT, 'src/daemon/log.ts'))};\n` +
        "const log = createLogger({ format: 'json', level: 'info' });\n" +
        "for (let i = 0; i < 200; i++) log.error('a line the full disk cannot take', { i });\n" +
        "setTimeout(() => process.stdout.write('still alive\\n'), 200);\n",
    );
    disk.fill();
    const logFd = fs.openSync(path.join(disk.dir, 'daemon.log'), 'a');
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', logFd],
        timeout: 30_000,
      });
      expect(out.toString()).toBe('still alive\n');
    } finally {
      fs.closeSync(logFd);
    }
  });
});

describe('a daemon whose disk is full or read-only', () => {
  let bed: Testbed;
  let disk: Tmpfs | null = null;

  afterEach(async () => {
    // Daemons first (they hold the mount), then the mount, then the directory.
    await Promise.all(bed.procs.map((p) => p.kill().catch(() => {})));
    disk?.unmount();
    disk = null;
    await bed.cleanup();
  }, 30_000);

  /** node1 (bootstrap), node2 on the tmpfs, node3; one relay per path. */
  async function network(): Promise<{ d: DaemonProc[]; small: DaemonProc; peer: DaemonProc }> {
    bed = new Testbed(151);
    disk = Tmpfs.mount(path.join(bed.dir, 'n2'), TMPFS_BYTES);
    const d = await bed.startNetwork(3, ['--hops', '1']);
    await bed.settle();
    return { d, small: d[1]!, peer: d[2]! };
  }

  it('disk full while sending: PUSH answers FAIL, the daemon stays up, and all it accepted is delivered once space returns', async () => {
    const { small, peer } = await network();
    // Two messages reach node2 while it has room: PULL is tried on the full disk.
    for (const body of ['before 1', 'before 2']) await peer.ask({ op: 'push', to: small.id, body });
    await waitFor(
      async () => (await received(small, peer)).length === 2,
      'two messages in',
      DELIVERY_MAX_MS,
    );

    disk!.fill();
    const { accepted, code } = await pushUntilRefused(small, peer.id);
    expect(code).toBe('store-full');
    expect(await seedPush(small, peer.id, `seed push while full ${BODY_PAD}`)).toBe(false);
    // Still up and answering; reads work.
    expect(small.exited).toBe(false);
    expect((await small.ask({ op: 'status' })).status['id']).toBe(small.id);
    const pulled = await sendRequest(small.socket, { kind: 'pull' });
    expect(pulled.messages?.map((m) => m.body).sort()).toEqual(['before 1', 'before 2']);
    expect(integrity(small)).toBe('ok');

    disk!.free();
    const after = `after space returned ${BODY_PAD}`;
    expect(await seedPush(small, peer.id, after)).toBe(true);
    accepted.push(after);
    await waitFor(
      async () => (await pending(small)) === 0,
      'node2 outbox to drain',
      DELIVERY_MAX_MS,
      250,
    );
    const bodies = await received(peer, small);
    expect(bodies.length).toBe(accepted.length);
    expect(bodies.sort()).toEqual([...accepted].sort());
    // The read marks of the PULL on the full disk were written, or the two come back: never lost.
    const again = (await sendRequest(small.socket, { kind: 'pull' })).messages ?? [];
    expect([0, 2]).toContain(again.length);
    expect(integrity(small)).toBe('ok');
    expect(small.exited).toBe(false);
  }, 170_000);

  it('disk full while receiving: the daemon exits 1 without acknowledging, and the message arrives once space returns', async () => {
    const { d, small, peer } = await network();
    disk!.fill();
    // Use up the store's slack too, so the next write of any kind meets the full disk.
    expect((await pushUntilRefused(small, peer.id)).code).toBe('store-full');
    const body = 'to a full disk';
    await peer.ask({ op: 'push', to: small.id, body });
    await small.waitExit(DELIVERY_MAX_MS);
    expect(small.exitCode).toBe(1);
    expect(small.tail(50)).toContain('cannot store a received message');
    await sleep(1_000);
    expect(await pending(peer)).toBeGreaterThanOrEqual(1);
    expect(integrity(small)).toBe('ok');

    disk!.free();
    const again = await bed.restartWith(small, ['--hops', '1', '--bootstrap', d[0]!.address]);
    await expectDeliveredOnce(again, peer, body);
    expect(integrity(again)).toBe('ok');
  }, 170_000);

  it('read-only file system at start: the daemon refuses to start, changes nothing, and delivers its pending messages once writable', async () => {
    const { d, small, peer } = await network();
    await peer.kill();
    const body = 'waiting in the outbox';
    expect(await seedPush(small, peer.id, body)).toBe(true);
    await small.kill();
    const before = integrity(small);
    disk!.remount('ro');
    const refused = await runCli(['--data-dir', small.dataDir, 'node', '--listen', small.address]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/read-only/);
    expect(before).toBe('ok');

    disk!.remount('rw');
    expect(integrity(small)).toBe('ok');
    const again = await bed.restartWith(small, ['--hops', '1', '--bootstrap', d[0]!.address]);
    const back = await bed.restartWith(peer, ['--hops', '1', '--bootstrap', d[0]!.address]);
    await expectDeliveredOnce(back, again, body);
  }, 170_000);
});
