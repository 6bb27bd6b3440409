/**
 * The daemon's client handler behind a real ClientServer (src/daemon/handler.ts): how
 * destinations resolve, what PUSH refuses, PULL marking read after the write, trace.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientServer, sendRequest } from '../../src/client/index.js';
import { DaemonHandler } from '../../src/daemon/handler.js';
import { Inbox } from '../../src/daemon/inbox.js';
import { createLogger } from '../../src/daemon/log.js';
import { Outbox } from '../../src/daemon/outbox.js';
import { ROUTING_BODY_MAX } from '../../src/engine/routing/index.js';
import type { Command } from '../../src/engine/types.js';
import { rawExchange } from '../client/helpers.js';
import { ALICE, BOB, CAROL, freshStore, RELAY1, removeDir } from '../store/helpers.js';

async function setup() {
  const fresh = freshStore();
  const commands: Command[] = [];
  let stopping = false;
  const directory = new Map([
    ['127.0.0.3:7000', { id: BOB, address: '127.0.0.3:7000', relay: true }],
    [CAROL, { id: CAROL, address: '127.0.0.4:7000', relay: true }],
  ]);
  const node = {
    id: ALICE,
    resolve: (dest: string) => directory.get(dest),
    snapshot: () => ({ id: ALICE, active: [CAROL], passive: [RELAY1], relays: [] }),
  };
  const log = createLogger({ format: 'json', level: 'error', write: () => {} });
  const outbox = new Outbox({
    store: fresh.store,
    log,
    now: fresh.clock.now,
    messageTtlMs: 60_000,
    engine: { command: (c) => void commands.push(c), hasNeighbour: () => true, knows: () => true },
  });
  outbox.start();
  const inbox = new Inbox(fresh.store);
  const handler = new DaemonHandler({
    store: fresh.store,
    node,
    outbox,
    inbox,
    now: fresh.clock.now,
    status: () => ({ id: ALICE }),
    stopping: () => stopping,
  });
  const socketPath = path.join(fresh.dir, 's.sock');
  const server = await ClientServer.start({ handler, socketPath });
  return {
    ...fresh,
    commands,
    inbox,
    server,
    target: { path: socketPath },
    socketPath,
    stop: () => (stopping = true),
  };
}

describe('daemon client handler', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const make = async () => {
    const t = await setup();
    cleanups.push(async () => {
      await t.server.close();
      t.store.close();
      removeDir(t.dir);
    });
    return t;
  };

  it('PUSH resolves a node ID, a contact alias and an IP:port; the conversation is the node', async () => {
    const t = await make();
    t.store.addContact('carol', CAROL);
    for (const dest of [BOB.toUpperCase(), 'carol', '127.0.0.3:7000']) {
      expect((await rawExchange(t.socketPath, `PUSH IP:${dest} MSG:hi\n`)).text).toBe('SUCCESS\n');
    }
    const peers = t.store
      .conversations()
      .map((c) => c.peer)
      .sort();
    expect(peers).toEqual([BOB, CAROL].sort());
    await new Promise((r) => setImmediate(r));
    expect(
      t.commands.filter((c) => c.type === 'send').map((c) => c.type === 'send' && c.to),
    ).toEqual([BOB, CAROL, BOB]);
  });

  it('PUSH fails for an unknown address, ourselves, an oversize body and while stopping', async () => {
    const t = await make();
    const push = (dest: string, body: string) =>
      sendRequest(t.target, { kind: 'json', request: { op: 'push', to: dest, body } });
    expect(await push('10.0.0.1:7000', 'x')).toMatchObject({
      ok: false,
      error: { code: 'unknown-destination' },
    });
    expect(await push(ALICE, 'x')).toMatchObject({ ok: false, error: { code: 'self' } });
    expect(await push(BOB, 'y'.repeat(ROUTING_BODY_MAX + 1))).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    });
    expect((await rawExchange(t.socketPath, 'PUSH IP:10.0.0.1:7000 MSG:x\n')).text).toBe('FAIL\n');
    t.stop();
    expect(await push(BOB, 'x')).toMatchObject({ ok: false, error: { code: 'shutting-down' } });
    expect(t.store.pendingCount()).toBe(0);
  });

  it('PULL: the seed response byte for byte; marked read only after it was written', async () => {
    const t = await make();
    const id = new Uint8Array(16).fill(9);
    t.inbox.deliver(
      {
        messageId: id,
        from: BOB,
        fromAddress: '127.0.0.3:7000',
        body: new TextEncoder().encode('a\\b\nc'),
        sentAt: 1,
      },
      t.clock.t,
    );
    expect((await rawExchange(t.socketPath, 'PULL\n')).text).toBe(
      'SUCCESS 1\nIP: 127.0.0.3:7000 MSG:a\\\\b\\nc\n',
    );
    expect((await rawExchange(t.socketPath, 'PULL\n')).text).toBe('SUCCESS 0\n');
    expect(t.store.history(BOB)[0]).toMatchObject({ direction: 'in', read: true });
  });

  it('history and watch take an alias or an address; an unknown peer is an error object', async () => {
    const t = await make();
    t.store.addContact('bob', BOB);
    await sendRequest(t.target, { kind: 'json', request: { op: 'push', to: 'bob', body: 'one' } });
    const byAlias = await sendRequest(t.target, {
      kind: 'json',
      request: { op: 'history', peer: 'bob' },
    });
    const byAddress = await sendRequest(t.target, {
      kind: 'json',
      request: { op: 'history', peer: '127.0.0.3:7000' },
    });
    expect(byAlias).toMatchObject({
      ok: true,
      messages: [{ direction: 'out', body: 'one', state: 'pending' }],
    });
    expect(byAddress).toEqual(byAlias);
    expect(
      await sendRequest(t.target, { kind: 'json', request: { op: 'history', peer: 'nobody' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unknown-peer' },
    });
  });

  it('peers lists neighbours and known nodes with addresses and aliases', async () => {
    const t = await make();
    t.store.addContact('carol', CAROL);
    expect(await sendRequest(t.target, { kind: 'json', request: { op: 'peers' } })).toEqual({
      ok: true,
      peers: [
        { id: CAROL, view: 'active', address: '127.0.0.4:7000', alias: 'carol' },
        { id: RELAY1, view: 'passive', address: null, alias: null },
      ],
    });
  });

  it('trace returns the message and its attempts; an unknown id and a malformed one are errors', async () => {
    const t = await make();
    const pushed = await sendRequest(t.target, {
      kind: 'json',
      request: { op: 'push', to: BOB, body: 'traced' },
    });
    if (!pushed.ok) throw new Error('push failed');
    const traced = await sendRequest(t.target, {
      kind: 'json',
      request: { op: 'trace', id: pushed.id },
    });
    expect(traced).toMatchObject({
      ok: true,
      message: {
        id: pushed.id,
        destination: BOB,
        peer: BOB,
        body: 'traced',
        state: 'pending',
        attempts: 0,
      },
      attempts: [],
    });
    expect(
      await sendRequest(t.target, { kind: 'json', request: { op: 'trace', id: 'f'.repeat(32) } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unknown-message' },
    });
    expect(
      await sendRequest(t.target, { kind: 'json', request: { op: 'trace', id: 'xyz' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });
});
