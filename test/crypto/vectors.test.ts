/**
 * Published vectors, run against both real suites. A vector failing on both is far more likely
 * a transcription error than two independent implementations agreeing on a wrong answer; the
 * fix is to the vector, checked against the RFC text, never to the assertion.
 */
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';

const hex = (text: string): Uint8Array =>
  new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const range = (from: number, to: number): Uint8Array =>
  Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** RFC 7748 §5.2: X25519(scalar, u). */
const X25519_VECTORS = [
  {
    scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
    u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
    out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
  },
  {
    scalar: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
    u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
    out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
  },
];

/** RFC 7748 §6.1: the Alice/Bob exchange. */
const DH = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPrivate: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

/** RFC 8032 §7.1 TEST 1–3. */
const ED25519_VECTORS = [
  {
    name: 'TEST 1 (empty message)',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

/** RFC 8439 §2.8.2: AEAD_CHACHA20_POLY1305. */
const AEAD = {
  key: range(0x80, 0x9f),
  nonce: hex('07000000 4041424344454647'),
  aad: hex('50515253c0c1c2c3c4c5c6c7'),
  plaintext: ascii(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

/** RFC 5869 Appendix A.1–A.3: HKDF-SHA256. */
const HKDF_VECTORS = [
  {
    name: 'A.1 basic',
    ikm: hex('0b'.repeat(22)),
    salt: range(0x00, 0x0c),
    info: range(0xf0, 0xf9),
    length: 42,
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'A.2 longer inputs and outputs',
    ikm: range(0x00, 0x4f),
    salt: range(0x60, 0xaf),
    info: range(0xb0, 0xff),
    length: 82,
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
      '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
      'cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'A.3 empty salt and info',
    ikm: hex('0b'.repeat(22)),
    salt: new Uint8Array(0),
    info: new Uint8Array(0),
    length: 42,
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
];

/**
 * X25519 inputs whose result is all zero (RFC 7748 §6.1): 0, 1, the two order-8 points,
 * p − 1, p, p + 1, each also with the top bit set (ignored, §5).
 */
const LOW_ORDER_U = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].flatMap((u) => [u, u.slice(0, 62) + (parseInt(u.slice(62), 16) | 0x80).toString(16)]);

describe.each([nobleSuite, nodeSuite])('$name suite: published vectors', (suite: CryptoSuite) => {
  it.each(X25519_VECTORS)('RFC 7748 §5.2: X25519($scalar, $u)', ({ scalar, u, out }) => {
    expect(toHex(suite.x25519(hex(scalar), hex(u)))).toBe(out);
  });

  it('RFC 7748 §5.2: X25519 iterated 1 and 1000 times from k = u = 9', () => {
    let k: Uint8Array = new Uint8Array(32);
    let u: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    u[0] = 9;
    const after: string[] = [];
    for (let i = 1; i <= 1000; i++) {
      const next = suite.x25519(k, u);
      if (next === null) throw new Error('unexpected low-order result');
      u = k;
      k = next;
      if (i === 1 || i === 1000) after.push(toHex(k) as string);
    }
    expect(after).toEqual([
      '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
      '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51',
    ]);
  });

  it('RFC 7748 §6.1: Alice and Bob derive the published keys and shared secret', () => {
    expect(toHex(suite.x25519PublicKey(hex(DH.alicePrivate)))).toBe(DH.alicePublic);
    expect(toHex(suite.x25519PublicKey(hex(DH.bobPrivate)))).toBe(DH.bobPublic);
    expect(toHex(suite.x25519(hex(DH.alicePrivate), hex(DH.bobPublic)))).toBe(DH.shared);
    expect(toHex(suite.x25519(hex(DH.bobPrivate), hex(DH.alicePublic)))).toBe(DH.shared);
  });

  it('RFC 7748 §6.1: every low-order peer key gives null, not an all-zero secret', () => {
    for (const u of LOW_ORDER_U) expect(suite.x25519(hex(DH.alicePrivate), hex(u)), u).toBeNull();
  });

  it.each(ED25519_VECTORS)('RFC 8032 §7.1 $name', (vector) => {
    const secret = hex(vector.secret);
    const message = hex(vector.message);
    expect(toHex(suite.ed25519PublicKey(secret))).toBe(vector.public);
    expect(toHex(suite.ed25519Sign(secret, message))).toBe(vector.signature);
    expect(suite.ed25519Verify(hex(vector.public), message, hex(vector.signature))).toBe(true);
    const tampered = hex(vector.signature);
    tampered[0] = (tampered[0] as number) ^ 1;
    expect(suite.ed25519Verify(hex(vector.public), message, tampered)).toBe(false);
  });

  it('RFC 8439 §2.8.2: AEAD seal gives the published ciphertext and tag, open inverts it', () => {
    const sealed = suite.aeadSeal(AEAD.key, AEAD.nonce, AEAD.plaintext, AEAD.aad);
    expect(toHex(sealed)).toBe(AEAD.ciphertext + AEAD.tag);
    expect(suite.aeadOpen(AEAD.key, AEAD.nonce, sealed, AEAD.aad)).toEqual(AEAD.plaintext);
    expect(suite.aeadOpen(AEAD.key, AEAD.nonce, sealed, new Uint8Array(0))).toBeNull();
  });

  it.each(HKDF_VECTORS)('RFC 5869 $name', ({ ikm, salt, info, length, okm }) => {
    expect(toHex(suite.hkdf(ikm, salt, info, length))).toBe(okm);
  });

  it('FIPS 180-2 B.1: SHA-256("abc")', () => {
    expect(toHex(suite.sha256(ascii('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('RFC 4231 §4.3 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?")', () => {
    expect(toHex(suite.hmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
