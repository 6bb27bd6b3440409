import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/engine/base32.js';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** RFC 4648 §10 test vectors, lowercased and without padding. */
const VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'my'],
  ['fo', 'mzxq'],
  ['foo', 'mzxw6'],
  ['foob', 'mzxw6yq'],
  ['fooba', 'mzxw6ytb'],
  ['foobar', 'mzxw6ytboi'],
];

const NON_CANONICAL: [string, string][] = [
  ['MY', 'uppercase'],
  ['my======', 'padding'],
  ['m', 'length 1 mod 8'],
  ['mzx', 'length 3 mod 8'],
  ['mzxw6y', 'length 6 mod 8'],
  ['mz', 'non-zero unused bits'],
  ['mzxr', 'non-zero unused bits'],
  ['m0', 'digit 0 outside the alphabet'],
  ['m1', 'digit 1 outside the alphabet'],
  ['m8', 'digit 8 outside the alphabet'],
  ['m y', 'space'],
  ['m\u00e9', 'non-ASCII'],
  ['m\u0179', 'code unit whose low byte is in the alphabet'],
];

describe('base32', () => {
  it.each(VECTORS)('RFC 4648: %j ⇄ %j', (text, encoded) => {
    expect(base32Encode(ascii(text))).toBe(encoded);
    expect(base32Decode(encoded)).toEqual(ascii(text));
  });

  it.each(NON_CANONICAL)('%j (%s) decodes to null', (text) => {
    expect(base32Decode(text)).toBeNull();
  });

  it('20-byte node IDs are 32 characters', () => {
    expect(base32Encode(new Uint8Array(20).fill(0xff))).toBe('7'.repeat(32));
  });

  it('decode(encode(bytes)) is bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(text.length).toBe(Math.ceil((bytes.length * 8) / 5));
        expect(base32Decode(text)).toEqual(bytes);
      }),
      { numRuns: 2_000 },
    );
  });

  it('whatever decodes is canonical: encode(decode(text)) is text', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz234567ABZ0189=';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 40 }), (letters) => {
        const text = letters.join('');
        const bytes = base32Decode(text);
        if (bytes !== null) expect(base32Encode(bytes)).toBe(text);
      }),
      { numRuns: 5_000 },
    );
  });
});
