/**
 * IPv6 literals' text (src/engine/ipv6.ts), against the WHATWG URL parser as the oracle: the
 * groups of every text it accepts, compressed or not, in either case, with a dotted IPv4
 * tail; null for what it refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from '../../src/engine/ipv6.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/engine/ipv6.test.ts';

/** The groups the URL parser reads from `text` (its canonical form, expanded), or null. */
function oracle(text: string): number[] | null {
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = host.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const left = groups(head);
  const right = groups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** Texts of one address: full, zero runs compressed, upper case, a dotted IPv4 tail. */
const spellings = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    }),
    fc.nat(7),
    fc.nat(8),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([groups, from, length, upper, dotted]) => {
    const hex = groups.map((g) => g.toString(16));
    const last = dotted
      ? [`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`]
      : [];
    const parts = dotted ? [...hex.slice(0, 6), ...last] : hex;
    const end = Math.min(parts.length, from + length);
    const text =
      length >= 2 && from < end
        ? `${parts.slice(0, from).join(':')}::${parts.slice(end).join(':')}`
        : parts.join(':');
    return { groups, text: upper ? text.toUpperCase() : text };
  });

describe('parseIpv6', () => {
  it('reads every spelling of an address as its groups, as the URL parser does', () =>
    checkProperty(
      FILE,
      'reads every spelling of an address as its groups, as the URL parser does',
      fc.property(spellings, ({ groups, text }) => {
        // "::" may stand only for zeros: other spellings are malformed, for both.
        const expected = oracle(text);
        expect(parseIpv6(text)).toEqual(expected);
        if (!text.includes('::')) expect(expected).toEqual(groups);
      }),
      { numRuns: 3000 },
    ));

  it.each([
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['fe80::', [0xfe80, 0, 0, 0, 0, 0, 0, 0]],
    ['2001:DB8::7', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 7]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
  ])('%s', (text, groups) => expect(parseIpv6(text)).toEqual(groups));

  it.each([
    '',
    ':',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4::5:6:7:8',
    '12345::1',
    'g::1',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '::256.0.0.1',
    ':1::',
    '1:::2',
    'fe80::1%eth0',
  ])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeNull();
    expect(oracle(text)).toBeNull();
  });
});
