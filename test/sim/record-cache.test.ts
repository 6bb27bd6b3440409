/**
 * The shared record cache (src/sim/record-cache.ts): it must answer exactly what
 * `openRecord` answers for any bytes, whatever was opened before, while opening each record
 * once and holding it once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { RecordCache } from '../../src/sim/record-cache.js';
import { openRecord, signDescriptor, signRevocation } from '../../src/engine/directory/records.js';
import { identityFromSecrets } from '../../src/engine/identity.js';
import { checkProperty } from '../support/property.js';

const suite = modelledSuite;
const FILE = 'test/sim/record-cache.test.ts';

function identity(seed: number) {
  return identityFromSecrets(
    suite,
    new Uint8Array(32).fill(seed),
    new Uint8Array(32).fill(seed + 100),
  );
}

function descriptorBytes(seed: number, issued: number): Uint8Array {
  return signDescriptor(suite, identity(seed), {
    address: `10.0.${seed}.1:7000`,
    relay: seed % 2 === 0,
    issued,
    expires: issued + 600_000,
  }).bytes;
}

/** What a directory sees of an outcome: the rejection, or the record's fields and bytes. */
function outcome(opened: ReturnType<typeof openRecord>): unknown {
  if (typeof opened === 'string') return opened;
  return {
    ...opened,
    bytes: [...opened.bytes],
    signKey: [...opened.signKey],
    dhKey: [...opened.dhKey],
  };
}

describe('RecordCache', () => {
  it('opens a record once and hands the same frozen record to every later caller', () => {
    const cache = new RecordCache();
    const bytes = descriptorBytes(1, 1_000);
    const first = cache.open(suite, bytes);
    const second = cache.open(suite, bytes.slice()); // another copy of the bytes, as from another frame
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(cache.hits).toBe(1);
    expect(cache.misses).toBe(1);
    expect(outcome(first)).toEqual(outcome(openRecord(suite, bytes)));
  });

  it('keeps its own copy of the bytes, not a view of the frame they came in', () => {
    const frame = new Uint8Array(4096);
    const bytes = descriptorBytes(2, 5_000);
    frame.set(bytes, 100);
    const record = cache().open(suite, frame.subarray(100, 100 + bytes.length));
    if (typeof record === 'string') throw new Error(`expected a record, got ${record}`);
    expect(record.bytes.buffer.byteLength).toBe(bytes.length);
    expect(record.signKey.buffer).toBe(record.bytes.buffer);
    expect(record.dhKey.buffer).toBe(record.bytes.buffer);
  });

  it('refuses a record altered under a valid signature even after the original was cached', () => {
    const c = cache();
    const bytes = descriptorBytes(3, 9_000);
    expect(typeof c.open(suite, bytes)).toBe('object');
    const altered = bytes.slice();
    altered[70] = (altered[70] as number) ^ 0x01; // inside the address, same signature
    expect(c.open(suite, altered)).toBe(openRecord(suite, altered));
    expect(c.open(suite, altered)).not.toBe(c.open(suite, bytes));
  });

  it('drops its oldest entry at capacity and stays bounded', () => {
    const c = new RecordCache(4);
    const all = [1, 2, 3, 4, 5, 6].map((seed) => descriptorBytes(seed, 1_000));
    for (const bytes of all) c.open(suite, bytes);
    expect(c.size).toBe(4);
    c.open(suite, all[0] as Uint8Array); // dropped: opened again
    expect(c.misses).toBe(7);
    c.open(suite, all[5] as Uint8Array); // still held
    expect(c.hits).toBe(1);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RecordCache(0)).toThrow(RangeError);
    expect(() => new RecordCache(1.5)).toThrow(RangeError);
  });

  it('property: the cache answers exactly what openRecord answers, in any order of any bytes', () => {
    const records = [
      descriptorBytes(1, 1_000),
      descriptorBytes(2, 2_000),
      descriptorBytes(1, 3_000),
      signRevocation(suite, identity(2), 4_000).bytes,
    ];
    const input = fc.oneof(
      fc.constantFrom(...records),
      // a cached record with one bit flipped or cut short
      fc.tuple(fc.constantFrom(...records), fc.nat(), fc.nat(7)).map(([r, i, bit]) => {
        const b = r.slice();
        const at = i % b.length;
        b[at] = (b[at] as number) ^ (1 << bit);
        return b;
      }),
      fc.tuple(fc.constantFrom(...records), fc.nat()).map(([r, n]) => r.slice(0, n % r.length)),
      fc.uint8Array({ maxLength: 300 }),
    );
    checkProperty(
      FILE,
      'property: the cache answers exactly what openRecord answers, in any order of any bytes',
      fc.property(
        fc.array(input, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (inputs, capacity) => {
          const c = new RecordCache(capacity);
          for (const bytes of inputs) {
            expect(outcome(c.open(suite, bytes))).toEqual(outcome(openRecord(suite, bytes)));
          }
          expect(c.size).toBeLessThanOrEqual(capacity);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function cache(): RecordCache {
  return new RecordCache();
}
