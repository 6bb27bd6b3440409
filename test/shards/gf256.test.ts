/**
 * GF(2^8) arithmetic against published values and, exhaustively, the field axioms.
 *
 * Published values: FIPS-197 §4.1 (addition), §4.2 and §4.2.1 (multiplication, xtime), and
 * the AES S-box of FIPS-197 §5.1.1 / Figure 7, which is the affine map of the multiplicative
 * inverse in this very field: rebuilding the whole S-box from `gfInv` checks all 255
 * inverses against a published table. A bit-by-bit multiplication (the definition, with no
 * tables) is the reference for every one of the 65,536 products.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardUsageError } from '../../src/engine/shards/errors.js';
import {
  gfAdd,
  gfAddScaled,
  gfDiv,
  gfInv,
  gfMul,
  gfMulRow,
  gfPow,
  interpolateAt,
  interpolateAtZero,
  lagrangeWeights,
  polyEval,
} from '../../src/engine/shards/gf256.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/shards/gf256.test.ts';

/** Multiplication from the definition: shift-and-add, reducing by 0x11b (FIPS-197 §4.2). */
function slowMul(a: number, b: number): number {
  let p = 0;
  for (; b !== 0; b >>= 1) {
    if (b & 1) p ^= a;
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
  }
  return p;
}

/** FIPS-197 Figure 7, the AES S-box, row by row. */
const AES_SBOX = Uint8Array.from(
  (
    '637c777bf26b6fc53001672bfed7ab76ca82c97dfa5947f0add4a2af9ca472c0' +
    'b7fd9326363ff7cc34a5e5f171d8311504c723c31896059a071280e2eb27b275' +
    '09832c1a1b6e5aa0523bd6b329e32f8453d100ed20fcb15b6acbbe394a4c58cf' +
    'd0efaafb434d338545f9027f503c9fa851a3408f929d38f5bcb6da2110fff3d2' +
    'cd0c13ec5f974417c4a77e3d645d197360814fdc222a908846eeb814de5e0bdb' +
    'e0323a0a4906245cc2d3ac629195e479e7c8376d8dd54ea96c56f4ea657aae08' +
    'ba78252e1ca6b4c6e8dd741f4bbd8b8a703eb5664803f60e613557b986c11d9e' +
    'e1f8981169d98e949b1e87e9ce5528df8ca1890dbfe6426841992d0fb054bb16'
  )
    .match(/../g)!
    .map((h) => parseInt(h, 16)),
);

/** The S-box affine transform of FIPS-197 §5.1.1: b ⊕ rotl(b,1..4) ⊕ 0x63. */
function affine(b: number): number {
  const rotl = (x: number, r: number) => ((x << r) | (x >> (8 - r))) & 0xff;
  return b ^ rotl(b, 1) ^ rotl(b, 2) ^ rotl(b, 3) ^ rotl(b, 4) ^ 0x63;
}

describe('GF(256) published values (FIPS-197)', () => {
  it('§4.1: {57} ⊕ {83} = {d4}', () => {
    expect(gfAdd(0x57, 0x83)).toBe(0xd4);
  });

  it('§4.2: {57} • {83} = {c1}', () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
  });

  it('§4.2.1: {57} • {13} = {fe}, by the xtime chain {ae}, {47}, {8e}, {07}', () => {
    expect(gfMul(0x57, 0x02)).toBe(0xae);
    expect(gfMul(0x57, 0x04)).toBe(0x47);
    expect(gfMul(0x57, 0x08)).toBe(0x8e);
    expect(gfMul(0x57, 0x10)).toBe(0x07);
    expect(gfMul(0x57, 0x13)).toBe(0xfe);
  });

  it('the inverse of {53} is {ca}, and S-box({53}) = {ed}', () => {
    expect(gfInv(0x53)).toBe(0xca);
    expect(affine(gfInv(0x53))).toBe(0xed);
  });

  it('rebuilds the whole AES S-box from gfInv (all 255 inverses published)', () => {
    const sbox = Uint8Array.from({ length: 256 }, (_, x) => affine(x === 0 ? 0 : gfInv(x)));
    expect(sbox).toEqual(AES_SBOX);
  });

  it('0x03 generates the multiplicative group: order exactly 255', () => {
    const powers = new Set<number>();
    for (let e = 0; e < 255; e++) powers.add(gfPow(0x03, e));
    expect(powers.size).toBe(255);
    expect(powers.has(0)).toBe(false);
    expect(gfPow(0x03, 255)).toBe(1);
  });
});

describe('GF(256) field axioms, exhaustively', () => {
  it('every product agrees with the bit-by-bit definition, and commutes', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const p = gfMul(a, b);
        if (p !== slowMul(a, b) || p !== gfMul(b, a)) {
          expect({ a, b, p }).toEqual({ a, b, p: slowMul(a, b) });
        }
      }
    }
  });

  it('a·inv(a) = 1 and inv(inv(a)) = a for every a ≠ 0; (a/b)·b = a for every a and b ≠ 0', () => {
    for (let a = 1; a < 256; a++) {
      expect(gfMul(a, gfInv(a))).toBe(1);
      expect(gfInv(gfInv(a))).toBe(a);
    }
    for (let a = 0; a < 256; a++) {
      for (let b = 1; b < 256; b++) {
        if (gfMul(gfDiv(a, b), b) !== a) expect({ a, b }).toBe('a division that does not invert');
      }
    }
  });

  it('distributivity a·(b ⊕ c) = a·b ⊕ a·c and associativity (a·b)·c = a·(b·c), all triples', () => {
    let bad = 0;
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const ab = gfMul(a, b);
        for (let c = 0; c < 256; c++) {
          if (gfMul(a, b ^ c) !== (ab ^ gfMul(a, c))) bad++;
          if (gfMul(ab, c) !== gfMul(a, gfMul(b, c))) bad++;
        }
      }
    }
    expect(bad).toBe(0);
  });

  it('identities: a ⊕ a = 0, a ⊕ 0 = a, a·1 = a, a·0 = 0', () => {
    for (let a = 0; a < 256; a++) {
      expect([gfAdd(a, a), gfAdd(a, 0), gfMul(a, 1), gfMul(a, 0)]).toEqual([0, a, a, 0]);
    }
  });

  it('pow agrees with repeated multiplication, a^255 = 1, a^−1 = inv(a), 0^0 = 1', () => {
    const wrong: string[] = [];
    for (let a = 0; a < 256; a++) {
      let p = 1;
      for (let e = 0; e < 600; e++) {
        if (gfPow(a, e) !== p) wrong.push(`${a}^${e}`);
        p = gfMul(p, a);
      }
      if (a !== 0) {
        expect(gfPow(a, 255)).toBe(1);
        expect(gfPow(a, -1)).toBe(gfInv(a));
        expect(gfPow(a, -7)).toBe(gfInv(gfPow(a, 7)));
      }
    }
    expect(wrong).toEqual([]);
    expect(gfPow(0, 0)).toBe(1);
  });

  it('the multiplication rows and the scaled row add agree with gfMul', () => {
    const src = Uint8Array.from({ length: 256 }, (_, i) => i);
    const wrong: number[] = [];
    for (let c = 0; c < 256; c++) {
      const row = gfMulRow(c);
      const dst = Uint8Array.from(src, (b) => b ^ 0x5a);
      gfAddScaled(dst, src, c);
      for (let b = 0; b < 256; b++) {
        if (row[b] !== gfMul(c, b) || dst[b] !== (b ^ 0x5a ^ gfMul(c, b))) wrong.push(c, b);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('division by zero and the inverse of zero are local misuse', () => {
    expect(() => gfInv(0)).toThrow(ShardUsageError);
    expect(() => gfDiv(7, 0)).toThrow(ShardUsageError);
    expect(() => gfPow(0, -1)).toThrow(ShardUsageError);
    expect(() => lagrangeWeights([1, 2, 1], 0)).toThrow(ShardUsageError);
    expect(() => interpolateAt([1, 2], [3], 0)).toThrow(ShardUsageError);
  });
});

describe('GF(256) polynomials', () => {
  it('Horner evaluation agrees with the sum of c_i·x^i', () => {
    checkProperty(
      FILE,
      'Horner evaluation agrees with the sum of c_i·x^i',
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.integer({ min: 0, max: 255 }), (p, x) => {
        let sum = 0;
        p.forEach((c, i) => (sum ^= gfMul(c, gfPow(x, i))));
        return polyEval(p, x) === sum;
      }),
    );
  });

  it('Lagrange interpolation through d+1 distinct points rebuilds p(0) and p(x) anywhere', () => {
    checkProperty(
      FILE,
      'Lagrange interpolation through d+1 distinct points rebuilds p(0) and p(x) anywhere',
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 255 }),
        (p, points, at) => {
          const xs = points.slice(0, p.length);
          const ys = xs.map((x) => polyEval(p, x));
          return (
            interpolateAtZero(xs, ys) === (p[0] ?? 0) &&
            interpolateAt(xs, ys, at) === polyEval(p, at)
          );
        },
      ),
    );
  });

  it('more points than the degree needs still give the same polynomial', () => {
    const p = [0x12, 0x34, 0x56];
    const xs = [1, 2, 3, 4, 5, 200];
    expect(
      interpolateAtZero(
        xs,
        xs.map((x) => polyEval(p, x)),
      ),
    ).toBe(0x12);
  });
});
