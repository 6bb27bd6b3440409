/**
 * The daemon's identity (DESIGN.md §3 Identity): two 32-byte secrets kept in the store,
 * created once from the operating system's CSPRNG on first start, the same on every start
 * after. `identityFromSecrets` derives the public keys and the node ID.
 *
 * Rule: secrets are drawn as plain random bytes and imported, never generated with
 * `generateKeyPairSync` and exported (TOOLCHAIN.md: that JWK export can deadlock Node 20).
 */
import { randomBytes } from 'node:crypto';
import type { CryptoSuite } from '../engine/crypto/suite.js';
import { identityFromSecrets, type Identity } from '../engine/identity.js';
import type { Store } from '../store/index.js';

/** Both secrets are 32 bytes (an Ed25519 seed and an X25519 scalar). */
export const IDENTITY_SECRET_BYTES = 32;

/** The node's identity, created in the store if it has none yet. */
export function loadIdentity(
  store: Store,
  suite: CryptoSuite,
): { identity: Identity; created: boolean } {
  const { secrets, created } = store.ensureIdentity(() => ({
    sign: new Uint8Array(randomBytes(IDENTITY_SECRET_BYTES)),
    dh: new Uint8Array(randomBytes(IDENTITY_SECRET_BYTES)),
  }));
  const identity = identityFromSecrets(suite, secrets.sign, secrets.dh);
  secrets.sign.fill(0);
  secrets.dh.fill(0);
  return { identity, created };
}
