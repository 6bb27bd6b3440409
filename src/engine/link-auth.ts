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

const DOMAIN = new TextEncoder().encode('p2pmsg link auth v1');

export interface HelloKeys {
  signKey: Uint8Array;
  dhKey: Uint8Array;
  nonce: Uint8Array;
}

/**
 * Where the transcript is built for signing and verifying: both consume it at once and keep
 * nothing of it, and an array of its own per call (~200 bytes, past V8's on-heap size) cost
 * a backing store to allocate and sweep, four per link handshake. Grows if ever too small.
 */
let scratch = new Uint8Array(256);

/** The bytes `signer` signs for `verifier`, in the shared scratch: valid until the next call. */
function authTranscript(signer: HelloKeys, verifier: HelloKeys): Uint8Array {
  const parts = [
    DOMAIN,
    verifier.nonce,
    signer.nonce,
    signer.signKey,
    signer.dhKey,
    verifier.signKey,
    verifier.dhKey,
  ];
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > scratch.length) scratch = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    scratch.set(part, offset);
    offset += part.length;
  }
  return scratch.subarray(0, length);
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
