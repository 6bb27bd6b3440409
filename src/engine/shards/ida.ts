/**
 * An erasure code for the bulk data: systematic Reed–Solomon over GF(256), in the matrix
 * form of Rabin's IDA (Rabin, "Efficient dispersal of information for security, load
 * balancing, and fault tolerance", JACM 1989). Any k of the n fragments rebuild the data.
 *
 * Theory of operation. The data is zero-padded to k·f bytes, f = ceil(length / k), and cut
 * into k stripes of f bytes. Fragment i is row i of an n×k encoding matrix E applied to the
 * stripes, column by column: frag_i[c] = Σ_j E[i][j]·stripe_j[c].
 *
 * E = V · V_top⁻¹, where V is the n×k Vandermonde matrix V[i][j] = i^j over the distinct
 * points 0..n−1 and V_top its first k rows. Any k rows of V are invertible (a Vandermonde
 * matrix on distinct points), so any k rows of E = V_S · V_top⁻¹ are too: any k fragments
 * determine the stripes (the code is MDS). E's first k rows are the identity, so fragments
 * 0..k−1 are the stripes themselves (systematic: the common case decodes by copying).
 *
 * The length is not in the fragments: the caller carries it (split.ts puts it in every
 * shard header) and passes it to `idaDecode`, which makes the padding unambiguous; the
 * padding must decode to zeros, or the fragments are inconsistent.
 *
 * Rules:
 * 1. n ≤ SHARDS_MAX; the encoding matrices are cached per k (at most SHARDS_MAX of them,
 *    each SHARDS_MAX×k bytes). The cache changes speed, never results.
 * 2. Local misuse (sizes, duplicate or missing fragments) throws `ShardUsageError`. A
 *    singular k-row submatrix is impossible by the argument above: an `Error` (a bug).
 * 3. The encoding is not secret-preserving on its own (systematic fragments are the data):
 *    split.ts only ever disperses ciphertext.
 */
import { ShardUsageError } from './errors.js';
import { gfAddScaled, gfInv, gfMulRow, gfPow } from './gf256.js';
import { SHARDS_MAX } from './limits.js';

/** A square or rectangular matrix over GF(256): an array of rows. */
export type Matrix = Uint8Array[];

/** One fragment: its row in the encoding matrix (0..n−1) and its bytes. */
export interface IdaFragment {
  index: number;
  bytes: Uint8Array;
}

export type IdaDecodeResult = { ok: true; data: Uint8Array } | { ok: false; reason: 'bad-padding' };

/** Bytes per fragment for `length` bytes of data split k ways. */
export function idaFragmentBytes(length: number, k: number): number {
  return Math.ceil(length / k);
}

/** The product a·b (a is r×m, b is m×c). */
export function matMul(a: readonly Uint8Array[], b: readonly Uint8Array[]): Matrix {
  const cols = b[0]?.length ?? 0;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    for (let j = 0; j < row.length; j++) gfAddScaled(out, b[j]!, row[j]!);
    return out;
  });
}

/**
 * The inverse of a square matrix by Gauss–Jordan elimination on [M | I], or null when M is
 * singular. M is not modified.
 */
export function invertMatrix(m: readonly Uint8Array[]): Matrix | null {
  const size = m.length;
  const a = m.map((row) => {
    if (row.length !== size) throw new ShardUsageError('invertMatrix: not square');
    return Uint8Array.from(row);
  });
  const inv = Array.from({ length: size }, (_, i) => {
    const row = new Uint8Array(size);
    row[i] = 1;
    return row;
  });
  for (let col = 0; col < size; col++) {
    // Any non-zero pivot will do: there is no rounding in a finite field.
    let pivot = col;
    while (pivot < size && a[pivot]![col] === 0) pivot++;
    if (pivot === size) return null;
    if (pivot !== col) {
      [a[col], a[pivot]] = [a[pivot]!, a[col]!];
      [inv[col], inv[pivot]] = [inv[pivot]!, inv[col]!];
    }
    const scale = gfInv(a[col]![col]!);
    scaleRow(a[col]!, scale);
    scaleRow(inv[col]!, scale);
    for (let r = 0; r < size; r++) {
      const factor = a[r]![col]!;
      if (r === col || factor === 0) continue;
      gfAddScaled(a[r]!, a[col]!, factor);
      gfAddScaled(inv[r]!, inv[col]!, factor);
    }
  }
  return inv;
}

function scaleRow(row: Uint8Array, c: number): void {
  const mul = gfMulRow(c);
  for (let i = 0; i < row.length; i++) row[i] = mul[row[i]!]!;
}

/** Encoding matrices E (SHARDS_MAX × k) by k; E(n, k) is the first n rows of E(SHARDS_MAX, k). */
const matrices = new Map<number, Matrix>();

/** The systematic n×k encoding matrix V · V_top⁻¹ described at the top of this file. */
export function encodingMatrix(n: number, k: number): Matrix {
  checkShape(n, k);
  let e = matrices.get(k);
  if (e === undefined) {
    const v = Array.from({ length: SHARDS_MAX }, (_, i) =>
      Uint8Array.from({ length: k }, (_, j) => gfPow(i, j)),
    );
    const topInverse = invertMatrix(v.slice(0, k));
    if (topInverse === null) throw new Error('ida: Vandermonde top block is singular');
    e = matMul(v, topInverse);
    matrices.set(k, e);
  }
  return e.slice(0, n);
}

function checkShape(n: number, k: number): void {
  if (!Number.isInteger(n) || n < 1 || n > SHARDS_MAX) {
    throw new ShardUsageError(`ida: n must be 1..${SHARDS_MAX}, got ${n}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ShardUsageError(`ida: k must be 1..n (${n}), got ${k}`);
  }
}

/** n fragments of ceil(data.length / k) bytes each; any k rebuild `data`. */
export function idaEncode(data: Uint8Array, n: number, k: number): Uint8Array[] {
  const e = encodingMatrix(n, k);
  const f = idaFragmentBytes(data.length, k);
  const stripes: Uint8Array[] = [];
  for (let j = 0; j < k; j++) {
    const stripe = new Uint8Array(f); // zero padding past the end of the data
    stripe.set(data.subarray(Math.min(j * f, data.length), Math.min((j + 1) * f, data.length)));
    stripes.push(stripe);
  }
  const fragments = stripes.slice();
  for (let i = k; i < n; i++) {
    const fragment = new Uint8Array(f);
    for (let j = 0; j < k; j++) gfAddScaled(fragment, stripes[j]!, e[i]![j]!);
    fragments.push(fragment);
  }
  return fragments;
}

/**
 * The `length` data bytes from k or more fragments with distinct indices (the first k are
 * used), or `bad-padding` when the bytes past `length` do not decode to zero: those
 * fragments are not all from one encoding.
 */
export function idaDecode(
  fragments: readonly IdaFragment[],
  n: number,
  k: number,
  length: number,
): IdaDecodeResult {
  checkShape(n, k);
  const f = idaFragmentBytes(length, k);
  if (fragments.length < k) {
    throw new ShardUsageError(`idaDecode: ${fragments.length} fragments, need ${k}`);
  }
  const chosen = fragments.slice(0, k);
  const seen = new Set<number>();
  for (const { index, bytes } of chosen) {
    if (!Number.isInteger(index) || index < 0 || index >= n || seen.has(index)) {
      throw new ShardUsageError(`idaDecode: bad or repeated fragment index ${index}`);
    }
    if (bytes.length !== f) {
      throw new ShardUsageError(`idaDecode: fragment of ${bytes.length} bytes, expected ${f}`);
    }
    seen.add(index);
  }
  const padded = new Uint8Array(k * f);
  const stripe = (j: number): Uint8Array => padded.subarray(j * f, (j + 1) * f);
  if (chosen.every(({ index }) => index < k)) {
    // Systematic fast path: the data fragments themselves, in order.
    for (const { index, bytes } of chosen) stripe(index).set(bytes);
  } else {
    const e = encodingMatrix(n, k);
    const inverse = invertMatrix(chosen.map(({ index }) => e[index]!));
    if (inverse === null) throw new Error('ida: k rows of the encoding matrix are singular');
    for (let j = 0; j < k; j++) {
      const out = stripe(j);
      for (let i = 0; i < k; i++) gfAddScaled(out, chosen[i]!.bytes, inverse[j]![i]!);
    }
  }
  for (let i = length; i < padded.length; i++) {
    if (padded[i] !== 0) return { ok: false, reason: 'bad-padding' };
  }
  return { ok: true, data: padded.slice(0, length) };
}
