/**
 * The random models of issue 6's language draw what they claim: truncated normal session
 * lengths, per-node heterogeneity factors, Zipf ranks, message sizes and 2-D coordinate
 * latencies. Sample statistics against closed forms, with tolerances of several standard
 * errors (the draws are seeded, so a pass is reproducible).
 */
import { describe, expect, it } from 'vitest';
import { meanMs, medianMs, sampleMs } from '../../src/sim/churn.js';
import {
  normalCdf,
  sampleFactor,
  sampleSize,
  truncatedNormalMass,
  truncatedNormalMean,
  truncatedNormalMedian,
  truncatedNormalQuantile,
  ZipfSampler,
} from '../../src/sim/distributions.js';
import type { Distribution } from '../../src/sim/scenario.js';
import { Latency } from '../../src/transports/sim/latency.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';

const N = 40_000;
const average = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return ((sorted[(xs.length - 1) >> 1] as number) + (sorted[xs.length >> 1] as number)) / 2;
};
const sd = (xs: number[]): number => {
  const m = average(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('the normal CDF', () => {
  it('matches tabulated values, tails included (relative error)', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 6);
    expect(normalCdf(-5) / 2.8665157e-7).toBeCloseTo(1, 5);
    expect(normalCdf(-10) / 7.619853e-24).toBeCloseTo(1, 5);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
  });
});

describe('truncated normal', () => {
  const MINUTE = 60_000;
  it('closed forms: the half-normal and a two-sided cut', () => {
    const half = { mean: 0, sd: 1, min: 0, max: Infinity };
    expect(truncatedNormalMean(half)).toBeCloseTo(Math.sqrt(2 / Math.PI), 6);
    expect(truncatedNormalMedian(half)).toBeCloseTo(0.6744898, 5);
    expect(truncatedNormalMass(half)).toBeCloseTo(0.5, 7);
    // Symmetric cut: mean and median stay at the centre.
    const cut = { mean: 10, sd: 2, min: 8, max: 12 };
    expect(truncatedNormalMean(cut)).toBeCloseTo(10, 6);
    expect(truncatedNormalMedian(cut)).toBeCloseTo(10, 5);
    expect(truncatedNormalQuantile(cut, 0)).toBeCloseTo(8, 6);
    expect(truncatedNormalQuantile(cut, 1)).toBeCloseTo(12, 6);
  });

  it.each<[string, Distribution]>([
    [
      'a session of mean 30m, sd 20m, cut at 0',
      { kind: 'truncatedNormal', meanMs: 30 * MINUTE, sdMs: 20 * MINUTE, minMs: 0, maxMs: 1e12 },
    ],
    [
      'bounds on both sides',
      {
        kind: 'truncatedNormal',
        meanMs: 10 * MINUTE,
        sdMs: 5 * MINUTE,
        minMs: 2 * MINUTE,
        maxMs: 12 * MINUTE,
      },
    ],
    [
      'an interval far above the mean (the reflected tail)',
      {
        kind: 'truncatedNormal',
        meanMs: 10 * MINUTE,
        sdMs: MINUTE,
        minMs: 14 * MINUTE,
        maxMs: 20 * MINUTE,
      },
    ],
    [
      'an interval far below the mean',
      {
        kind: 'truncatedNormal',
        meanMs: 60 * MINUTE,
        sdMs: 5 * MINUTE,
        minMs: 0,
        maxMs: 40 * MINUTE,
      },
    ],
  ])('%s: sample mean and median match, every draw within [min, max]', (_what, d) => {
    if (d.kind !== 'truncatedNormal') throw new Error('test bug');
    const random = new AleaRandom('truncated-normal');
    const xs = Array.from({ length: N }, () => sampleMs(d, random));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(Math.max(1, d.minMs));
    expect(Math.max(...xs)).toBeLessThanOrEqual(d.maxMs);
    const standardError = sd(xs) / Math.sqrt(N);
    expect(Math.abs(average(xs) - meanMs(d))).toBeLessThan(4 * standardError + 1);
    // The median's standard error is ~1.25× the mean's for a normal-like shape.
    expect(Math.abs(median(xs) - medianMs(d))).toBeLessThan(6 * standardError + 1);
  });

  it('an interval above the mean piles draws towards its lower bound, as the density does', () => {
    const t = { mean: 0, sd: 1, min: 3, max: 6 };
    const random = new AleaRandom('tail');
    const xs = Array.from({ length: N }, () => truncatedNormalQuantile(t, random.next()));
    // P(X < 3.5 | 3 ≤ X ≤ 6) = (Φ(3.5) − Φ(3)) / (Φ(6) − Φ(3)) ≈ 0.8277.
    const share = xs.filter((x) => x < 3.5).length / N;
    const expected = (normalCdf(-3) - normalCdf(-3.5)) / (normalCdf(-3) - normalCdf(-6));
    expect(expected).toBeCloseTo(0.8277, 3);
    expect(Math.abs(share - expected)).toBeLessThan(0.01);
  });
});

describe('heterogeneity factors', () => {
  it('lognormal: median 1, log-sd sigma; uniform: within bounds, mean in the middle', () => {
    const random = new AleaRandom('factors');
    const logs = Array.from({ length: N }, () =>
      Math.log(sampleFactor({ kind: 'lognormal', sigma: 0.8 }, random)),
    );
    expect(Math.abs(median(logs))).toBeLessThan(0.02);
    expect(sd(logs)).toBeCloseTo(0.8, 1);
    const uniform = Array.from({ length: N }, () =>
      sampleFactor({ kind: 'uniform', min: 0.5, max: 2 }, random),
    );
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(2);
    expect(average(uniform)).toBeCloseTo(1.25, 1);
  });

  it('a factor scales a draw and keeps it within [1 ms, the longest duration]', () => {
    const d: Distribution = { kind: 'exponential', meanMs: 60_000 };
    const uniforms = new AleaRandom('same');
    const random = new AleaRandom('same');
    for (let i = 0; i < 100; i++) {
      const raw = -60_000 * Math.log(1 - uniforms.next());
      expect(sampleMs(d, random, 3)).toBe(Math.max(1, Math.round(3 * raw)));
    }
    expect(sampleMs(d, new AleaRandom('x'), 1e12)).toBe(30 * 24 * 3_600_000);
  });
});

describe('Zipf ranks', () => {
  it('rank frequencies follow r^−s / H(n, s)', () => {
    const zipf = new ZipfSampler(1.2);
    const random = new AleaRandom('zipf');
    const n = 50;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < N * 5; i++) (counts[zipf.draw(random, n)] as number) += 1;
    const total = N * 5;
    let h = 0;
    for (let r = 1; r <= n; r++) h += r ** -1.2;
    for (let r = 0; r < n; r++) {
      const p = (r + 1) ** -1.2 / h;
      expect(zipf.probability(r, n)).toBeCloseTo(p, 12);
      const se = Math.sqrt((p * (1 - p)) / total);
      expect(Math.abs((counts[r] as number) / total - p)).toBeLessThan(5 * se);
    }
    // The hot spot: rank 1 takes more than rank 2, which takes more than rank 10.
    expect(counts[0]).toBeGreaterThan(counts[1] as number);
    expect(counts[1]).toBeGreaterThan(counts[9] as number);
  });

  it('a population that shrinks and grows between draws is normalised over its size', () => {
    const zipf = new ZipfSampler(1);
    const random = new AleaRandom('zipf-n');
    zipf.draw(random, 1000);
    const counts = [0, 0, 0];
    for (let i = 0; i < N; i++) (counts[zipf.draw(random, 3)] as number) += 1;
    // H(3, 1) = 11/6: P = 6/11, 3/11, 2/11.
    expect((counts[0] as number) / N).toBeCloseTo(6 / 11, 1);
    expect((counts[2] as number) / N).toBeCloseTo(2 / 11, 1);
    expect(zipf.draw(random, 1)).toBe(0);
    expect(() => zipf.draw(random, 0)).toThrow(RangeError);
  });

  it('s = 0 is uniform', () => {
    const zipf = new ZipfSampler(0);
    expect(zipf.probability(0, 4)).toBeCloseTo(0.25, 12);
    expect(zipf.probability(3, 4)).toBeCloseTo(0.25, 12);
  });
});

describe('message sizes', () => {
  it('fixed sizes draw nothing; uniform sizes are integers covering [min, max]', () => {
    const a = new AleaRandom('sizes');
    expect(sampleSize({ kind: 'fixed', bytes: 256 }, a)).toBe(256);
    expect(a.next()).toBe(new AleaRandom('sizes').next());
    const random = new AleaRandom('uniform-sizes');
    const xs = Array.from({ length: N }, () =>
      sampleSize({ kind: 'uniform', minBytes: 10, maxBytes: 20 }, random),
    );
    expect(new Set(xs)).toEqual(new Set(Array.from({ length: 11 }, (_, i) => 10 + i)));
    expect(average(xs)).toBeCloseTo(15, 1);
  });

  it('lognormal sizes: median as set, clamped to the body limit', () => {
    const random = new AleaRandom('lognormal-sizes');
    const model = { kind: 'lognormal', medianBytes: 200, sigma: 1, maxBytes: 1024 } as const;
    const xs = Array.from({ length: N }, () => sampleSize(model, random));
    expect(Math.abs(median(xs) - 200)).toBeLessThan(6);
    expect(Math.max(...xs)).toBe(1024);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
  });
});

describe('2-D coordinates latency', () => {
  const latency = new Latency({ kind: 'coordinates', sizeMs: 200, baseMs: 5 }, 'coords');

  it('delay = base + euclidean distance between the two points, both ways', () => {
    for (let i = 0; i < 40; i++) {
      const p = latency.point(i);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThan(200);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThan(200);
      for (let j = 0; j < 40; j++) {
        const q = latency.point(j);
        const expected = Math.max(1, Math.round(5 + Math.hypot(p.x - q.x, p.y - q.y)));
        expect(latency.pairMs(i, j)).toBe(expected);
        expect(latency.pairMs(j, i)).toBe(expected);
      }
    }
  });

  it('is a metric up to rounding (triangle inequality) and the same for the same seed', () => {
    for (let a = 0; a < 15; a++) {
      for (let b = 0; b < 15; b++) {
        for (let c = 0; c < 15; c++) {
          const direct = latency.pairMs(a, c) - 5;
          const via = latency.pairMs(a, b) - 5 + latency.pairMs(b, c) - 5;
          expect(direct).toBeLessThanOrEqual(via + 1);
        }
      }
    }
    const again = new Latency({ kind: 'coordinates', sizeMs: 200, baseMs: 5 }, 'coords');
    expect(again.pairMs(99, 7)).toBe(latency.pairMs(99, 7));
    const other = new Latency({ kind: 'coordinates', sizeMs: 200, baseMs: 5 }, 'other-seed');
    const differs = Array.from(
      { length: 20 },
      (_, i) => other.pairMs(i, i + 1) !== latency.pairMs(i, i + 1),
    );
    expect(differs.some(Boolean)).toBe(true);
  });

  it('points are uniform in the square: mean distance of a random pair is 0.5214 × size', () => {
    const many = new Latency({ kind: 'coordinates', sizeMs: 1000, baseMs: 0 }, 'uniform-points');
    const distances: number[] = [];
    const xs: number[] = [];
    for (let i = 0; i < 4000; i++) {
      xs.push(many.point(i).x);
      distances.push(many.pairMs(i, i + 4000));
    }
    expect(average(xs)).toBeGreaterThan(485);
    expect(average(xs)).toBeLessThan(515);
    // E|PQ| for two uniform points in the unit square = (2 + √2 + 5 ln(1 + √2)) / 15.
    const expected = (1000 * (2 + Math.SQRT2 + 5 * Math.log(1 + Math.SQRT2))) / 15;
    expect(Math.abs(average(distances) - expected)).toBeLessThan(
      4 * (sd(distances) / Math.sqrt(4000)),
    );
  });
});
