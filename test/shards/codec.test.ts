/**
 * The shard codec (STYLE.md #10): one case table of decode failures, the exact byte layout,
 * encode ⇄ decode round trips, and "any bytes ⇒ a shard or a ShardDecodeError, never a
 * throw" over 100,000 random and mutated inputs.
 *
 * The fuzz inputs come from one seeded stream; FUZZ_SEED=<seed> replays another run, and a
 * failure names the seed and the input number.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Shard,
  decodeShard,
  encodeShard,
  fragmentBytes,
} from '../../src/engine/shards/codec.js';
import {
  SHARD_DECODE_REASONS,
  type ShardDecodeReason,
  ShardUsageError,
} from '../../src/engine/shards/errors.js';
import {
  MESSAGE_ID_BYTES,
  SHARD_HEADER_BYTES,
  SHARD_KEY_BYTES,
  SHARD_MAX_BYTES,
  SHARD_MESSAGE_MAX_BYTES,
  SHARD_TAG_BYTES,
  SHARD_VERSION,
  SHARDS_MAX,
} from '../../src/engine/shards/limits.js';
import { splitMessage } from '../../src/engine/shards/split.js';
import { nodeSuite } from '../../src/engine/crypto/index.js';
import type { Random } from '../../src/engine/random.js';
import { checkProperty } from '../support/property.js';
import { bytesEqual, seeded } from './seeded.js';

const FILE = 'test/shards/codec.test.ts';

/** A shard with recognisable bytes in every field: n = 3, k = 2, index 1, 5-byte message. */
function sample(): Shard {
  return {
    messageId: Uint8Array.from({ length: MESSAGE_ID_BYTES }, (_, i) => 0xa0 + i),
    n: 3,
    k: 2,
    index: 1,
    messageBytes: 5,
    keyShare: new Uint8Array(SHARD_KEY_BYTES).fill(0x4b),
    tags: new Uint8Array(3 * SHARD_TAG_BYTES).fill(0x7a),
    fragment: Uint8Array.from({ length: fragmentBytes(5, 2) }, (_, i) => i), // (5 + 16) / 2 → 11
  };
}

/** The sample's bytes with `edit` applied. */
function edited(edit: (b: Uint8Array) => Uint8Array | void): Uint8Array {
  const b = encodeShard(sample());
  return edit(b) ?? b;
}

const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer).setUint32(at, v);

/** Every decode failure, by a minimal edit of the sample (h11's case-table style). */
const FAILURES: Array<[ShardDecodeReason, string, Uint8Array]> = [
  ['too-short', 'empty', new Uint8Array(0)],
  ['too-short', 'one byte short of a header', edited((b) => b.slice(0, SHARD_HEADER_BYTES - 1))],
  ['bad-version', 'version 0', edited((b) => void (b[0] = 0))],
  ['bad-version', 'version 2', edited((b) => void (b[0] = SHARD_VERSION + 1))],
  ['bad-count', 'n = 0', edited((b) => void (b[17] = 0))],
  ['bad-count', 'n = 17', edited((b) => void (b[17] = SHARDS_MAX + 1))],
  ['bad-threshold', 'k = 0', edited((b) => void (b[18] = 0))],
  ['bad-threshold', 'k > n', edited((b) => void (b[18] = 4))],
  ['bad-index', 'index = n', edited((b) => void (b[19] = 3))],
  ['bad-index', 'index = 255', edited((b) => void (b[19] = 255))],
  [
    'message-too-long',
    'length 64 KiB + 1',
    edited((b) => setU32(b, 20, SHARD_MESSAGE_MAX_BYTES + 1)),
  ],
  ['message-too-long', 'length 2^32 − 1', edited((b) => setU32(b, 20, 0xffffffff))],
  ['truncated', 'one byte short', edited((b) => b.slice(0, -1))],
  ['truncated', 'header only', edited((b) => b.slice(0, SHARD_HEADER_BYTES))],
  ['truncated', 'length one more', edited((b) => setU32(b, 20, 7))],
  ['trailing-bytes', 'one byte extra', edited((b) => Uint8Array.from([...b, 0]))],
  ['trailing-bytes', 'length two less', edited((b) => setU32(b, 20, 3))],
];

describe('shard codec: the layout', () => {
  it('encodes the documented layout byte for byte', () => {
    const b = encodeShard(sample());
    expect(b.length).toBe(24 + 32 + 48 + 11);
    expect(b[0]).toBe(SHARD_VERSION);
    expect([...b.subarray(1, 17)]).toEqual([...sample().messageId]);
    expect([b[17], b[18], b[19]]).toEqual([3, 2, 1]);
    expect([...b.subarray(20, 24)]).toEqual([0, 0, 0, 5]);
    expect(b.subarray(24, 56).every((x) => x === 0x4b)).toBe(true);
    expect(b.subarray(56, 104).every((x) => x === 0x7a)).toBe(true);
    expect([...b.subarray(104)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('decodes it back to the same shard, with copies that do not alias the input', () => {
    const b = encodeShard(sample());
    const d = decodeShard(b);
    expect(d).toEqual({ ok: true, shard: sample() });
    b.fill(0);
    expect(d).toEqual({ ok: true, shard: sample() });
  });

  it('decoding a node Buffer (what sockets hand over) still copies', () => {
    const b = Buffer.from(encodeShard(sample()));
    const d = decodeShard(b);
    b.fill(0);
    expect(d.ok && Object.getPrototypeOf(d.shard.fragment)).toBe(Uint8Array.prototype);
    expect(d).toEqual({ ok: true, shard: sample() });
  });

  it('every strict prefix fails typed (too-short, then truncated)', () => {
    const b = encodeShard(sample());
    for (let i = 0; i < b.length; i++) {
      const d = decodeShard(b.subarray(0, i));
      expect(d.ok ? 'decoded' : d.error.reason).toBe(
        i < SHARD_HEADER_BYTES ? 'too-short' : 'truncated',
      );
    }
  });

  it.each(FAILURES)('%s: %s', (reason, _name, bytes) => {
    const d = decodeShard(bytes);
    expect(d.ok ? 'decoded' : d.error.reason).toBe(reason);
  });

  it('the case table reaches every decode reason', () => {
    expect(new Set(FAILURES.map(([r]) => r))).toEqual(new Set(SHARD_DECODE_REASONS));
  });

  it('encodeShard refuses a shard with no valid encoding', () => {
    expect(() => encodeShard({ ...sample(), fragment: new Uint8Array(10) })).toThrow(
      ShardUsageError,
    );
    expect(() => encodeShard({ ...sample(), index: 3 })).toThrow(ShardUsageError);
    expect(() => encodeShard({ ...sample(), tags: new Uint8Array(16) })).toThrow(ShardUsageError);
  });

  it('the largest shard fits SHARD_MAX_BYTES exactly', () => {
    const big: Shard = {
      ...sample(),
      n: SHARDS_MAX,
      k: 1,
      index: 0,
      messageBytes: SHARD_MESSAGE_MAX_BYTES,
      tags: new Uint8Array(SHARDS_MAX * SHARD_TAG_BYTES),
      fragment: new Uint8Array(fragmentBytes(SHARD_MESSAGE_MAX_BYTES, 1)),
    };
    expect(encodeShard(big).length).toBe(SHARD_MAX_BYTES);
  });
});

describe('shard codec: round trips', () => {
  const arbShard: fc.Arbitrary<Shard> = fc
    .record({
      n: fc.integer({ min: 1, max: SHARDS_MAX }),
      kFraction: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      iFraction: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      messageBytes: fc.integer({ min: 0, max: 2000 }),
      seed: fc.integer(),
    })
    .map(({ n, kFraction, iFraction, messageBytes, seed }) => {
      const r = seeded(seed);
      const k = 1 + Math.floor(kFraction * n);
      return {
        messageId: r.bytes(MESSAGE_ID_BYTES),
        n,
        k,
        index: Math.floor(iFraction * n),
        messageBytes,
        keyShare: r.bytes(SHARD_KEY_BYTES),
        tags: r.bytes(n * SHARD_TAG_BYTES),
        fragment: r.bytes(fragmentBytes(messageBytes, k)),
      };
    });

  it('decode(encode(s)) = s and encode(decode(b)) = b', () => {
    checkProperty(
      FILE,
      'decode(encode(s)) = s and encode(decode(b)) = b',
      fc.property(arbShard, (s) => {
        const b = encodeShard(s);
        const d = decodeShard(b);
        return (
          d.ok &&
          JSON.stringify(d.shard) === JSON.stringify(s) &&
          bytesEqual(encodeShard(d.shard), b)
        );
      }),
    );
  });
});

/** One fuzz input: random bytes (header often made plausible), or a mutated valid shard. */
function fuzzInput(r: Random, valid: Uint8Array[], i: number): Uint8Array {
  if (i % 2 === 0) {
    const b = r.bytes(r.int(4) === 0 ? r.int(SHARD_HEADER_BYTES + 2) : r.int(400));
    if (b.length >= SHARD_HEADER_BYTES && r.int(2) === 0) {
      b[0] = SHARD_VERSION;
      b[17] = 1 + r.int(SHARDS_MAX);
      b[18] = 1 + r.int(b[17]!);
      b[19] = r.int(b[17]!);
      setU32(b, 20, r.int(300));
    }
    return b;
  }
  const b = valid[r.int(valid.length)]!.slice();
  const edits = 1 + r.int(3);
  let out = b;
  for (let e = 0; e < edits; e++) {
    switch (r.int(6)) {
      case 0: // flip a bit
        if (out.length) {
          const at = r.int(out.length);
          out[at] = out[at]! ^ (1 << r.int(8));
        }
        break;
      case 1: // replace a header byte
        out[r.int(Math.min(out.length, SHARD_HEADER_BYTES) || 1)] = r.int(256);
        break;
      case 2: // truncate
        out = out.slice(0, r.int(out.length + 1));
        break;
      case 3: // append
        out = Uint8Array.from([...out, ...r.bytes(1 + r.int(40))]);
        break;
      case 4: // delete a byte
        if (out.length) {
          const at = r.int(out.length);
          out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1)]);
        }
        break;
      default: // rewrite the length field
        if (out.length >= SHARD_HEADER_BYTES)
          setU32(out, 20, r.int(2) ? r.int(600) : r.int(2 ** 32));
    }
  }
  return out;
}

describe('shard codec: any bytes ⇒ a shard or a typed error, never a throw', () => {
  it('100,000 random and mutated byte arrays', () => {
    const seed = process.env.FUZZ_SEED ?? 'shard-fuzz';
    const r = seeded(seed);
    const valid = [1, 2, 3, 5, 16].flatMap((n) =>
      splitMessage(
        nodeSuite,
        r,
        r.bytes(MESSAGE_ID_BYTES),
        r.bytes(r.int(200)),
        n,
        1 + r.int(n),
      ).map(encodeShard),
    );
    const reasons = new Map<string, number>();
    const known = new Set<string>(SHARD_DECODE_REASONS);
    let shards = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = fuzzInput(r, valid, i);
      let d;
      try {
        d = decodeShard(input);
      } catch (e) {
        throw new Error(`FUZZ_SEED=${seed}, input ${i}: decodeShard threw ${String(e)}`);
      }
      if (d.ok) {
        shards++;
        // Canonical: the accepted bytes are exactly the encoding of what they decode to.
        if (!bytesEqual(encodeShard(d.shard), input)) {
          throw new Error(`FUZZ_SEED=${seed}, input ${i}: decoded but not canonical`);
        }
      } else {
        if (!known.has(d.error.reason)) throw new Error(`unknown reason ${d.error.reason}`);
        reasons.set(d.error.reason, (reasons.get(d.error.reason) ?? 0) + 1);
      }
    }
    // The inputs must reach deep: shards that decode, and every failure reason.
    expect(shards).toBeGreaterThan(1000);
    expect(new Set(reasons.keys())).toEqual(known);
  });
});
