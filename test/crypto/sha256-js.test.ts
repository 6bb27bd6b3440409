/**
 * The JavaScript SHA-256 and keyed HMAC (src/engine/crypto/sha256-js.ts) against
 * node:crypto: byte-identical for keys and data of every length around the block size
 * (55, 56, 63, 64, 65 bytes pad differently), and a keyed function gives the same answers
 * however many times and in whatever order it is called (its state is reset per call).
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedHmacSha256Js, sha256Js } from '../../src/engine/crypto/sha256-js.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const opensslSha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const opensslHmac = (key: Uint8Array, data: Uint8Array): string =>
  createHmac('sha256', key).update(data).digest('hex');
const filled = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 17 + 7) & 0xff);

/** Lengths on each side of the one- and two-block padding limits, and multi-block ones. */
const EDGE_LENGTHS = [0, 1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200, 1000];

describe('sha256Js', () => {
  it('FIPS 180-2 B.1 and B.2', () => {
    expect(hex(sha256Js(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      hex(
        sha256Js(
          new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        ),
      ),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('equals node:crypto at every padding edge', () => {
    for (const length of EDGE_LENGTHS) {
      const data = filled(length, length);
      expect(hex(sha256Js(data)), `length ${length}`).toBe(opensslSha256(data));
    }
  });

  it('equals node:crypto on random data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        expect(hex(sha256Js(data))).toBe(opensslSha256(data));
      }),
      { numRuns: 500 },
    );
  });
});

describe('keyedHmacSha256Js', () => {
  it('RFC 4231 test cases 2 and 6 (a key longer than a block)', () => {
    const ascii = (text: string) => new TextEncoder().encode(text);
    expect(hex(keyedHmacSha256Js(ascii('Jefe'))(ascii('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    const longKey = new Uint8Array(131).fill(0xaa);
    const data = ascii('Test Using Larger Than Block-Size Key - Hash Key First');
    expect(hex(keyedHmacSha256Js(longKey)(data))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('equals node:crypto for keys and data at every padding edge', () => {
    for (const keyLength of EDGE_LENGTHS) {
      const key = filled(keyLength, 1);
      const mac = keyedHmacSha256Js(key);
      for (const dataLength of EDGE_LENGTHS) {
        const data = filled(dataLength, 2);
        expect(hex(mac(data)), `key ${keyLength}, data ${dataLength}`).toBe(opensslHmac(key, data));
      }
    }
  });

  it('keyed functions interleaved: each keeps its own key, whatever ran in between', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 150 })), { maxLength: 12 }),
        (keyA, keyB, calls) => {
          const macs = [keyedHmacSha256Js(keyA), keyedHmacSha256Js(keyB)];
          for (const [first, data] of calls) {
            const key = first ? keyA : keyB;
            expect(hex((macs[first ? 0 : 1] as (d: Uint8Array) => Uint8Array)(data))).toBe(
              opensslHmac(key, data),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns a fresh array each call and does not keep the caller’s key', () => {
    const key = filled(32, 3);
    const mac = keyedHmacSha256Js(key);
    const first = mac(filled(10, 4));
    const expected = opensslHmac(filled(32, 3), filled(10, 4));
    key.fill(0); // the caller wipes its key: the keyed function kept midstates, not the bytes
    const second = mac(filled(10, 4));
    expect(second).not.toBe(first);
    expect(hex(first)).toBe(expected);
    expect(hex(second)).toBe(expected);
  });
});
