/**
 * SHA-256 (FIPS 180-4) and a keyed HMAC-SHA256 (RFC 2104) in JavaScript, for the one use
 * where a call into OpenSSL costs more than the hash: a directory sample ranks every node
 * ID it hears by HMAC(salt, id) under one key (directory/sample.ts), and a simulated
 * 10,000-node network computes millions of them. `createHmac` spends ~2 µs a call on
 * setting up the key and crossing into C++; here the key's two padded blocks are hashed once
 * (their midstates kept), and an ID then costs two compressions in JavaScript (~0.65 µs).
 *
 * Rules:
 * 1. The results are byte for byte those of node:crypto; test/crypto/sha256-js.test.ts
 *    checks that as a property over key and data lengths that cross every block boundary.
 * 2. Nothing here is constant-time in a way that matters: SHA-256 has no secret-dependent
 *    branches or table lookups, and the state words are plain integers.
 * 3. The keyed function keeps only the two midstates, never the key's bytes.
 */

const BLOCK_BYTES = 64;
const DIGEST_WORDS = 8;

/** The round constants (FIPS 180-4 §4.2.2). */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The initial hash value (FIPS 180-4 §5.3.3). */
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** The message schedule, shared: the functions here never run re-entrantly. */
const W = new Int32Array(64);
/** The block being padded (the final one or two of a message). */
const TAIL = new Uint8Array(2 * BLOCK_BYTES);

/** Folds the 64-byte block at `bytes[offset …]` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const at = offset + 4 * i;
    W[i] =
      ((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/**
 * Hashes `data` into `state`, which has already absorbed `absorbed` bytes (a multiple of
 * 64), pads, and writes the 32-byte digest to `out`.
 */
function finish(state: Int32Array, absorbed: number, data: Uint8Array, out: Uint8Array): void {
  const whole = data.length - (data.length % BLOCK_BYTES);
  for (let at = 0; at < whole; at += BLOCK_BYTES) compress(state, data, at);
  const rest = data.length - whole;
  // The rest, 0x80, zeros, and the length in bits as a 64-bit big-endian integer.
  const tailBytes = rest + 9 <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES;
  TAIL.fill(0, 0, tailBytes);
  TAIL.set(data.subarray(whole), 0);
  TAIL[rest] = 0x80;
  const bits = (absorbed + data.length) * 8;
  const high = Math.floor(bits / 2 ** 32);
  writeWord(TAIL, tailBytes - 8, high);
  writeWord(TAIL, tailBytes - 4, bits - high * 2 ** 32);
  compress(state, TAIL, 0);
  if (tailBytes > BLOCK_BYTES) compress(state, TAIL, BLOCK_BYTES);
  for (let i = 0; i < DIGEST_WORDS; i++) writeWord(out, 4 * i, state[i] as number);
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

/** SHA-256 of `data`. */
export function sha256Js(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 * DIGEST_WORDS);
  finish(IV.slice(), 0, data, out);
  return out;
}

/** The running state and the inner digest of a keyed HMAC (never re-entrant, like W). */
const STATE = new Int32Array(DIGEST_WORDS);
const INNER_DIGEST = new Uint8Array(4 * DIGEST_WORDS);

/**
 * HMAC-SHA256 under `key`, as a function of the data: the key's inner and outer padded
 * blocks are compressed here, once (Rule 3). The function keeps 64 bytes of midstates.
 */
export function keyedHmacSha256Js(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const block = new Uint8Array(BLOCK_BYTES);
  block.set(key.length > BLOCK_BYTES ? sha256Js(key) : key);
  const midstates = new Int32Array(2 * DIGEST_WORDS);
  const padded = new Uint8Array(BLOCK_BYTES);
  for (const [pad, at] of [
    [0x36, 0],
    [0x5c, DIGEST_WORDS],
  ] as const) {
    for (let i = 0; i < BLOCK_BYTES; i++) padded[i] = (block[i] as number) ^ pad;
    const state = IV.slice();
    compress(state, padded, 0);
    midstates.set(state, at);
  }
  block.fill(0);
  padded.fill(0);
  const inner = midstates.subarray(0, DIGEST_WORDS);
  const outer = midstates.subarray(DIGEST_WORDS);
  return (data) => {
    const out = new Uint8Array(4 * DIGEST_WORDS);
    STATE.set(inner);
    finish(STATE, BLOCK_BYTES, data, INNER_DIGEST);
    STATE.set(outer);
    finish(STATE, BLOCK_BYTES, INNER_DIGEST, out);
    return out;
  };
}
