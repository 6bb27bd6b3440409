/**
 * Path choice (routing/path.ts): no repeats, never the source or the target, distinct /16s
 * when the directory allows, the previous attempt's relays avoided when it allows, shorter
 * paths when relays are few, and a uniform draw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/engine/base32.js';
import type { Descriptor } from '../../src/engine/directory/records.js';
import {
  DEFAULT_ROUTING,
  RoutingConfigError,
  TEST_ROUTING,
  validateRoutingConfig,
} from '../../src/engine/routing/config.js';
import { chooseDisjointPaths, choosePath, networkGroup } from '../../src/engine/routing/path.js';
import { idHashOf } from '../../src/engine/directory/digest.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/routing/path.test.ts';

function relay(i: number, address: string): Descriptor {
  const raw = new Uint8Array(20);
  raw[0] = i >> 8;
  raw[1] = i & 0xff;
  const id = base32Encode(raw);
  return {
    kind: 'descriptor',
    id,
    signKey: new Uint8Array(32),
    dhKey: new Uint8Array(32).fill(9),
    address,
    relay: true,
    issued: 0,
    expires: 1,
    bytes: new Uint8Array(0),
    ...idHashOf(id),
  };
}

/** `count` relays spread over `blocks` /16 blocks (i mod blocks). */
function relays(count: number, blocks = count): Descriptor[] {
  return Array.from({ length: count }, (_, i) =>
    relay(i, `10.${i % blocks}.${i >> 8}.${i & 255}:7000`),
  );
}

const none = new Set<string>();

describe('networkGroup', () => {
  it.each([
    ['10.1.2.3:7000', '10.1'],
    ['192.168.0.1', '192.168'],
    ['[2001:db8::1]:7000', '[2001:db8]'],
    ['[2001:0db8:0:0::1]', '[2001:db8]'],
    ['[::1]:80', '[0:0]'],
    ['[fe80::]', '[fe80:0]'],
    ['[2001:DB8::1]:7000', '[2001:db8]'],
    ['[::ffff:10.1.2.3]:7000', '[0:0]'],
    ['[1::2::3]:7000', '[1::2::3]'], // malformed: its own group, as a name
    ['example.org:7000', 'example.org'],
    ['', ''],
  ])('%s is in group %s', (address, group) => {
    expect(networkGroup(address)).toBe(group);
  });
});

describe('choosePath', () => {
  it('never repeats a relay and never picks an excluded node', () => {
    checkProperty(
      FILE,
      'never repeats a relay',
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        (seed, count, hops, blocks) => {
          const all = relays(count, blocks);
          const exclude = new Set(all.slice(0, 2).map((r) => r.id));
          const path = choosePath(new AleaRandom(String(seed)), all, { hops, hopsMin: 1, exclude });
          const eligible = Math.max(0, count - 2);
          if (eligible === 0) {
            expect(path).toBeNull();
            return;
          }
          expect(path).not.toBeNull();
          expect(path!.length).toBe(Math.min(hops, eligible));
          expect(new Set(path!.map((r) => r.id)).size).toBe(path!.length);
          for (const r of path!) expect(exclude.has(r.id)).toBe(false);
          // Distinct /16s whenever there are enough of them among the eligible relays.
          const groups = new Set(all.slice(2).map((r) => networkGroup(r.address)));
          const pathGroups = new Set(path!.map((r) => networkGroup(r.address)));
          expect(pathGroups.size).toBe(Math.min(path!.length, groups.size));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('one /16 holding most relays: the path still spans distinct /16s', () => {
    const crowd = relays(50, 1); // all in 10.0/16
    const loners = [relay(100, '172.16.0.1:1'), relay(101, '192.168.1.1:1')];
    for (let seed = 0; seed < 50; seed++) {
      const path = choosePath(new AleaRandom(`s${seed}`), [...crowd, ...loners], {
        hops: 3,
        hopsMin: 1,
        exclude: none,
      })!;
      expect(new Set(path.map((r) => networkGroup(r.address))).size).toBe(3);
    }
  });

  it('avoids the previous attempt’s relays when enough others exist, uses them when not', () => {
    const all = relays(8);
    const avoid = new Set(all.slice(0, 5).map((r) => r.id));
    for (let seed = 0; seed < 30; seed++) {
      const path = choosePath(new AleaRandom(`a${seed}`), all, {
        hops: 3,
        hopsMin: 1,
        exclude: none,
        avoid,
      })!;
      expect(path.some((r) => avoid.has(r.id))).toBe(false);
    }
    const few = choosePath(new AleaRandom('x'), all.slice(0, 4), {
      hops: 3,
      hopsMin: 1,
      exclude: none,
      avoid,
    })!;
    expect(few).toHaveLength(3);
  });

  it('stale descriptors are used only when fresh ones run out', () => {
    const all = relays(10).map((r, i) => ({ ...r, issued: i < 6 ? 0 : 1_000 }));
    for (let seed = 0; seed < 30; seed++) {
      const path = choosePath(new AleaRandom(`f${seed}`), all, {
        hops: 3,
        hopsMin: 1,
        exclude: none,
        staleBefore: 500,
      })!;
      expect(path.every((r) => r.issued === 1_000)).toBe(true);
    }
    const path = choosePath(new AleaRandom('g'), all.slice(4, 8), {
      hops: 3,
      hopsMin: 1,
      exclude: none,
      staleBefore: 500,
    })!;
    expect(path.filter((r) => r.issued === 1_000)).toHaveLength(2);
  });

  it('fewer relays than hops: a shorter path down to hopsMin, then null', () => {
    const two = relays(2);
    expect(
      choosePath(new AleaRandom('1'), two, { hops: 3, hopsMin: 1, exclude: none }),
    ).toHaveLength(2);
    expect(
      choosePath(new AleaRandom('1'), two, { hops: 3, hopsMin: 2, exclude: none }),
    ).toHaveLength(2);
    expect(choosePath(new AleaRandom('1'), two, { hops: 3, hopsMin: 3, exclude: none })).toBeNull();
    expect(choosePath(new AleaRandom('1'), [], { hops: 3, hopsMin: 1, exclude: none })).toBeNull();
  });

  it('draws uniformly: every relay is about equally likely in every position', () => {
    const all = relays(10);
    const random = new AleaRandom('uniform');
    const counts = Array.from({ length: 3 }, () => new Array<number>(10).fill(0));
    const runs = 6_000;
    for (let k = 0; k < runs; k++) {
      const path = choosePath(random, all, { hops: 3, hopsMin: 1, exclude: none })!;
      path.forEach((r, pos) => (counts[pos]![all.indexOf(r)]! += 1));
    }
    for (const row of counts) {
      for (const n of row) expect(Math.abs(n - runs / 10)).toBeLessThan(0.15 * (runs / 10));
    }
  });

  it('the same draws and the same directory give the same path', () => {
    const all = relays(40, 7);
    const a = choosePath(new AleaRandom('same'), all, { hops: 3, hopsMin: 1, exclude: none });
    const b = choosePath(new AleaRandom('same'), all, { hops: 3, hopsMin: 1, exclude: none });
    expect(a).toEqual(b);
  });
});

describe('chooseDisjointPaths (the shards of one message)', () => {
  it('property: no relay on two paths; every path of one length, allowed, never excluded', () => {
    checkProperty(
      FILE,
      'disjoint paths',
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: -1, max: 7 }), { maxLength: 40 }),
        (seed, count, requests, hops, hopsMin, owners) => {
          fc.pre(hopsMin <= hops);
          const all = relays(count, 5);
          const exclude = new Set(all.slice(0, 2).map((r) => r.id));
          // Relay i belongs to shard owners[i] (−1 or missing: to none), as the sender keeps them.
          const ownerOf = new Map(all.map((r, i) => [r.id, owners[i] ?? -1]));
          const asks = Array.from({ length: requests }, (_, q) => ({
            allowed: (id: string) => ownerOf.get(id) === -1 || ownerOf.get(id) === q,
          }));
          const paths = chooseDisjointPaths(new AleaRandom(String(seed)), all, asks, {
            hops,
            hopsMin,
            exclude,
          });
          const pool = all.filter(
            (r) => !exclude.has(r.id) && asks.some((q) => q.allowed(r.id)),
          ).length;
          const unrestricted = owners.every((o) => o === -1);
          if (paths === null) {
            // Without owners, null exactly when n paths of hopsMin do not fit; with them, a
            // path may also run out of the relays it may use.
            if (unrestricted) expect(Math.floor(pool / requests)).toBeLessThan(hopsMin);
            return;
          }
          expect(paths).toHaveLength(requests);
          const used = paths.flat().map((r) => r.id);
          expect(new Set(used).size).toBe(used.length); // node-disjoint, no repeats
          // One length for all, shorter (down to hopsMin) only for a path that may use fewer.
          const length = Math.min(hops, Math.floor(pool / requests));
          for (const path of paths) {
            expect(path.length).toBeGreaterThanOrEqual(hopsMin);
            expect(path.length).toBeLessThanOrEqual(length);
          }
          if (unrestricted) {
            expect(paths.map((p) => p.length)).toEqual(paths.map(() => length));
          }
          paths.forEach((path, q) => {
            for (const r of path) {
              expect(exclude.has(r.id)).toBe(false);
              expect(asks[q]!.allowed(r.id)).toBe(true);
            }
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a directory too small for n paths of `hops` shortens them alike, then gives none', () => {
    const all = relays(9);
    const draw = (n: number, hopsMin = 1) =>
      chooseDisjointPaths(
        new AleaRandom('small'),
        all,
        Array.from({ length: n }, () => ({})),
        { hops: 3, hopsMin, exclude: none },
      );
    expect(draw(3)!.map((p) => p.length)).toEqual([3, 3, 3]);
    expect(draw(4)!.map((p) => p.length)).toEqual([2, 2, 2, 2]);
    expect(draw(5, 2)).toBeNull();
    expect(draw(10)).toBeNull();
  });
});

describe('routing config', () => {
  it('the default and test configs are valid', () => {
    expect(validateRoutingConfig(DEFAULT_ROUTING)).toBe(DEFAULT_ROUTING);
    expect(validateRoutingConfig(TEST_ROUTING)).toBe(TEST_ROUTING);
  });

  it.each([
    { hops: 0 },
    { hops: 5 },
    { hopsMin: 4 },
    { ackTimeoutMaxMs: 1 },
    { jitterPercent: 100 },
    { pendingMax: 0 },
    { seenMaxAgeMs: 20_000 },
    { ackTimeoutMs: 1.5 },
    { replyPath: 'backwards' as 'fresh' },
    { shardBuffersMax: 0 },
    { shardBufferMaxAgeMs: 0 },
  ])('refuses %o', (change) => {
    expect(() => validateRoutingConfig({ ...DEFAULT_ROUTING, ...change })).toThrow(
      RoutingConfigError,
    );
  });
});
