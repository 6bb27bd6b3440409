/**
 * Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11b),
 * FIPS-197 §4. Shamir sharing (shamir.ts) and the erasure code (ida.ts) are built on it.
 *
 * Theory of operation. Elements are bytes; addition is XOR (characteristic 2, so
 * subtraction is the same). 0x03 generates the multiplicative group of order 255 (FIPS-197
 * §4.2 and the AES S-box construction use this field), so every non-zero a is 3^log(a):
 * multiplication adds logarithms, division subtracts them, inversion negates them. The
 * tables are built at module load from the definition of multiplication (xtime, FIPS-197
 * §4.2.1), not pasted in, and checked to cover all 255 non-zero elements.
 *
 * Rules:
 * 1. Arguments are integers 0..255; functions on the hot path do not check this (the
 *    callers in this directory only pass bytes). Division by zero and the inverse of zero
 *    are local misuse and throw `ShardUsageError`.
 * 2. Table lookups are not constant-time. Shard splitting and combining happen at the sender
 *    and the target only, on their own secrets; no remote party can time them per byte.
 * 3. Polynomials are coefficient arrays, lowest degree first: p[0] is the constant term.
 */
import { ShardUsageError } from './errors.js';

/** The AES reduction polynomial, FIPS-197 §4.2. */
export const GF_POLYNOMIAL = 0x11b;
/** A generator of GF(256)*, FIPS-197 §4.2 (the field's usual log/antilog base). */
export const GF_GENERATOR = 0x03;
/** Order of the multiplicative group. */
const ORDER = 255;

/** EXP[i] = 3^i for i in 0..509: doubled so a sum of two logs needs no reduction. */
const EXP = new Uint8Array(2 * ORDER);
/** LOG[a] = i with 3^i = a, for a ≠ 0 (LOG[0] is unused). */
const LOG = new Uint8Array(256);
/** MUL[a << 8 | b] = a·b: 64 KiB, for the bulk row operations of the erasure code. */
const MUL = new Uint8Array(256 * 256);

/** a·{02}, FIPS-197 §4.2.1. */
function xtime(a: number): number {
  return ((a << 1) ^ (a & 0x80 ? GF_POLYNOMIAL : 0)) & 0xff;
}

{
  let x = 1;
  for (let i = 0; i < ORDER; i++) {
    EXP[i] = x;
    EXP[i + ORDER] = x;
    LOG[x] = i;
    x = xtime(x) ^ x; // x·{03} = x·{02} + x
  }
  // 3 generates the group iff its powers return to 1 after exactly 255 steps and hit every
  // non-zero byte on the way; a wrong polynomial or generator fails here, at load.
  const seen = new Set(EXP.subarray(0, ORDER));
  if (x !== 1 || seen.size !== ORDER || seen.has(0)) {
    throw new Error('gf256: 0x03 does not generate GF(256)* under 0x11b');
  }
  for (let a = 1; a < 256; a++) {
    for (let b = 1; b < 256; b++) MUL[(a << 8) | b] = EXP[LOG[a]! + LOG[b]!]!;
  }
}

export function gfAdd(a: number, b: number): number {
  return a ^ b;
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new ShardUsageError('gf256: zero has no inverse');
  return EXP[ORDER - LOG[a]!]!;
}

export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new ShardUsageError('gf256: division by zero');
  if (a === 0) return 0;
  return EXP[LOG[a]! + ORDER - LOG[b]!]!;
}

/** a^e for any integer e (negative e means a power of the inverse); 0^0 = 1. */
export function gfPow(a: number, e: number): number {
  if (!Number.isSafeInteger(e)) throw new ShardUsageError(`gf256: bad exponent ${e}`);
  if (a === 0) {
    if (e < 0) throw new ShardUsageError('gf256: zero has no inverse');
    return e === 0 ? 1 : 0;
  }
  const r = (((LOG[a]! * (e % ORDER)) % ORDER) + ORDER) % ORDER;
  return EXP[r]!;
}

/** The 256-byte row of products c·b for b = 0..255 (a view; do not write to it). */
export function gfMulRow(c: number): Uint8Array {
  return MUL.subarray(c << 8, (c + 1) << 8);
}

/** dst[i] ^= c·src[i] for every i < src.length: one row operation of the erasure code. */
export function gfAddScaled(dst: Uint8Array, src: Uint8Array, c: number): void {
  if (c === 0) return;
  if (c === 1) {
    for (let i = 0; i < src.length; i++) dst[i] = dst[i]! ^ src[i]!;
    return;
  }
  const row = gfMulRow(c);
  for (let i = 0; i < src.length; i++) dst[i] = dst[i]! ^ row[src[i]!]!;
}

/** p(x) by Horner's rule: (…(p[d]·x + p[d−1])·x + …)·x + p[0]. */
export function polyEval(p: ArrayLike<number>, x: number): number {
  let y = 0;
  for (let i = p.length - 1; i >= 0; i--) y = gfMul(y, x) ^ p[i]!;
  return y;
}

/**
 * The Lagrange basis weights at `at` for the points `xs`: w[i] = Π_{j≠i} (at − x_j)/(x_i − x_j),
 * so that p(at) = Σ w[i]·p(x_i) for every polynomial p of degree < xs.length. Throws for
 * repeated x (the basis does not exist): callers check distinctness first.
 */
export function lagrangeWeights(xs: ArrayLike<number>, at: number): Uint8Array {
  const m = xs.length;
  const w = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const xi = xs[i]!;
    let num = 1;
    let den = 1;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const xj = xs[j]!;
      num = gfMul(num, at ^ xj);
      den = gfMul(den, xi ^ xj);
    }
    w[i] = gfDiv(num, den);
  }
  return w;
}

/** The value at `at` of the polynomial of degree < xs.length through (xs[i], ys[i]). */
export function interpolateAt(xs: ArrayLike<number>, ys: ArrayLike<number>, at: number): number {
  if (xs.length !== ys.length) {
    throw new ShardUsageError(`gf256: ${xs.length} x values but ${ys.length} y values`);
  }
  const w = lagrangeWeights(xs, at);
  let y = 0;
  for (let i = 0; i < w.length; i++) y ^= gfMul(w[i]!, ys[i]!);
  return y;
}

/** The constant term of the interpolating polynomial: a Shamir secret byte. */
export function interpolateAtZero(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return interpolateAt(xs, ys, 0);
}
