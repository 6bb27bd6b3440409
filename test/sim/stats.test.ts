import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_BINS_MAX,
  degreeHistogram,
  empiricalCdf,
  histogram,
  mean,
  minMax,
  percentile,
  percentiles,
} from '../../src/sim/stats.js';

describe('percentile (nearest rank)', () => {
  const tens = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it.each([
    [0, 10],
    [1, 10],
    [10, 10],
    [11, 20],
    [50, 50],
    [51, 60],
    [90, 90],
    [99, 100],
    [100, 100],
  ])('p%d of 10..100 is %d', (p, expected) => {
    expect(percentile(tens, p)).toBe(expected);
  });

  it('works on unsorted input and leaves it untouched', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('sorts numerically, not as strings', () => {
    expect(percentile([100, 9, 20], 100)).toBe(100);
    expect(percentile([100, 9, 20], 0)).toBe(9);
  });

  it('empty input gives null, never NaN', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentiles([], [50, 99])).toEqual([null, null]);
  });

  it('rejects p outside [0, 100] and non-finite values', () => {
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(RangeError);
    expect(() => percentile([Infinity], 50)).toThrow(RangeError);
  });

  it('is always an observed value and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p, q) => {
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          const a = percentile(values, lo) as number;
          const b = percentile(values, hi) as number;
          expect(values).toContain(a);
          expect(a).toBeLessThanOrEqual(b);
          expect(percentile(values, 100)).toBe(Math.max(...values));
          expect(percentile(values, 0)).toBe(Math.min(...values));
        },
      ),
    );
  });
});

describe('mean and minMax', () => {
  it('mean of values; null when empty', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBeNull();
    expect(() => mean([1, Number.NaN])).toThrow(RangeError);
  });

  it('minMax; null when empty', () => {
    expect(minMax([3, -1, 7])).toEqual({ min: -1, max: 7 });
    expect(minMax([])).toBeNull();
  });
});

describe('histogram', () => {
  it('contiguous bins from lowest to highest, gaps counted as 0', () => {
    expect(histogram([4, 6, 6, 8])).toEqual([
      [4, 1],
      [5, 0],
      [6, 2],
      [7, 0],
      [8, 1],
    ]);
  });

  it('bins of a given width', () => {
    expect(histogram([0, 9, 10, 25], 10)).toEqual([
      [0, 2],
      [10, 1],
      [20, 1],
    ]);
    expect(histogram([-3, 2], 5)).toEqual([
      [-5, 1],
      [0, 1],
    ]);
  });

  it('empty input gives no bins; silly widths and ranges are refused', () => {
    expect(histogram([])).toEqual([]);
    expect(() => histogram([1], 0)).toThrow(RangeError);
    expect(() => histogram([0, HISTOGRAM_BINS_MAX + 1])).toThrow(RangeError);
  });

  it('counts every value exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 64 })), (values) => {
        const total = histogram(values).reduce((sum, [, count]) => sum + count, 0);
        expect(total).toBe(values.length);
      }),
    );
  });

  it('degreeHistogram keys are degrees in ascending order, also in JSON', () => {
    const record = degreeHistogram([10, 2, 3, 10]);
    expect(Object.keys(record)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(JSON.stringify(record)).toBe('{"2":1,"3":1,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":2}');
    expect(() => degreeHistogram([1.5])).toThrow(RangeError);
    expect(() => degreeHistogram([-1])).toThrow(RangeError);
  });
});

describe('empiricalCdf', () => {
  it('small inputs: every distinct value at the share of values ≤ it', () => {
    expect(empiricalCdf([30, 10, 20, 20], 10)).toEqual([
      { value: 10, fraction: 0.25 },
      { value: 20, fraction: 0.75 },
      { value: 30, fraction: 1 },
    ]);
    expect(empiricalCdf([], 10)).toEqual([]);
    expect(() => empiricalCdf([1], 0)).toThrow(RangeError);
    expect(() => empiricalCdf([Number.NaN], 5)).toThrow(RangeError);
  });

  it('a rank inside a run of ties reports the CDF of the whole run (found by the property)', () => {
    expect(empiricalCdf([-2, -2, -2, 0, 0, -2], 4)).toEqual([
      { value: -2, fraction: 4 / 6 },
      { value: 0, fraction: 1 },
    ]);
  });

  it('large inputs: at most pointsMax points, each exactly on the CDF, ending at (max, 1)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (values, pointsMax) => {
          const points = empiricalCdf(values, pointsMax);
          expect(points.length).toBeGreaterThan(0);
          expect(points.length).toBeLessThanOrEqual(pointsMax);
          expect(points.at(-1)).toEqual({ value: Math.max(...values), fraction: 1 });
          points.forEach((p, i) => {
            const atOrBelow = values.filter((v) => v <= p.value).length;
            expect(p.fraction).toBe(atOrBelow / values.length);
            if (i > 0) expect(p.value).toBeGreaterThan((points[i - 1] as { value: number }).value);
          });
        },
      ),
    );
  });
});
