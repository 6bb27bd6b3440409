/**
 * Five real daemons on 127.0.11.x (issue 5 item 7): the overlay they form, the seed
 * protocol spoken byte for byte by a raw socket, and messages between every pair grouped
 * into conversations.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, waitFor, type DaemonProc } from './harness.js';

const NODES = 5;
const DELIVERY_MAX_MS = 45_000;
/** How long a one-sided neighbour link may be seen before it counts as a fault. */
const SYMMETRY_MAX_MS = 20_000;

/** Writes `bytes` to the daemon's socket and reads until it closes: what any seed client does. */
function raw(target: { path: string } | { host: string; port: number }, bytes: string) {
  return new Promise<string>((resolve, reject) => {
    const socket =
      'path' in target ? net.connect(target.path) : net.connect(target.port, target.host);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw exchange timed out'));
    }, 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('connect', () => socket.write(bytes));
    socket.once('error', reject);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

async function unread(p: DaemonProc): Promise<number> {
  const { status } = await p.ask({ op: 'status' });
  return Number((status['inbox'] as { unread: number }).unread);
}

async function pending(p: DaemonProc): Promise<number> {
  const { status } = await p.ask({ op: 'status' });
  return Number((status['outbox'] as { pending: number }).pending);
}

describe('five daemons on loopback', () => {
  const bed = new Testbed(11);
  let d: DaemonProc[] = [];

  beforeAll(async () => {
    bed.add(['--client-listen', '127.0.0.1:0']);
    await bed.procs[0]!.start();
    for (let i = 1; i < NODES; i++) bed.add();
    await Promise.all(bed.procs.slice(1).map((p) => p.start()));
    d = bed.procs;
    await bed.settle();
  }, 90_000);

  afterAll(() => bed.cleanup(), 30_000);

  it('form an overlay: every status shows neighbours, peers list them, the directory has all five', async () => {
    /** One daemon after another: each status and peers list is its own, not an atomic picture. */
    const snapshot = async (): Promise<Map<string, string[]>> => {
      const neighbours = new Map<string, string[]>();
      for (const p of d) {
        const { status } = await p.ask({ op: 'status' });
        expect(status['id']).toBe(p.id);
        expect(status['address']).toBe(p.address);
        expect(status['directory']).toBe(NODES);
        expect(Number(status['neighbours'])).toBeGreaterThanOrEqual(1);
        const { peers } = await p.ask({ op: 'peers' });
        const active = peers.filter((x) => x['view'] === 'active').map((x) => String(x['id']));
        expect(active.sort()).toEqual([...(status['active'] as string[])].sort());
        for (const x of peers) expect(x['address']).toMatch(/^127\.0\.11\.\d+:\d+$/);
        neighbours.set(p.id, active);
      }
      return neighbours;
    };
    const symmetric = (neighbours: Map<string, string[]>) =>
      [...neighbours].every(([id, list]) => list.every((n) => neighbours.get(n)?.includes(id)));
    // A neighbour request is accepted on one side a moment before the other side hears so, and a
    // DISCONNECT is in flight likewise: a picture taken across five daemons can catch one such
    // moment. The overlay must reach a symmetric picture soon; a lasting one-sided link fails.
    let last = new Map<string, string[]>();
    await waitFor(
      async () => symmetric((last = await snapshot())),
      'neighbour links to be symmetric',
      SYMMETRY_MAX_MS,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify([...last])}`);
    });
    const seen = new Set([d[0]!.id]);
    const queue = [d[0]!.id];
    while (queue.length > 0) {
      for (const n of last.get(queue.shift()!) ?? []) {
        if (!seen.has(n)) (seen.add(n), queue.push(n));
      }
    }
    expect(seen.size).toBe(NODES);
  }, 60_000);

  it('a raw seed-protocol client gets SUCCESS for a PUSH, FAIL for a bad one, on the socket and on --client-listen', async () => {
    const socket = d[0]!.socket;
    const { status } = await d[0]!.ask({ op: 'status' });
    const [host, port] = String(status['clientTcp']).split(':');
    const tcp = { host: host!, port: Number(port) };
    expect(host).toBe('127.0.0.1');
    for (const target of [socket, tcp]) {
      expect(await raw(target, `PUSH IP:${d[1]!.address} MSG:raw hello\n`)).toBe('SUCCESS\n');
      expect(await raw(target, `PUSH IP:${d[2]!.id} MSG:line one\\nline two\r\n`)).toBe(
        'SUCCESS\n',
      );
      expect(await raw(target, 'PUSH IP:10.255.255.1:9 MSG:nobody there\n')).toBe('FAIL\n');
      expect(await raw(target, 'PUSH IP: MSG:no destination\n')).toBe('FAIL\n');
      expect(await raw(target, 'PUSH IP:bob\n')).toBe('FAIL\n');
      expect(await raw(target, 'HELLO\n')).toBe('FAIL\n');
      expect(await raw(target, `PUSH IP:${d[0]!.id} MSG:to myself\n`)).toBe('FAIL\n');
    }
  });

  it('a raw PULL is well formed byte for byte and marks read: SUCCESS <n>, one IP: <SRC> MSG: line each', async () => {
    const target = d[4]!;
    await target.request({ kind: 'pull' }); // start from an empty inbox
    const body = 'pull me\nsecond line with a \\ backslash';
    const pushed = await raw(
      d[3]!.socket,
      `PUSH IP:${target.address} MSG:pull me\\nsecond line with a \\\\ backslash\n`,
    );
    expect(pushed).toBe('SUCCESS\n');
    await waitFor(async () => (await unread(target)) > 0, 'the message to arrive', DELIVERY_MAX_MS);
    const text = await raw(target.socket, 'PULL\n');
    expect(text).toBe(
      `SUCCESS 1\nIP: ${d[3]!.address} MSG:${body.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`,
    );
    expect(await raw(target.socket, 'PULL\n')).toBe('SUCCESS 0\n');
  }, 60_000);

  it('messages between every pair arrive and are grouped by conversation', async () => {
    // Drain what earlier tests left, so counts below are this test's own.
    for (const p of d) await p.ask({ op: 'pull' });
    const before = new Map<string, Map<string, number>>();
    for (const p of d) {
      const { conversations } = await p.ask({ op: 'conversations' });
      before.set(p.id, new Map(conversations.map((c) => [c.peer, c.total])));
    }
    const sent: string[] = [];
    for (const from of d) {
      for (const to of d) {
        if (from === to) continue;
        const { id } = await from.ask({
          op: 'push',
          to: to.id,
          body: `from ${from.name} to ${to.name}`,
        });
        sent.push(id);
      }
    }
    expect(sent).toHaveLength(NODES * (NODES - 1));
    for (const to of d) {
      const got = await waitFor(
        async () => {
          const { conversations } = await to.ask({ op: 'conversations' });
          const grown = conversations.filter(
            (c) => c.total >= (before.get(to.id)?.get(c.peer) ?? 0) + 2,
          );
          return grown.length === NODES - 1 ? conversations : false;
        },
        `${to.name} to hold one new message in and one out with each of the others`,
        DELIVERY_MAX_MS,
        250,
      );
      expect(new Set(got.map((c) => c.peer))).toEqual(
        new Set(d.filter((p) => p !== to).map((p) => p.id)),
      );
      for (const from of d) {
        if (from === to) continue;
        const { messages } = await to.ask({ op: 'history', peer: from.id, limit: 100 });
        const incoming = messages.filter((m) => m.direction === 'in').map((m) => m.body);
        expect(incoming.filter((b) => b === `from ${from.name} to ${to.name}`)).toHaveLength(1);
        const outgoing = messages.filter((m) => m.direction === 'out');
        expect(outgoing.some((m) => m.body === `from ${to.name} to ${from.name}`)).toBe(true);
      }
    }
    // Every sent message ends delivered in its sender's outbox.
    for (const from of d) {
      await waitFor(
        async () => (await pending(from)) === 0,
        `${from.name}'s outbox to drain`,
        DELIVERY_MAX_MS,
      );
    }
  }, 120_000);
});
