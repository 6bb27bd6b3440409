/**
 * The reference suite: every primitive from @noble/* (STYLE.md #16). Slow (X25519 and Ed25519
 * in pure JavaScript) but audited; the node:crypto suite is proven byte-identical to it.
 *
 * Rules:
 * 1. Edge checks live in `withChecks` (check.ts); this file may assume well-formed inputs.
 * 2. Ed25519 verification is RFC 8032 strict (`zip215: false`: canonical encodings, no
 *    small-order key, S < L) and, in addition, cofactorless: it accepts only when
 *    [S]B − [k]A encodes to exactly R. RFC 8032 §5.1.7 allows either equation; OpenSSL (and so
 *    the node suite) uses the cofactorless one, and the two suites must accept the same
 *    signatures. Noble checks the cofactored equation, so a signer could otherwise craft an R
 *    with a torsion component that noble accepts and OpenSSL refuses.
 * 3. X25519 returns null exactly where noble refuses a low-order peer key, which is exactly
 *    where the shared secret would be all zero (RFC 7748 §6.1).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, withChecks } from './check.js';
import type { CryptoSuite } from './suite.js';

/** The message noble throws for a low-order X25519 peer key (montgomery.ts `scalarMult`). */
const LOW_ORDER_MESSAGE = 'invalid private or public key received';

/** The order L of the Ed25519 prime-order subgroup (RFC 8032 §5.1). */
const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

/**
 * The cofactorless check of Rule 2, run after noble's strict verify has accepted (so A and R
 * decode, A is not small order and S < L): encode([S]B − [k]A) = R with k = SHA-512(R‖A‖M) mod L.
 */
function cofactorlessHolds(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  const r = signature.subarray(0, 32);
  const s = littleEndianToBigInt(signature.subarray(32, 64));
  const digest = sha512.create().update(r).update(publicKey).update(message).digest();
  const k = littleEndianToBigInt(digest) % ED25519_L;
  const Point = ed25519.Point;
  const a = Point.fromBytes(publicKey, false);
  const expected = Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k));
  return equalBytes(expected.toBytes(), r);
}

export const nobleSuite: CryptoSuite = withChecks('noble', {
  x25519PublicKey: (secret) => x25519.getPublicKey(secret),
  x25519(secret, peerPublic) {
    try {
      return x25519.getSharedSecret(secret, peerPublic);
    } catch (error) {
      if (error instanceof Error && error.message === LOW_ORDER_MESSAGE) return null;
      throw error;
    }
  },
  ed25519PublicKey: (secret) => ed25519.getPublicKey(secret),
  ed25519Sign: (secret, message) => ed25519.sign(message, secret),
  ed25519Verify(publicKey, message, signature) {
    try {
      if (!ed25519.verify(signature, message, publicKey, { zip215: false })) return false;
      return cofactorlessHolds(publicKey, message, signature);
    } catch {
      return false;
    }
  },
  aeadSeal: (key, nonce, plaintext, aad) => chacha20poly1305(key, nonce, aad).encrypt(plaintext),
  aeadOpen(key, nonce, sealed, aad) {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      // Lengths were checked at the edge, so the only failure left is a tag mismatch.
      return null;
    }
  },
  hkdf: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  hmacSha256Keyed: (key) => {
    const copy = key.slice();
    return (data) => hmac(sha256, copy, data);
  },
});
