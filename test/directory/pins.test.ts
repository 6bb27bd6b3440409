/**
 * Pins (src/engine/directory/pins.ts): a pending message's target stays in a sampled
 * directory while the message is pending, whatever newcomers arrive; the runtime's pins and
 * the routing layer's holds keep one pin between them; holds never throw.
 */
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { Directory, DirectoryPinError } from '../../src/engine/directory/directory.js';
import { Pins } from '../../src/engine/directory/pins.js';
import { signDescriptor } from '../../src/engine/directory/records.js';
import { sampleRank } from '../../src/engine/directory/sample.js';
import type { Identity } from '../../src/engine/identity.js';
import { seededIdentity } from '../support/identities.js';

const suite = modelledSuite;
const SALT = new Uint8Array(32).fill(3);
const POOL = Array.from({ length: 16 }, (_, i) => seededIdentity(suite, i + 1));
/** The pool by rank under SALT, lowest first. */
const RANKED = [...POOL].sort(
  (a, b) => sampleRank(suite, SALT, a.id) - sampleRank(suite, SALT, b.id),
);

function announce(who: Identity): Uint8Array {
  return signDescriptor(suite, who, {
    address: '10.0.0.1:7000',
    relay: true,
    issued: 1_000,
    expires: 601_000,
  }).bytes;
}

function sampled(k: number, pinnedMax = 8): Directory {
  return new Directory(
    suite,
    {
      entriesMax: 100,
      descriptorLifetimeMaxMs: 3_600_000,
      clockSkewMs: 10_000,
      sampleSize: k,
      pinnedMax,
    },
    SALT,
  );
}

describe('pins', () => {
  it('a held target survives lower-ranked newcomers and unreachable-member replacement; released, it rejoins the sample', () => {
    const d = sampled(2);
    const pins = new Pins(d);
    const target = RANKED[5]!;
    d.acceptBytes(announce(target), 1_000);
    pins.hold(target.id);
    d.memberUnreachable(target.id, 1_000); // not a member while pinned: nothing to give up
    for (const who of RANKED.slice(0, 4)) d.acceptBytes(announce(who), 1_000);
    expect(d.get(target.id)).toBeDefined();
    expect(d.sampled).toBe(2);
    pins.release(target.id);
    // Back in the sample, it ranks above both members: the sample evicts it at once.
    expect(d.get(target.id)).toBeUndefined();
    expect(d.sampled).toBe(2);
  });

  it('counts holds per target, and keeps the runtime’s pin through them', () => {
    const d = sampled(1);
    const pins = new Pins(d);
    const [a, b] = [RANKED[8]!, RANKED[9]!];
    d.acceptBytes(announce(RANKED[0]!), 1_000);
    for (const who of [a, b]) pins.hold(who.id);
    pins.hold(a.id);
    for (const who of [a, b]) d.acceptBytes(announce(who), 1_000);
    pins.release(a.id);
    expect(d.get(a.id)).toBeDefined(); // one hold left
    pins.release(a.id);
    expect(d.get(a.id)).toBeUndefined();
    pins.pin(b.id); // the runtime's pin too
    pins.release(b.id);
    expect(d.get(b.id)).toBeDefined();
    pins.hold(b.id);
    pins.unpin(b.id);
    expect(d.get(b.id)).toBeDefined(); // still held
    pins.release(b.id);
    expect(d.get(b.id)).toBeUndefined();
  });

  it('holds past pinnedMax are counted, never thrown; the runtime’s pin past it throws', () => {
    const d = sampled(1, 2);
    const pins = new Pins(d);
    for (const who of POOL.slice(0, 3)) pins.hold(who.id);
    expect(pins.holdsUnpinned).toBe(1);
    expect(() => pins.pin(POOL[5]!.id)).toThrow(DirectoryPinError);
    for (const who of POOL.slice(0, 3)) pins.release(who.id); // the unpinned one too: no-op
    pins.pin(POOL[5]!.id);
    expect(pins.holdsUnpinned).toBe(1);
  });

  it('a held target is shared with neighbours like a sampled record; the runtime’s pin is not', () => {
    const d = sampled(4);
    const pins = new Pins(d);
    const [held, contact] = [RANKED[0]!, RANKED[1]!];
    for (const who of [held, contact]) d.acceptBytes(announce(who), 1_000);
    const shared = (who: Identity): boolean =>
      d.records(2_000).some((bytes) => bytes === d.get(who.id)!.bytes);
    pins.hold(held.id);
    pins.pin(contact.id);
    expect(shared(held)).toBe(true); // left out, it would show whom we write to
    expect(shared(contact)).toBe(false);
    pins.pin(held.id); // the runtime's pin makes it secret…
    expect(shared(held)).toBe(false);
    pins.unpin(held.id); // …and ending it, while still held, shared again
    expect(shared(held)).toBe(true);
    expect(d.get(held.id)).toBeDefined();
  });
});
