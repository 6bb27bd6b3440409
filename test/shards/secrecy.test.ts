/**
 * "Any k−1 shards are independent of the message" (issue 7), statistically.
 *
 * Two very different message sets — 62 zero bytes, and 62 0xff bytes (same length: the
 * length is public by design) — are split 5/3, MESSAGES times each, from fixed seeds. For
 * every one of the 10 pairs of shards (k − 1 = 2), over the key-share bytes and over the
 * fragment bytes of those two shards:
 * - goodness of fit: the byte values are uniform, for each set (χ², 255 df);
 * - homogeneity: the two sets' byte histograms are the same distribution (2×256 χ², 255 df);
 * - pairwise independence: the high nibbles of the two shards at the same position are
 *   uniform over the 16×16 grid (χ², 255 df), and likewise the low nibbles.
 *
 * Threshold. Each statistic is compared with the χ² critical value for 255 degrees of freedom
 * at p = 10⁻⁵ (≈ 363, Wilson–Hilferty). There are 10 pairs × 2 fields × 5 statistics = 100
 * tests, so a correct splitter fails one for a random seed with probability below 10⁻³; the
 * seeds here are fixed, so the outcome is reproducible. A leak is not subtle: the two
 * control checks at the end run the same statistics on splits that do leak (no encryption;
 * the message as the Shamir secret with k = 1) and see values in the thousands.
 *
 * The argument itself is in src/engine/shards/split.ts: key shares are uniform given fewer
 * than k (information-theoretic), fragments are of a ChaCha20 ciphertext (computational).
 */
import { describe, expect, it } from 'vitest';
import { AEAD_TAG_BYTES, type CryptoSuite, nodeSuite } from '../../src/engine/crypto/index.js';
import { MESSAGE_ID_BYTES } from '../../src/engine/shards/limits.js';
import { splitSecret } from '../../src/engine/shards/shamir.js';
import { type Shard, splitMessage } from '../../src/engine/shards/split.js';
import { seeded, subsets } from './seeded.js';

const MESSAGES = 4000;
/**
 * 62 bytes + the 16-byte tag = 78 = 3 · 26: no padding. (With padding, systematic fragments
 * carry their zero padding bytes verbatim: constant and public, as the length is, so they
 * would fail the uniformity test without telling anything about the message.)
 */
const MESSAGE_BYTES = 62;
const N = 5;
const K = 3;
const DF = 255;
/** Standard normal quantile for an upper tail of 10⁻⁵. */
const Z = 4.2649;
/** Wilson–Hilferty: χ²_p(df) ≈ df·(1 − 2/(9df) + z·√(2/(9df)))³. */
const CRITICAL = DF * (1 - 2 / (9 * DF) + Z * Math.sqrt(2 / (9 * DF))) ** 3;

const SETS = {
  zeros: new Uint8Array(MESSAGE_BYTES),
  ones: new Uint8Array(MESSAGE_BYTES).fill(0xff),
};

/** Pearson's χ² of counts against a uniform expectation. */
function chiSquareUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let chi = 0;
  for (let i = 0; i < counts.length; i++) chi += (counts[i]! - expected) ** 2 / expected;
  return chi;
}

/** Pearson's χ² of homogeneity for a 2 × m contingency table (df = m − 1). */
function chiSquareHomogeneity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < a.length; i++) {
    ta += a[i]!;
    tb += b[i]!;
  }
  let chi = 0;
  for (let i = 0; i < a.length; i++) {
    const col = a[i]! + b[i]!;
    if (col === 0) continue;
    const ea = (col * ta) / (ta + tb);
    const eb = (col * tb) / (ta + tb);
    chi += (a[i]! - ea) ** 2 / ea + (b[i]! - eb) ** 2 / eb;
  }
  return chi;
}

function histogram(parts: Uint8Array[]): Float64Array {
  const h = new Float64Array(256);
  for (const p of parts) for (const b of p) h[b] = h[b]! + 1;
  return h;
}

/** 16×16 histogram of (nibble of x[j], nibble of y[j]); `shift` 4 = high, 0 = low nibble. */
function jointNibbles(pairs: Array<[Uint8Array, Uint8Array]>, shift: number): Float64Array {
  const h = new Float64Array(256);
  for (const [x, y] of pairs) {
    for (let j = 0; j < x.length; j++) {
      const cell = (((x[j]! >> shift) & 15) << 4) | ((y[j]! >> shift) & 15);
      h[cell] = h[cell]! + 1;
    }
  }
  return h;
}

type Field = (s: Shard) => Uint8Array;

/** Every statistic for one pair of shard indices and one field, over both message sets. */
function statistics(
  splits: Record<keyof typeof SETS, Shard[][]>,
  pair: number[],
  field: Field,
): Record<string, number> {
  const values = (set: Shard[][]) => set.flatMap((shards) => pair.map((i) => field(shards[i]!)));
  const pairs = (set: Shard[][]) =>
    set.map((shards): [Uint8Array, Uint8Array] => [
      field(shards[pair[0]!]!),
      field(shards[pair[1]!]!),
    ]);
  const hz = histogram(values(splits.zeros));
  const ho = histogram(values(splits.ones));
  return {
    'uniform (zeros)': chiSquareUniform(hz),
    'uniform (ones)': chiSquareUniform(ho),
    'same for both sets': chiSquareHomogeneity(hz, ho),
    'independent high nibbles': chiSquareUniform(jointNibbles(pairs(splits.zeros), 4)),
    'independent low nibbles': chiSquareUniform(jointNibbles(pairs(splits.ones), 0)),
  };
}

function splitAll(suite: CryptoSuite): Record<keyof typeof SETS, Shard[][]> {
  const one = (name: keyof typeof SETS) => {
    const random = seeded(`secrecy/${name}`);
    return Array.from({ length: MESSAGES }, () =>
      splitMessage(suite, random, random.bytes(MESSAGE_ID_BYTES), SETS[name], N, K),
    );
  };
  return { zeros: one('zeros'), ones: one('ones') };
}

describe('any k − 1 shards are independent of the message (χ², fixed seeds)', () => {
  const splits = splitAll(nodeSuite);
  const fields: Array<[string, Field]> = [
    ['key shares', (s) => s.keyShare],
    ['fragments', (s) => s.fragment],
  ];

  it('the critical value is the documented one', () => {
    expect(CRITICAL).toBeGreaterThan(362);
    expect(CRITICAL).toBeLessThan(364);
  });

  it.each(fields)(
    '%s of every pair of a 5/3 split: uniform, same for both sets, pairwise independent',
    (_name, field) => {
      const failures: string[] = [];
      for (const pair of subsets(N, K - 1)) {
        for (const [stat, chi] of Object.entries(statistics(splits, pair, field))) {
          if (!(chi < CRITICAL)) failures.push(`shards ${pair}: ${stat} χ² = ${chi.toFixed(1)}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it('control: without encryption the same statistics on fragments explode', () => {
    const leaky: CryptoSuite = {
      ...nodeSuite,
      aeadSeal: (_key, _nonce, plaintext) => {
        const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
        out.set(plaintext);
        return out;
      },
    };
    const stats = statistics(splitAll(leaky), [0, 1], (s) => s.fragment);
    expect(stats['same for both sets']).toBeGreaterThan(10 * CRITICAL);
  });

  it('control: the message itself as a k = 1 Shamir secret explodes the key-share statistic', () => {
    const random = seeded('control');
    const shares = (m: Uint8Array) =>
      Array.from({ length: 500 }, () => splitSecret(random, m, N, 1)[0]!.y);
    const chi = chiSquareHomogeneity(histogram(shares(SETS.zeros)), histogram(shares(SETS.ones)));
    expect(chi).toBeGreaterThan(10 * CRITICAL);
  });
});
