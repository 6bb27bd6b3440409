/**
 * The target's check of a message's `sentAt` (receiver.ts Rule 1, SECURITY.md "The target"):
 * a message written more than clockSkewMs ahead of the target's clock, or older than the
 * dedup window (seenMaxAgeMs) less the skew, is dropped and never delivered or acked — the
 * dedup window could not otherwise promise "never twice". Just inside either bound it is
 * delivered.
 */
import { describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/engine/base32.js';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { buildPacket } from '../../src/engine/onion/index.js';
import { Routing, TEST_ROUTING, type RoutingHost } from '../../src/engine/routing/index.js';
import { sealMessage } from '../../src/engine/routing/e2e.js';
import type { DeliveredMessage, EngineEvent, Millis } from '../../src/engine/types.js';
import { AleaRandom, SeededRandomSource } from '../../src/transports/sim/rng.js';
import { seededIdentity } from '../support/identities.js';

const NOW = 100 * 24 * 60 * 60_000;
const { clockSkewMs, seenMaxAgeMs } = TEST_ROUTING;
const target = seededIdentity(modelledSuite, 1);
const sender = seededIdentity(modelledSuite, 2);

/** What the target does with a one-hop packet from `sender` written at `sentAt`. */
function receive(sentAt: Millis): { delivered: DeliveredMessage[]; events: EngineEvent[] } {
  const delivered: DeliveredMessage[] = [];
  const events: EngineEvent[] = [];
  const host: RoutingHost = {
    identity: target,
    address: '10.0.0.1:7000',
    crypto: modelledSuite,
    descriptor: () => undefined,
    relays: () => [],
    sendPacket: () => 'dialing', // the ack
    event: (event) => events.push(event),
    deliver: (message) => delivered.push(message),
    revoked: () => false,
    holdTarget: () => undefined, // nothing is sent here
    releaseTarget: () => undefined,
  };
  const routing = new Routing(host, TEST_ROUTING, new SeededRandomSource('sent-at'));
  const random = new AleaRandom(`sent-at/${sentAt}`);
  const envelope = sealMessage(
    modelledSuite,
    random,
    sender,
    { id: target.id, dhKey: target.dhPublic },
    {
      messageId: new Uint8Array(16).fill(3),
      sentAt,
      replyPath: [],
      fromAddress: '10.0.0.2:7000',
      body: Uint8Array.of(1, 2, 3),
    },
  )!;
  const hop = { id: base32Decode(target.id)!, dhPublic: target.dhPublic };
  routing.onPacket(buildPacket(modelledSuite, random, [hop], envelope).packet, NOW);
  return { delivered, events };
}

const drops = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'packetDropped' ? [e.reason] : []));

describe("the target's check of sentAt", () => {
  it('delivers a message written now, or just inside either bound', () => {
    for (const sentAt of [NOW, NOW + clockSkewMs, NOW - seenMaxAgeMs + clockSkewMs]) {
      const { delivered, events } = receive(sentAt);
      expect(delivered.map((m) => m.sentAt)).toEqual([sentAt]);
      expect(delivered[0]!.fromAddress).toBe('10.0.0.2:7000'); // from the envelope
      expect(drops(events)).toEqual([]);
    }
  });

  it('drops a message from further ahead than the clock skew', () => {
    const { delivered, events } = receive(NOW + clockSkewMs + 1);
    expect(delivered).toEqual([]);
    expect(drops(events)).toEqual(['message-from-the-future']);
  });

  it('drops a message older than the dedup window less the skew', () => {
    const { delivered, events } = receive(NOW - seenMaxAgeMs + clockSkewMs - 1);
    expect(delivered).toEqual([]);
    expect(drops(events)).toEqual(['message-too-old']);
  });
});
