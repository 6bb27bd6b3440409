/**
 * The checked edge shared by every crypto suite (STYLE.md #7, #16).
 *
 * Each suite implements a `RawSuite` that may assume well-formed inputs; `withChecks` wraps it
 * so all three suites reject the same inputs in the same way:
 *
 * Rule 1. Our own misuse throws `CryptoInputError`: a secret, key or nonce of the wrong length,
 *         a non-byte argument, an HKDF length outside 0..255·32 (RFC 5869 §2.3).
 * Rule 2. Remote input never throws. `ed25519Verify` answers false for a key or signature of
 *         the wrong length and for a weak public key; `aeadOpen` answers null for input shorter
 *         than the tag. Peer X25519 keys have a fixed size on the wire, so a wrong length there
 *         is our decoder's bug (Rule 1); a low-order key answers null (RFC 7748 §6.1).
 * Rule 3. Every suite rejects Ed25519 public keys that are non-canonical (y ≥ p) or of small
 *         order, as RFC 8032 strict verification in @noble/curves does. OpenSSL accepts them
 *         (a small-order key lets anyone forge), so the check lives here, once, for all suites.
 * Rule 4. Buffers a suite allocates for secret intermediates are wiped with `wipe` when done.
 */
import {
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  CryptoInputError,
  ED25519_PUBLIC_BYTES,
  ED25519_SECRET_BYTES,
  ED25519_SIGNATURE_BYTES,
  HASH_BYTES,
  X25519_KEY_BYTES,
  type CryptoSuite,
} from './suite.js';

/** The longest HKDF-SHA256 output, 255 blocks (RFC 5869 §2.3). */
export const HKDF_MAX_BYTES = 255 * HASH_BYTES;

const EMPTY = new Uint8Array(0);

/** A suite's primitives without the edge checks: inputs are known to be well formed. */
export type RawSuite = Omit<CryptoSuite, 'name' | 'aeadSeal' | 'aeadOpen'> & {
  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** `sealed` is at least one tag long. */
  aeadOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | null;
};

export function checkBytes(what: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CryptoInputError(`${what}: expected Uint8Array`);
}

export function checkLength(
  what: string,
  value: unknown,
  length: number,
): asserts value is Uint8Array {
  checkBytes(what, value);
  if (value.length !== length) {
    throw new CryptoInputError(`${what}: expected ${length} bytes, got ${value.length}`);
  }
}

/** Fills every buffer with zeros; for secret intermediates a suite allocated itself. */
export function wipe(...buffers: Uint8Array[]): void {
  for (const buffer of buffers) buffer.fill(0);
}

/** Byte equality; not constant time (used on public values and in the modelled suite). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The y coordinates (little-endian, sign bit clear) of the eight points of small order on
 * edwards25519: the identity and order-2 point (y = 1, p − 1), the order-4 points (y = 0) and
 * the order-8 points (two y values). Every sign-bit variant of these is small order or invalid.
 */
const ED25519_SMALL_ORDER_Y = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
].map(hexToBytes);

/**
 * The u coordinates (little-endian) of the X25519 inputs whose shared secret is all zero for
 * every clamped scalar: 0, 1, p − 1, the two order-8 points, and p, p + 1 (which reduce to 0
 * and 1). The top bit is masked before comparing (RFC 7748 §5).
 */
const X25519_LOW_ORDER_U = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(hexToBytes);

/** True when the 32 bytes, sign bit masked, equal one of `list` (all 32-byte values). */
function matchesMasked(bytes: Uint8Array, list: Uint8Array[]): boolean {
  outer: for (const candidate of list) {
    for (let i = 0; i < 31; i++) if (bytes[i] !== candidate[i]) continue outer;
    if (((bytes[31] as number) & 0x7f) === candidate[31]) return true;
  }
  return false;
}

/** y ≥ p = 2^255 − 19, read little-endian with the sign bit masked. */
function isNonCanonicalY(bytes: Uint8Array): boolean {
  if (((bytes[31] as number) & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return false;
  return (bytes[0] as number) >= 0xed;
}

/** An Ed25519 public key that strict verification refuses (Rule 3). Expects 32 bytes. */
export function isWeakEd25519Public(publicKey: Uint8Array): boolean {
  return isNonCanonicalY(publicKey) || matchesMasked(publicKey, ED25519_SMALL_ORDER_Y);
}

/** An X25519 public key whose shared secret is all zero (RFC 7748 §6.1). Expects 32 bytes. */
export function isLowOrderX25519(publicKey: Uint8Array): boolean {
  return matchesMasked(publicKey, X25519_LOW_ORDER_U);
}

/** The suite `raw` behind the checked edge (Rules 1–3). */
export function withChecks(name: CryptoSuite['name'], raw: RawSuite): CryptoSuite {
  return {
    name,
    x25519PublicKey(secret) {
      checkLength('x25519 secret', secret, X25519_KEY_BYTES);
      return raw.x25519PublicKey(secret);
    },
    x25519(secret, peerPublic) {
      checkLength('x25519 secret', secret, X25519_KEY_BYTES);
      checkLength('x25519 public key', peerPublic, X25519_KEY_BYTES);
      return raw.x25519(secret, peerPublic);
    },
    ed25519PublicKey(secret) {
      checkLength('ed25519 secret', secret, ED25519_SECRET_BYTES);
      return raw.ed25519PublicKey(secret);
    },
    ed25519Sign(secret, message) {
      checkLength('ed25519 secret', secret, ED25519_SECRET_BYTES);
      checkBytes('ed25519 message', message);
      return raw.ed25519Sign(secret, message);
    },
    ed25519Verify(publicKey, message, signature) {
      checkBytes('ed25519 public key', publicKey);
      checkBytes('ed25519 message', message);
      checkBytes('ed25519 signature', signature);
      if (publicKey.length !== ED25519_PUBLIC_BYTES) return false;
      if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
      if (isWeakEd25519Public(publicKey)) return false;
      return raw.ed25519Verify(publicKey, message, signature);
    },
    aeadSeal(key, nonce, plaintext, aad = EMPTY) {
      checkLength('aead key', key, AEAD_KEY_BYTES);
      checkLength('aead nonce', nonce, AEAD_NONCE_BYTES);
      checkBytes('aead plaintext', plaintext);
      checkBytes('aead aad', aad);
      return raw.aeadSeal(key, nonce, plaintext, aad);
    },
    aeadOpen(key, nonce, sealed, aad = EMPTY) {
      checkLength('aead key', key, AEAD_KEY_BYTES);
      checkLength('aead nonce', nonce, AEAD_NONCE_BYTES);
      checkBytes('aead sealed', sealed);
      checkBytes('aead aad', aad);
      if (sealed.length < AEAD_TAG_BYTES) return null;
      return raw.aeadOpen(key, nonce, sealed, aad);
    },
    hkdf(ikm, salt, info, length) {
      checkBytes('hkdf ikm', ikm);
      checkBytes('hkdf salt', salt);
      checkBytes('hkdf info', info);
      if (!Number.isInteger(length) || length < 0 || length > HKDF_MAX_BYTES) {
        throw new CryptoInputError(`hkdf length: expected 0..${HKDF_MAX_BYTES}, got ${length}`);
      }
      return raw.hkdf(ikm, salt, info, length);
    },
    sha256(data) {
      checkBytes('sha256 data', data);
      return raw.sha256(data);
    },
    hmacSha256(key, data) {
      checkBytes('hmac key', key);
      checkBytes('hmac data', data);
      return raw.hmacSha256(key, data);
    },
    hmacSha256Keyed(key) {
      checkBytes('hmac key', key);
      const keyed = raw.hmacSha256Keyed(key);
      return (data) => {
        checkBytes('hmac data', data);
        return keyed(data);
      };
    },
  };
}
