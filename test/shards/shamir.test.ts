/**
 * Shamir sharing over GF(256): our own properties, and a cross-check both ways against the
 * audited `shamir-secret-sharing` package (same field, same polynomial 0x11b; its shares are
 * the y bytes followed by the x byte, and its x coordinates are a random subset of 1..255).
 */
import fc from 'fast-check';
import { combine as libCombine, split as libSplit } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import type { Random } from '../../src/engine/random.js';
import { ShamirError, ShardUsageError } from '../../src/engine/shards/errors.js';
import {
  type Share,
  combineShares,
  shareFromBytes,
  shareToBytes,
  splitSecret,
} from '../../src/engine/shards/shamir.js';
import { checkProperty } from '../support/property.js';
import { seeded, subsets } from './seeded.js';

const FILE = 'test/shards/shamir.test.ts';

/** A secret, n ≤ 20 and 1 ≤ k ≤ n, and a seed for the split. */
const arbSplit = fc.integer({ min: 1, max: 20 }).chain((n) =>
  fc.record({
    secret: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    n: fc.constant(n),
    k: fc.integer({ min: 1, max: n }),
    seed: fc.integer(),
  }),
);

/** `count` distinct shares picked by the seeded random. */
function pickShares(shares: Share[], count: number, random: Random): Share[] {
  const copy = shares.slice();
  for (let i = 0; i < count; i++) {
    const j = i + random.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

describe('Shamir sharing', () => {
  it('a hand-computed split: secret 42, k = 2, coefficient 03 ⇒ shares 41, 44, 47', () => {
    const fixed: Random = { next: () => 0, int: () => 0, bytes: (n) => new Uint8Array(n).fill(3) };
    const shares = splitSecret(fixed, Uint8Array.of(0x42), 3, 2);
    expect(shares.map((s) => [s.x, s.y[0]])).toEqual([
      [1, 0x41], // 42 ⊕ 03·01
      [2, 0x44], // 42 ⊕ 03·02 = 42 ⊕ 06
      [3, 0x47], // 42 ⊕ 03·03 = 42 ⊕ 05
    ]);
    expect(combineShares([shares[2]!, shares[0]!])).toEqual(Uint8Array.of(0x42));
  });

  it('x coordinates are 1..n; every k-subset of 6 shares rebuilds the secret', () => {
    const secret = seeded('secret').bytes(32);
    for (let k = 1; k <= 6; k++) {
      const shares = splitSecret(seeded(`k${k}`), secret, 6, k);
      expect(shares.map((s) => s.x)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const subset of subsets(6, k)) {
        expect(combineShares(subset.map((i) => shares[i]!))).toEqual(secret);
      }
    }
  });

  it('any k or more of n shares rebuild the secret (property)', () => {
    checkProperty(
      FILE,
      'any k or more of n shares rebuild the secret (property)',
      fc.property(arbSplit, ({ secret, n, k, seed }) => {
        const random = seeded(seed);
        const shares = splitSecret(random, secret, n, k);
        const count = k + random.int(n - k + 1);
        const rebuilt = combineShares(pickShares(shares, count, random));
        return Buffer.from(rebuilt).equals(Buffer.from(secret));
      }),
    );
  });

  it('k = 1 is replication: every share is the secret', () => {
    const secret = Uint8Array.of(1, 2, 3);
    for (const share of splitSecret(seeded(1), secret, 4, 1)) expect(share.y).toEqual(secret);
  });

  it('wipes the polynomial coefficients it drew', () => {
    const drawn: Uint8Array[] = [];
    const inner = seeded('wipe');
    const spy: Random = { ...inner, bytes: (n) => (drawn.push(inner.bytes(n)), drawn.at(-1)!) };
    splitSecret(spy, new Uint8Array(32).fill(9), 5, 3);
    expect(drawn).toHaveLength(1);
    expect(drawn[0]!.length).toBe(64);
    expect(drawn[0]!.every((b) => b === 0)).toBe(true);
  });

  it('misuse throws: bad n or k, and share sets that cannot be combined, with a reason', () => {
    const r = seeded(2);
    const secret = Uint8Array.of(7);
    expect(() => splitSecret(r, secret, 0, 1)).toThrow(ShardUsageError);
    expect(() => splitSecret(r, secret, 256, 2)).toThrow(ShardUsageError);
    expect(() => splitSecret(r, secret, 3, 4)).toThrow(ShardUsageError);
    expect(() => splitSecret(r, secret, 3, 0)).toThrow(ShardUsageError);
    expect(() => splitSecret(r, secret, 2.5, 1)).toThrow(ShardUsageError);
    const [a, b] = splitSecret(r, Uint8Array.of(1, 2), 2, 2) as [Share, Share];
    const reason = (shares: Share[]): string => {
      try {
        combineShares(shares);
        return 'combined';
      } catch (e) {
        expect(e).toBeInstanceOf(ShamirError);
        return (e as ShamirError).reason;
      }
    };
    expect(reason([])).toBe('no-shares');
    expect(reason([a, { ...a }])).toBe('duplicate-x');
    expect(reason([a, { x: 3, y: Uint8Array.of(1) }])).toBe('length-mismatch');
    expect(reason([a, { x: 0, y: b.y }])).toBe('bad-x');
    expect(reason([a, { x: 256, y: b.y }])).toBe('bad-x');
    expect(reason([a, { x: 1.5, y: b.y }])).toBe('bad-x');
    expect(reason([a, b])).toBe('combined');
  });

  it('the byte layout round-trips: y bytes then x', () => {
    const share = { x: 9, y: Uint8Array.of(1, 2, 3) };
    expect(shareToBytes(share)).toEqual(Uint8Array.of(1, 2, 3, 9));
    expect(shareFromBytes(shareToBytes(share))).toEqual(share);
  });
});

describe('Shamir sharing against shamir-secret-sharing (audited)', () => {
  it('our shares combine with ITS combine (k ≥ 2, any k of n)', async () => {
    await checkProperty(
      FILE,
      'our shares combine with ITS combine (k ≥ 2, any k of n)',
      fc.asyncProperty(
        arbSplit.filter(({ k }) => k >= 2),
        async ({ secret, n, k, seed }) => {
          const random = seeded(seed);
          const shares = pickShares(splitSecret(random, secret, n, k), k, random);
          const rebuilt = await libCombine(shares.map(shareToBytes));
          return Buffer.from(rebuilt).equals(Buffer.from(secret));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('its shares (random x in 1..255) combine with OUR combine', async () => {
    await checkProperty(
      FILE,
      'its shares (random x in 1..255) combine with OUR combine',
      fc.asyncProperty(
        arbSplit.filter(({ k, n }) => k >= 2 && n >= 2),
        async ({ secret, n, k, seed }) => {
          const theirs = (await libSplit(secret, n, k)).map(shareFromBytes);
          const rebuilt = combineShares(pickShares(theirs, k, seeded(seed)));
          return Buffer.from(rebuilt).equals(Buffer.from(secret));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a 32-byte key split 255 ways by the library: every share set of 3 we try agrees', async () => {
    const key = seeded('key').bytes(32);
    const theirs = (await libSplit(key, 255, 3)).map(shareFromBytes);
    const r = seeded('picks');
    for (let i = 0; i < 100; i++) expect(combineShares(pickShares(theirs, 3, r))).toEqual(key);
  });
});
