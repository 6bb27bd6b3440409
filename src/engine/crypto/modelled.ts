/**
 * THE MODELLED SUITE IS NOT SECURE. It is a stand-in for large simulations only: anyone who
 * knows the public values can compute every "shared secret" and forge every "signature".
 * Never use it outside the simulator.
 *
 * What it keeps from the real suites: every input and output size, determinism, and the
 * accept/reject behaviour the engine can observe:
 * - X25519: both sides of an exchange agree, different pairs disagree, low-order peer keys
 *   (check.ts) answer null, and the top bit of a peer key is ignored (RFC 7748 §5).
 * - Ed25519: a signature made with a secret verifies under its public key; a change to any bit
 *   of message, signature or key is refused; weak keys are refused (check.ts).
 * - AEAD, HKDF, SHA-256 and HMAC are the real ones from node:crypto. They are cheap already: a
 *   stand-in AEAD (an xorshift keystream plus a truncated SHA-256 tag) measured about half as
 *   fast as node's ChaCha20-Poly1305 at 64 B–2 KiB, because one SHA-256 call costs as much as
 *   the whole real AEAD; a non-cryptographic tag won only 1.2–1.7×. Modelling it buys nothing.
 *
 * How: public keys are tagged SHA-256 digests of the secret; the "DH" result is a digest of
 * the two public keys in sorted order; a signature is h = SHA-256(tag‖pub‖msg) followed by
 * SHA-256(tag′‖h). The cost is two or three short hashes instead of a scalar multiplication.
 */
import { equalBytes, isLowOrderX25519, wipe, withChecks } from './check.js';
import { nodeSuite } from './node.js';
import { JoinBuffer } from '../join-buffer.js';
import { HASH_BYTES, type CryptoSuite } from './suite.js';

const encoder = new TextEncoder();
const TAG_X25519_PUBLIC = encoder.encode('p2pmsg/modelled/x25519-public');
const TAG_X25519_SHARED = encoder.encode('p2pmsg/modelled/x25519-shared');
const TAG_ED25519_PUBLIC = encoder.encode('p2pmsg/modelled/ed25519-public');
const TAG_SIGNATURE_HEAD = encoder.encode('p2pmsg/modelled/signature-head');
const TAG_SIGNATURE_TAIL = encoder.encode('p2pmsg/modelled/signature-tail');

/** Where digest() joins its parts (join-buffer.ts); wiped after each use, as parts may be secrets. */
const digestInputs = new JoinBuffer(512);

/** SHA-256 of the parts joined (one buffer and one hash call beat incremental updates). */
function digest(...parts: Uint8Array[]): Uint8Array {
  const joined = digestInputs.join(parts);
  const out = nodeSuite.sha256(joined);
  wipe(joined);
  return out;
}

function x25519PublicKey(secret: Uint8Array): Uint8Array {
  const key = digest(TAG_X25519_PUBLIC, secret);
  // Real X25519 public keys are below p < 2^255, so their top bit is clear.
  key[31] = (key[31] as number) & 0x7f;
  return key;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

function x25519(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  if (isLowOrderX25519(peerPublic)) return null;
  const own = x25519PublicKey(secret);
  const peer = peerPublic.slice();
  peer[31] = (peer[31] as number) & 0x7f;
  const ordered = compareBytes(own, peer) <= 0 ? [own, peer] : [peer, own];
  return digest(TAG_X25519_SHARED, ...ordered);
}

function signatureOf(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const head = digest(TAG_SIGNATURE_HEAD, publicKey, message);
  const signature = new Uint8Array(2 * HASH_BYTES);
  signature.set(head, 0);
  signature.set(digest(TAG_SIGNATURE_TAIL, head), HASH_BYTES);
  return signature;
}

/**
 * Signing public keys by the secret array they came from, with a copy of its bytes to check
 * it is unchanged: a node signs every link handshake with the same secret, and deriving its
 * public key again each time was a third of a modelled signature. Weak keys: a dropped
 * identity drops its entry. A cache of values, never a different result.
 */
const signPublicOf = new WeakMap<Uint8Array, { secret: Uint8Array; publicKey: Uint8Array }>();

function ed25519PublicKeyCached(secret: Uint8Array): Uint8Array {
  const known = signPublicOf.get(secret);
  if (known !== undefined && equalBytes(known.secret, secret)) return known.publicKey;
  const publicKey = digest(TAG_ED25519_PUBLIC, secret);
  signPublicOf.set(secret, { secret: secret.slice(), publicKey });
  return publicKey;
}

export const modelledSuite: CryptoSuite = withChecks('modelled', {
  x25519PublicKey,
  x25519,
  ed25519PublicKey: (secret) => digest(TAG_ED25519_PUBLIC, secret),
  ed25519Sign: (secret, message) => signatureOf(ed25519PublicKeyCached(secret), message),
  ed25519Verify: (publicKey, message, signature) =>
    equalBytes(signatureOf(publicKey, message), signature),
  aeadSeal: (key, nonce, plaintext, aad) => nodeSuite.aeadSeal(key, nonce, plaintext, aad),
  aeadOpen: (key, nonce, sealed, aad) => nodeSuite.aeadOpen(key, nonce, sealed, aad),
  hkdf: (ikm, salt, info, length) => nodeSuite.hkdf(ikm, salt, info, length),
  sha256: (data) => nodeSuite.sha256(data),
  hmacSha256: (key, data) => nodeSuite.hmacSha256(key, data),
  hmacSha256Keyed: (key) => nodeSuite.hmacSha256Keyed(key),
});
