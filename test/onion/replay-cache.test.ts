/**
 * The relay's replay cache (src/engine/onion/replay-cache.ts): replays within the window are
 * caught, entries age out, the capacity is never exceeded and evictions are counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayCache, ReplayCacheError } from '../../src/engine/onion/index.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/onion/replay-cache.test.ts';
const tag = (n: number) => Uint8Array.of(n >>> 24, n >>> 16, n >>> 8, n, 0xaa);

describe('ReplayCache', () => {
  it('a tag seen within maxAge is a replay; after maxAge it is fresh again', () => {
    const cache = new ReplayCache(8, 100);
    expect(cache.check(tag(1), 0)).toBe('fresh');
    expect(cache.check(tag(1), 50)).toBe('replay');
    expect(cache.check(tag(1), 99)).toBe('replay');
    expect(cache.check(tag(1), 100)).toBe('fresh');
    expect(cache.stats()).toEqual({ size: 1, replays: 2, evictions: 0, expired: 1 });
  });

  it('a replay does not extend the life of a tag', () => {
    const cache = new ReplayCache(8, 100);
    cache.check(tag(1), 0);
    cache.check(tag(1), 90);
    expect(cache.check(tag(1), 100)).toBe('fresh');
  });

  it('flush drops exactly the entries aged maxAge or more', () => {
    const cache = new ReplayCache(100, 100);
    for (let t = 0; t < 10; t++) cache.check(tag(t), t * 10);
    expect(cache.flush(149)).toBe(5); // entries at 0..40 are ≥ 100 old
    expect(cache.size).toBe(5);
    expect(cache.check(tag(5), 149)).toBe('replay');
    expect(cache.check(tag(4), 149)).toBe('fresh');
  });

  it('at capacity the oldest entry is evicted and counted', () => {
    const cache = new ReplayCache(3, 1_000);
    for (let i = 0; i < 5; i++) expect(cache.check(tag(i), i)).toBe('fresh');
    expect(cache.size).toBe(3);
    expect(cache.stats().evictions).toBe(2);
    expect(cache.check(tag(4), 10)).toBe('replay');
    expect(cache.check(tag(0), 10)).toBe('fresh'); // evicted, so no longer known
  });

  it('a clock stepping back neither breaks age order nor expires anything early', () => {
    const cache = new ReplayCache(8, 100);
    cache.check(tag(1), 50);
    cache.check(tag(2), 10); // treated as time 50
    expect(cache.flush(149)).toBe(0);
    expect(cache.flush(150)).toBe(2);
  });

  it('clear forgets everything (key rotation)', () => {
    const cache = new ReplayCache(8, 100);
    cache.check(tag(1), 0);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.check(tag(1), 1)).toBe('fresh');
  });

  it('refuses bad parameters and arguments with ReplayCacheError', () => {
    expect(() => new ReplayCache(0, 1)).toThrow(ReplayCacheError);
    expect(() => new ReplayCache(1.5, 1)).toThrow(ReplayCacheError);
    expect(() => new ReplayCache(1, 0)).toThrow(ReplayCacheError);
    expect(() => new ReplayCache(1, Number.POSITIVE_INFINITY)).toThrow(ReplayCacheError);
    const cache = new ReplayCache(1, 1);
    expect(() => cache.check(new Uint8Array(0), 0)).toThrow(ReplayCacheError);
    expect(() => cache.check(tag(1), Number.NaN)).toThrow(ReplayCacheError);
  });

  it('matches a model: never above capacity, replays exactly when a live entry exists', () =>
    checkProperty(
      FILE,
      'matches a model: never above capacity, replays exactly when a live entry exists',
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ id: fc.nat(20), dt: fc.nat(15) }), { maxLength: 300 }),
        (capacity, maxAge, steps) => {
          const cache = new ReplayCache(capacity, maxAge);
          // The model: an ordered list of [id, time], oldest first.
          let model: Array<[number, number]> = [];
          let now = 0;
          let evictions = 0;
          for (const { id, dt } of steps) {
            now += dt;
            model = model.filter(([, t]) => now - t < maxAge);
            const live = model.some(([m]) => m === id);
            expect(cache.check(tag(id), now)).toBe(live ? 'replay' : 'fresh');
            if (!live) {
              if (model.length >= capacity) {
                model.shift();
                evictions++;
              }
              model.push([id, now]);
            }
            expect(cache.size).toBe(model.length);
            expect(cache.size).toBeLessThanOrEqual(capacity);
            expect(cache.stats().evictions).toBe(evictions);
          }
        },
      ),
      { numRuns: 300 },
    ));
});

describe('ReplayCache across a restart (entries → restore)', () => {
  it('a restored tag is a replay until exactly maxAge after it was first seen', () => {
    const before = new ReplayCache(8, 100);
    before.check(tag(1), 10);
    before.check(tag(2), 30);
    before.check(tag(1), 40); // a replay: the tag keeps its first time (Rule 4)
    expect(before.entries()).toEqual([
      { tag: tag(1), seenAt: 10 },
      { tag: tag(2), seenAt: 30 },
    ]);
    expect(before.entries(30)).toEqual([{ tag: tag(2), seenAt: 30 }]);

    const after = new ReplayCache(8, 100);
    expect(after.restore(before.entries(), 50)).toEqual({ restored: 2, dropped: 0 });
    expect(after.check(tag(1), 109)).toBe('replay');
    expect(after.check(tag(1), 110)).toBe('fresh');
    expect(after.check(tag(2), 129)).toBe('replay');
    expect(after.check(tag(2), 130)).toBe('fresh');
  });

  it('aged entries are dropped; of the rest only the newest `capacity` are kept', () => {
    const cache = new ReplayCache(2, 100);
    const saved = [0, 10, 20, 30].map((t) => ({ tag: tag(t), seenAt: t }));
    // At 105 the entry seen at 0 is aged out; 10, 20, 30 are live; 2 fit.
    expect(cache.restore(saved, 105)).toEqual({ restored: 2, dropped: 2 });
    expect(cache.entries().map((e) => e.seenAt)).toEqual([20, 30]);
    expect(cache.check(tag(10), 105)).toBe('fresh');
  });

  it('unsorted, duplicated, future-dated and malformed entries do not break age order', () => {
    const cache = new ReplayCache(8, 100);
    const result = cache.restore(
      [
        { tag: tag(3), seenAt: 500 }, // after now: the clock stepped back; counts as now
        { tag: tag(1), seenAt: 20 },
        { tag: tag(1), seenAt: 10 }, // the first sighting wins
        { tag: new Uint8Array(0), seenAt: 5 },
        { tag: tag(2), seenAt: Number.NaN },
      ],
      50,
    );
    expect(result).toEqual({ restored: 2, dropped: 3 });
    expect(cache.entries()).toEqual([
      { tag: tag(1), seenAt: 10 },
      { tag: tag(3), seenAt: 50 },
    ]);
    expect(cache.flush(110)).toBe(1);
    expect(cache.flush(150)).toBe(1);
  });

  it('restore into a cache in use is local misuse', () => {
    const cache = new ReplayCache(8, 100);
    cache.check(tag(1), 0);
    expect(() => cache.restore([], 0)).toThrow(ReplayCacheError);
  });

  it('a cache restored from another’s entries answers every later check as the other does', () =>
    checkProperty(
      FILE,
      'a cache restored from another’s entries answers every later check as the other does',
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ id: fc.nat(20), dt: fc.nat(15) }), { maxLength: 200 }),
        fc.nat(200),
        fc.nat(30),
        (capacity, maxAge, steps, cut, downMs) => {
          const kept = new ReplayCache(capacity, maxAge);
          const crashed = new ReplayCache(capacity, maxAge);
          let now = 0;
          const split = Math.min(cut, steps.length);
          for (const { id, dt } of steps.slice(0, split)) {
            now += dt;
            kept.check(tag(id), now);
            crashed.check(tag(id), now);
          }
          now += downMs; // the node was down this long
          const restarted = new ReplayCache(capacity, maxAge);
          restarted.restore(crashed.entries(), now);
          kept.flush(now);
          expect(restarted.entries()).toEqual(kept.entries());
          for (const { id, dt } of steps.slice(split)) {
            now += dt;
            expect(restarted.check(tag(id), now)).toBe(kept.check(tag(id), now));
          }
        },
      ),
      { numRuns: 300 },
    ));
});
