/**
 * The data plane end to end on the simulator (issue 4): real `Node`s, no sockets. Each test
 * builds a settled 12-node network (every directory knows every node), sends, and checks
 * what the sender, the relays and the target observed.
 */
import { describe, expect, it } from 'vitest';
import { TEST_ROUTING } from '../../src/engine/routing/config.js';
import { advance, routingNet, text, type OnionFrame } from './helpers.js';

const FRAME_BYTES = 6 + 2048;

describe('routing on the simulator', () => {
  it('a message over 3 relays arrives once and is acked', () => {
    const net = routingNet();
    const id = net.send(0, 5, 'hello over three relays');
    advance(net, 10_000);

    const attempts = net.eventsOf('messageAttempt', id);
    expect(attempts).toHaveLength(1);
    const { path, reason, attempt } = attempts[0]!.value;
    expect(reason).toBe('first');
    expect(attempt).toBe(1);
    expect(path).toHaveLength(4);
    expect(path[3]).toBe(net.id(5));
    const relays = path.slice(0, 3);
    expect(new Set(relays).size).toBe(3);
    expect(relays).not.toContain(net.id(0));
    expect(relays).not.toContain(net.id(5));

    expect(net.deliveries).toHaveLength(1);
    const delivered = net.deliveries[0]!;
    expect(delivered.node).toBe(5);
    expect(text(delivered.value.body)).toBe('hello over three relays');
    expect(delivered.value.from).toBe(net.id(0));
    expect(delivered.value.fromAddress).toBe(net.w.net.addressOf(0));
    expect(Buffer.from(delivered.value.messageId).toString('hex')).toBe(id);

    const acked = net.eventsOf('messageAcked', id);
    expect(acked.map((e) => [e.node, e.value.attempts])).toEqual([[0, 1]]);
    expect(net.eventsOf('messageFailed')).toEqual([]);
    expect(net.eventsOf('packetDropped')).toEqual([]);
    // Out through 3 relays to the target, back through 3 reply relays to the sender.
    expect(net.onionFrames).toHaveLength(8);
    expect(new Set(net.onionFrames.map((f) => f.bytes.length))).toEqual(new Set([FRAME_BYTES]));
  });

  it('the ack returns over the same relays in reverse, or over fresh ones when so configured', () => {
    const reverse = routingNet({ seed: 12 });
    const id = reverse.send(1, 9, 'there and back');
    advance(reverse, 10_000);
    const path = reverse.eventsOf('messageAttempt', id)[0]!.value.path.map(reverse.index);
    const [r1, r2, r3, target] = path;
    expect(reverse.onionFrames.map((f) => f.node)).toEqual([1, r1, r2, r3, target, r3, r2, r1]);

    const fresh = routingNet({ seed: 12, routing: { ...TEST_ROUTING, replyPath: 'fresh' } });
    const id2 = fresh.send(1, 9, 'there and back');
    advance(fresh, 10_000);
    const out = fresh.eventsOf('messageAttempt', id2)[0]!.value.path.map(fresh.index);
    const back = fresh.onionFrames.slice(4).map((f) => f.node);
    expect(back[0]).toBe(9);
    expect(back.slice(1)).not.toEqual([out[2], out[1], out[0]]);
    expect(fresh.eventsOf('messageAcked', id2)).toHaveLength(1);
  });

  it('the target delivers before its acknowledgement leaves', () => {
    const net = routingNet();
    const target = 7;
    const order: string[] = [];
    net.onOnion = (frame) => {
      if (frame.node === target) order.push(`onion@${net.deliveries.length}`);
    };
    net.send(2, target, 'ordering');
    advance(net, 10_000);
    expect(net.deliveries).toHaveLength(1);
    expect(order).toEqual(['onion@1']);
  });

  it('a flipped bit in transit is dropped at the next hop; the retry delivers', () => {
    const net = routingNet({ seed: 2 });
    let tampered: OnionFrame | undefined;
    net.onOnion = (frame) => {
      if (tampered === undefined && frame.node === 0) {
        tampered = frame;
        frame.bytes[6 + 700]! ^= 0x10; // a bit of the encrypted body (delta)
      }
    };
    const id = net.send(0, 4, 'tamper me');
    advance(net, 30_000);

    const firstPath = net.eventsOf('messageAttempt', id)[0]!.value.path;
    const drops = net.eventsOf('packetDropped');
    expect(drops.map((d) => [d.node, d.value.reason])).toEqual([
      [net.index(firstPath[0]!), 'bad-mac'],
    ]);
    expect(net.deliveries).toHaveLength(1);
    const attempts = net.eventsOf('messageAttempt', id);
    expect(attempts.map((a) => a.value.reason)).toEqual(['first', 'timeout']);
    expect(net.eventsOf('messageAcked', id)[0]?.value.attempts).toBe(2);
  });

  it('a replayed packet is dropped by the relay that saw it first', () => {
    const net = routingNet({ seed: 3 });
    let first: OnionFrame | undefined;
    net.onOnion = (frame) => {
      if (first === undefined && frame.node === 1) first = { ...frame, bytes: frame.bytes.slice() };
    };
    const id = net.send(1, 8, 'once only');
    advance(net, 10_000);
    expect(net.deliveries).toHaveLength(1);
    const relay = net.index(net.eventsOf('messageAttempt', id)[0]!.value.path[0]!);

    // The same frame again on the same link, straight into the relay's engine.
    const outputs = net.w
      .nodeOf(relay)!
      .handle({ type: 'frame', link: first!.link, bytes: first!.bytes }, net.w.now);
    const events = outputs.flatMap((o) => (o.type === 'event' ? [o.event] : []));
    expect(events).toEqual([{ type: 'packetDropped', reason: 'replay' }]);
    expect(outputs.some((o) => o.type === 'send' || o.type === 'dial')).toBe(false);
    expect(net.w.nodeOf(relay)!.counters()['replays']).toBe(1);
  });

  it('relay crash mid-path: the retry goes over a new path and the message arrives exactly once', () => {
    const net = routingNet({ seed: 4, nodes: 14 });
    let crashed: number | undefined;
    net.onEvent = (node, event, at) => {
      if (event.type === 'messageAttempt' && event.attempt === 1) {
        crashed = net.index(event.path[1]!);
        const victim = crashed;
        net.w.net.at(at + 1, () => net.w.crash(victim));
      }
    };
    const id = net.send(3, 9, 'route around the crash');
    advance(net, 30_000);

    const attempts = net.eventsOf('messageAttempt', id).map((a) => a.value);
    expect(attempts.map((a) => a.reason)).toEqual(['first', 'timeout']);
    expect(attempts[1]!.path).not.toContain(net.id(crashed!));
    expect(attempts[1]!.path).not.toEqual(attempts[0]!.path);
    // The relay before the crashed one could not reach it and said so.
    expect(net.eventsOf('packetDropped').map((d) => [d.node, d.value.reason])).toEqual([
      [net.index(attempts[0]!.path[0]!), 'next-hop-unreachable'],
    ]);
    expect(net.deliveries.map((d) => d.node)).toEqual([9]);
    expect(net.eventsOf('messageAcked', id).map((e) => e.value.attempts)).toEqual([2]);
  });

  it('first relay down: the sender sees its own dial fail and retries at once, no backoff', () => {
    const net = routingNet({ seed: 13 });
    const sender = 2;
    let victim: string | undefined;
    net.onEvent = (node, event, at) => {
      if (event.type !== 'messageAttempt' || event.attempt !== 1 || victim !== undefined) return;
      // Only a first hop we must dial (not an overlay neighbour with a link already open).
      const first = event.path[0]!;
      if (net.w.nodeOf(sender)!.snapshot().active.includes(first)) return;
      victim = event.messageId;
      net.w.net.at(at, () => net.w.crash(net.index(first)));
    };
    for (const to of [5, 6, 7, 8, 9, 10]) if (victim === undefined) net.send(sender, to, 'hi');
    advance(net, 20_000);
    expect(victim).toBeDefined();
    const attempts = net.eventsOf('messageAttempt', victim);
    expect(attempts.map((a) => a.value.reason)).toEqual(['first', 'first-hop-unreachable']);
    // One round trip for the refused dial, far less than the ack timeout.
    expect(attempts[1]!.at - attempts[0]!.at).toBeLessThan(200);
    const drops = net.eventsOf('packetDropped').map((d) => [d.node, d.value.reason]);
    expect(drops[0]).toEqual([sender, 'next-hop-unreachable']);
    expect(net.eventsOf('messageAcked', victim).map((e) => e.value.attempts)).toEqual([2]);
    expect(new Set(net.deliveries.map((d) => d.value.body.length)).size).toBe(1);
  });

  it('a lost acknowledgement: the retry is acknowledged again but not delivered again', () => {
    const net = routingNet({ seed: 5 });
    const target = 6;
    let dropped = false;
    net.onOnion = (frame) => {
      if (!dropped && frame.node === target) {
        dropped = true;
        frame.bytes[100]! ^= 1; // the first hop of the ack drops it (bad MAC)
      }
    };
    const id = net.send(2, target, 'ack me twice');
    advance(net, 30_000);
    expect(net.deliveries).toHaveLength(1);
    expect(net.eventsOf('messageAcked', id).map((e) => e.value.attempts)).toEqual([2]);
    const counters = net.w.nodeOf(target)!.counters();
    expect(counters['messagesDelivered']).toBe(1);
    expect(counters['messageDuplicates']).toBe(1);
  });

  it('expiry: a target that is down gets retries with backoff, then exactly one messageFailed', () => {
    const net = routingNet({ seed: 6 });
    net.w.crash(10);
    const id = net.send(1, 10, 'nobody home', 20_000);
    advance(net, 60_000);
    const attempts = net.eventsOf('messageAttempt', id);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    // Waits grow (backoff), within the jitter band.
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    const { ackTimeoutMs, jitterPercent } = TEST_ROUTING;
    expect(gaps[0]).toBeGreaterThanOrEqual(ackTimeoutMs * (1 - jitterPercent / 100) - 1);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.2);
    // Every attempt on a path unlike the one before.
    for (let i = 1; i < attempts.length; i++) {
      expect(attempts[i]!.value.path).not.toEqual(attempts[i - 1]!.value.path);
    }
    const failed = net.eventsOf('messageFailed', id);
    expect(failed.map((f) => f.value.reason)).toEqual(['expired']);
    expect(failed[0]!.at).toBeGreaterThanOrEqual(attempts[0]!.at + 20_000);
    expect(net.eventsOf('messageAcked')).toEqual([]);
    expect(net.deliveries).toEqual([]);
    advance(net, 60_000);
    expect(net.eventsOf('messageFailed', id)).toHaveLength(1);
    expect(net.eventsOf('messageAttempt', id)).toHaveLength(attempts.length);
  });

  it('an unknown destination waits for the directory, then fails once', () => {
    const net = routingNet({ seed: 7 });
    const messageId = new Uint8Array(16).fill(7);
    const started = net.w.now;
    net.w.net.command(0, {
      type: 'send',
      messageId,
      to: 'a'.repeat(32),
      body: new Uint8Array(3),
      expiresAt: started + 60_000,
    });
    advance(net, 20_000);
    const failed = net.eventsOf('messageFailed', '07'.repeat(16));
    expect(failed.map((f) => f.value.reason)).toEqual(['unknown-destination']);
    expect(failed[0]!.at - started).toBe(TEST_ROUTING.unknownDestinationWaitMs);
    expect(net.eventsOf('messageAttempt')).toEqual([]);
  });

  it('refuses at once what it cannot send, with one messageFailed each', () => {
    const net = routingNet({ seed: 8 });
    const send = (bytes: number, extra: object): void =>
      net.w.net.command(0, {
        type: 'send',
        messageId: new Uint8Array(16).fill(bytes),
        to: net.id(3),
        body: new Uint8Array(10),
        expiresAt: net.w.now + 60_000,
        ...extra,
      });
    send(1, { body: new Uint8Array(1025) });
    send(2, { to: net.id(0) });
    send(3, { expiresAt: net.w.now });
    send(4, { shards: { n: 3, k: 2 }, body: new Uint8Array(1025) });
    const reasons = net.eventsOf('messageFailed').map((f) => [f.value.messageId, f.value.reason]);
    expect(reasons).toEqual([
      ['01'.repeat(16), 'too-large'],
      ['02'.repeat(16), 'self'],
      ['03'.repeat(16), 'expired'],
      ['04'.repeat(16), 'too-large'],
    ]);
  });

  it('pending messages are bounded, and a repeated send of a pending message is ignored', () => {
    const net = routingNet({ seed: 9 });
    net.w.crash(11); // nothing will be acked: every message stays pending
    const ids: string[] = [];
    for (let i = 0; i < TEST_ROUTING.pendingMax + 1; i++) ids.push(net.send(0, 11, `m${i}`));
    const failed = net.eventsOf('messageFailed');
    expect(failed.map((f) => [f.value.messageId, f.value.reason])).toEqual([
      [ids[TEST_ROUTING.pendingMax], 'too-many-pending'],
    ]);
    expect(net.w.nodeOf(0)!.counters()['messagesPending']).toBe(TEST_ROUTING.pendingMax);
    net.w.net.command(0, {
      type: 'send',
      messageId: Buffer.from(ids[0]!, 'hex'),
      to: net.id(11),
      body: new Uint8Array(1),
      expiresAt: net.w.now + 60_000,
    });
    expect(net.eventsOf('messageAttempt', ids[0])).toHaveLength(1);
    expect(net.eventsOf('drop').map((d) => d.value.what)).toContain('send-already-pending');
  });

  it('leaving answers every pending message with messageFailed', () => {
    const net = routingNet({ seed: 10 });
    net.w.crash(4);
    const a = net.send(0, 4, 'a');
    const b = net.send(0, 4, 'b');
    advance(net, 1_000);
    net.w.leave(0);
    expect(net.eventsOf('messageFailed').map((f) => [f.value.messageId, f.value.reason])).toEqual([
      [a, 'node-left'],
      [b, 'node-left'],
    ]);
  });

  it('many messages between random pairs: each delivered once, each acked once', () => {
    const net = routingNet({ seed: 11, nodes: 16 });
    const sent: string[] = [];
    for (let k = 0; k < 40; k++) {
      const from = (k * 7) % 16;
      const to = (k * 11 + 3) % 16;
      if (from !== to) sent.push(net.send(from, to, `message ${k}`));
    }
    advance(net, 30_000);
    const delivered = net.deliveries.map((d) => Buffer.from(d.value.messageId).toString('hex'));
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.sort()).toEqual([...sent].sort());
    for (const id of sent) expect(net.eventsOf('messageAcked', id)).toHaveLength(1);
    expect(new Set(net.onionFrames.map((f) => f.bytes.length))).toEqual(new Set([FRAME_BYTES]));
  });
});
