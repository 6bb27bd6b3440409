/**
 * The `--seeds` worker pool: real worker threads running real simulations.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/sim/runner.js';
import { SeedRunError, defaultSeedWorkers, runSeeds } from '../../src/sim/seed-pool.js';
import { formatSeedsJson, aggregateSeeds } from '../../src/sim/seeds.js';
import { SEED_WORKERS_MAX } from '../../src/sim/limits.js';
import { formatSummaryJson, type Summary } from '../../src/sim/summary.js';
import { TINY } from './tiny-scenario.js';

describe('runSeeds', () => {
  it('each seed’s summary equals an in-process run; 1 or 2 workers, same bytes, seeds’ order', async () => {
    const seeds = [3, 1, 2];
    const finished: number[] = [];
    const parallel = await runSeeds(TINY, seeds, {
      workers: 2,
      onDone: (seed, done, total) => {
        finished.push(seed);
        expect([done, total]).toEqual([finished.length, 3]);
      },
    });
    expect([...finished].sort()).toEqual([1, 2, 3]);
    const serial = await runSeeds(TINY, seeds, { workers: 1 });
    seeds.forEach((seed, i) => {
      const expected = formatSummaryJson(runScenario({ ...TINY, seed }).summary);
      expect(formatSummaryJson(parallel[i] as Summary)).toBe(expected);
      expect(formatSummaryJson(serial[i] as Summary)).toBe(expected);
    });
    expect(formatSeedsJson(aggregateSeeds('tiny', seeds, parallel))).toBe(
      formatSeedsJson(aggregateSeeds('tiny', seeds, serial)),
    );
  });

  it('a run that throws fails the pool with a SeedRunError naming the seed', async () => {
    const broken = { ...TINY, network: { ...TINY.network, loss: 2 } }; // not a probability
    const failure = await runSeeds(broken, [4, 5], { workers: 1 }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SeedRunError);
    expect((failure as SeedRunError).seed).toBe(4);
    expect((failure as SeedRunError).message).toMatch(/loss/);
    expect((failure as SeedRunError).detail).toMatch(/at /); // the worker's stack
  });

  it('the number of workers is bounded by the cores and SEED_WORKERS_MAX', async () => {
    expect(defaultSeedWorkers()).toBeGreaterThanOrEqual(1);
    expect(defaultSeedWorkers()).toBeLessThanOrEqual(SEED_WORKERS_MAX);
    await expect(runSeeds(TINY, [1, 2], { workers: SEED_WORKERS_MAX + 1 })).rejects.toThrow(
      RangeError,
    );
  });
});
