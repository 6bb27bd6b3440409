/**
 * Per-hop key schedule and byte helpers for onion packets (packet.ts has the format).
 *
 * Theory of operation. Sender and hop share one X25519 secret s per hop. Everything the hop
 * needs comes from s through HKDF-SHA256 (RFC 5869) with a fixed salt and one label per
 * purpose, so no two purposes ever share a key:
 *
 *   prk       = HKDF-Extract(salt = SALT, ikm = s)              = HMAC(SALT, s)
 *   header    = HKDF-Expand(prk, "p2pmsg onion v1 header", 32)  = HMAC(prk, label ‖ 0x01)
 *   payload   = HKDF-Expand(prk, "p2pmsg onion v1 payload", 32)
 *   mac       = HKDF-Expand(prk, "p2pmsg onion v1 mac", 32)
 *   replayTag = HKDF-Expand(prk, "p2pmsg onion v1 replay", 16)  (first 16 bytes of T(1))
 *
 * Rules:
 * 1. The expansions are written out as single HMAC blocks (T(1) of RFC 5869 §2.3, exact for
 *    any output of at most 32 bytes), so a hop pays one extract for its four keys instead of
 *    four. The reference onion in the tests calls `suite.hkdf` once per label and must agree
 *    byte for byte, which checks this shortcut.
 * 2. A keystream is the ChaCha20 part of ChaCha20-Poly1305 sealing zeros under a derived
 *    key and the all-zero nonce (RFC 8439 §2.8: ciphertext = plaintext ⊕ ChaCha20 from block
 *    counter 1). A derived key seals exactly one plaintext, so the fixed nonce never repeats
 *    under one key with different data; the tag is discarded.
 * 3. Callers wipe what these functions return once done (`wipeHopKeys`, `wipe`).
 */
import { AEAD_NONCE_BYTES, type CryptoSuite } from '../crypto/suite.js';
import { REPLAY_TAG_BYTES } from './limits.js';

const encoder = new TextEncoder();

/** HKDF salt: binds every key to this packet format and version. */
export const SALT = encoder.encode('p2pmsg/onion/v1');

/** The HKDF info labels, one per purpose (exported for the reference onion in the tests). */
export const LABELS = {
  header: 'p2pmsg onion v1 header',
  payload: 'p2pmsg onion v1 payload',
  mac: 'p2pmsg onion v1 mac',
  replay: 'p2pmsg onion v1 replay',
} as const;

/** label ‖ 0x01: the input of HKDF-Expand's first block. Never mutated. */
function firstBlockInfo(label: string): Uint8Array {
  const text = encoder.encode(label);
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  out[text.length] = 0x01;
  return out;
}

const INFO_HEADER = firstBlockInfo(LABELS.header);
const INFO_PAYLOAD = firstBlockInfo(LABELS.payload);
const INFO_MAC = firstBlockInfo(LABELS.mac);
const INFO_REPLAY = firstBlockInfo(LABELS.replay);

const ZERO_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

export interface HopKeys {
  /** ChaCha20 key of the routing-information keystream (rho). */
  readonly header: Uint8Array;
  /** ChaCha20 key of the body keystream (pi). */
  readonly payload: Uint8Array;
  /** HMAC-SHA256 key of the per-hop MAC (gamma). */
  readonly mac: Uint8Array;
  /** What the hop's replay cache remembers. Not secret: a one-way function of s. */
  readonly replayTag: Uint8Array;
}

/** The keys of one hop from its shared secret (module header). Does not modify `shared`. */
export function hopKeys(suite: CryptoSuite, shared: Uint8Array): HopKeys {
  const prk = suite.hmacSha256(SALT, shared);
  const replayBlock = suite.hmacSha256(prk, INFO_REPLAY);
  const keys: HopKeys = {
    header: suite.hmacSha256(prk, INFO_HEADER),
    payload: suite.hmacSha256(prk, INFO_PAYLOAD),
    mac: suite.hmacSha256(prk, INFO_MAC),
    replayTag: replayBlock.slice(0, REPLAY_TAG_BYTES),
  };
  wipe(prk, replayBlock);
  return keys;
}

/** Wipes the secret keys of a hop; the replay tag is left alone (it may have been handed out). */
export function wipeHopKeys(keys: HopKeys): void {
  wipe(keys.header, keys.payload, keys.mac);
}

/**
 * `length` bytes of ChaCha20 keystream under `key` (Rule 2). The result is a view into a
 * buffer 16 bytes longer (the discarded tag); wiping the view wipes the keystream.
 */
export function keystream(suite: CryptoSuite, key: Uint8Array, length: number): Uint8Array {
  return suite.aeadSeal(key, ZERO_NONCE, new Uint8Array(length)).subarray(0, length);
}

/** Below this many bytes a plain byte loop is as fast as setting up word views. */
const WORD_XOR_MIN_BYTES = 64;

/**
 * target[at + i] ^= source[from + i] for i < length. Long ranges go 32 bits at a time (about
 * ten times faster than bytes in V8); a side that is not 4-byte aligned in its buffer is
 * first copied to an aligned temporary (a memcpy), which is wiped afterwards.
 */
export function xorInto(
  target: Uint8Array,
  at: number,
  source: Uint8Array,
  from: number,
  length: number,
): void {
  if (length < WORD_XOR_MIN_BYTES) {
    for (let i = 0; i < length; i++) {
      target[at + i] = (target[at + i] as number) ^ (source[from + i] as number);
    }
    return;
  }
  const targetAligned = (target.byteOffset + at) % 4 === 0;
  const sourceAligned = (source.byteOffset + from) % 4 === 0;
  const dst = targetAligned ? target.subarray(at, at + length) : target.slice(at, at + length);
  const src = sourceAligned
    ? source.subarray(from, from + length)
    : source.slice(from, from + length);
  const words = length >>> 2;
  const dstWords = new Uint32Array(dst.buffer, dst.byteOffset, words);
  const srcWords = new Uint32Array(src.buffer, src.byteOffset, words);
  for (let i = 0; i < words; i++) {
    dstWords[i] = (dstWords[i] as number) ^ (srcWords[i] as number);
  }
  for (let i = words << 2; i < length; i++) {
    dst[i] = (dst[i] as number) ^ (src[i] as number);
  }
  if (!targetAligned) {
    target.set(dst, at);
    wipe(dst);
  }
  if (!sourceAligned) wipe(src);
}

/**
 * Whether `expected` equals packet[at, at + expected.length), without an early exit (the
 * comparison of a MAC must not tell a forger how many leading bytes were right).
 */
export function equalAt(expected: Uint8Array, packet: Uint8Array, at: number): boolean {
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    diff |= (expected[i] as number) ^ (packet[at + i] as number);
  }
  return diff === 0;
}

/** True when bytes[from, to) are all zero (no early exit, like equalAt). */
export function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  let acc = 0;
  for (let i = from; i < to; i++) acc |= bytes[i] as number;
  return acc === 0;
}

/** Fills every buffer with zeros. */
export function wipe(...buffers: Uint8Array[]): void {
  for (const buffer of buffers) buffer.fill(0);
}
