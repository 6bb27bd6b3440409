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
