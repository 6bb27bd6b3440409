/**
 * The crypto suite interface. Every primitive the engine uses goes through it, so the same
 * engine runs with @noble/* (reference), node:crypto (fast) or the simulator's modelled
 * stand-in (same sizes and accept/reject behaviour, far cheaper).
 *
 * All functions are pure and deterministic. Inputs are checked at this edge: a wrong length
 * from our own code throws `CryptoInputError` (local misuse); a failed verification or AEAD
 * open returns false / null (remote input), never throws.
 */

export const X25519_KEY_BYTES = 32;
export const ED25519_SECRET_BYTES = 32;
export const ED25519_PUBLIC_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
export const HASH_BYTES = 32;

export type SuiteName = 'noble' | 'node' | 'modelled';

export interface CryptoSuite {
  readonly name: SuiteName;
  /** X25519 public key of a 32-byte secret (RFC 7748 clamping applies). */
  x25519PublicKey(secret: Uint8Array): Uint8Array;
  /** X25519 shared secret. Returns null for an all-zero result (low-order point). */
  x25519(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array | null;
  /** Ed25519 public key of a 32-byte secret seed (RFC 8032). */
  ed25519PublicKey(secret: Uint8Array): Uint8Array;
  ed25519Sign(secret: Uint8Array, message: Uint8Array): Uint8Array;
  /** False for any malformed key or signature; never throws on remote input. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** ChaCha20-Poly1305 (RFC 8439): ciphertext || 16-byte tag. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** The plaintext, or null when the tag does not verify. */
  aeadOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad?: Uint8Array,
  ): Uint8Array | null;
  /** HKDF-SHA256 (RFC 5869). */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * hmacSha256 under one key, as a function of the data: for many short inputs under one
   * key (a directory sample's ranks), where the key's setup is most of a call's cost.
   */
  hmacSha256Keyed(key: Uint8Array): (data: Uint8Array) => Uint8Array;
}

/** Local misuse of the suite (wrong key length and the like): a bug in our code. */
export class CryptoInputError extends Error {
  override name = 'CryptoInputError';
}
