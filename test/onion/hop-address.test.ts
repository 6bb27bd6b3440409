/**
 * The next hop's address in a routing slot (src/engine/onion/hop-address.ts): IP literals
 * in canonical text go in and come out the same string, everything else travels as "none",
 * and no 19 bytes from a peer make it throw. The oracle for canonical text is the WHATWG URL
 * parser (RFC 5952 for IPv6), through the reference onion's encoding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHopAddress, writeHopAddress } from '../../src/engine/onion/hop-address.js';
import { HOP_ADDRESS_BYTES } from '../../src/engine/onion/limits.js';
import { checkProperty } from '../support/property.js';
import { someAddress } from './helpers.js';
import { referenceCarried } from './reference.js';

const FILE = 'test/onion/hop-address.test.ts';

function field(address: string | undefined): Uint8Array {
  const out = new Uint8Array(HOP_ADDRESS_BYTES + 4).fill(0xee);
  writeHopAddress(out, 2, address);
  // Only its own 19 bytes are written.
  expect([out[0], out[1], out[HOP_ADDRESS_BYTES + 2], out[HOP_ADDRESS_BYTES + 3]]).toEqual([
    0xee, 0xee, 0xee, 0xee,
  ]);
  return out.subarray(2, 2 + HOP_ADDRESS_BYTES);
}

const carried = (address: string | undefined) => readHopAddress(field(address), 0);

describe('hop addresses', () => {
  it('carries IPv4 and canonical IPv6 addresses exactly', () => {
    expect(carried('10.0.3.7:7000')).toBe('10.0.3.7:7000');
    expect(carried('255.255.255.255:65535')).toBe('255.255.255.255:65535');
    expect(carried('0.0.0.0:1')).toBe('0.0.0.0:1');
    expect(carried('[::1]:7000')).toBe('[::1]:7000');
    expect(carried('[::]:7000')).toBe('[::]:7000');
    expect(carried('[2001:db8::1:0:0:1]:443')).toBe('[2001:db8::1:0:0:1]:443');
    expect(carried('[2001:db8:0:1:1:1:1:1]:443')).toBe('[2001:db8:0:1:1:1:1:1]:443');
    expect(carried('[fe80::]:9')).toBe('[fe80::]:9');
    expect([...field('10.0.3.7:7000')]).toEqual([
      4, 10, 0, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1b, 0x58,
    ]);
  });

  it('carries nothing for anything else, never a different address', () => {
    for (const address of [
      undefined,
      '',
      'relay.example:7000',
      'localhost:7000',
      '10.0.3.7',
      '10.0.3.7:0',
      '10.0.3.7:65536',
      '10.0.3.7:07000',
      '010.0.3.7:7000',
      '256.0.0.1:7000',
      '1.2.3:7000',
      '[::1]',
      '[::1]:0',
      '[::0:1]:7000', // RFC 5952: no leading zeros, longest run compressed
      '[0:0:0:0:0:0:0:1]:7000',
      '[2001:DB8::1]:7000',
      '[2001:db8:0:0:1:0:0:1]:7000', // the first of two equal runs is the one compressed
      '[2001:db8::1:1:1:1:1]:7000', // a single zero group is not compressed
      '[::ffff:1.2.3.4]:7000',
      '[fe80::1%eth0]:7000',
      '[1::2::3]:7000',
      '[1:2:3:4:5:6:7:8:9]:7000',
      '[12345::1]:7000',
      '::1:7000',
      ' 10.0.3.7:7000',
    ]) {
      expect(carried(address), String(address)).toBeUndefined();
      expect(
        [...field(address)].every((byte) => byte === 0),
        String(address),
      ).toBe(true);
    }
  });

  it('agrees with the URL parser on which addresses are carried, and carries them exactly', () =>
    checkProperty(
      FILE,
      'agrees with the URL parser on which addresses are carried, and carries them exactly',
      fc.property(fc.uint8Array({ minLength: 19, maxLength: 19 }), (draw) => {
        const address = someAddress(draw);
        const expected = referenceCarried(address);
        expect(carried(address)).toBe(expected);
        if (expected !== undefined) expect(expected).toBe(address);
      }),
      { numRuns: 2000 },
    ));

  it('reads any 19 bytes as an address, none, or malformed (null), and never throws', () =>
    checkProperty(
      FILE,
      'reads any 19 bytes as an address, none, or malformed (null), and never throws',
      fc.property(
        fc.uint8Array({ minLength: HOP_ADDRESS_BYTES, maxLength: HOP_ADDRESS_BYTES }),
        fc.constantFrom(0, 4, 6, 1, 255),
        (bytes, form) => {
          bytes[0] = form;
          const read = readHopAddress(bytes, 0);
          if (typeof read === 'string') {
            // What reads as an address writes back to the same bytes.
            expect([...field(read)]).toEqual([...bytes]);
          }
        },
      ),
      { numRuns: 2000 },
    ));

  it('names each malformed field', () => {
    const v4 = [4, 10, 0, 3, 7, ...new Array<number>(12).fill(0), 0x1b, 0x58];
    expect(readHopAddress(Uint8Array.from(v4), 0)).toBe('10.0.3.7:7000');
    const bad = (patch: (bytes: number[]) => void) => {
      const bytes = [...v4];
      patch(bytes);
      return readHopAddress(Uint8Array.from(bytes), 0);
    };
    expect(bad((b) => (b[0] = 5))).toBeNull(); // unknown form
    expect(bad((b) => (b[5] = 1))).toBeNull(); // IPv4 padding
    expect(bad((b) => ((b[17] = 0), (b[18] = 0)))).toBeNull(); // port 0
    expect(bad((b) => (b[0] = 0))).toBeNull(); // none, with bytes after it
    expect(readHopAddress(new Uint8Array(HOP_ADDRESS_BYTES), 0)).toBeUndefined();
  });
});
