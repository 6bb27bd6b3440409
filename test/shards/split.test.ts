/**
 * The message splitter (issue 7 "Properties"): any k of n shards rebuild the exact message;
 * fewer than k fail with a typed reason; a corrupted shard (every single bit flipped, one at
 * a time) or a forged one is detected and never yields a wrong message.
 *
 * Every split draws from a seeded Random (seeded.ts); fast-check prints the seed of any
 * failing case and the command that replays it (test/support/property.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite, nobleSuite, nodeSuite } from '../../src/engine/crypto/index.js';
import { encodedShardBytes } from '../../src/engine/shards/codec.js';
import { ShardUsageError } from '../../src/engine/shards/errors.js';
import {
  COMBINE_SHARDS_MAX,
  MESSAGE_ID_BYTES,
  SHARD_KEY_BYTES,
  SHARD_MESSAGE_MAX_BYTES,
  SHARD_TAG_BYTES,
  SHARDS_MAX,
} from '../../src/engine/shards/limits.js';
import {
  type CombineResult,
  type Shard,
  combineShards,
  decodeShard,
  encodeShard,
  splitMessage,
} from '../../src/engine/shards/split.js';
import { checkProperty } from '../support/property.js';
import { bytesEqual, seeded, subsets } from './seeded.js';

const FILE = 'test/shards/split.test.ts';
const suite = nodeSuite;
const text = (s: string) => new TextEncoder().encode(s);
const ID = Uint8Array.from({ length: MESSAGE_ID_BYTES }, (_, i) => i + 1);

/** Through the wire and back, as the target receives it. */
function viaBytes(shard: Shard): Shard {
  const decoded = decodeShard(encodeShard(shard));
  if (!decoded.ok) throw new Error(`own shard does not decode: ${decoded.error.reason}`);
  return decoded.shard;
}

/** The one thing a combine may never do: succeed with other bytes than the message. */
function neverWrong(result: CombineResult, message: Uint8Array): boolean {
  return !result.ok || bytesEqual(result.plaintext, message);
}

/** n, k with 1 ≤ k ≤ n ≤ SHARDS_MAX, a message, a seed, and an arrival order of shards. */
const arbCase = fc.integer({ min: 1, max: SHARDS_MAX }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    k: fc.integer({ min: 1, max: n }),
    message: fc.uint8Array({ maxLength: 1500 }),
    seed: fc.integer(),
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: 0 }),
  }),
);

describe('splitMessage', () => {
  it('makes n shards 0..n−1 of the documented size, all with the same tag list', () => {
    const message = text('hello, shards');
    const shards = splitMessage(suite, seeded(1), ID, message, 5, 3);
    expect(shards.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    for (const s of shards) {
      expect([s.n, s.k, s.messageBytes]).toEqual([5, 3, message.length]);
      expect(s.messageId).toEqual(ID);
      expect(s.keyShare.length).toBe(SHARD_KEY_BYTES);
      expect(s.tags).toEqual(shards[0]!.tags);
      expect(s.tags.length).toBe(5 * SHARD_TAG_BYTES);
      expect(encodeShard(s).length).toBe(encodedShardBytes(5, 3, message.length));
    }
    expect(shards[0]!.tags).not.toBe(shards[1]!.tags); // copies, not one shared buffer
  });

  it('is deterministic in the Random, and the node and noble suites make identical shards', () => {
    const message = text('same bytes from both suites');
    const a = splitMessage(nodeSuite, seeded('s'), ID, message, 4, 2);
    const b = splitMessage(nobleSuite, seeded('s'), ID, message, 4, 2);
    expect(a.map(encodeShard)).toEqual(b.map(encodeShard));
    expect(combineShards(nobleSuite, a.slice(2))).toMatchObject({ ok: true, plaintext: message });
  });

  it('works over the modelled suite the simulator uses', () => {
    const message = text('simulated');
    const shards = splitMessage(modelledSuite, seeded(2), ID, message, 5, 2);
    expect(combineShards(modelledSuite, [shards[4]!, shards[1]!])).toMatchObject({
      ok: true,
      plaintext: message,
    });
  });

  it('misuse throws ShardUsageError: ID size, message size, n, k', () => {
    const r = seeded(3);
    const m = text('x');
    expect(() => splitMessage(suite, r, new Uint8Array(15), m, 3, 2)).toThrow(ShardUsageError);
    const big = new Uint8Array(SHARD_MESSAGE_MAX_BYTES + 1);
    expect(() => splitMessage(suite, r, ID, big, 3, 2)).toThrow(ShardUsageError);
    expect(() => splitMessage(suite, r, ID, m, 0, 1)).toThrow(ShardUsageError);
    expect(() => splitMessage(suite, r, ID, m, SHARDS_MAX + 1, 2)).toThrow(ShardUsageError);
    expect(() => splitMessage(suite, r, ID, m, 3, 0)).toThrow(ShardUsageError);
    expect(() => splitMessage(suite, r, ID, m, 3, 4)).toThrow(ShardUsageError);
    const maxed = splitMessage(suite, r, ID, new Uint8Array(SHARD_MESSAGE_MAX_BYTES), 2, 1);
    expect(combineShards(suite, [maxed[1]!]).ok).toBe(true);
  });
});

describe('any k of n shards rebuild the exact message; fewer than k do not', () => {
  it('every subset of every split with n ≤ 5: ≥ k rebuild, < k give not-enough-shards', () => {
    const message = seeded('m').bytes(300);
    for (let n = 1; n <= 5; n++) {
      for (let k = 1; k <= n; k++) {
        const shards = splitMessage(suite, seeded(`${n}/${k}`), ID, message, n, k).map(viaBytes);
        for (let size = 0; size <= n; size++) {
          for (const subset of subsets(n, size)) {
            const result = combineShards(
              suite,
              subset.reverse().map((i) => shards[i]!),
            );
            if (size >= k) {
              expect(result).toMatchObject({ ok: true, plaintext: message, rejected: [] });
            } else {
              expect(result).toMatchObject({ ok: false, reason: 'not-enough-shards' });
            }
          }
        }
      }
    }
  });

  it('any arrival order of any subset (property): k or more rebuild, fewer fail typed', () => {
    checkProperty(
      FILE,
      'any arrival order of any subset (property): k or more rebuild, fewer fail typed',
      fc.property(arbCase, ({ n, k, message, seed, order }) => {
        const shards = splitMessage(suite, seeded(seed), ID, message, n, k).map(viaBytes);
        const result = combineShards(
          suite,
          order.map((i) => shards[i]!),
        );
        if (order.length >= k) {
          return result.ok && bytesEqual(result.plaintext, message) && result.used.length === k;
        }
        return !result.ok && result.reason === 'not-enough-shards';
      }),
      { numRuns: 200 },
    );
  });

  it('duplicates of a shard count once', () => {
    const shards = splitMessage(suite, seeded(4), ID, text('dup'), 5, 3);
    const twice = [shards[0]!, shards[0]!, viaBytes(shards[0]!), shards[1]!];
    expect(combineShards(suite, twice)).toMatchObject({ ok: false, reason: 'not-enough-shards' });
    expect(combineShards(suite, [...twice, shards[4]!])).toMatchObject({ ok: true, rejected: [] });
  });

  it('more than COMBINE_SHARDS_MAX shards are refused without work', () => {
    const shards = splitMessage(suite, seeded(5), ID, text('many'), 2, 1);
    const flood = Array.from({ length: COMBINE_SHARDS_MAX + 1 }, (_, i) => shards[i % 2]!);
    expect(combineShards(suite, flood)).toMatchObject({ ok: false, reason: 'too-many-shards' });
    expect(combineShards(suite, flood.slice(1)).ok).toBe(true);
  });
});

/** The encoded shard with bit `bit` flipped, decoded; null when it no longer decodes. */
function flipped(shard: Shard, bit: number): Shard | null {
  const bytes = encodeShard(shard);
  bytes[bit >> 3] = bytes[bit >> 3]! ^ (1 << (bit & 7));
  const decoded = decodeShard(bytes);
  return decoded.ok ? decoded.shard : null;
}

describe('a corrupted shard is detected and never yields a wrong message', () => {
  it('every single bit flip of every shard of a 5/3 split, with k and with n shards', () => {
    const message = text('attack at dawn; bring snacks');
    const shards = splitMessage(suite, seeded('flip'), ID, message, 5, 3);
    let flips = 0;
    let undecodable = 0;
    for (const victim of shards) {
      const bits = encodeShard(victim).length * 8;
      const tagsFrom = (24 + SHARD_KEY_BYTES) * 8;
      const tagsTo = tagsFrom + 5 * 128;
      for (let bit = 0; bit < bits; bit++) {
        flips++;
        const bad = flipped(victim, bit);
        if (bad === null) {
          undecodable++;
          continue;
        }
        const others = shards.filter((s) => s !== victim);
        // Exactly k: the corrupted one and k − 1 honest ones.
        const withK = combineShards(suite, [bad, ...others.slice(0, 2)]);
        expect(neverWrong(withK, message)).toBe(true);
        // All n: the n − 1 honest ones suffice and the corrupted one is named.
        const withN = combineShards(suite, [bad, ...others]);
        expect(withN).toMatchObject({ ok: true, plaintext: message });
        // A flip in the tag list (even in its own entry) leaves the contents intact, which the
        // honest shards' lists still commit to: it is still a good shard. A flip anywhere
        // else must get it rejected, and k shards with it must not rebuild anything.
        const harmless = bit >= tagsFrom && bit < tagsTo;
        if (withN.ok) expect(withN.rejected.includes(0)).toBe(!harmless);
        if (!harmless) expect(withK.ok).toBe(false);
      }
    }
    expect(flips).toBeGreaterThan(5000);
    expect(undecodable).toBeGreaterThan(0);
  });

  it('random multi-byte corruption of random shards (property)', () => {
    checkProperty(
      FILE,
      'random multi-byte corruption of random shards (property)',
      fc.property(
        arbCase,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        ({ n, k, message, seed, order }, edits) => {
          const shards = splitMessage(suite, seeded(seed), ID, message, n, k);
          const bytes = order.map((i) => encodeShard(shards[i]!));
          if (bytes.length === 0) return true;
          for (const [which, at, xor] of edits) {
            const b = bytes[which % bytes.length]!;
            b[at % b.length] = b[at % b.length]! ^ xor;
          }
          const received = bytes.flatMap((b) => {
            const d = decodeShard(b);
            return d.ok ? [d.shard] : [];
          });
          return neverWrong(combineShards(suite, received), message);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * A self-consistent shard: its own tag recomputed into its own list, as any forger can
 * (the tag is a public function of the contents: SHA-256 of the domain, the 24 header
 * bytes, the key share and the fragment, truncated; split.ts).
 */
function consistent(shard: Shard): Shard {
  const header = encodeShard(shard).subarray(0, 24);
  const input = new Uint8Array([
    ...text('p2pmsg shard tag v1'),
    ...header,
    ...shard.keyShare,
    ...shard.fragment,
  ]);
  const tags = shard.tags.slice();
  tags.set(suite.sha256(input).subarray(0, SHARD_TAG_BYTES), shard.index * SHARD_TAG_BYTES);
  return { ...shard, tags };
}

describe('a forged shard never yields a wrong message', () => {
  it('the forger of the test recomputes tags exactly as split.ts does', () => {
    const shards = splitMessage(suite, seeded(6), ID, text('tags'), 3, 2);
    for (const s of shards) expect(consistent(s).tags).toEqual(s.tags);
  });

  it('a self-consistent forgery for the missing index, next to k − 1 honest shards, fails', () => {
    checkProperty(
      FILE,
      'a self-consistent forgery for the missing index, next to k − 1 honest shards, fails',
      fc.property(
        arbCase.filter(({ k }) => k >= 2),
        fc.boolean(),
        ({ n, k, message, seed }, linear) => {
          const random = seeded(seed);
          const shards = splitMessage(suite, random, ID, message, n, k);
          const victim = shards[k - 1]!;
          // Either fresh random contents, or the honest ones shifted by a known delta (the
          // linear attack on Shamir and on the erasure code).
          const keyShare = linear ? victim.keyShare.map((b, i) => b ^ (i + 1)) : random.bytes(32);
          const fragment = linear
            ? victim.fragment.map((b) => b ^ 0x80)
            : random.bytes(victim.fragment.length);
          const forged = consistent({ ...victim, keyShare, fragment });
          const honest = shards.slice(0, k - 1);
          const alone = combineShards(suite, [...honest, forged]);
          const all = combineShards(suite, [forged, ...shards]);
          return (
            !alone.ok &&
            all.ok &&
            bytesEqual(all.plaintext, message) &&
            all.rejected.length === 1 &&
            all.rejected[0] === 0
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('forged headers (other n, k, length or ID) never yield a wrong message', () => {
    const message = text('the real one');
    const shards = splitMessage(suite, seeded(7), ID, message, 5, 3);
    const victim = shards[0]!;
    const variants: Shard[] = [
      { ...victim, k: 1 },
      { ...victim, k: 2 },
      { ...victim, n: 4, tags: victim.tags.slice(0, 64) },
      { ...victim, messageBytes: victim.messageBytes + 1 },
      { ...victim, messageId: new Uint8Array(MESSAGE_ID_BYTES) },
      { ...victim, index: 3 },
    ].flatMap((v) => {
      const f = v.messageBytes !== victim.messageBytes || v.k !== victim.k;
      const fixed = f
        ? { ...v, fragment: new Uint8Array(Math.ceil((v.messageBytes + 16) / v.k)) }
        : v;
      return [fixed, consistent(fixed)];
    });
    for (const forged of variants) {
      for (const honest of [shards.slice(1, 3), shards.slice(1)]) {
        const result = combineShards(suite, [forged, ...honest]);
        expect(neverWrong(result, message)).toBe(true);
        expect(result.ok).toBe(honest.length >= 3);
      }
    }
  });

  it('a complete forged set verifies alone (origin is the e2e layer’s job) but beside k honest shards both are refused', () => {
    const message = text('the real one');
    const shards = splitMessage(suite, seeded(8), ID, message, 5, 3);
    const fake = splitMessage(suite, seeded('forger'), ID, text('send money'), 1, 1)[0]!;
    expect(combineShards(suite, [fake])).toMatchObject({ ok: true });
    const result = combineShards(suite, [fake, ...shards.slice(0, 3)]);
    expect(result).toMatchObject({ ok: false, reason: 'conflicting-messages' });
    // With fewer than k honest shards beside it, the set holds nothing of the real message
    // and the fake is all there is: the signed sender identity inside it must refuse it.
    expect(combineShards(suite, [fake, ...shards.slice(0, 2)])).toMatchObject({
      ok: true,
      plaintext: text('send money'),
    });
  });

  it('k shards that match their tag list but do not verify: authentication-failed', () => {
    // A malicious sender's set: a fragment altered and every tag list rewritten to match.
    const shards = splitMessage(suite, seeded(9), ID, text('tampered at the source'), 3, 2);
    const altered = { ...shards[0]!, fragment: shards[0]!.fragment.map((b) => b ^ 1) };
    const tag = consistent(altered).tags.subarray(0, SHARD_TAG_BYTES);
    const set = [altered, shards[1]!].map((s) => {
      const tags = s.tags.slice();
      tags.set(tag, 0);
      return { ...s, tags };
    });
    expect(combineShards(suite, set)).toMatchObject({
      ok: false,
      reason: 'authentication-failed',
    });
  });

  it('malformed shard values are rejected, never thrown on', () => {
    const message = text('robust');
    const shards = splitMessage(suite, seeded(10), ID, message, 3, 2);
    const s = shards[0]!;
    const junk = [
      { ...s, keyShare: new Uint8Array(31) },
      { ...s, fragment: new Uint8Array(0) },
      { ...s, tags: new Uint8Array(5) },
      { ...s, n: 0 },
      { ...s, n: 99 },
      { ...s, k: 0 },
      { ...s, index: -1 },
      { ...s, index: 1.5 },
      { ...s, messageBytes: -1 },
      { ...s, messageBytes: Number.NaN },
      { ...s, messageId: 'id' as unknown as Uint8Array },
      null as unknown as Shard,
    ];
    const result = combineShards(suite, [...junk, shards[1]!, shards[2]!]);
    expect(result).toMatchObject({ ok: true, plaintext: message });
    if (result.ok) expect(result.rejected).toEqual(junk.map((_, i) => i));
    expect(combineShards(suite, junk)).toMatchObject({ ok: false, reason: 'not-enough-shards' });
  });
});
