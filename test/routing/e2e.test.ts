/**
 * The end-to-end envelope (routing/e2e.ts): round trips in every suite, forged and
 * misdirected envelopes refused, any bytes opened without a throw, sizes within one packet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  modelledSuite,
  nobleSuite,
  nodeSuite,
  type CryptoSuite,
} from '../../src/engine/crypto/index.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';
import { PAYLOAD_MAX } from '../../src/engine/onion/limits.js';
import {
  REPLY_PATH_MAX,
  ROUTING_BODY_MAX,
  SHARDS_PER_MESSAGE_MAX,
} from '../../src/engine/routing/config.js';
import {
  E2eError,
  ENVELOPE_MAX_BYTES,
  openEnvelope,
  sealAck,
  sealMessage,
  sealShard,
  sealShardAck,
  SHARD_BODY_MAX,
  type MessageFields,
} from '../../src/engine/routing/e2e.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/routing/e2e.test.ts';
const SUITES: [string, CryptoSuite][] = [
  ['noble', nobleSuite],
  ['node', nodeSuite],
  ['modelled', modelledSuite],
];

function identity(suite: CryptoSuite, label: string): Identity {
  const random = new AleaRandom(`e2e-test/${label}`);
  return identityFromSecrets(suite, random.bytes(32), random.bytes(32));
}

function fields(suite: CryptoSuite, body = 'hello'): MessageFields {
  return {
    messageId: new Uint8Array(16).fill(0xab),
    sentAt: 1_700_000_000_000,
    replyPath: [identity(suite, 'r1').id, identity(suite, 'r2').id],
    fromAddress: '10.0.0.1:7000',
    body: new TextEncoder().encode(body),
  };
}

describe.each(SUITES)('e2e envelope (%s suite)', (_name, suite) => {
  const alice = identity(suite, 'alice');
  const bob = identity(suite, 'bob');
  const carol = identity(suite, 'carol');
  const to = (who: Identity) => ({ id: who.id, dhKey: who.dhPublic });

  it('a message opens at its target with the sender derived from its keys', () => {
    const sealed = sealMessage(suite, new AleaRandom('s'), alice, to(bob), fields(suite))!;
    const opened = openEnvelope(suite, bob, sealed);
    expect(opened).toMatchObject({ kind: 'message', from: alice.id, sentAt: 1_700_000_000_000 });
    if (opened.kind !== 'message') throw new Error('not a message');
    expect(new TextDecoder().decode(opened.body)).toBe('hello');
    expect(opened.replyPath).toEqual(fields(suite).replyPath);
    expect(opened.messageId).toEqual(new Uint8Array(16).fill(0xab));
    expect(opened.fromAddress).toBe('10.0.0.1:7000');
  });

  it("carries the sender's address when it is an IP literal, else none", () => {
    const carried = (fromAddress: string) => {
      const sealed = sealMessage(suite, new AleaRandom('a'), alice, to(bob), {
        ...fields(suite),
        fromAddress,
      })!;
      const opened = openEnvelope(suite, bob, sealed);
      return opened.kind === 'message' ? opened.fromAddress : opened.kind;
    };
    expect(carried('[2001:db8::7]:7000')).toBe('[2001:db8::7]:7000');
    expect(carried('')).toBe('');
    expect(carried('relay.example:7000')).toBe('');
  });

  it('an ack opens at the sender with the message ID', () => {
    const sealed = sealAck(suite, new AleaRandom('a'), to(alice), new Uint8Array(16).fill(3))!;
    expect(openEnvelope(suite, alice, sealed)).toEqual({
      kind: 'ack',
      messageId: new Uint8Array(16).fill(3),
    });
  });

  it('a shard opens as a shard, signed like a message; its ack names the shard and what is held', () => {
    const shard = { ...fields(suite), body: new Uint8Array(300).fill(9) };
    const sealed = sealShard(suite, new AleaRandom('s'), alice, to(bob), shard)!;
    const opened = openEnvelope(suite, bob, sealed);
    expect(opened).toMatchObject({ kind: 'shard', from: alice.id, sentAt: shard.sentAt });
    if (opened.kind !== 'shard') throw new Error('not a shard');
    expect(opened.body).toEqual(shard.body);
    const ack = { messageId: new Uint8Array(16).fill(5), index: 2, held: 0b101, complete: false };
    const ackSealed = sealShardAck(suite, new AleaRandom('a'), to(alice), ack)!;
    expect(openEnvelope(suite, alice, ackSealed)).toEqual({ kind: 'shardAck', ...ack });
    const done = { ...ack, held: 0, complete: true };
    const doneSealed = sealShardAck(suite, new AleaRandom('a'), to(alice), done)!;
    expect(openEnvelope(suite, alice, doneSealed)).toEqual({ kind: 'shardAck', ...done });
    expect(() =>
      sealShardAck(suite, new AleaRandom('a'), to(alice), {
        ...ack,
        index: SHARDS_PER_MESSAGE_MAX,
      }),
    ).toThrow(E2eError);
    expect(() =>
      sealShardAck(suite, new AleaRandom('a'), to(alice), {
        ...ack,
        held: 1 << SHARDS_PER_MESSAGE_MAX,
      }),
    ).toThrow(E2eError);
  });

  it('wrong target: an envelope for bob does not open for carol', () => {
    const sealed = sealMessage(suite, new AleaRandom('s'), alice, to(bob), fields(suite))!;
    expect(openEnvelope(suite, carol, sealed)).toEqual({
      kind: 'reject',
      reason: 'e2e-undecryptable',
    });
  });

  it('wrong target: a message signed for bob and sealed to carol is refused by carol', () => {
    // What bob could do with a message to him: re-seal it to carol as if alice wrote to her.
    const misdirected = { id: bob.id, dhKey: carol.dhPublic };
    const sealed = sealMessage(suite, new AleaRandom('s'), alice, misdirected, fields(suite))!;
    expect(openEnvelope(suite, carol, sealed)).toEqual({
      kind: 'reject',
      reason: 'e2e-bad-signature',
    });
  });

  it('forged signature: claiming alice’s keys without her signing key is refused', () => {
    const forger: Identity = { ...carol, signPublic: alice.signPublic, dhPublic: alice.dhPublic };
    const sealed = sealMessage(suite, new AleaRandom('s'), forger, to(bob), fields(suite))!;
    expect(openEnvelope(suite, bob, sealed)).toEqual({
      kind: 'reject',
      reason: 'e2e-bad-signature',
    });
  });

  it('a flipped bit anywhere in the envelope is refused', () => {
    const sealed = sealMessage(suite, new AleaRandom('s'), alice, to(bob), fields(suite))!;
    for (const bit of [0, 8, 8 * 20, 8 * 40 + 3, 8 * (sealed.length - 1)]) {
      const copy = sealed.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(openEnvelope(suite, bob, copy).kind).toBe('reject');
    }
  });

  it('draws exactly 32 random bytes per envelope', () => {
    const random = new AleaRandom('draws');
    const reference = new AleaRandom('draws');
    sealMessage(suite, random, alice, to(bob), fields(suite));
    sealAck(suite, random, to(alice), new Uint8Array(16));
    reference.bytes(32);
    reference.bytes(32);
    expect(random.next()).toBe(reference.next());
  });
});

describe('e2e envelope limits', () => {
  const suite = modelledSuite;
  const alice = identity(suite, 'alice');
  const bob = identity(suite, 'bob');

  it('the largest message (body and reply path at their limits) fits one onion payload', () => {
    expect(ENVELOPE_MAX_BYTES).toBeLessThanOrEqual(PAYLOAD_MAX);
    const largest: MessageFields = {
      ...fields(suite),
      replyPath: Array.from({ length: REPLY_PATH_MAX }, (_, i) => identity(suite, `r${i}`).id),
      body: new Uint8Array(ROUTING_BODY_MAX).fill(1),
    };
    const sealed = sealMessage(
      suite,
      new AleaRandom('s'),
      alice,
      { id: bob.id, dhKey: bob.dhPublic },
      largest,
    )!;
    // The largest envelope of all is a shard's (its body, one encoded shard, is the larger).
    expect(sealed.length).toBe(ENVELOPE_MAX_BYTES - (SHARD_BODY_MAX - ROUTING_BODY_MAX));
    expect(openEnvelope(suite, bob, sealed).kind).toBe('message');
    const shard = sealShard(
      suite,
      new AleaRandom('s'),
      alice,
      { id: bob.id, dhKey: bob.dhPublic },
      { ...largest, body: new Uint8Array(SHARD_BODY_MAX).fill(2) },
    )!;
    expect(shard.length).toBe(ENVELOPE_MAX_BYTES);
    expect(openEnvelope(suite, bob, shard).kind).toBe('shard');
  });

  it('our own oversize fields are local misuse', () => {
    const target = { id: bob.id, dhKey: bob.dhPublic };
    const tooLong = { ...fields(suite), body: new Uint8Array(ROUTING_BODY_MAX + 1) };
    expect(() => sealMessage(suite, new AleaRandom('s'), alice, target, tooLong)).toThrow();
    const tooMany = { ...fields(suite), replyPath: new Array(REPLY_PATH_MAX + 1).fill(alice.id) };
    expect(() => sealMessage(suite, new AleaRandom('s'), alice, target, tooMany)).toThrow(E2eError);
  });

  it('a low-order ephemeral key is refused; a low-order target key seals nothing', () => {
    const sealed = sealMessage(
      suite,
      new AleaRandom('s'),
      alice,
      { id: bob.id, dhKey: bob.dhPublic },
      fields(suite),
    )!;
    const zeroKey = sealed.slice();
    zeroKey.fill(0, 1, 33);
    expect(openEnvelope(suite, bob, zeroKey)).toEqual({ kind: 'reject', reason: 'e2e-bad-key' });
    const lowOrder = { id: bob.id, dhKey: new Uint8Array(32) };
    expect(sealMessage(suite, new AleaRandom('s'), alice, lowOrder, fields(suite))).toBeNull();
  });

  it('any bytes open to a value, never a throw', () => {
    const sealed = sealMessage(
      suite,
      new AleaRandom('s'),
      alice,
      { id: bob.id, dhKey: bob.dhPublic },
      fields(suite),
    )!;
    checkProperty(
      FILE,
      'any bytes open to a value',
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2 * ENVELOPE_MAX_BYTES }),
          fc.tuple(fc.nat(), fc.nat(255), fc.nat(sealed.length)).map(([at, value, cut]) => {
            const copy = sealed.slice(0, Math.max(cut, 1));
            copy[at % copy.length] = value;
            return copy;
          }),
        ),
        (bytes) => {
          const opened = openEnvelope(suite, bob, bytes);
          expect(['message', 'ack', 'shard', 'shardAck', 'reject']).toContain(opened.kind);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
