/**
 * The erasure code: matrix inversion over GF(256), the MDS property of the encoding matrix
 * (every k of its rows invertible, checked for all 65,535 row subsets of the largest
 * matrices), and any k of n fragments rebuilding the exact data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardUsageError } from '../../src/engine/shards/errors.js';
import { gfAddScaled, gfInv, gfMul } from '../../src/engine/shards/gf256.js';
import {
  type IdaFragment,
  encodingMatrix,
  idaDecode,
  idaEncode,
  idaFragmentBytes,
  invertMatrix,
  matMul,
} from '../../src/engine/shards/ida.js';
import { SHARDS_MAX } from '../../src/engine/shards/limits.js';
import { checkProperty } from '../support/property.js';
import { seeded, subsets } from './seeded.js';

const FILE = 'test/shards/ida.test.ts';

/**
 * The determinant by the Leibniz formula, independent of elimination. In characteristic 2
 * every sign is +1, so it is the sum (XOR) over all permutations σ of Π a[i][σ(i)].
 */
function determinant(a: readonly Uint8Array[]): number {
  const n = a.length;
  const used = new Array<boolean>(n).fill(false);
  const walk = (row: number, product: number): number => {
    if (row === n) return product;
    let sum = 0;
    for (let col = 0; col < n; col++) {
      if (used[col]) continue;
      used[col] = true;
      sum ^= walk(row + 1, gfMul(product, a[row]![col]!));
      used[col] = false;
    }
    return sum;
  };
  return walk(0, 1);
}

const identity = (size: number): Uint8Array[] =>
  Array.from({ length: size }, (_, i) => Uint8Array.from({ length: size }, (_, j) => +(i === j)));

describe('matrix inversion over GF(256) (Gauss–Jordan)', () => {
  it('a hand-computed 2×2: [[1,1],[1,2]]⁻¹ = (1/3)·[[2,1],[1,1]] = [[f7,f6],[f6,f6]]', () => {
    expect(gfInv(3)).toBe(0xf6);
    expect(invertMatrix([Uint8Array.of(1, 1), Uint8Array.of(1, 2)])).toEqual([
      Uint8Array.of(0xf7, 0xf6),
      Uint8Array.of(0xf6, 0xf6),
    ]);
  });

  it('the identity is its own inverse; the input is not modified', () => {
    const m = identity(5);
    expect(invertMatrix(m)).toEqual(identity(5));
    expect(m).toEqual(identity(5));
  });

  it('A·A⁻¹ = A⁻¹·A = I, and null exactly when det A = 0 (Leibniz), for random matrices', () => {
    checkProperty(
      FILE,
      'A·A⁻¹ = A⁻¹·A = I, and null exactly when det A = 0 (Leibniz), for random matrices',
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) =>
          fc.record({
            a: fc.array(fc.uint8Array({ minLength: n, maxLength: n }), {
              minLength: n,
              maxLength: n,
            }),
            // Half the time, make row `target` a combination of the others: singular.
            dependent: fc.boolean(),
            target: fc.integer({ min: 0, max: n - 1 }),
            weights: fc.uint8Array({ minLength: n, maxLength: n }),
          }),
        ),
        ({ a, dependent, target, weights }) => {
          if (dependent) {
            const row = new Uint8Array(a.length);
            a.forEach((r, i) => i !== target && gfAddScaled(row, r, weights[i]!));
            a[target] = row;
          }
          const inv = invertMatrix(a);
          if (inv === null) return determinant(a) === 0;
          const i = JSON.stringify(identity(a.length));
          return (
            determinant(a) !== 0 &&
            JSON.stringify(matMul(a, inv)) === i &&
            JSON.stringify(matMul(inv, a)) === i
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('singular matrices give null: a repeated row, a zero row, a row that is a sum of others', () => {
    const r = seeded('rows');
    const rows = Array.from({ length: 4 }, () => r.bytes(4));
    expect(invertMatrix([rows[0]!, rows[1]!, rows[0]!, rows[3]!])).toBeNull();
    expect(invertMatrix([rows[0]!, new Uint8Array(4), rows[2]!, rows[3]!])).toBeNull();
    const sum = rows[0]!.map((b, i) => b ^ rows[1]![i]!);
    expect(invertMatrix([rows[0]!, rows[1]!, sum, rows[3]!])).toBeNull();
    expect(() => invertMatrix([Uint8Array.of(1, 2)])).toThrow(ShardUsageError);
  });
});

describe('the encoding matrix', () => {
  it('is systematic: its first k rows are the identity', () => {
    for (let k = 1; k <= SHARDS_MAX; k++) {
      expect(encodingMatrix(SHARDS_MAX, k).slice(0, k)).toEqual(identity(k));
    }
  });

  it('E(n, k) is the first n rows of E(16, k)', () => {
    expect(encodingMatrix(7, 3)).toEqual(encodingMatrix(SHARDS_MAX, 3).slice(0, 7));
  });

  it('is MDS: every k of its 16 rows are invertible, for every k (65,535 subsets)', () => {
    let checked = 0;
    const singular: string[] = [];
    for (let k = 1; k <= SHARDS_MAX; k++) {
      const e = encodingMatrix(SHARDS_MAX, k);
      for (const rows of subsets(SHARDS_MAX, k)) {
        checked++;
        if (invertMatrix(rows.map((i) => e[i]!)) === null) singular.push(`${k}:${rows}`);
      }
    }
    expect(checked).toBe(2 ** SHARDS_MAX - 1);
    expect(singular).toEqual([]);
  });
});

/** Fragments with their indices, for the subset `indices`. */
const pick = (fragments: Uint8Array[], indices: number[]): IdaFragment[] =>
  indices.map((index) => ({ index, bytes: fragments[index]! }));

describe('IDA encode and decode', () => {
  it('fragments are ceil(length / k) bytes; the data fragments are the data, zero-padded', () => {
    const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const fragments = idaEncode(data, 5, 3);
    expect(idaFragmentBytes(10, 3)).toBe(4);
    expect(fragments.map((f) => f.length)).toEqual([4, 4, 4, 4, 4]);
    expect(fragments.slice(0, 3)).toEqual([
      Uint8Array.of(1, 2, 3, 4),
      Uint8Array.of(5, 6, 7, 8),
      Uint8Array.of(9, 10, 0, 0),
    ]);
  });

  it('every k-subset of n ≤ 7 fragments rebuilds the data, in any order', () => {
    const data = seeded('data').bytes(101);
    for (let n = 1; n <= 7; n++) {
      for (let k = 1; k <= n; k++) {
        const fragments = idaEncode(data, n, k);
        for (const subset of subsets(n, k)) {
          const result = idaDecode(pick(fragments, subset.reverse()), n, k, data.length);
          expect(result).toEqual({ ok: true, data });
        }
      }
    }
  });

  it('any k or more of n ≤ 16 fragments rebuild the exact data (property)', () => {
    checkProperty(
      FILE,
      'any k or more of n ≤ 16 fragments rebuild the exact data (property)',
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc
          .integer({ min: 1, max: SHARDS_MAX })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 1, max: n }),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: 1 }),
            ),
          ),
        (data, [n, k, order]) => {
          fc.pre(order.length >= k);
          const result = idaDecode(pick(idaEncode(data, n, k), order), n, k, data.length);
          return result.ok && Buffer.from(result.data).equals(Buffer.from(data));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('empty data has empty fragments and decodes', () => {
    const fragments = idaEncode(new Uint8Array(0), 3, 2);
    expect(fragments.map((f) => f.length)).toEqual([0, 0, 0]);
    expect(idaDecode(pick(fragments, [2, 1]), 3, 2, 0)).toEqual({
      ok: true,
      data: new Uint8Array(0),
    });
  });

  it('a fragment from another encoding shows as non-zero padding', () => {
    const data = seeded('pad').bytes(10); // 5/3: fragments of 4 bytes, 2 bytes of padding
    const other = idaEncode(seeded('other').bytes(10), 5, 3);
    const fragments = idaEncode(data, 5, 3);
    const mixed = [...pick(fragments, [0, 3]), { index: 4, bytes: other[4]! }];
    expect(idaDecode(mixed, 5, 3, 10)).toEqual({ ok: false, reason: 'bad-padding' });
  });

  it('misuse throws: too few fragments, a repeated index, a wrong size, bad n or k', () => {
    const f = idaEncode(Uint8Array.of(1, 2, 3, 4), 4, 2);
    expect(() => idaDecode(pick(f, [1]), 4, 2, 4)).toThrow(ShardUsageError);
    expect(() => idaDecode(pick(f, [1, 1]), 4, 2, 4)).toThrow(ShardUsageError);
    expect(() => idaDecode(pick(f, [1, 4]), 4, 2, 4)).toThrow(ShardUsageError);
    expect(() => idaDecode(pick(f, [0, 1]), 4, 2, 5)).toThrow(ShardUsageError);
    expect(() => idaEncode(Uint8Array.of(1), 17, 2)).toThrow(ShardUsageError);
    expect(() => idaEncode(Uint8Array.of(1), 3, 4)).toThrow(ShardUsageError);
    expect(() => idaEncode(Uint8Array.of(1), 3, 0)).toThrow(ShardUsageError);
  });
});
