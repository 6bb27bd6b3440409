/**
 * The fast suite on node:crypto (OpenSSL), proven byte-identical to the noble reference by
 * test/crypto/equivalence.test.ts and to the RFC vectors by test/crypto/vectors.test.ts.
 *
 * Rules:
 * 1. Edge checks live in `withChecks` (check.ts); this file may assume well-formed inputs.
 * 2. Raw keys enter OpenSSL only through JWK (base64url), the fast import path. Keys are never
 *    made with generateKeyPairSync, whose keys can deadlock on JWK export (TOOLCHAIN.md).
 *    A private JWK needs an `x`, but OpenSSL derives the public half from `d`, so a zero
 *    placeholder is passed; the equivalence tests prove the derived keys right.
 * 3. Only deterministic functions are used. Every result is copied out of node's Buffer into
 *    a plain Uint8Array (Buffer#slice aliases, which callers must not meet), and the Buffer is
 *    wiped when it held a secret (shared secrets, plaintext, HKDF blocks).
 * 4. The only module state is two bounded caches of imported KeyObjects (`KeyCache`). They
 *    change speed, never results.
 * 5. The JWK route turns a secret into a base64url string, which JavaScript cannot wipe; this
 *    is the price of OpenSSL speed, and the reason the cache keys secrets by a digest.
 */
import * as nodeCrypto from 'node:crypto';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { wipe, withChecks } from './check.js';
import {
  KeyCache,
  PRIVATE_KEY_SIGHTINGS,
  PRIVATE_KEYS_CACHED,
  PUBLIC_KEYS_CACHED,
} from './key-cache.js';
import { keyedHmacSha256Js } from './sha256-js.js';
import { AEAD_TAG_BYTES, HASH_BYTES, type CryptoSuite } from './suite.js';

type Curve = 'X25519' | 'Ed25519';

/**
 * SHA-256 in one call where node has `crypto.hash` (20.12+; about twice as fast for short
 * inputs), else through createHash. The namespace lookup keeps older Node 20 releases loading.
 */
const sha256Buffer: (data: Uint8Array) => Buffer =
  typeof nodeCrypto.hash === 'function'
    ? (data) => nodeCrypto.hash('sha256', data, 'buffer')
    : (data) => createHash('sha256').update(data).digest();

/** A zero `x` for private JWKs (Rule 2). */
const PLACEHOLDER_X = 'A'.repeat(43);

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** A plain Uint8Array copy of `buffer`, which is then wiped if it held a secret. */
function copyOut(buffer: Uint8Array, secret: boolean): Uint8Array {
  const out = new Uint8Array(buffer);
  if (secret) wipe(buffer);
  return out;
}

function concatInto(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Importing is most of the cost of a call (bench/crypto.ts): a relay peeling onions reuses
 * its static X25519 key, a node signs with its own key and verifies the same neighbours again
 * and again, a sender wraps layers for the same relays. Public keys are admitted on their
 * second use, keyed by their base64url form. Private keys are keyed by a SHA-256 digest
 * (Rule 5) and admitted on their third use, since an ephemeral secret is typically used twice
 * (its public key, then one exchange).
 *
 * A daemon has a handful of keys of its own; a simulation has two per node in one process
 * (identity and onion key), every one used again and again. At 64 private keys and 256
 * sightings, churn.yaml's 1,000 nodes cycled through the sightings before any key's third
 * use, so every link handshake's signature imported its key anew: 4.7% of the real-crypto
 * run's CPU (session 22's profile). The caches now hold two keys a node for 2,048 nodes:
 * about 1 KB a key, and only keys used three times, so a daemon still keeps none of its
 * ephemeral secrets.
 */

const publicKeys = new KeyCache<KeyObject>(PUBLIC_KEYS_CACHED, 2, PUBLIC_KEYS_CACHED);
const privateKeys = new KeyCache<KeyObject>(PRIVATE_KEYS_CACHED, 3, PRIVATE_KEY_SIGHTINGS);

function publicKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  const x = base64url(raw);
  return publicKeys.get(curve + x, () =>
    createPublicKey({ key: { kty: 'OKP', crv: curve, x }, format: 'jwk' }),
  );
}

function privateKeyObject(curve: Curve, secret: Uint8Array): KeyObject {
  const id = createHash('sha256').update(curve).update(secret).digest('base64url');
  return privateKeys.get(id, () => {
    const jwk = { kty: 'OKP', crv: curve, d: base64url(secret), x: PLACEHOLDER_X };
    return createPrivateKey({ key: jwk, format: 'jwk' });
  });
}

/** The raw public half of an imported private key. */
function publicHalf(privateKey: KeyObject): Uint8Array {
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('node:crypto exported a JWK without x');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

/** The error OpenSSL raises when an X25519 derivation yields all zeros (RFC 7748 §6.1). */
function isAllZeroDerivation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as Error & { code?: unknown }).code === 'ERR_OSSL_FAILED_DURING_DERIVATION'
  );
}

function x25519(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  const privateKey = privateKeyObject('X25519', secret);
  const publicKey = publicKeyObject('X25519', peerPublic);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch (error) {
    if (isAllZeroDerivation(error)) return null;
    throw error;
  }
  // OpenSSL refuses an all-zero result (above); should a build ever return one, refuse it too.
  if (shared.every((byte) => byte === 0)) return null;
  return copyOut(shared, true);
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  try {
    return edVerify(null, message, publicKeyObject('Ed25519', publicKey), signature);
  } catch {
    // A key OpenSSL cannot decode: remote input, so false (suite.ts), never a throw.
    return false;
  }
}

function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  return concatInto([body, tail, tag], body.length + tail.length + tag.length);
}

function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) {
  const split = sealed.length - AEAD_TAG_BYTES;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, {
    authTagLength: AEAD_TAG_BYTES,
  });
  decipher.setAuthTag(sealed.subarray(split));
  decipher.setAAD(aad, { plaintextLength: split });
  const body = decipher.update(sealed.subarray(0, split));
  try {
    const tail = decipher.final();
    const out = concatInto([body, tail], body.length + tail.length);
    wipe(body, tail);
    return out;
  } catch {
    // Lengths were checked at the edge, so the only failure left is a tag mismatch.
    wipe(body);
    return null;
  }
}

/** HKDF-SHA256 from HMAC (RFC 5869 §2.2–2.3): faster than hkdfSync, and no 1 KiB info cap. */
function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const out = new Uint8Array(length);
  let previous: Buffer = Buffer.alloc(0);
  for (let counter = 1, offset = 0; offset < length; counter++, offset += HASH_BYTES) {
    const block = createHmac('sha256', prk)
      .update(previous)
      .update(info)
      .update(Uint8Array.of(counter))
      .digest();
    out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset);
    wipe(previous);
    previous = block;
  }
  wipe(previous, prk);
  return out;
}

export const nodeSuite: CryptoSuite = withChecks('node', {
  x25519PublicKey: (secret) => publicHalf(privateKeyObject('X25519', secret)),
  x25519,
  ed25519PublicKey: (secret) => publicHalf(privateKeyObject('Ed25519', secret)),
  ed25519Sign: (secret, message) =>
    copyOut(edSign(null, message, privateKeyObject('Ed25519', secret)), false),
  ed25519Verify,
  aeadSeal,
  aeadOpen,
  hkdf,
  sha256: (data) => copyOut(sha256Buffer(data), false),
  hmacSha256: (key, data) => copyOut(createHmac('sha256', key).update(data).digest(), false),
  // In JavaScript: for short inputs, cheaper than a call into OpenSSL (sha256-js.ts).
  hmacSha256Keyed: (key) => keyedHmacSha256Js(key),
});
