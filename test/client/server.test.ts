/**
 * ClientServer on real sockets in a temp dir: the seed protocol byte for byte, PULL marking
 * read only after the whole response was written, and every limit reached (issue 8 item 3):
 * request size, slowloris, response time, connection count; socket file safety and the
 * loopback-only TCP listener.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientServer,
  ClientServerError,
  type ClientServerLimits,
} from '../../src/client/server.js';
import {
  FakeHandler,
  makeStaleSocket,
  message,
  rawExchange,
  socketDir,
  waitFor,
} from './helpers.js';

const servers: ClientServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

async function start(limits: Partial<ClientServerLimits> = {}, handler = new FakeHandler()) {
  const dir = socketDir();
  dirs.push(dir);
  const socketPath = path.join(dir, 'client.sock');
  const server = await ClientServer.start({ socketPath, handler, limits });
  servers.push(server);
  return { server, handler, socketPath, dir };
}

describe('seed protocol, byte for byte', () => {
  it('PUSH IP:127.0.0.3:7000 MSG:hello → SUCCESS, then the server closes', async () => {
    const { socketPath, handler } = await start();
    const { text } = await rawExchange(socketPath, 'PUSH IP:127.0.0.3:7000 MSG:hello\n');
    expect(text).toBe('SUCCESS\n');
    expect(handler.pushes).toEqual([['127.0.0.3:7000', 'hello']]);
  });

  it('shards: the NDJSON push passes its setting on; the seed PUSH leaves the default', async () => {
    const { socketPath, handler } = await start();
    const push = (extra: string) =>
      rawExchange(socketPath, `{"op":"push","to":"bob","body":"x"${extra}}\n`);
    expect((await push(',"shards":"3/2"')).text).toMatch(/^\{"ok":true/);
    expect((await push(',"shards":"none"')).text).toMatch(/^\{"ok":true/);
    expect((await push('')).text).toMatch(/^\{"ok":true/);
    expect((await rawExchange(socketPath, 'PUSH IP:bob MSG:y\n')).text).toBe('SUCCESS\n');
    const refused = await push(',"shards":"2/3"');
    expect(JSON.parse(refused.text)).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message: '"shards": k (3) cannot exceed n (2): any k of the n shards rebuild the message',
      },
    });
    expect(handler.pushOptions).toEqual([{ shards: { n: 3, k: 2 } }, { shards: null }, {}, {}]);
  });

  it('CRLF and a half-close without terminator work too', async () => {
    const { socketPath, handler } = await start();
    expect((await rawExchange(socketPath, 'PUSH IP:bob MSG:a\\nb\r\n')).text).toBe('SUCCESS\n');
    expect((await rawExchange(socketPath, 'PUSH IP:bob MSG:c', { halfClose: true })).text).toBe(
      'SUCCESS\n',
    );
    expect(handler.pushes).toEqual([
      ['bob', 'a\nb'],
      ['bob', 'c'],
    ]);
  });

  it('a refused push, a malformed request and a handler crash all answer FAIL', async () => {
    const { socketPath, handler } = await start();
    handler.pushOutcome = { ok: false, reason: 'unknown-destination' };
    expect((await rawExchange(socketPath, 'PUSH IP:nobody MSG:x\n')).text).toBe('FAIL\n');
    expect((await rawExchange(socketPath, 'HELLO\n')).text).toBe('FAIL\n');
    expect((await rawExchange(socketPath, 'PUSH IP:bob MSG:\\q\n')).text).toBe('FAIL\n');
    handler.throwOn = 'pull';
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('FAIL\n');
  });

  it('PULL escapes newlines and backslashes, and commits after the response is written', async () => {
    const { socketPath, handler, server } = await start();
    handler.unread = [
      message(1, 'two\nlines', '127.0.0.2:7000'),
      message(2, 'C:\\dir', '127.0.0.4:7001'),
    ];
    const { text } = await rawExchange(socketPath, 'PULL\n');
    expect(text).toBe(
      'SUCCESS 2\nIP: 127.0.0.2:7000 MSG:two\\nlines\nIP: 127.0.0.4:7001 MSG:C:\\\\dir\n',
    );
    await waitFor(() => handler.commits.length === 1);
    expect(handler.commits).toEqual([[message(1).id, message(2).id]]);
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('SUCCESS 0\n');
    expect(server.stats.commits).toBe(2);
  });

  it('PULL: a client that reads one line and vanishes gets nothing marked read', async () => {
    const { socketPath, handler, server } = await start();
    // ~8 MB of response: far more than the socket buffers hold, so the write is still
    // in progress when the client goes away.
    handler.unread = Array.from({ length: 1000 }, (_, i) => message(i + 1, '\\'.repeat(4000)));
    await new Promise<void>((resolve) => {
      const socket = net.connect(socketPath, () => socket.write('PULL\n'));
      let seen = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        seen += chunk;
        if (seen.includes('\n')) {
          expect(seen.startsWith('SUCCESS 1000\n')).toBe(true);
          socket.destroy();
          resolve();
        }
      });
    });
    await waitFor(() => server.connectionCount === 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(handler.commits).toEqual([]);
    expect(handler.unread.length).toBe(1000);
  });
});

describe('limits', () => {
  it('an oversized request gets FAIL (or a JSON error) and is closed', async () => {
    const { socketPath, handler } = await start({ requestMaxBytes: 64 });
    expect((await rawExchange(socketPath, `PUSH IP:bob MSG:${'x'.repeat(200)}`)).text).toBe(
      'FAIL\n',
    );
    const json = await rawExchange(
      socketPath,
      `{"op":"push","to":"bob","body":"${'x'.repeat(200)}"}\n`,
    );
    expect(JSON.parse(json.text)).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(handler.pushes).toEqual([]);
  });

  it('slowloris: a partial request that stalls gets FAIL and is closed after the timeout', async () => {
    const { socketPath, handler, server } = await start({ requestTimeoutMs: 200 });
    const stalled = await rawExchange(socketPath, 'PUSH IP:bob MSG:hel');
    expect(stalled.text).toBe('FAIL\n');
    expect(stalled.elapsedMs).toBeGreaterThanOrEqual(150);
    expect(stalled.elapsedMs).toBeLessThan(3000);
    const silent = await rawExchange(socketPath, '');
    expect(silent.text).toBe('FAIL\n');
    expect(handler.pushes).toEqual([]);
    expect(server.stats.timeouts).toBe(2);
  });

  it('a handler that does not answer in time: FAIL, and a late PULL commits nothing', async () => {
    const { socketPath, handler } = await start({ responseTimeoutMs: 150 });
    handler.delayMs = 400;
    handler.unread = [message(1)];
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('FAIL\n');
    expect((await rawExchange(socketPath, '{"op":"status"}\n')).text).toContain('"timeout"');
    await new Promise((r) => setTimeout(r, 500));
    expect(handler.commits).toEqual([]);
  });

  it('too many connections: the extra one gets FAIL and is closed; others are served', async () => {
    const { socketPath, server } = await start({ connectionsMax: 3, requestTimeoutMs: 10_000 });
    const idle = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((r) => {
            const s = net.connect(socketPath, () => r(s));
            s.on('error', () => {});
          }),
      ),
    );
    await waitFor(() => server.connectionCount === 3);
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('FAIL\n');
    expect(server.stats.refused).toBe(1);
    idle[0]?.destroy();
    await waitFor(() => server.connectionCount === 2);
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('SUCCESS 0\n');
    idle.forEach((s) => s.destroy());
  });

  it('malformed NDJSON gets an error object, not FAIL', async () => {
    const { socketPath } = await start();
    const reply = await rawExchange(socketPath, '{"op":"status",}\n');
    expect(JSON.parse(reply.text)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const unknown = await rawExchange(socketPath, '{"op":"reboot"}\n');
    expect(JSON.parse(unknown.text).error.message).toMatch(/"op" must be one of/);
  });

  it('a watcher that stops reading is cut off once its buffer is full', async () => {
    const { socketPath, handler } = await start({ watchBufferMaxBytes: 1024 });
    const socket = net.connect(socketPath, () => socket.write('{"op":"watch"}\n'));
    socket.on('error', () => {});
    await waitFor(() => handler.watchers.size === 1);
    socket.pause(); // Never read again.
    for (let i = 0; i < 4000 && handler.watchers.size > 0; i++)
      handler.deliver(message(i, 'w'.repeat(4000)));
    await waitFor(() => handler.unsubscribed === 1);
    socket.destroy();
  });

  it('survives a burst of hostile clients and keeps serving', async () => {
    const { socketPath } = await start({ requestTimeoutMs: 300, requestMaxBytes: 256 });
    const hostile = [
      Buffer.from([0xff, 0x00, 0x0a]),
      '{"op":',
      '{'.repeat(300),
      'PUSH IP:bob MSG:\\',
      '\n',
      '{"op":"watch"}\n',
      `${'PULL\n'.repeat(100)}`,
    ];
    await Promise.all(
      hostile.map(
        (bytes) =>
          new Promise<void>((resolve) => {
            const s = net.connect(socketPath, () => {
              s.write(bytes);
              setTimeout(() => s.destroy(), 20);
            });
            s.on('error', () => {});
            s.on('close', () => resolve());
          }),
      ),
    );
    expect((await rawExchange(socketPath, 'PUSH IP:bob MSG:still here\n')).text).toBe('SUCCESS\n');
  });
});

describe('socket file and listeners', () => {
  it('the socket file has mode 0600 and is removed on close', async () => {
    const { socketPath, server } = await start();
    const st = fs.statSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(socketPath))).toEqual(['client.sock']);
    await server.close();
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('a stale socket file is replaced; a live daemon is never displaced', async () => {
    const dir = socketDir();
    dirs.push(dir);
    const socketPath = path.join(dir, 'client.sock');
    await makeStaleSocket(socketPath);
    const first = await ClientServer.start({ socketPath, handler: new FakeHandler() });
    servers.push(first);
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('SUCCESS 0\n');
    await expect(
      ClientServer.start({ socketPath, handler: new FakeHandler() }),
    ).rejects.toMatchObject({
      code: 'in-use',
    });
    expect((await rawExchange(socketPath, 'PULL\n')).text).toBe('SUCCESS 0\n');
  });

  it('a non-socket file at the path is left alone', async () => {
    const dir = socketDir();
    dirs.push(dir);
    const socketPath = path.join(dir, 'client.sock');
    fs.writeFileSync(socketPath, 'precious');
    await expect(
      ClientServer.start({ socketPath, handler: new FakeHandler() }),
    ).rejects.toMatchObject({
      code: 'not-a-socket',
    });
    expect(fs.readFileSync(socketPath, 'utf8')).toBe('precious');
  });

  it('TCP only on loopback: a non-loopback host is refused with a clear error', async () => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com', '::ffff:10.0.0.1']) {
      const attempt = ClientServer.start({ tcp: { host, port: 0 }, handler: new FakeHandler() });
      await expect(attempt).rejects.toBeInstanceOf(ClientServerError);
      await expect(attempt).rejects.toMatchObject({
        code: 'non-loopback',
        message: expect.stringMatching(/loopback/),
      });
    }
  });

  it('TCP on 127.0.0.1 speaks the same protocol', async () => {
    const handler = new FakeHandler();
    const server = await ClientServer.start({ tcp: { host: '127.0.0.1', port: 0 }, handler });
    servers.push(server);
    const address = server.tcpAddress;
    expect(address?.host).toBe('127.0.0.1');
    const { text } = await rawExchange(address!, 'PUSH IP:127.0.0.3:7000 MSG:over tcp\n');
    expect(text).toBe('SUCCESS\n');
    expect(handler.pushes).toEqual([['127.0.0.3:7000', 'over tcp']]);
  });
});

describe('found by fuzzing (npm run fuzz -- --surface client-socket)', () => {
  // Seed 1, indexes 652086, 655254, 707313: a watch request ended by the client's half-close
  // instead of a newline (Rule 1 allows it) left the watch open after the client had left.
  it.each([[[]], [[5, 14]], [[24, 25]]])(
    'a watch ended by a half-close, written in pieces at %j: one line, then the server closes',
    async (cuts) => {
      const { server, socketPath, handler } = await start();
      const bytes = Buffer.from('{"op":"watch","peer":"bob"}');
      const text = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(socketPath);
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.once('error', reject);
        socket.once('close', () => resolve(received));
        socket.once('connect', () => {
          let from = 0;
          for (const cut of [...cuts, bytes.length]) {
            socket.write(bytes.subarray(from, cut));
            from = cut;
          }
          socket.end();
        });
      });
      expect(text).toBe('{"ok":true,"watching":true}\n');
      await waitFor(() => server.connectionCount === 0);
      expect(handler.watchers.size).toBe(0);
    },
  );
});
