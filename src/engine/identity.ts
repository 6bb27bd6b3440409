/**
 * Node identity (DESIGN.md §3): an Ed25519 signing key and an X25519 key, both derived from
 * 32-byte secrets the runtime supplies (seeded in the simulator, from the data directory in
 * the daemon). The node ID is base32(SHA-256(signKey || dhKey)[0..20]), so an ID names
 * exactly one pair of keys and anyone holding the keys can check it.
 */
import { base32Encode } from './base32.js';
import type { CryptoSuite } from './crypto/suite.js';
import { prefixKey } from './string-cache.js';
import { INTERNED_STRINGS_MAX, NODE_ID_BYTES } from './wire/limits.js';
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

interface KnownPair {
  readonly keys: Uint8Array;
  readonly id: NodeId;
}

/**
 * IDs already computed, per suite, by the first bytes of the signing key: every link hello,
 * descriptor and sealed message names its sender's keys, mostly keys seen before, and their
 * hash was a third of a link handshake's cost. A hit is checked against all 64 bytes, so a
 * collision only costs a miss; full, a table starts afresh. A cache of values: no result
 * depends on it (the same trace hashes with and without).
 */
const knownPairs = new WeakMap<CryptoSuite, Map<number, KnownPair>>();

/** The node ID that a pair of public keys names. */
export function nodeIdOf(
  crypto: CryptoSuite,
  signPublic: Uint8Array,
  dhPublic: Uint8Array,
): NodeId {
  let table = knownPairs.get(crypto);
  if (table === undefined) knownPairs.set(crypto, (table = new Map()));
  const slot = signPublic.length >= 4 ? prefixKey(signPublic, 0) : 0;
  const known = table.get(slot);
  if (known !== undefined && holdsPair(known.keys, signPublic, dhPublic)) return known.id;
  const joined = new Uint8Array(signPublic.length + dhPublic.length);
  joined.set(signPublic, 0);
  joined.set(dhPublic, signPublic.length);
  const id = base32Encode(crypto.sha256(joined).subarray(0, NODE_ID_BYTES));
  if (table.size >= INTERNED_STRINGS_MAX) table.clear();
  table.set(slot, { keys: joined, id });
  return id;
}

function holdsPair(keys: Uint8Array, signPublic: Uint8Array, dhPublic: Uint8Array): boolean {
  const split = signPublic.length;
  if (keys.length !== split + dhPublic.length) return false;
  for (let i = 0; i < split; i++) if (keys[i] !== signPublic[i]) return false;
  for (let i = 0; i < dhPublic.length; i++) if (keys[split + i] !== dhPublic[i]) return false;
  return true;
}
