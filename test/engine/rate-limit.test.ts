/**
 * The token bucket behind the per-link control rate (src/engine/rate-limit.ts): a sender at
 * any rate never gets more than `burst + rate × t` frames admitted over `t`, and a sender
 * that keeps to the rate is never refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/engine/rate-limit.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/engine/rate-limit.test.ts';

describe('TokenBucket', () => {
  it('admits a full burst at once, then one frame per 1000/rate ms', () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 3 }, 1_000);
    expect([1, 2, 3, 4].map(() => bucket.take(1_000))).toEqual([true, true, true, false]);
    expect(bucket.take(1_099)).toBe(false); // 99 ms: 0.99 of a token
    expect(bucket.take(1_100)).toBe(true);
    expect(bucket.take(1_100)).toBe(false);
  });

  it('a long silence refills it to the burst and no further', () => {
    const bucket = new TokenBucket({ ratePerS: 1_000_000, burst: 5 }, 0);
    for (let i = 0; i < 5; i++) bucket.take(0);
    expect(bucket.available(Number.MAX_SAFE_INTEGER / 2)).toBe(5);
  });

  it('time that goes backwards adds no tokens; the bucket counts on from the new time', () => {
    const bucket = new TokenBucket({ ratePerS: 1, burst: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false); // the clock stepped back 5 s
    expect(bucket.take(5_999)).toBe(false);
    expect(bucket.take(6_000)).toBe(true); // one second after the step
  });

  const arbLimit = fc.record({
    ratePerS: fc.integer({ min: 1, max: 5_000 }),
    burst: fc.integer({ min: 1, max: 200 }),
  });

  it('property: over any t ms, at most burst + floor(rate × t / 1000) frames are admitted', () =>
    checkProperty(
      FILE,
      'property: over any t ms, at most burst + floor(rate × t / 1000) frames are admitted',
      fc.property(
        arbLimit,
        fc.integer({ min: 0, max: 1e9 }),
        // Gaps between frames: mostly 0 (a flood), sometimes long pauses.
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.nat(10_000)), {
          maxLength: 600,
        }),
        (limit, start, gaps) => {
          const bucket = new TokenBucket(limit, start);
          const admitted: number[] = [];
          let now = start;
          for (const gap of gaps) {
            now += gap;
            if (bucket.take(now)) admitted.push(now);
          }
          // Every window [admitted[i], admitted[j]] holds at most burst + rate × its length.
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const t = (admitted[j] as number) - (admitted[i] as number);
              const bound = limit.burst + Math.floor((limit.ratePerS * t) / 1000);
              if (j - i + 1 > bound) return false;
            }
          }
          return true;
        },
      ),
    ));

  it('property: a sender that keeps to the rate is never refused', () =>
    checkProperty(
      FILE,
      'property: a sender that keeps to the rate is never refused',
      fc.property(
        arbLimit,
        fc.array(fc.nat(3), { minLength: 1, maxLength: 500 }),
        (limit, extra) => {
          // Frame i goes out no earlier than a conforming sender may send it: after the
          // burst, one per ceil(1000 / rate) ms, plus any extra delay.
          const bucket = new TokenBucket(limit, 0);
          const spacing = Math.ceil(1000 / limit.ratePerS);
          let now = 0;
          return extra.every((delay, i) => {
            if (i >= limit.burst) now += spacing;
            now += delay;
            return bucket.take(now);
          });
        },
      ),
    ));
});
