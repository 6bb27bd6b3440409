/**
 * Anti-entropy digests (src/engine/directory/digest.ts): a Bloom filter never claims to
 * lack a record it was built from (so a sync answer never resends what the requester
 * holds), its false-positive rate stays near the ~1.2% it is sized for, a fresh salt moves
 * the false positives (so a record missed once is sent next round), and a large directory
 * is covered in slices that partition it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  DIGEST_RECORDS_PER_SLICE,
  digestCovers,
  digestHolds,
  idHashOf,
  slicesFor,
  type DigestKey,
} from '../../src/engine/directory/digest.js';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { openRecord, signDescriptor } from '../../src/engine/directory/records.js';
import { DIRECTORY_DIGEST_MAX_BYTES } from '../../src/engine/wire/limits.js';
import { seededIdentity } from '../support/identities.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/directory/digest.test.ts';

/** Distinct node-ID-like strings (32 base32 characters). */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
function ids(count: number, seed: number): string[] {
  const out: string[] = [];
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    let id = '';
    for (let c = 0; c < 32; c++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      id += ALPHABET[(x >>> 0) % 32];
    }
    out.push(id);
  }
  return out;
}

/** A record key as a Descriptor carries it, with its ID kept for the test's own bookkeeping. */
function key(id: string, issued: number): DigestKey & { id: string } {
  return { id, issued, ...idHashOf(id) };
}

describe('directory digest', () => {
  it('never claims to lack a record it holds (any records, salt, issue times)', () => {
    checkProperty(
      FILE,
      'no false negatives',
      fc.property(
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        (count, salt, issued) => {
          const keys = ids(count, salt ^ count).map((id, i) =>
            key(id, issued - i * 7 >= 0 ? issued - i * 7 : i),
          );
          const digest = buildDigest(keys, salt, 1, 0);
          expect(digest.bits.length).toBeGreaterThan(0);
          expect(digest.bits.length).toBeLessThanOrEqual(DIRECTORY_DIGEST_MAX_BYTES);
          for (const k of keys) expect(digestHolds(digest, k)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('has about 1% false positives, different ones under a different salt', () => {
    const held = ids(2_000, 1).map((id) => key(id, 1_000));
    const absent = ids(22_000, 2)
      .slice(2_000)
      .map((id) => key(id, 1_000));
    const falsePositives = (salt: number): Set<string> => {
      const digest = buildDigest(held, salt, 1, 0);
      return new Set(absent.filter((k) => digestHolds(digest, k)).map((k) => k.id));
    };
    const a = falsePositives(11);
    const b = falsePositives(12);
    // Sized for ~1.2%: 20,000 absent records give ~240; allow a wide band.
    expect(a.size / absent.length).toBeGreaterThan(0.005);
    expect(a.size / absent.length).toBeLessThan(0.025);
    const both = [...a].filter((id) => b.has(id)).length;
    expect(both).toBeLessThan(a.size / 4);
  });

  it('a newer descriptor of a node we hold is not held (the key includes the issue time)', () => {
    const held = ids(500, 3).map((id) => key(id, 5_000));
    const digest = buildDigest(held, 77, 1, 0);
    const newer = held.filter(({ id }) => !digestHolds(digest, key(id, 6_000))).length;
    expect(newer / held.length).toBeGreaterThan(0.95);
  });

  it('covers a large directory in slices that partition it, each filter within the limit', () => {
    const count = 3 * DIGEST_RECORDS_PER_SLICE + 10;
    const keys = ids(count, 4).map((id) => key(id, 1));
    const slices = slicesFor(count);
    expect(slices).toBe(4);
    const salt = 99;
    let covered = 0;
    for (let slice = 0; slice < slices; slice++) {
      const digest = buildDigest(keys, salt, slices, slice);
      expect(digest.bits.length).toBeLessThanOrEqual(DIRECTORY_DIGEST_MAX_BYTES);
      for (const k of keys) {
        if (!digestCovers(digest, k)) continue;
        covered += 1;
        expect(digestHolds(digest, k)).toBe(true);
      }
    }
    expect(covered).toBe(count); // every record in exactly one slice
  });

  it('a descriptor carries its ID hash, signed here or opened from bytes', () => {
    for (const seed of [1, 2, 3]) {
      const me = seededIdentity(modelledSuite, seed);
      const fields = { address: '10.0.0.1:7000', relay: true, issued: 5, expires: 9 };
      const signed = signDescriptor(modelledSuite, me, fields);
      const opened = openRecord(modelledSuite, signed.bytes);
      if (typeof opened === 'string' || opened.kind !== 'descriptor')
        throw new Error(String(opened));
      const expected = idHashOf(me.id);
      expect({ idHashA: signed.idHashA, idHashB: signed.idHashB }).toEqual(expected);
      expect({ idHashA: opened.idHashA, idHashB: opened.idHashB }).toEqual(expected);
      expect(expected.idHashA).not.toBe(expected.idHashB);
    }
  });
});
