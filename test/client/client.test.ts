/**
 * The CLI side (client.ts) against a real ClientServer and against misbehaving fake
 * daemons: typed results for every op, typed errors for every failure (Rule 1).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientError,
  defaultSocketPath,
  openWatch,
  parseTarget,
  sendRequest,
} from '../../src/client/client.js';
import type { MessageInfo } from '../../src/client/protocol.js';
import { ClientServer, type ClientServerLimits } from '../../src/client/server.js';
import { FakeHandler, makeStaleSocket, message, socketDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempSocketPath(): string {
  const dir = socketDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'client.sock');
}

async function daemon(limits: Partial<ClientServerLimits> = {}) {
  const handler = new FakeHandler();
  const socketPath = tempSocketPath();
  const server = await ClientServer.start({ socketPath, handler, limits });
  cleanups.push(() => server.close());
  return { handler, server, target: { path: socketPath } };
}

/** A raw server that answers every connection with `reply` (or never, if null). */
async function fakeDaemon(reply: string | null) {
  const socketPath = tempSocketPath();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    if (reply !== null) s.end(reply);
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  );
  return { path: socketPath };
}

async function expectClientError(
  promise: Promise<unknown>,
  code: ClientError['code'],
): Promise<ClientError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  expect((err as ClientError).code).toBe(code);
  return err as ClientError;
}

describe('sendRequest against a daemon', () => {
  it('seed PUSH and PULL', async () => {
    const { handler, target } = await daemon();
    expect(
      await sendRequest(target, { kind: 'push', destination: 'bob', message: 'hi\\there\n' }),
    ).toEqual({ kind: 'push', ok: true });
    expect(handler.pushes).toEqual([['bob', 'hi\\there\n']]);
    handler.pushOutcome = { ok: false, reason: 'unknown-destination' };
    expect(await sendRequest(target, { kind: 'push', destination: 'x', message: 'y' })).toEqual({
      kind: 'push',
      ok: false,
    });

    handler.unread = [message(1, 'a\nb')];
    expect(await sendRequest(target, { kind: 'pull' })).toEqual({
      kind: 'pull',
      messages: [{ address: '127.0.0.2:7000', body: 'a\nb' }],
    });
    handler.throwOn = 'pull';
    expect(await sendRequest(target, { kind: 'pull' })).toEqual({ kind: 'pull', messages: null });
  });

  it('every NDJSON op answers a typed object', async () => {
    const { target } = await daemon();
    const json = <R extends Parameters<typeof sendRequest>[1]>(r: R) => sendRequest(target, r);
    expect(await json({ kind: 'json', request: { op: 'status' } })).toEqual({
      ok: true,
      status: { id: 'me', peers: 3 },
    });
    expect(await json({ kind: 'json', request: { op: 'peers' } })).toMatchObject({
      ok: true,
      peers: [{ id: 'p1' }],
    });
    expect(await json({ kind: 'json', request: { op: 'conversations', limit: 7 } })).toMatchObject({
      ok: true,
      conversations: [{ alias: 'bob', total: 7 }],
    });
    expect(await json({ kind: 'json', request: { op: 'history', peer: 'bob' } })).toMatchObject({
      ok: true,
      messages: [{ peer: 'bob', body: 'last 50' }],
    });
    expect(await json({ kind: 'json', request: { op: 'contacts' } })).toMatchObject({
      ok: true,
      contacts: [{ alias: 'bob' }],
    });
    expect(
      await json({ kind: 'json', request: { op: 'contact-add', alias: 'carol', id: 'c' } }),
    ).toEqual({ ok: true, created: true });
    expect(
      await json({ kind: 'json', request: { op: 'contact-add', alias: 'taken', id: 'c' } }),
    ).toEqual({
      ok: false,
      error: { code: 'alias-taken', message: 'alias taken names someone else' },
    });
    expect(await json({ kind: 'json', request: { op: 'contact-remove', alias: 'bob' } })).toEqual({
      ok: true,
      removed: true,
    });
    expect(await json({ kind: 'json', request: { op: 'push', to: 'bob', body: 'x' } })).toEqual({
      ok: true,
      id: 'f'.repeat(32),
    });
  });

  it('NDJSON pull commits after the response; a handler crash is an internal error object', async () => {
    const { handler, target } = await daemon();
    handler.unread = [message(1), message(2)];
    const pulled = await sendRequest(target, { kind: 'json', request: { op: 'pull', limit: 1 } });
    expect(pulled.ok && pulled.messages.map((m) => m.id)).toEqual([message(1).id]);
    await waitFor(() => handler.commits.length === 1);
    handler.throwOn = 'status';
    expect(await sendRequest(target, { kind: 'json', request: { op: 'status' } })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error in the daemon' },
    });
  });
});

describe('client errors', () => {
  it('no socket file: daemon-not-running, naming the socket path', async () => {
    const target = { path: tempSocketPath() };
    const err = await expectClientError(
      sendRequest(target, { kind: 'pull' }),
      'daemon-not-running',
    );
    expect(err.message).toContain(target.path);
    expect(err.message).toContain('p2pmsg node');
  });

  it('a stale socket file (ECONNREFUSED): daemon-not-running', async () => {
    const file = tempSocketPath();
    await makeStaleSocket(file);
    await expectClientError(sendRequest({ path: file }, { kind: 'pull' }), 'daemon-not-running');
  });

  it('a closed TCP port: daemon-not-running', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    await expectClientError(
      sendRequest({ host: '127.0.0.1', port }, { kind: 'pull' }),
      'daemon-not-running',
    );
  });

  it('a daemon that never answers: timeout', async () => {
    const target = await fakeDaemon(null);
    const err = await expectClientError(
      sendRequest(target, { kind: 'pull' }, { timeoutMs: 150 }),
      'timeout',
    );
    expect(err.message).toContain('150 ms');
  });

  it('a daemon that answers nonsense: protocol', async () => {
    await expectClientError(sendRequest(await fakeDaemon('HELLO\n'), { kind: 'pull' }), 'protocol');
    await expectClientError(
      sendRequest(await fakeDaemon('SUCCESS 2\nIP: a MSG:x\n'), { kind: 'pull' }),
      'protocol',
    );
    await expectClientError(
      sendRequest(await fakeDaemon(''), { kind: 'push', destination: 'b', message: 'x' }),
      'protocol',
    );
    await expectClientError(
      sendRequest(await fakeDaemon('{"ok":1}\n'), { kind: 'json', request: { op: 'status' } }),
      'protocol',
    );
  });

  it('a daemon at its connection limit: refused for NDJSON, FAIL for PUSH', async () => {
    const { target, server } = await daemon({ connectionsMax: 1, requestTimeoutMs: 10_000 });
    const idle = net.connect(target.path);
    idle.on('error', () => {});
    cleanups.push(() => void idle.destroy());
    await waitFor(() => server.connectionCount === 1);
    await expectClientError(
      sendRequest(target, { kind: 'json', request: { op: 'status' } }),
      'refused',
    );
    expect(await sendRequest(target, { kind: 'push', destination: 'b', message: 'x' })).toEqual({
      kind: 'push',
      ok: false,
    });
  });

  it('a request no daemon accepts: bad-request before connecting', async () => {
    const target = { path: tempSocketPath() };
    await expectClientError(
      sendRequest(target, { kind: 'push', destination: 'bob', message: '' }),
      'bad-request',
    );
    await expectClientError(
      sendRequest(target, { kind: 'push', destination: 'a b', message: 'x' }),
      'bad-request',
    );
  });
});

describe('watch', () => {
  it('streams new messages until the client closes; then the daemon unsubscribes', async () => {
    const { handler, target } = await daemon();
    const got: MessageInfo[] = [];
    const watch = await openWatch(target, (m) => got.push(m));
    expect(handler.watchers.size).toBe(1);
    handler.deliver(message(1, 'first'));
    handler.deliver(message(2, 'second\nline'));
    await waitFor(() => got.length === 2);
    expect(got.map((m) => m.body)).toEqual(['first', 'second\nline']);
    watch.close();
    await watch.done;
    await waitFor(() => handler.unsubscribed === 1);
  });

  it('a watch ends cleanly when the daemon shuts down', async () => {
    const { target, server } = await daemon();
    const watch = await openWatch(target, () => {});
    await server.close();
    await watch.done;
  });

  it('a failing subscription is an error, not a hang', async () => {
    const { handler, target } = await daemon();
    handler.throwOn = 'watch';
    await expectClientError(
      openWatch(target, () => {}),
      'refused',
    );
  });
});

describe('targets', () => {
  it('host:port is TCP, anything with a slash is a socket path', () => {
    expect(parseTarget('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseTarget('[::1]:7070')).toEqual({ host: '::1', port: 7070 });
    expect(parseTarget('/home/me/.p2pmsg/client.sock')).toEqual({
      path: '/home/me/.p2pmsg/client.sock',
    });
    expect(parseTarget('./a:1')).toEqual({ path: './a:1' });
    expect(defaultSocketPath('/d')).toBe('/d/client.sock');
  });
});
