/**
 * Crashes of real daemons (issue 5 item 7): a relay SIGKILLed while messages flow, the
 * target SIGKILLed and restarted, the sender SIGKILLed right after SUCCESS and restarted.
 * In every case every accepted message arrives, exactly once. Daemons on 127.0.12.x.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, Testbed, waitFor, type DaemonProc } from './harness.js';

/**
 * The engine retries after 5, 10, 20 and 40 s (± 20 %): five attempts fit in 90 s. A
 * restarted node also needs a few seconds to rejoin and sync its directory.
 */
const DELIVERY_MAX_MS = 90_000;

/** Bodies of `from`'s messages in `to`'s history. */
async function received(to: DaemonProc, from: DaemonProc): Promise<string[]> {
  const { messages } = await to.ask({ op: 'history', peer: from.id, limit: 1000 });
  return messages.filter((m) => m.direction === 'in').map((m) => m.body);
}

async function pending(p: DaemonProc): Promise<number> {
  const { status } = await p.ask({ op: 'status' });
  return Number((status['outbox'] as { pending: number }).pending);
}

/** A seed PUSH; resolves with the daemon's answer line (SUCCESS or FAIL). */
function rawPush(p: DaemonProc, destination: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect((p.socket as { path: string }).path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.once('connect', () => socket.write(`PUSH IP:${destination} MSG:${body}\n`));
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
}

describe('daemons that crash', () => {
  let bed: Testbed;
  afterEach(async () => {
    await bed.cleanup();
  }, 30_000);

  it('a relay SIGKILLed mid-stream: every message still arrives, exactly once', async () => {
    // One relay per path (--hops 1) and ten daemons. With the default three relays in a
    // network this small, every attempt's forward or reply path crosses the dead relay (the
    // reply relays are drawn apart from the forward ones and failures are not remembered),
    // so nothing gets through until its descriptor expires: reported to the routing
    // layer's owner. Here an attempt fails with probability 1/4.
    bed = new Testbed(12);
    const d = await bed.startNetwork(10, ['--hops', '1']);
    await bed.settle();
    const [sender, target] = [d[0]!, d[1]!];
    const total = 10;
    const ids: string[] = [];
    let killed: DaemonProc | null = null;
    let killedAt = 0;
    for (let i = 0; i < total; i++) {
      const { id } = await sender.ask({ op: 'push', to: target.id, body: `stream ${i}` });
      ids.push(id);
      if (i === 3) {
        // Kill a relay on the path of a message already sent: mid-stream, on a used path.
        await waitFor(
          async () => (await sender.ask({ op: 'trace', id })).attempts.length > 0,
          'the fourth message to leave',
          10_000,
        );
        const relays = new Set<string>();
        for (const sent of ids) {
          const trace = await sender.ask({ op: 'trace', id: sent });
          for (const a of trace.attempts) for (const n of a.path.slice(0, -1)) relays.add(n);
        }
        killed = d.find((p) => relays.has(p.id) && p !== sender && p !== target) ?? null;
        expect(killed).not.toBeNull();
        await killed!.kill();
        killedAt = Date.now();
      }
      await sleep(150);
    }
    await waitFor(
      async () => (await received(target, sender)).length >= total && (await pending(sender)) === 0,
      'every message to be delivered and acknowledged',
      DELIVERY_MAX_MS,
      250,
    );
    const bodies = await received(target, sender);
    expect(bodies.sort()).toEqual(Array.from({ length: total }, (_, i) => `stream ${i}`).sort());
    for (const id of ids) {
      const { message, attempts } = await sender.ask({ op: 'trace', id });
      expect(message.state).toBe('delivered');
      const last = attempts[attempts.length - 1]!;
      expect(last.outcome).toBe('acked');
      // Nothing that left after the crash got through the dead relay.
      if (last.sentAt > killedAt) expect(last.path).not.toContain(killed!.id);
    }
  }, 150_000);

  it('the target SIGKILLed and restarted: messages accepted while it was down arrive once it is back', async () => {
    bed = new Testbed(12);
    const d = await bed.startNetwork(5);
    await bed.settle();
    // Neither is the bootstrap node (node1), so the restarted one can rejoin at once.
    const [sender, target] = [d[2]!, d[1]!];
    await target.kill();
    const bodies = ['while', 'you', 'were', 'out'];
    for (const body of bodies) await sender.ask({ op: 'push', to: target.id, body });
    await sleep(2_000);
    expect(await pending(sender)).toBe(bodies.length);
    await target.start();
    await waitFor(
      async () => (await received(target, sender)).length >= bodies.length,
      'the queued messages to reach the restarted target',
      DELIVERY_MAX_MS,
      250,
    );
    await waitFor(async () => (await pending(sender)) === 0, 'acknowledgements', DELIVERY_MAX_MS);
    expect((await received(target, sender)).sort()).toEqual([...bodies].sort());
  }, 150_000);

  it('the sender SIGKILLed right after SUCCESS and restarted: the message still goes out, once', async () => {
    bed = new Testbed(12);
    const d = await bed.startNetwork(5);
    await bed.settle();
    // Neither is the bootstrap node (node1), so the restarted ones can rejoin at once.
    const target = d[2]!;
    let sender = d[1]!;
    // With the target down the message cannot leave before the crash: only the restarted
    // sender's outbox can deliver it.
    await target.kill();
    expect(await rawPush(sender, target.id, 'said just before dying')).toBe('SUCCESS\n');
    await sender.kill();
    // It comes back through another bootstrap node than the first time. (Through the same
    // one, within a minute of its first join, that node refuses it a directory sync — its
    // sync cooldown is per node ID and outlives our restart; reported — so it learns no
    // relays and the message waits about a minute longer.)
    sender = await bed.restartWith(sender, ['--bootstrap', d[3]!.address]);
    await target.start();
    await waitFor(
      async () => (await received(target, sender)).length >= 1,
      'the message from the restarted sender',
      DELIVERY_MAX_MS,
      250,
    );
    await waitFor(
      async () => (await pending(sender)) === 0,
      'the acknowledgement',
      DELIVERY_MAX_MS,
    );
    expect(await received(target, sender)).toEqual(['said just before dying']);
    const { conversations } = await sender.ask({ op: 'conversations' });
    expect(conversations.map((c) => c.peer)).toEqual([target.id]);
  }, 150_000);
});
