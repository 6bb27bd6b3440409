/**
 * Without crashes, loss or partitions the simulated network loses no frame (property over
 * seeds and sizes): links that close idle close gracefully (links.ts, CLOSING), the loser of
 * a simultaneous dial retires instead of closing at once, so nothing a node sent is dropped
 * at a closed side, and every message arrives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/sim/no-loss.test.ts';

describe('a fault-free simulated network', () => {
  it('loses no frame, and every message arrives once', () => {
    checkProperty(
      FILE,
      'loses no frame',
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 30, max: 60 }),
        (seed, nodes) => {
          const scenario = parseScenario(
            [
              'name: no-loss',
              `seed: ${seed}`,
              `nodes: ${nodes}`,
              'duration: 4m',
              'join: { over: 5s }',
              'network: { latency: { kind: lognormal, median: 30ms, sigma: 0.5 } }',
              // Three shards a message every half second: relay links open, go idle and close all
              // the time, so frames race idle closes (the old close lost some).
              'workload: { interval: 500ms, size: 200, expiry: 60s, from: 1m, until: 150s, shards: 3/2 }',
            ].join('\n'),
            'no-loss.yaml',
          );
          const { summary } = runScenario(scenario);
          expect(summary.network.framesLost).toBe(0);
          expect(summary.delivery.sent).toBeGreaterThan(10);
          expect(summary.delivery.ratio).toBe(1);
          expect(summary.delivery.duplicates).toBe(0);
        },
      ),
      { numRuns: 8 },
    );
  });
});
