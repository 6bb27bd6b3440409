/**
 * `--seeds`: the seed list, Student's t, the mean and confidence interval of every metric,
 * and the report files. The worker pool itself is in seed-pool.test.ts.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_MAX, SEEDS_MAX } from '../../src/sim/limits.js';
import {
  SeedListError,
  aggregateSeeds,
  formatSeedList,
  formatSeedsJson,
  meanInterval,
  parseSeedList,
  seedsDirName,
  writeSeedsReport,
} from '../../src/sim/seeds.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { studentTCdf, studentTQuantile } from '../../src/sim/student-t.js';
import { checkProperty } from '../support/property.js';
import { sampleSummary } from './sample-summary.js';

const FILE = 'test/sim/seeds.test.ts';

describe('parseSeedList', () => {
  it.each([
    ['1..5', [1, 2, 3, 4, 5]],
    ['1,2,5', [1, 2, 5]],
    ['1..3,7', [1, 2, 3, 7]],
    ['9,2', [2, 9]],
    [' 4 .. 6 ', [4, 5, 6]],
    [`0,${SEED_MAX}`, [0, SEED_MAX]],
  ])('%s → sorted seeds', (text, seeds) => {
    expect(parseSeedList(text)).toEqual(seeds);
  });

  it.each([
    ['', /expected a seed range such as 1\.\.20/],
    ['1..x', /found "1\.\.x"/],
    ['1,,2', /expected a seed range/],
    ['-1..3', /expected a seed range/],
    ['1...3', /expected a seed range/],
    ['20..1', /range 20\.\.1 goes backwards \(write 1\.\.20\)/],
    [`1,${SEED_MAX + 1}`, /is above 4294967295/],
    [`1..${SEEDS_MAX + 1}`, /at most 1000 seeds \(SEEDS_MAX\)/],
    ['1..3,2', /seed 2 is listed twice/],
    ['7', /needs at least 2 seeds .* use --seed 7/],
  ])('%s is a SeedListError', (text, message) => {
    expect(() => parseSeedList(text)).toThrow(SeedListError);
    expect(() => parseSeedList(text)).toThrow(message);
  });

  it('property: formatSeedList writes the shortest list that parses back to the same seeds', () => {
    checkProperty(
      FILE,
      'property: formatSeedList writes the shortest list that parses back to the same seeds',
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 60 }),
        (raw) => {
          const seeds = [...raw].sort((a, b) => a - b);
          const text = formatSeedList(seeds);
          expect(parseSeedList(text)).toEqual(seeds);
          const present = new Set(seeds);
          let singles = 0; // consecutive seeds written one by one
          for (const part of text.split(',')) {
            const [a, b] = part.split('..').map(Number) as [number, number | undefined];
            if (b === undefined) {
              singles = present.has(a - 1) ? singles + 1 : 1;
              expect(singles).toBeLessThan(3); // three in a row would be a range
            } else {
              singles = 0;
              expect(b - a).toBeGreaterThanOrEqual(2); // a range spans at least three seeds
              expect(present.has(a - 1) || present.has(b + 1)).toBe(false); // and is maximal
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('directory names: ranges and lists, long lists by bounds and count', () => {
    expect(seedsDirName('smoke', [1, 2, 3, 4])).toBe('smoke-seeds-1-4');
    expect(seedsDirName('smoke', [1, 2, 5])).toBe('smoke-seeds-1_2_5');
    const spread = Array.from({ length: 40 }, (_, i) => i * 2);
    expect(seedsDirName('smoke', spread)).toBe('smoke-seeds-0-78-n40');
  });
});

describe('Student t', () => {
  // Two-sided 95% critical values t(0.975, df) from printed tables (NIST/SEMATECH e-Handbook
  // of Statistical Methods, table 1.3.6.7.2), to the 3 decimals printed there.
  it.each([
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [5, 2.571],
    [9, 2.262],
    [19, 2.093],
    [30, 2.042],
    [60, 2.0],
    [100, 1.984],
  ])('t(0.975, %i) = %f', (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('t with df = 1 is the Cauchy distribution: quantile tan(π(p − ½)) exactly', () => {
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
    }
  });

  it('quantile and CDF are inverse, symmetric, and tend to the normal 1.95996 for large df', () => {
    for (const df of [1, 3, 7, 50]) {
      for (const p of [0.05, 0.5, 0.8, 0.975]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
      }
      expect(studentTQuantile(0.025, df)).toBeCloseTo(-studentTQuantile(0.975, df), 10);
    }
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });
});

describe('meanInterval', () => {
  it('matches a hand computation: 1, 2, 3, 4, 5 → 3 ± 2.776445 · √2.5 / √5', () => {
    // mean 3, s² = (4 + 1 + 0 + 1 + 4) / 4 = 2.5, s/√n = √0.5, t(0.975, 4) = 2.776445.
    const half = 2.776445 * Math.sqrt(0.5);
    const interval = meanInterval([1, 2, 3, 4, 5]);
    expect(interval.n).toBe(5);
    expect(interval.mean).toBe(3);
    expect(interval.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(interval.halfWidth).toBeCloseTo(half, 6);
    expect(interval.ciLow).toBeCloseTo(3 - half, 6);
    expect(interval.ciHigh).toBeCloseTo(3 + half, 6);
  });

  it('no interval from fewer than two values; equal values give a zero-width one', () => {
    expect(meanInterval([])).toEqual({
      n: 0,
      mean: null,
      sd: null,
      halfWidth: null,
      ciLow: null,
      ciHigh: null,
    });
    expect(meanInterval([7])).toEqual({
      n: 1,
      mean: 7,
      sd: null,
      halfWidth: null,
      ciLow: null,
      ciHigh: null,
    });
    expect(meanInterval([4, 4, 4])).toMatchObject({ mean: 4, sd: 0, halfWidth: 0 });
  });
});

describe('aggregateSeeds and the report', () => {
  const seeds = [2, 5, 9];
  const summaries = seeds.map((seed, i) => {
    const summary = sampleSummary();
    summary.seed = seed;
    summary.overlay.degreeMean = [6, 7, 8.5][i] as number;
    summary.overlay.repairMsP99 = i === 1 ? null : ([100, 0, 300][i] as number);
    return summary;
  });

  it('every numeric metric, in summary order, the seed left out; values in seed order', () => {
    const result = aggregateSeeds('smoke', seeds, summaries);
    const paths = Object.keys(result.metrics);
    expect(paths).not.toContain('seed');
    expect(paths).not.toContain('traceHash'); // not a number
    expect(paths.indexOf('nodes')).toBeLessThan(paths.indexOf('overlay.degreeMean'));
    // 6, 7, 8.5: mean 7.1667, s = 1.2583, t(0.975, 2) = 4.302653.
    const degree = result.metrics['overlay.degreeMean'];
    expect(degree?.values).toEqual([6, 7, 8.5]);
    expect(degree?.mean).toBeCloseTo(21.5 / 3, 12);
    const s = Math.sqrt(((6 - 21.5 / 3) ** 2 + (7 - 21.5 / 3) ** 2 + (8.5 - 21.5 / 3) ** 2) / 2);
    expect(degree?.halfWidth).toBeCloseTo((4.302653 * s) / Math.sqrt(3), 5);
  });

  it('a metric missing in some runs is summarized over the others (n says how many)', () => {
    const p99 = aggregateSeeds('smoke', seeds, summaries).metrics['overlay.repairMsP99'];
    expect(p99?.values).toEqual([100, null, 300]);
    expect(p99?.n).toBe(2);
    expect(p99?.mean).toBe(200);
    expect(p99?.halfWidth).toBeCloseTo((12.706205 * Math.sqrt(20_000)) / Math.sqrt(2), 4);
  });

  it('writes seeds.json, report.md and one summary per seed; the same input gives the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2pmsg-seeds-'));
    const scenario = parseScenario('name: smoke\nnodes: 50\nduration: 3m\n', 'smoke.yaml');
    const extra = {
      scenario,
      reproduce: 'p2pmsg sim smoke.yaml --seeds 2,5,9',
      reproduceSeed: (seed: number) => `p2pmsg sim smoke.yaml --seed ${seed}`,
    };
    const result = aggregateSeeds('smoke', seeds, summaries);
    writeSeedsReport(dir, result, summaries, extra);
    expect(readdirSync(dir).sort()).toEqual([
      'report.md',
      'seed-2',
      'seed-5',
      'seed-9',
      'seeds.json',
    ]);
    const json = readFileSync(join(dir, 'seeds.json'), 'utf8');
    expect(json).toBe(formatSeedsJson(aggregateSeeds('smoke', seeds, summaries)));
    expect(JSON.parse(json).seeds).toEqual(seeds);
    expect(JSON.parse(readFileSync(join(dir, 'seed-5', 'summary.json'), 'utf8')).seed).toBe(5);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('p2pmsg sim smoke.yaml --seeds 2,5,9');
    expect(report).toContain('p2pmsg sim smoke.yaml --seed 2');
    expect(report).toContain('| overlay.degreeMean | 3 | 7.16667 |');
    expect(report).toMatch(/^\| 5 \| .*7/m); // the per-seed table lists seed 5's values
  });
});
