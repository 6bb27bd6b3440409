/**
 * Sharded messages on the simulator (issue 7): real `Node`s, no sockets. A message split
 * n/k travels as n onions on node-disjoint paths, is rebuilt once k arrive, delivered once
 * and acknowledged; a dropped path costs no retry; a timeout resends only the shards the
 * target does not hold; forged and corrupted shards never yield a wrong message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/engine/base32.js';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { buildPacket } from '../../src/engine/onion/packet.js';
import { TEST_ROUTING } from '../../src/engine/routing/config.js';
import { sealShard } from '../../src/engine/routing/e2e.js';
import { encodeShard } from '../../src/engine/shards/codec.js';
import { splitMessage } from '../../src/engine/shards/split.js';
import type { EngineEvent } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';
import { advance, routingNet, text, type Recorded, type RoutingNet } from './helpers.js';

const FILE = 'test/routing/shards.test.ts';
const FRAME_BYTES = 6 + 2048;
type Attempt = Recorded<Extract<EngineEvent, { type: 'messageAttempt' }>>;

/** Relay → the shard indexes it carried, over every attempt given. */
function shardsPerRelay(attempts: readonly Attempt[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const { value } of attempts) {
    for (const relay of value.path.slice(0, -1)) {
      let set = out.get(relay);
      if (set === undefined) out.set(relay, (set = new Set()));
      set.add(value.shard as number);
    }
  }
  return out;
}

function expectDisjoint(attempts: readonly Attempt[]): void {
  for (const [relay, shards] of shardsPerRelay(attempts)) {
    expect([relay, [...shards]]).toEqual([relay, [...shards].slice(0, 1)]);
  }
}

/** Crashes the middle relay of the first send of each shard in `shards` as it leaves. */
function crashMiddleRelayOf(net: RoutingNet, shards: readonly number[]): number[] {
  const crashed: number[] = [];
  net.onEvent = (_node, event) => {
    if (event.type !== 'messageAttempt' || event.attempt !== 1) return;
    if (!shards.includes(event.shard as number)) return;
    const relay = net.index(event.path[1] as string);
    crashed.push(relay);
    // After the current input: the packet is still on its way to the first relay.
    net.w.net.at(net.w.now, () => net.w.crash(relay));
  };
  return crashed;
}

describe('sharded messages on the simulator', () => {
  it('a 3/2 message arrives once, rebuilt, over three node-disjoint paths, and is acked once', () => {
    const net = routingNet({ nodes: 14 });
    const id = net.send(0, 5, 'split three ways', 120_000, { n: 3, k: 2 });
    advance(net, 30_000);

    const attempts = net.eventsOf('messageAttempt', id);
    expect(attempts.map((a) => [a.value.shard, a.value.attempt, a.value.reason])).toEqual([
      [0, 1, 'first'],
      [1, 1, 'first'],
      [2, 1, 'first'],
    ]);
    for (const { value } of attempts) {
      expect(value.path).toHaveLength(4);
      expect(value.path[3]).toBe(net.id(5));
      expect(value.path).not.toContain(net.id(0));
    }
    expectDisjoint(attempts);
    expect(shardsPerRelay(attempts).size).toBe(9);

    expect(net.deliveries).toHaveLength(1);
    const delivered = net.deliveries[0]!;
    expect(delivered.node).toBe(5);
    expect(text(delivered.value.body)).toBe('split three ways');
    expect(delivered.value.from).toBe(net.id(0));
    expect(Buffer.from(delivered.value.messageId).toString('hex')).toBe(id);
    expect(net.eventsOf('messageAcked', id).map((e) => [e.node, e.value.attempts])).toEqual([
      [0, 3],
    ]);
    expect(net.eventsOf('messageFailed')).toEqual([]);
    expect(net.eventsOf('packetDropped')).toEqual([]);
    // Each shard out over 3 relays and its own ack back: 3 × 8 frames, all of one size.
    expect(net.onionFrames).toHaveLength(24);
    expect(new Set(net.onionFrames.map((f) => f.bytes.length))).toEqual(new Set([FRAME_BYTES]));

    advance(net, 120_000); // the late acks change nothing, and nothing is sent again
    expect(net.eventsOf('messageAttempt', id)).toHaveLength(3);
    expect(net.deliveries).toHaveLength(1);
    expect(net.w.nodeOf(0)!.counters()['messagesPending']).toBe(0);
    expect(net.w.nodeOf(5)!.counters()['shardBuffers']).toBe(0);
  });

  it('one path’s relay crashed: a 3/2 message arrives without any retry', () => {
    const net = routingNet({ nodes: 14, seed: 4 });
    const crashed = crashMiddleRelayOf(net, [1]);
    const id = net.send(0, 6, 'survives a dead path', 120_000, { n: 3, k: 2 });
    advance(net, 60_000);

    expect(crashed).toHaveLength(1);
    expect(net.w.net.isLive(crashed[0]!)).toBe(false);
    const attempts = net.eventsOf('messageAttempt', id);
    expect(attempts.map((a) => [a.value.shard, a.value.attempt])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(net.deliveries.map((d) => [d.node, text(d.value.body)])).toEqual([
      [6, 'survives a dead path'],
    ]);
    expect(net.eventsOf('messageAcked', id).map((e) => e.value.attempts)).toEqual([3]);
    // Shard 1 died with the relay: the target acknowledged the two others only.
    expect(net.onionFrames.filter((f) => f.node === 6)).toHaveLength(2);
  });

  it('a timeout resends only the shards the target does not hold, on fresh disjoint paths', () => {
    const net = routingNet({ nodes: 20, seed: 6 });
    const crashed = crashMiddleRelayOf(net, [1, 2]);
    const id = net.send(0, 7, 'two paths broke', 120_000, { n: 3, k: 2 });
    advance(net, 60_000);

    expect(crashed).toHaveLength(2);
    const attempts = net.eventsOf('messageAttempt', id);
    const sends = (shard: number) => attempts.filter((a) => a.value.shard === shard);
    expect(sends(0).map((a) => a.value.reason)).toEqual(['first']);
    expect(sends(1).map((a) => a.value.reason)).toEqual(['first', 'timeout']);
    expect(sends(2).map((a) => a.value.reason)).toEqual(['first', 'timeout']);
    expectDisjoint(attempts);
    for (const relay of crashed) {
      expect(attempts.slice(3).flatMap((a) => a.value.path)).not.toContain(net.id(relay));
    }
    expect(net.deliveries.map((d) => text(d.value.body))).toEqual(['two paths broke']);
    expect(net.eventsOf('messageAcked', id).map((e) => e.value.attempts)).toEqual([5]);
  });

  it('a bit flipped in transit kills one shard at the next hop; the others rebuild it at once', () => {
    const net = routingNet({ nodes: 14, seed: 2 });
    let flipped = false;
    net.onOnion = (frame) => {
      if (!flipped && frame.node === 0) {
        flipped = true;
        frame.bytes[6 + 900]! ^= 0x04;
      }
    };
    const id = net.send(0, 3, 'one bit off', 120_000, { n: 3, k: 2 });
    advance(net, 60_000);
    expect(net.eventsOf('packetDropped').map((d) => d.value.reason)).toEqual(['bad-mac']);
    expect(net.deliveries.map((d) => text(d.value.body))).toEqual(['one bit off']);
    expect(net.eventsOf('messageAttempt', id)).toHaveLength(3);
  });

  it('forged and corrupted shards never yield a wrong message', () => {
    const net = routingNet({ nodes: 14, seed: 5 });
    const [alice, target, mallory, carrier] = [0, 5, 7, 9];
    const suite = modelledSuite;
    const identityOf = (i: number) => net.w.nodeOf(i)!.identity;
    const to = { id: net.id(target), dhKey: identityOf(target).dhPublic };
    const messageId = new Uint8Array(16).fill(0x5a);
    const hex = '5a'.repeat(16);
    const random = new AleaRandom('forgery');
    const seal = (from: number, bytes: Uint8Array) =>
      sealShard(suite, random, identityOf(from), to, {
        messageId,
        sentAt: net.w.now,
        replyPath: [],
        fromAddress: '',
        body: bytes,
      })!;
    // Mallory's own shard of a message with Alice's ID: signed by Mallory, so never Alice's.
    const mallorys = splitMessage(suite, random, messageId, new TextEncoder().encode('evil'), 3, 2);
    // Shards of another plaintext under Alice's ID and key (what a bug or a stolen key could
    // send): one with a corrupted fragment, one intact but from a different split.
    const others = splitMessage(suite, random, messageId, new TextEncoder().encode('fake'), 3, 2);
    others[1]!.fragment[0]! ^= 0xff;
    const forged = [
      seal(mallory, encodeShard(mallorys[0]!)),
      seal(alice, encodeShard(others[1]!)),
      seal(alice, encodeShard(others[2]!)),
    ];

    // Each forgery rides into the target in place of a carrier message's last hop.
    const hop = { id: base32Decode(net.id(target))!, dhPublic: to.dhKey };
    let lastRelay: number | undefined;
    net.onEvent = (node, event) => {
      if (node === carrier && event.type === 'messageAttempt') {
        lastRelay = net.index(event.path[event.path.length - 2] as string);
      }
    };
    net.onOnion = (frame) => {
      if (frame.node !== lastRelay || forged.length === 0) return;
      lastRelay = undefined;
      const { packet } = buildPacket(suite, random, [hop], forged.shift()!);
      frame.bytes.set(encodeMessage({ type: 'onion', packet }));
    };
    for (let i = 0; i < 3; i++) {
      net.send(carrier, target, `carrier ${i}`);
      advance(net, 1_000);
    }
    expect(forged).toHaveLength(0);
    const counters = net.w.nodeOf(target)!.counters();
    expect(counters['shardsRejected']).toBe(1); // the corrupted one, named by combineShards
    expect(counters['shardBuffers']).toBe(2); // Alice's and Mallory's, each short of k
    expect(net.deliveries.filter((d) => d.node === target && d.value.body.length === 4)).toEqual(
      [],
    );

    net.w.net.command(alice, {
      type: 'send',
      messageId,
      to: net.id(target),
      body: new TextEncoder().encode('the real one'),
      expiresAt: net.w.now + 120_000,
      shards: { n: 3, k: 2 },
    });
    advance(net, 60_000);
    const ofMessage = net.deliveries.filter(
      (d) => Buffer.from(d.value.messageId).toString('hex') === hex,
    );
    expect(ofMessage.map((d) => [d.node, d.value.from, text(d.value.body)])).toEqual([
      [target, net.id(alice), 'the real one'],
    ]);
    expect(net.eventsOf('messageAcked', hex).map((e) => e.node)).toEqual([alice]);
    // The corrupted shard left the buffer, so the honest shard of its index took its place:
    // the first three sends were enough.
    expect(net.eventsOf('messageAttempt', hex)).toHaveLength(3);
  });

  it('a target that lost its buffer gets the shards it had acknowledged again', () => {
    const net = routingNet({ nodes: 14, seed: 3 });
    const target = 4;
    crashMiddleRelayOf(net, [2]);
    // The target acks shards 0 and 1 of a 3/3 message and waits for shard 2: restart it
    // then, so it forgets what it acknowledged.
    let acks = 0;
    net.onOnion = (frame) => {
      if (frame.node !== target || ++acks !== 2) return;
      net.w.net.at(net.w.now, () => {
        net.w.crash(target);
        net.w.restart(target);
      });
    };
    const id = net.send(0, target, 'all three needed', 120_000, { n: 3, k: 3 });
    advance(net, 90_000);
    expect(acks).toBeGreaterThanOrEqual(2);
    const attempts = net.eventsOf('messageAttempt', id);
    const sendsOf = (shard: number) => attempts.filter((a) => a.value.shard === shard).length;
    // Shard 0's ack said "held" before the restart; the first ack after it did not, so it
    // went again at once, and so did shard 1.
    expect(sendsOf(0)).toBe(2);
    const resent = attempts.filter((a) => a.value.reason === 'lost-at-target');
    expect(resent.map((a) => a.value.shard).sort()).toEqual([0, 1]);
    // … as soon as the ack of shard 2 came back: within its round trip of shard 2's last
    // send, before the next directory poll (and long before the next round).
    const lastOf2 = attempts.filter((a) => a.value.shard === 2).at(-1)!;
    expect(resent[0]!.at).toBeGreaterThan(lastOf2.at);
    expect(resent[0]!.at - lastOf2.at).toBeLessThan(TEST_ROUTING.directoryPollMs);
    expect(sendsOf(2)).toBeGreaterThanOrEqual(2);
    expectDisjoint(attempts);
    expect(net.deliveries.map((d) => [d.node, text(d.value.body)])).toEqual([
      [target, 'all three needed'],
    ]);
    expect(net.eventsOf('messageAcked', id)).toHaveLength(1);
  });

  it('too few relays for n disjoint paths: paths get shorter, then the send fails clearly', () => {
    const net = routingNet({ nodes: 8, seed: 7 }); // 6 relays besides the two ends
    const short = net.send(0, 1, 'two relays each', 120_000, { n: 3, k: 2 });
    const none = net.send(0, 2, 'too many shards', 120_000, { n: 8, k: 2 });
    advance(net, 30_000);
    const attempts = net.eventsOf('messageAttempt', short);
    expect(attempts.map((a) => a.value.path.length)).toEqual([3, 3, 3]);
    expectDisjoint(attempts);
    expect(net.eventsOf('messageAcked', short)).toHaveLength(1);
    expect(net.eventsOf('messageAttempt', none)).toEqual([]);
    expect(net.eventsOf('messageFailed', none).map((f) => f.value.reason)).toEqual([
      'too-few-relays',
    ]);
  });

  it('property: the paths of one message never share a relay, whatever crashes', () => {
    checkProperty(
      FILE,
      'the paths of one message never share a relay',
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        (seed, n, crashes) => {
          const k = 1 + (seed % n);
          const net = routingNet({ nodes: 18, seed, settleMs: 20_000 });
          for (let i = 0; i < crashes; i++) net.w.crash(6 + i * 3);
          const id = net.send(0, 1, 'disjoint', 60_000, { n, k });
          advance(net, 70_000);
          const attempts = net.eventsOf('messageAttempt', id);
          expect(attempts.length).toBeGreaterThanOrEqual(n);
          expectDisjoint(attempts);
          const answers = [
            ...net.eventsOf('messageAcked', id),
            ...net.eventsOf('messageFailed', id),
          ];
          expect(answers).toHaveLength(1);
          expect(net.deliveries.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 6 },
    );
  });
});
