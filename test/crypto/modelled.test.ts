/**
 * The modelled suite keeps the real suites' sizes and accept/reject behaviour (modelled.ts),
 * so a simulation run with it exercises the same engine paths as one with real crypto.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite as m } from '../../src/engine/crypto/modelled.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import {
  AEAD_TAG_BYTES,
  ED25519_PUBLIC_BYTES,
  ED25519_SIGNATURE_BYTES,
  HASH_BYTES,
  X25519_KEY_BYTES,
} from '../../src/engine/crypto/suite.js';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const anyBytes = (maxLength: number) => fc.uint8Array({ maxLength });
const secret = bytes(32);
const RUNS = { numRuns: 500 };

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const out = data.slice();
  const index = Math.floor(bit / 8) % out.length;
  out[index] = (out[index] as number) ^ (1 << (bit % 8));
  return out;
}

describe('modelled suite', () => {
  it('every output has the size the real suites give', () => {
    fc.assert(
      fc.property(secret, secret, anyBytes(300), bytes(32), bytes(12), (a, b, msg, key, nonce) => {
        const shared = m.x25519(a, m.x25519PublicKey(b));
        expect(m.x25519PublicKey(a)).toHaveLength(X25519_KEY_BYTES);
        expect(shared).toHaveLength(nodeSuite.x25519(a, nodeSuite.x25519PublicKey(b))!.length);
        expect(m.ed25519PublicKey(a)).toHaveLength(ED25519_PUBLIC_BYTES);
        expect(m.ed25519Sign(a, msg)).toHaveLength(ED25519_SIGNATURE_BYTES);
        expect(m.aeadSeal(key, nonce, msg)).toHaveLength(msg.length + AEAD_TAG_BYTES);
        expect(m.aeadSeal(key, nonce, msg)).toHaveLength(
          nodeSuite.aeadSeal(key, nonce, msg).length,
        );
        expect(m.sha256(msg)).toHaveLength(HASH_BYTES);
      }),
      { numRuns: 100 },
    );
  });

  it('public keys have the top bit clear, like real X25519 keys', () => {
    fc.assert(
      fc.property(secret, (a) => {
        expect(m.x25519PublicKey(a)[31]! & 0x80).toBe(0);
      }),
      RUNS,
    );
  });

  it('x25519 is symmetric, differs between pairs and ignores the top bit of the peer key', () => {
    fc.assert(
      fc.property(secret, secret, secret, (a, b, c) => {
        fc.pre(!a.every((x, i) => x === c[i]) && !b.every((x, i) => x === c[i]));
        const ab = m.x25519(a, m.x25519PublicKey(b));
        expect(ab).toEqual(m.x25519(b, m.x25519PublicKey(a)));
        expect(ab).not.toEqual(m.x25519(a, m.x25519PublicKey(c)));
        const high = m.x25519PublicKey(b);
        high[31] = high[31]! | 0x80;
        expect(m.x25519(a, high)).toEqual(ab);
      }),
      RUNS,
    );
  });

  it('x25519 answers null for every low-order peer key, like the real suites', () => {
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ];
    const a = new Uint8Array(32).fill(5);
    for (const u of lowOrder) {
      const key = new Uint8Array(Buffer.from(u, 'hex'));
      expect(m.x25519(a, key), u).toBeNull();
      expect(nodeSuite.x25519(a, key), u).toBeNull();
    }
  });

  it('sign/verify accepts a valid signature and refuses a flipped bit in message, signature or key', () => {
    fc.assert(
      fc.property(secret, anyBytes(300), fc.nat(), (s, msg, bit) => {
        const pub = m.ed25519PublicKey(s);
        const sig = m.ed25519Sign(s, msg);
        expect(m.ed25519Verify(pub, msg, sig)).toBe(true);
        expect(m.ed25519Sign(s, msg)).toEqual(sig);
        if (msg.length > 0) expect(m.ed25519Verify(pub, flipBit(msg, bit), sig)).toBe(false);
        expect(m.ed25519Verify(pub, msg, flipBit(sig, bit))).toBe(false);
        expect(m.ed25519Verify(flipBit(pub, bit), msg, sig)).toBe(false);
        expect(m.ed25519Verify(pub, new Uint8Array([...msg, 0]), sig)).toBe(false);
      }),
      RUNS,
    );
  });

  it('a signature is its definition, whatever the sizes of the calls before it (the shared join buffer)', () => {
    const tag = (text: string) => new TextEncoder().encode(`p2pmsg/modelled/${text}`);
    const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
    fc.assert(
      fc.property(secret, fc.array(anyBytes(2000), { minLength: 1, maxLength: 4 }), (s, msgs) => {
        const pub = m.ed25519PublicKey(s);
        for (const msg of msgs) {
          const head = nodeSuite.sha256(join(tag('signature-head'), pub, msg));
          const tail = nodeSuite.sha256(join(tag('signature-tail'), head));
          expect(m.ed25519Sign(s, msg)).toEqual(join(head, tail));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('signing with a secret changed in place signs with the new secret (the key cache checks)', () => {
    fc.assert(
      fc.property(secret, secret, anyBytes(100), (a, b, msg) => {
        fc.pre(!a.every((x, i) => x === b[i]));
        const held = a.slice();
        m.ed25519Sign(held, msg); // cached under `held`
        held.set(b);
        const sig = m.ed25519Sign(held, msg);
        expect(sig).toEqual(m.ed25519Sign(b.slice(), msg));
        expect(m.ed25519Verify(m.ed25519PublicKey(b), msg, sig)).toBe(true);
        expect(m.ed25519Verify(m.ed25519PublicKey(a), msg, sig)).toBe(false);
      }),
      RUNS,
    );
  });

  it('a signature from one key does not verify under another', () => {
    fc.assert(
      fc.property(secret, secret, anyBytes(100), (a, b, msg) => {
        fc.pre(!a.every((x, i) => x === b[i]));
        expect(m.ed25519Verify(m.ed25519PublicKey(b), msg, m.ed25519Sign(a, msg))).toBe(false);
      }),
      RUNS,
    );
  });

  it('aeadOpen(aeadSeal(x)) = x, and the ciphertext is not the plaintext', () => {
    fc.assert(
      fc.property(bytes(32), bytes(12), anyBytes(2000), anyBytes(40), (key, nonce, pt, aad) => {
        const sealed = m.aeadSeal(key, nonce, pt, aad);
        expect(m.aeadOpen(key, nonce, sealed, aad)).toEqual(pt);
        if (pt.length >= 16) expect(sealed.subarray(0, pt.length)).not.toEqual(pt);
      }),
      RUNS,
    );
  });

  it('any flipped bit of the sealed bytes, aad, key or nonce gives null', () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(12),
        anyBytes(300),
        anyBytes(40),
        fc.nat(),
        (key, nonce, pt, aad, bit) => {
          const sealed = m.aeadSeal(key, nonce, pt, aad);
          expect(m.aeadOpen(key, nonce, flipBit(sealed, bit), aad)).toBeNull();
          expect(m.aeadOpen(flipBit(key, bit), nonce, sealed, aad)).toBeNull();
          expect(m.aeadOpen(key, flipBit(nonce, bit), sealed, aad)).toBeNull();
          if (aad.length > 0) expect(m.aeadOpen(key, nonce, sealed, flipBit(aad, bit))).toBeNull();
          expect(m.aeadOpen(key, nonce, sealed.subarray(0, sealed.length - 1), aad)).toBeNull();
        },
      ),
      RUNS,
    );
  });

  it('a wrong key gives null', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), bytes(12), anyBytes(300), (key, other, nonce, pt) => {
        fc.pre(!key.every((x, i) => x === other[i]));
        expect(m.aeadOpen(other, nonce, m.aeadSeal(key, nonce, pt))).toBeNull();
      }),
      RUNS,
    );
  });

  it('aead, hkdf, sha256 and hmac are the real functions', () => {
    fc.assert(
      fc.property(anyBytes(100), anyBytes(100), anyBytes(100), (a, b, c) => {
        const key = m.sha256(a);
        const nonce = key.subarray(0, 12);
        expect(m.aeadSeal(key, nonce, b, c)).toEqual(nodeSuite.aeadSeal(key, nonce, b, c));
        expect(m.hkdf(a, b, c, 64)).toEqual(nodeSuite.hkdf(a, b, c, 64));
        expect(m.sha256(a)).toEqual(nodeSuite.sha256(a));
        expect(m.hmacSha256(a, b)).toEqual(nodeSuite.hmacSha256(a, b));
      }),
      RUNS,
    );
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    const s = new Uint8Array(32).fill(9);
    const msg = new TextEncoder().encode('same');
    expect(m.ed25519Sign(s, msg)).toEqual(m.ed25519Sign(s.slice(), msg.slice()));
    expect(m.aeadSeal(s, s.subarray(0, 12), msg)).toEqual(m.aeadSeal(s, s.subarray(0, 12), msg));
  });
});
