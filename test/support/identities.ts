/** Distinct, reproducible identities for tests: seed n gives the same keys every run. */
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';

export function seededIdentity(suite: CryptoSuite, seed: number): Identity {
  const sign = new Uint8Array(32);
  const dh = new Uint8Array(32);
  new DataView(sign.buffer).setUint32(0, seed);
  new DataView(dh.buffer).setUint32(0, seed + 1_000);
  return identityFromSecrets(suite, sign, dh);
}
