import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../../src/transports/sim/errors.js';
import {
  inverseNormalCdf,
  Latency,
  validateLatencyModel,
  type LatencyModel,
} from '../../../src/transports/sim/latency.js';
import { LATENCY_MAX_MS } from '../../../src/transports/sim/limits.js';
import { SeededRandomSource } from '../../../src/transports/sim/rng.js';

describe('latency models', () => {
  it('constant: exactly ms for every pair, rounded, at least 1 ms', () => {
    const l = new Latency({ kind: 'constant', ms: 40 }, 's');
    expect(l.perFrame).toBe(false);
    expect(l.pairMs(0, 1)).toBe(40);
    expect(l.pairMs(7, 3)).toBe(40);
    expect(new Latency({ kind: 'constant', ms: 12.6 }, 's').pairMs(0, 1)).toBe(13);
    expect(new Latency({ kind: 'constant', ms: 0 }, 's').pairMs(0, 1)).toBe(1);
  });

  it('uniform: every draw is a whole ms within [minMs, maxMs], all values seen', () => {
    const l = new Latency({ kind: 'uniform', minMs: 10, maxMs: 20 }, 's');
    expect(l.perFrame).toBe(true);
    const r = new SeededRandomSource('s').fork('jitter');
    const seen = new Set<number>();
    for (let i = 0; i < 5_000; i++) {
      const ms = l.drawMs(r);
      expect(Number.isInteger(ms) && ms >= 10 && ms <= 20).toBe(true);
      seen.add(ms);
    }
    expect(seen.size).toBe(11);
    const frac = new Latency({ kind: 'uniform', minMs: 10.5, maxMs: 11.5 }, 's');
    for (let i = 0; i < 100; i++) expect(frac.drawMs(r)).toBe(11);
  });

  it('lognormal: fixed per ordered pair, independent of call order', () => {
    const model: LatencyModel = { kind: 'lognormal', medianMs: 50, sigma: 0.8 };
    const a = new Latency(model, 'seed');
    const forward = [];
    for (let i = 0; i < 50; i++) forward.push(a.pairMs(i, i + 1));
    const b = new Latency(model, 'seed');
    const backward = [];
    for (let i = 49; i >= 0; i--) backward.unshift(b.pairMs(i, i + 1));
    expect(backward).toEqual(forward);
    for (let i = 0; i < 50; i++) expect(a.pairMs(i, i + 1)).toBe(forward[i]);
    // The two directions of a pair are independent draws.
    let same = 0;
    for (let i = 0; i < 50; i++) if (a.pairMs(i + 1, i) === forward[i]) same++;
    expect(same).toBeLessThan(10);
    // Another seed gives another field.
    const c = new Latency(model, 'other');
    expect(forward.filter((ms, i) => c.pairMs(i, i + 1) === ms).length).toBeLessThan(10);
  });

  it('lognormal: median and spread over many pairs match the parameters', () => {
    const l = new Latency({ kind: 'lognormal', medianMs: 80, sigma: 0.5 }, 'median');
    const values: number[] = [];
    for (let a = 0; a < 150; a++) for (let b = 0; b < 150; b++) values.push(l.pairMs(a, b));
    values.sort((x, y) => x - y);
    const median = values[values.length >> 1] as number;
    expect(Math.abs(median - 80)).toBeLessThanOrEqual(3);
    // 84th percentile ≈ median · e^sigma.
    const p84 = values[Math.floor(values.length * 0.8413)] as number;
    expect(Math.abs(p84 / 80 - Math.exp(0.5))).toBeLessThan(0.05);
    expect(values.every((v) => Number.isInteger(v) && v >= 1 && v <= LATENCY_MAX_MS)).toBe(true);
  });

  it('inverseNormalCdf matches known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormalCdf(0.025)).toBeCloseTo(-1.959964, 5);
    expect(inverseNormalCdf(0.001)).toBeCloseTo(-3.090232, 5);
    expect(inverseNormalCdf(1e-12)).toBeCloseTo(-7.034484, 4);
  });

  it('bad parameters throw SimConfigError', () => {
    const bad: unknown[] = [
      null,
      { kind: 'gaussian', ms: 3 },
      { kind: 'constant', ms: -1 },
      { kind: 'constant', ms: NaN },
      { kind: 'constant', ms: '5' },
      { kind: 'uniform', minMs: 20, maxMs: 10 },
      { kind: 'uniform', minMs: 10.2, maxMs: 10.8 },
      { kind: 'uniform', minMs: 1 },
      { kind: 'lognormal', medianMs: 0, sigma: 1 },
      { kind: 'lognormal', medianMs: 50, sigma: -0.1 },
      { kind: 'lognormal', medianMs: 50, sigma: 100 },
      { kind: 'constant', ms: LATENCY_MAX_MS + 1 },
    ];
    for (const m of bad) {
      expect(() => validateLatencyModel(m as LatencyModel), JSON.stringify(m)).toThrow(
        SimConfigError,
      );
    }
    fc.assert(
      fc.property(fc.double({ min: 0, max: LATENCY_MAX_MS, noNaN: true }), (ms) => {
        const l = new Latency({ kind: 'constant', ms }, 'x');
        const v = l.pairMs(1, 2);
        expect(Number.isInteger(v) && v >= 1 && v <= LATENCY_MAX_MS).toBe(true);
      }),
    );
  });
});
