/**
 * Node identity (DESIGN.md §3): an Ed25519 signing key and an X25519 key, both derived from
 * 32-byte secrets the runtime supplies (seeded in the simulator, from the data directory in
 * the daemon). The node ID is base32(SHA-256(signKey || dhKey)[0..20]), so an ID names
 * exactly one pair of keys and anyone holding the keys can check it.
 */
import { base32Encode } from './base32.js';
import type { CryptoSuite } from './crypto/suite.js';
import { NODE_ID_BYTES } from './wire/limits.js';
import type { NodeId } from './types.js';

export interface Identity {
  readonly id: NodeId;
  readonly signPublic: Uint8Array;
  readonly signSecret: Uint8Array;
  readonly dhPublic: Uint8Array;
  readonly dhSecret: Uint8Array;
}

/** The identity of two 32-byte secrets (they are copied, the caller may wipe its own). */
export function identityFromSecrets(
  crypto: CryptoSuite,
  signSecret: Uint8Array,
  dhSecret: Uint8Array,
): Identity {
  const signPublic = crypto.ed25519PublicKey(signSecret);
  const dhPublic = crypto.x25519PublicKey(dhSecret);
  return {
    id: nodeIdOf(crypto, signPublic, dhPublic),
    signPublic,
    signSecret: signSecret.slice(),
    dhPublic,
    dhSecret: dhSecret.slice(),
  };
}

/** The node ID that a pair of public keys names. */
export function nodeIdOf(
  crypto: CryptoSuite,
  signPublic: Uint8Array,
  dhPublic: Uint8Array,
): NodeId {
  const joined = new Uint8Array(signPublic.length + dhPublic.length);
  joined.set(signPublic, 0);
  joined.set(dhPublic, signPublic.length);
  return base32Encode(crypto.sha256(joined).subarray(0, NODE_ID_BYTES));
}
