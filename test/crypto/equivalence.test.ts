/**
 * The node:crypto suite against the noble reference: byte-identical outputs and identical
 * accept/reject decisions for random inputs, plus the crafted Ed25519 edge cases where
 * OpenSSL and noble disagree unless the suites align them (check.ts Rule 3, noble.ts Rule 2).
 * The last block checks that all three suites share one checked edge.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/modelled.js';
import { nobleSuite } from '../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { CryptoInputError, type CryptoSuite } from '../../src/engine/crypto/suite.js';

const SLOW = { numRuns: 200 };
const FAST = { numRuns: 500 };

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const anyBytes = (maxLength: number) => fc.uint8Array({ maxLength });
const secret = bytes(32);
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const out = data.slice();
  const index = Math.floor(bit / 8) % out.length;
  out[index] = (out[index] as number) ^ (1 << (bit % 8));
  return out;
}

/** Both suites give the same value (Uint8Array, null or boolean), compared as plain data. */
function same<T extends unknown[]>(call: (suite: CryptoSuite, ...args: T) => unknown, ...args: T) {
  const plain = (value: unknown) => (value instanceof Uint8Array ? Array.from(value) : value);
  const fromNoble = call(nobleSuite, ...args);
  const fromNode = call(nodeSuite, ...args);
  expect(plain(fromNode)).toEqual(plain(fromNoble));
  if (fromNoble instanceof Uint8Array)
    expect(Object.getPrototypeOf(fromNode)).toBe(Uint8Array.prototype);
  return fromNoble;
}

describe('node suite equals noble suite on random inputs', () => {
  it('x25519PublicKey', () => {
    fc.assert(
      fc.property(secret, (s) => void same((c, x) => c.x25519PublicKey(x), s)),
      SLOW,
    );
  });

  it('x25519 with any 32-byte peer key (top bit and low order included)', () => {
    fc.assert(
      fc.property(secret, bytes(32), (s, peer) => void same((c, a, b) => c.x25519(a, b), s, peer)),
      SLOW,
    );
  });

  it('x25519: both sides of an exchange agree', () => {
    fc.assert(
      fc.property(secret, secret, (a, b) => {
        const forward = same((c, x, y) => c.x25519(x, c.x25519PublicKey(y)), a, b);
        const backward = same((c, x, y) => c.x25519(x, c.x25519PublicKey(y)), b, a);
        expect(forward).toEqual(backward);
      }),
      { numRuns: 50 },
    );
  });

  it('ed25519PublicKey and ed25519Sign', () => {
    fc.assert(
      fc.property(secret, anyBytes(300), (s, m) => {
        same((c, x) => c.ed25519PublicKey(x), s);
        same((c, x, y) => c.ed25519Sign(x, y), s, m);
      }),
      SLOW,
    );
  });

  it('ed25519Verify: valid signatures pass, any flipped bit fails, in both', () => {
    fc.assert(
      fc.property(
        secret,
        anyBytes(300),
        fc.nat(),
        fc.constantFrom('message', 'signature', 'key'),
        (s, m, bit, where) => {
          const pub = nodeSuite.ed25519PublicKey(s);
          const sig = nodeSuite.ed25519Sign(s, m);
          expect(same((c) => c.ed25519Verify(pub, m, sig))).toBe(true);
          const message = where === 'message' && m.length > 0 ? flipBit(m, bit) : m;
          const signature = where === 'signature' || m.length === 0 ? flipBit(sig, bit) : sig;
          const key = where === 'key' ? flipBit(pub, bit) : pub;
          expect(same((c) => c.ed25519Verify(key, message, signature))).toBe(false);
        },
      ),
      SLOW,
    );
  });

  it('ed25519Verify: random keys and signatures get the same answer (false)', () => {
    fc.assert(
      fc.property(bytes(32), anyBytes(64), bytes(64), (key, m, sig) => {
        expect(same((c) => c.ed25519Verify(key, m, sig))).toBe(false);
      }),
      SLOW,
    );
  });

  it('aeadSeal and aeadOpen, including tampered input and wrong aad', () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(12),
        anyBytes(2000),
        anyBytes(64),
        fc.nat(),
        (key, nonce, plaintext, aad, bit) => {
          const sealed = same((c) => c.aeadSeal(key, nonce, plaintext, aad)) as Uint8Array;
          expect(same((c) => c.aeadOpen(key, nonce, sealed, aad))).toEqual(plaintext);
          expect(same((c) => c.aeadOpen(key, nonce, flipBit(sealed, bit), aad))).toBeNull();
          const otherAad = aad.length > 0 ? flipBit(aad, bit) : Uint8Array.of(0);
          expect(same((c) => c.aeadOpen(key, nonce, sealed, otherAad))).toBeNull();
          expect(same((c) => c.aeadOpen(key, nonce, sealed.subarray(0, bit % 16)))).toBeNull();
        },
      ),
      FAST,
    );
  });

  it('hkdf, including info beyond 1 KiB and long outputs', () => {
    fc.assert(
      fc.property(
        anyBytes(100),
        anyBytes(100),
        anyBytes(1500),
        fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(8160)),
        (ikm, salt, info, length) => void same((c) => c.hkdf(ikm, salt, info, length)),
      ),
      FAST,
    );
  });

  it('sha256 and hmacSha256 (keys shorter and longer than a block)', () => {
    fc.assert(
      fc.property(anyBytes(200), anyBytes(5000), (key, data) => {
        same((c) => c.sha256(data));
        same((c) => c.hmacSha256(key, data));
      }),
      FAST,
    );
  });

  it('hmacSha256Keyed equals hmacSha256 in every suite, called again and again', () => {
    fc.assert(
      fc.property(anyBytes(200), fc.array(anyBytes(300), { maxLength: 6 }), (key, inputs) => {
        for (const suite of [nobleSuite, nodeSuite, modelledSuite]) {
          const keyed = suite.hmacSha256Keyed(key);
          for (const data of inputs)
            expect(Array.from(keyed(data))).toEqual(Array.from(nobleSuite.hmacSha256(key, data)));
        }
      }),
      FAST,
    );
  });
});

describe('node suite key caches change speed, never results', () => {
  it('keys used many times, across admissions and evictions, give the same bytes', () => {
    const secrets = Array.from({ length: 1100 }, (_, i) => {
      const s = new Uint8Array(32);
      new DataView(s.buffer).setUint32(0, i + 1);
      return s;
    });
    const own = hex('33'.repeat(32));
    const message = new TextEncoder().encode('cache');
    const first = secrets.map((s) => {
      const pub = nodeSuite.x25519PublicKey(s);
      const edPub = nodeSuite.ed25519PublicKey(s);
      return { pub, edPub, sig: nodeSuite.ed25519Sign(s, message), dh: nodeSuite.x25519(own, pub) };
    });
    // Three more rounds: the third use admits private keys, 1,100 keys overflow every cache.
    for (let round = 0; round < 3; round++) {
      secrets.forEach((s, i) => {
        const want = first[i]!;
        expect(nodeSuite.x25519PublicKey(s)).toEqual(want.pub);
        expect(nodeSuite.ed25519Sign(s, message)).toEqual(want.sig);
        expect(nodeSuite.x25519(own, want.pub)).toEqual(want.dh);
        expect(nodeSuite.x25519(s, nodeSuite.x25519PublicKey(own))).toEqual(want.dh);
        expect(nodeSuite.ed25519Verify(want.edPub, message, want.sig)).toBe(true);
        expect(nodeSuite.ed25519Verify(want.edPub, message, flipBit(want.sig, i))).toBe(false);
      });
    }
    for (const i of [0, 1, 550, 1099]) {
      const want = first[i]!;
      expect(nobleSuite.x25519(own, want.pub)).toEqual(want.dh);
      expect(nobleSuite.ed25519Sign(secrets[i]!, message)).toEqual(want.sig);
    }
  });
});

describe('Ed25519 edge cases where OpenSSL and noble differ unless aligned', () => {
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const Point = ed25519.Point;
  const torsion8 = Point.fromBytes(
    hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
  );
  const leToBig = (b: Uint8Array) =>
    BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'));
  const bigToLe = (n: bigint) => hex(n.toString(16).padStart(64, '0')).reverse();
  const message = new TextEncoder().encode('edge');

  it('small-order and non-canonical public keys are refused by both', () => {
    // With A of small order and S = 0, R = [S]B − [k]A is small order too; OpenSSL's raw check
    // would accept (e.g. A = R = identity), so the shared edge must refuse these keys.
    const identity = hex('01' + '00'.repeat(31));
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    const keys = [
      '0100000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000080',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0000000000000000000000000000000000000000000000000000000000000080',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p (y = 0)
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1 (y = 1)
      'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    ];
    for (const key of keys) {
      expect(
        same((c) => c.ed25519Verify(hex(key), message, forged)),
        key,
      ).toBe(false);
    }
  });

  it('S + L (non-canonical S) is refused by both', () => {
    const s = hex('11'.repeat(32));
    const sig = nodeSuite.ed25519Sign(s, message);
    const bigS = leToBig(sig.subarray(32)) + L;
    const malleated = sig.slice();
    malleated.set(bigToLe(bigS), 32);
    expect(same((c) => c.ed25519Verify(nodeSuite.ed25519PublicKey(s), message, malleated))).toBe(
      false,
    );
  });

  /**
   * A signature made from raw scalars: public key aB (+ T8 when `keyTorsion`), nonce point rB
   * (+ T8 when `nonceTorsion`), S = r + k·a mod L with k = SHA-512(R‖A‖M) mod L (RFC 8032 §5.1.6).
   */
  function craft(a: bigint, r: bigint, m: Uint8Array, keyTorsion: boolean, nonceTorsion: boolean) {
    const A = keyTorsion ? Point.BASE.multiply(a).add(torsion8) : Point.BASE.multiply(a);
    const R = nonceTorsion ? Point.BASE.multiply(r).add(torsion8) : Point.BASE.multiply(r);
    const key = A.toBytes();
    const rBytes = R.toBytes();
    const k = leToBig(sha512(new Uint8Array([...rBytes, ...key, ...m]))) % L;
    const sig = new Uint8Array([...rBytes, ...bigToLe((r + k * a) % L)]);
    return { key, sig, k };
  }
  const scalar = fc.bigInt({ min: 1n, max: L - 1n });

  it('crafted signatures without torsion verify in both (the crafting is right)', () => {
    fc.assert(
      fc.property(scalar, scalar, anyBytes(40), (a, r, m) => {
        const { key, sig } = craft(a, r, m, false, false);
        expect(same((c) => c.ed25519Verify(key, m, sig))).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('R with an order-8 component: noble alone would accept (cofactored), both suites refuse', () => {
    fc.assert(
      fc.property(scalar, scalar, anyBytes(40), (a, r, m) => {
        const { key, sig } = craft(a, r, m, false, true);
        expect(ed25519.verify(sig, m, key, { zip215: false })).toBe(true);
        expect(same((c) => c.ed25519Verify(key, m, sig))).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('public key with an order-8 component: both accept exactly when 8 divides k', () => {
    const outcomes = new Set<boolean>();
    fc.assert(
      fc.property(scalar, scalar, anyBytes(40), (a, r, m) => {
        const { key, sig, k } = craft(a, r, m, true, false);
        expect(ed25519.verify(sig, m, key, { zip215: false })).toBe(true);
        const accepted = same((c) => c.ed25519Verify(key, m, sig));
        expect(accepted).toBe(k % 8n === 0n);
        outcomes.add(accepted as boolean);
      }),
      { numRuns: 80 },
    );
    // Both branches were exercised (each run has a 1 in 8 chance of 8 | k).
    expect(outcomes.size).toBe(2);
  });
});

describe.each([nobleSuite, nodeSuite, modelledSuite])('$name suite: the checked edge', (suite) => {
  const k32 = new Uint8Array(32);
  const n12 = new Uint8Array(12);
  const empty = new Uint8Array(0);

  it('wrong secret, key or nonce lengths from our own code throw CryptoInputError', () => {
    const misuse: Array<() => unknown> = [
      () => suite.x25519PublicKey(new Uint8Array(31)),
      () => suite.x25519(new Uint8Array(33), k32),
      () => suite.x25519(k32, new Uint8Array(31)),
      () => suite.ed25519PublicKey(new Uint8Array(64)),
      () => suite.ed25519Sign(new Uint8Array(31), empty),
      () => suite.aeadSeal(new Uint8Array(16), n12, empty),
      () => suite.aeadSeal(k32, new Uint8Array(24), empty),
      () => suite.aeadOpen(k32, new Uint8Array(8), new Uint8Array(32)),
      () => suite.hkdf(empty, empty, empty, 8161),
      () => suite.hkdf(empty, empty, empty, -1),
      () => suite.hkdf(empty, empty, empty, 1.5),
      () => suite.sha256('abc' as unknown as Uint8Array),
    ];
    for (const call of misuse) expect(call).toThrow(CryptoInputError);
  });

  it('malformed remote input never throws: verify says false, open says null', () => {
    const pub = suite.ed25519PublicKey(k32);
    const sig = suite.ed25519Sign(k32, empty);
    expect(suite.ed25519Verify(pub, empty, sig)).toBe(true);
    expect(suite.ed25519Verify(pub.subarray(0, 31), empty, sig)).toBe(false);
    expect(suite.ed25519Verify(pub, empty, sig.subarray(0, 63))).toBe(false);
    expect(suite.ed25519Verify(pub, empty, new Uint8Array([...sig, 0]))).toBe(false);
    expect(suite.aeadOpen(k32, n12, new Uint8Array(15))).toBeNull();
    expect(suite.aeadOpen(k32, n12, suite.aeadSeal(k32, n12, empty))).toEqual(empty);
  });
});
