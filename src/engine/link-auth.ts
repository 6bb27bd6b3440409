/**
 * Link authentication by challenge–response (the simulator's signed link hello; over TCP
 * the Noise handshake proves the same facts and this runs inside it).
 *
 * Each side sends HELLO {signKey, dhKey, address, nonce}; on the peer's HELLO it answers
 * AUTH = Ed25519 signature over the transcript below. The verifier's fresh nonce makes the
 * signature useless on any other link, and naming both key pairs binds it to this pair of
 * nodes. A node ID is only ever learned from keys whose signature verified (DESIGN.md §3).
 */
import type { CryptoSuite } from './crypto/suite.js';
import { JoinBuffer } from './join-buffer.js';

const DOMAIN = new TextEncoder().encode('p2pmsg link auth v1');

export interface HelloKeys {
  signKey: Uint8Array;
  dhKey: Uint8Array;
  nonce: Uint8Array;
}

/** Where transcripts are built: signing and verifying consume them at once (join-buffer.ts). */
const transcripts = new JoinBuffer(256);

/** The bytes `signer` signs for `verifier`, valid until the next call. */
function authTranscript(signer: HelloKeys, verifier: HelloKeys): Uint8Array {
  return transcripts.join([
    DOMAIN,
    verifier.nonce,
    signer.nonce,
    signer.signKey,
    signer.dhKey,
    verifier.signKey,
    verifier.dhKey,
  ]);
}

export function signAuth(
  crypto: CryptoSuite,
  signSecret: Uint8Array,
  signer: HelloKeys,
  verifier: HelloKeys,
): Uint8Array {
  return crypto.ed25519Sign(signSecret, authTranscript(signer, verifier));
}

export function verifyAuth(
  crypto: CryptoSuite,
  signature: Uint8Array,
  signer: HelloKeys,
  verifier: HelloKeys,
): boolean {
  return crypto.ed25519Verify(signer.signKey, authTranscript(signer, verifier), signature);
}
