/**
 * The composed daemon in-process (src/daemon/daemon.ts): start, lock, status, graceful stop,
 * identity across restarts, a message between two daemons, and Rule 1 — a delivery that
 * cannot be stored stops the daemon before its acknowledgement leaves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRequest } from '../../src/client/index.js';
import { resolveSettings } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { DataDirError } from '../../src/daemon/data-dir.js';
import { createLogger } from '../../src/daemon/log.js';
import { StoreError } from '../../src/store/index.js';

const quiet = createLogger({ format: 'json', level: 'error', write: () => {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, maxMs = 20_000) {
  const deadline = Date.now() + maxMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('daemon (in-process)', () => {
  const running: Daemon[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2d-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dir: string, flags: Record<string, unknown> = {}) => {
    const settings = resolveSettings({}, { listen: '127.0.21.2:0', ...flags });
    const daemon = await Daemon.start({ dataDir: dir, settings, log: quiet, version: 'test' });
    running.push(daemon);
    return daemon;
  };

  it('starts with a lock, a pid file and a 0600 socket; a second daemon on the dir is refused', async () => {
    const dir = dataDir();
    const daemon = await start(dir);
    expect(fs.readFileSync(path.join(dir, 'daemon.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect(fs.statSync(path.join(dir, 'client.sock')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    await expect(start(dir, { listen: '127.0.21.3:0' })).rejects.toThrow(DataDirError);
    const status = daemon.status();
    expect(status).toMatchObject({
      id: daemon.id,
      relay: true,
      hops: 3,
      neighbours: 0,
      version: 'test',
    });
    expect(String(status['address'])).toMatch(/^127\.0\.21\.2:\d+$/);
  });

  it('a graceful stop exits 0 and removes the lock, the pid file and the socket; the identity stays', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const id = first.id;
    await first.stop();
    expect(await first.done).toBe(0);
    for (const f of ['daemon.lock', 'daemon.pid', 'client.sock']) {
      expect(fs.existsSync(path.join(dir, f))).toBe(false);
    }
    const again = await start(dir);
    expect(again.id).toBe(id);
  });

  /** Three daemons (a path needs a relay besides the two ends), joined through `a`. */
  const trio = async () => {
    const a = await start(dataDir());
    const b = await start(dataDir(), { listen: '127.0.21.3:0', bootstrap: [a.address] });
    const c = await start(dataDir(), { listen: '127.0.21.4:0', bootstrap: [a.address] });
    for (const x of [a, b, c]) {
      await until(() => x.node.snapshot().relays.length === 3, 'every directory to hold all three');
    }
    return { a, b, c };
  };

  it('three daemons: they join through the first, resolve each other by address, and a message arrives', async () => {
    const { a, b } = await trio();
    expect(b.node.resolve(a.address, Date.now())?.id).toBe(a.id);
    const pushed = await sendRequest(
      { path: b.socketPath as string },
      { kind: 'push', destination: a.address, message: 'through the third daemon' },
    );
    expect(pushed).toEqual({ kind: 'push', ok: true });
    await until(
      () =>
        a.status()['inbox'] !== undefined &&
        Number((a.status()['inbox'] as { unread: number }).unread) === 1,
      'delivery',
    );
    const pulled = await sendRequest({ path: a.socketPath as string }, { kind: 'pull' });
    expect(pulled).toEqual({
      kind: 'pull',
      messages: [{ address: b.address, body: 'through the third daemon' }],
    });
    await until(
      () => Number((b.status()['outbox'] as { pending: number }).pending) === 0,
      'the ack',
    );
  });

  it('a delivery that cannot be stored stops the daemon (exit 1) before the acknowledgement leaves', async () => {
    const { a, b } = await trio();
    a.inbox.deliver = () => {
      throw new StoreError('full', 'disk full (simulated)');
    };
    const pushed = await sendRequest(
      { path: b.socketPath as string },
      { kind: 'json', request: { op: 'push', to: a.id, body: 'lost?' } },
    );
    expect(pushed.ok).toBe(true);
    expect(await a.done).toBe(1);
    await sleep(1_000);
    // No acknowledgement came: the message is still the sender's to deliver.
    expect((b.status()['outbox'] as { pending: number }).pending).toBe(1);
  });
});
