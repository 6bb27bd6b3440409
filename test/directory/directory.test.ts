/**
 * Directory records and the directory itself: only records whose signature verifies and
 * whose times make sense get in; revocations win over older descriptors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite, nodeSuite } from '../../src/engine/crypto/index.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { Directory } from '../../src/engine/directory/directory.js';
import { openRecord, signDescriptor, signRevocation } from '../../src/engine/directory/records.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';
import { seededIdentity } from '../support/identities.js';
import { checkProperty } from '../support/property.js';

const LIMITS = { entriesMax: 3, descriptorLifetimeMaxMs: 3_600_000, clockSkewMs: 10_000 };

function identity(suite: CryptoSuite, seed: number): Identity {
  return identityFromSecrets(
    suite,
    new Uint8Array(32).fill(seed),
    new Uint8Array(32).fill(seed + 100),
  );
}

function descriptor(
  suite: CryptoSuite,
  who: Identity,
  issued: number,
  lifetime = 600_000,
  address = '10.0.0.1:7000',
) {
  return signDescriptor(suite, who, { address, relay: true, issued, expires: issued + lifetime });
}

describe.each([
  ['node', nodeSuite],
  ['modelled', modelledSuite],
] as const)('directory records (%s suite)', (_name, suite) => {
  const alice = identity(suite, 1);

  it('a signed descriptor opens to the same fields and the signer’s node ID', () => {
    const d = descriptor(suite, alice, 1_000);
    const opened = openRecord(suite, d.bytes);
    expect(opened).toMatchObject({
      kind: 'descriptor',
      id: alice.id,
      address: '10.0.0.1:7000',
      relay: true,
      issued: 1_000,
    });
  });

  it('any flipped bit makes the record forged or malformed, never accepted', () => {
    const d = descriptor(suite, alice, 1_000);
    checkProperty(
      'test/directory/directory.test.ts',
      'any flipped bit',
      fc.property(fc.nat(d.bytes.length * 8 - 1), (bit) => {
        const bytes = d.bytes.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const directory = new Directory(suite, LIMITS);
        const outcome = directory.acceptBytes(bytes, 2_000);
        expect(['forged', 'malformed']).toContain(outcome);
        expect(directory.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('truncated or padded records are malformed', () => {
    const d = descriptor(suite, alice, 1_000);
    const directory = new Directory(suite, LIMITS);
    expect(directory.acceptBytes(d.bytes.subarray(0, d.bytes.length - 1), 2_000)).not.toBe('new');
    expect(directory.acceptBytes(new Uint8Array([...d.bytes, 0]), 2_000)).not.toBe('new');
    expect(directory.acceptBytes(new Uint8Array(0), 2_000)).toBe('malformed');
  });
});

describe('directory', () => {
  const suite = modelledSuite;
  const alice = identity(suite, 1);
  const bob = identity(suite, 2);

  it('accepts a fresh descriptor, knows it again, replaces it with a newer one, refuses an older one', () => {
    const directory = new Directory(suite, LIMITS);
    const d1 = descriptor(suite, alice, 1_000);
    const d2 = descriptor(suite, alice, 2_000);
    expect(directory.acceptBytes(d1.bytes, 1_500)).toBe('new');
    expect(directory.acceptBytes(d1.bytes, 1_600)).toBe('known');
    expect(directory.acceptBytes(d2.bytes, 2_500)).toBe('updated');
    expect(directory.acceptBytes(d1.bytes, 2_600)).toBe('stale');
    expect(directory.get(alice.id)?.issued).toBe(2_000);
  });

  it('refuses expired descriptors, ones issued in the future and ones claiming too long a life', () => {
    const directory = new Directory(suite, LIMITS);
    expect(directory.acceptBytes(descriptor(suite, alice, 1_000, 500).bytes, 2_000)).toBe(
      'expired',
    );
    expect(directory.acceptBytes(descriptor(suite, alice, 100_000).bytes, 50_000)).toBe('stale');
    expect(directory.acceptBytes(descriptor(suite, alice, 1_000, 7_200_000).bytes, 2_000)).toBe(
      'stale',
    );
    expect(directory.size).toBe(0);
    expect(directory.counters.expired).toBe(1);
  });

  it('drops descriptors when they expire', () => {
    const directory = new Directory(suite, LIMITS);
    directory.acceptBytes(descriptor(suite, alice, 1_000, 10_000).bytes, 1_000);
    directory.prune(10_999);
    expect(directory.size).toBe(1);
    directory.prune(11_000);
    expect(directory.size).toBe(0);
  });

  it('a revocation removes the descriptor and keeps an older copy from coming back', () => {
    const directory = new Directory(suite, LIMITS);
    const d = descriptor(suite, alice, 1_000);
    directory.acceptBytes(d.bytes, 1_000);
    expect(directory.acceptBytes(signRevocation(suite, alice, 2_000).bytes, 2_000)).toBe('revoked');
    expect(directory.get(alice.id)).toBeUndefined();
    expect(directory.acceptBytes(d.bytes, 3_000)).toBe('stale');
    // A descriptor issued after the revocation (the node came back) is accepted.
    expect(directory.acceptBytes(descriptor(suite, alice, 4_000).bytes, 4_000)).toBe('new');
  });

  it('is bounded: a new node beyond capacity is refused and counted', () => {
    const directory = new Directory(suite, LIMITS);
    for (let i = 1; i <= 3; i++)
      directory.acceptBytes(descriptor(suite, identity(suite, 10 + i), 1_000).bytes, 1_000);
    expect(directory.acceptBytes(descriptor(suite, bob, 1_000).bytes, 1_000)).toBe('full');
    expect(directory.size).toBe(3);
    expect(directory.counters.full).toBe(1);
  });

  it('resolves a destination by node ID, alias, IP:port and IP alone', () => {
    const directory = new Directory(suite, LIMITS);
    directory.acceptBytes(descriptor(suite, alice, 1_000, 600_000, '10.0.0.1:7000').bytes, 1_000);
    directory.acceptBytes(descriptor(suite, bob, 1_000, 600_000, '10.0.0.2:7000').bytes, 1_000);
    expect(directory.resolve(alice.id)?.id).toBe(alice.id);
    expect(directory.resolve(alice.id.toUpperCase())?.id).toBe(alice.id);
    expect(directory.resolve('10.0.0.2:7000')?.id).toBe(bob.id);
    expect(directory.resolve('10.0.0.2')?.id).toBe(bob.id);
    expect(directory.resolve('bob', (a) => (a === 'bob' ? bob.id : undefined))?.id).toBe(bob.id);
    expect(directory.resolve('10.0.0.9:7000')).toBeUndefined();
    expect(directory.resolve('not an address!')).toBeUndefined();
  });

  it('an IP alone naming several nodes is ambiguous', () => {
    const directory = new Directory(suite, LIMITS);
    directory.acceptBytes(descriptor(suite, alice, 1_000, 600_000, '10.0.0.1:7000').bytes, 1_000);
    directory.acceptBytes(descriptor(suite, bob, 1_000, 600_000, '10.0.0.1:7001').bytes, 1_000);
    expect(directory.resolve('10.0.0.1')).toBeUndefined();
    expect(directory.resolve('10.0.0.1:7001')?.id).toBe(bob.id);
  });
});

describe('directories sharing the slot scratch (directory.ts, sharedSlots)', () => {
  const suite = modelledSuite;
  const filled = (count: number, firstSeed: number): Directory => {
    const directory = new Directory(suite, { ...LIMITS, entriesMax: count });
    for (let i = 0; i < count; i++) {
      const d = descriptor(suite, seededIdentity(suite, firstSeed + i), 1_000);
      expect(directory.acceptBytes(d.bytes, 1_000)).toBe('new');
    }
    return directory;
  };

  it('a large and a small directory, used in turn, each hand out exactly their own records', () => {
    // Larger than the scratch's first size, so that it grows between the small one's calls.
    const small = filled(3, 1);
    const large = filled(1_500, 100);
    const heldBy = (d: Directory) => new Set(d.ids());
    const handedOut = (d: Directory) =>
      new Set(d.records(2_000).map((bytes) => (openRecord(suite, bytes) as { id: string }).id));
    expect(handedOut(small)).toEqual(heldBy(small));
    expect(handedOut(large)).toEqual(heldBy(large));
    expect(handedOut(small)).toEqual(heldBy(small));
    // A digest of the small one names none of the large one's records.
    const digest = small.digest(2_000, 12345, 0);
    const missing = large.missingFrom(2_000, digest);
    const slices = digest.slices;
    expect(slices).toBe(1);
    expect(missing.length).toBeGreaterThan(1_500 * 0.95); // ~1% false positives
  });
});
