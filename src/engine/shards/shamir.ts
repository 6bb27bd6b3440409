/**
 * Shamir secret sharing over GF(256), one byte at a time (Shamir, "How to share a secret",
 * CACM 1979).
 *
 * Theory of operation. For each secret byte s, draw k−1 uniformly random coefficients
 * a_1..a_{k−1} and let p(x) = s + a_1·x + … + a_{k−1}·x^{k−1}; share i is (x_i, p(x_i)) with
 * x_i = i for i = 1..n. Any k shares determine p by Lagrange interpolation and so s = p(0).
 * Any k−1 shares are uniformly distributed and independent of s: for every candidate s'
 * there is exactly one polynomial of degree < k through (0, s') and the k−1 shares, and the
 * coefficients are uniform, so every s' is equally likely (information-theoretic secrecy).
 * Bytes are shared independently, each with its own coefficients.
 *
 * Rules:
 * 1. Randomness is injected (a `Random`); this file draws nothing on its own. The caller's
 *    `Random` must be crypto-strong in the daemon, seeded in the simulator and the tests.
 * 2. The coefficients are wiped after use: with them, one share gives the secret.
 * 3. Local misuse throws: `ShardUsageError` for split arguments, `ShamirError` (with a
 *    reason) for share sets that cannot be combined.
 * 4. `shareToBytes`/`shareFromBytes` use the layout of the audited `shamir-secret-sharing`
 *    package (y bytes, then the x byte), so the tests can cross-check both directions. That
 *    package cannot run here itself: it draws its own randomness (node:crypto or
 *    getRandomValues, chosen by its package exports) and its API is async; the engine's
 *    randomness is injected and its calls are synchronous.
 */
import { wipe } from '../crypto/check.js';
import type { Random } from '../random.js';
import { ShamirError, ShardUsageError } from './errors.js';
import { gfMul, lagrangeWeights } from './gf256.js';

/** One share: the x coordinate (1..255) and one y byte per secret byte. */
export interface Share {
  x: number;
  y: Uint8Array;
}

/** Most shares of one secret: the non-zero elements of GF(256). */
export const SHAMIR_SHARES_MAX = 255;

/**
 * Splits `secret` into n shares, x = 1..n, any k of which rebuild it. 1 ≤ k ≤ n ≤ 255;
 * k = 1 gives n copies of the secret (no secrecy, by definition).
 */
export function splitSecret(random: Random, secret: Uint8Array, n: number, k: number): Share[] {
  if (!(secret instanceof Uint8Array)) throw new ShardUsageError('splitSecret: not bytes');
  if (!Number.isInteger(n) || n < 1 || n > SHAMIR_SHARES_MAX) {
    throw new ShardUsageError(`splitSecret: n must be 1..${SHAMIR_SHARES_MAX}, got ${n}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ShardUsageError(`splitSecret: k must be 1..n (${n}), got ${k}`);
  }
  const degree = k - 1;
  const length = secret.length;
  // Coefficient j of byte b lives at coefficients[b·degree + j − 1].
  const coefficients = random.bytes(length * degree);
  if (coefficients.length !== length * degree) {
    throw new ShardUsageError('splitSecret: the Random returned the wrong number of bytes');
  }
  const shares: Share[] = [];
  for (let x = 1; x <= n; x++) shares.push({ x, y: new Uint8Array(length) });
  for (let b = 0; b < length; b++) {
    const base = b * degree;
    for (const share of shares) {
      // Horner's rule over s + a_1·x + … + a_d·x^d, highest coefficient first.
      let y = 0;
      for (let j = degree; j >= 1; j--) y = gfMul(y, share.x) ^ coefficients[base + j - 1]!;
      share.y[b] = gfMul(y, share.x) ^ secret[b]!;
    }
  }
  wipe(coefficients);
  return shares;
}

/**
 * Rebuilds the secret from shares with distinct x. With k or more shares of one split the
 * result is the secret; with fewer it is some byte string unrelated to it (Shamir sharing
 * cannot tell), so callers verify the result (split.ts does, with the AEAD tag).
 */
export function combineShares(shares: readonly Share[]): Uint8Array {
  if (shares.length === 0) throw new ShamirError('no-shares', 'nothing to combine');
  if (shares.length > SHAMIR_SHARES_MAX) {
    throw new ShamirError('duplicate-x', `${shares.length} shares cannot have distinct x`);
  }
  const length = shares[0]!.y.length;
  const xs = new Uint8Array(shares.length);
  const seen = new Uint8Array(256);
  for (let i = 0; i < shares.length; i++) {
    const { x, y } = shares[i]!;
    if (!Number.isInteger(x) || x < 1 || x > 255) {
      throw new ShamirError('bad-x', `x must be 1..255, got ${x}`);
    }
    if (seen[x]) throw new ShamirError('duplicate-x', `x = ${x} appears twice`);
    if (y.length !== length) {
      throw new ShamirError('length-mismatch', `share lengths ${length} and ${y.length}`);
    }
    seen[x] = 1;
    xs[i] = x;
  }
  // The weights depend only on the x coordinates: compute them once for every byte.
  const w = lagrangeWeights(xs, 0);
  const secret = new Uint8Array(length);
  for (let b = 0; b < length; b++) {
    let s = 0;
    for (let i = 0; i < shares.length; i++) s ^= gfMul(w[i]!, shares[i]!.y[b]!);
    secret[b] = s;
  }
  return secret;
}

/** The share as `shamir-secret-sharing` lays it out: y bytes, then the x byte. */
export function shareToBytes(share: Share): Uint8Array {
  const out = new Uint8Array(share.y.length + 1);
  out.set(share.y);
  out[share.y.length] = share.x;
  return out;
}

/** The inverse of `shareToBytes`; the x byte is checked by `combineShares`. */
export function shareFromBytes(bytes: Uint8Array): Share {
  if (bytes.length < 1) throw new ShamirError('length-mismatch', 'a share has at least its x byte');
  return { x: bytes[bytes.length - 1]!, y: new Uint8Array(bytes.subarray(0, bytes.length - 1)) };
}
