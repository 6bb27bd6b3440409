/**
 * A pending message keeps its target's descriptor when the sender's directory loses it to
 * expiry mid-message (src/engine/routing/pending.ts, target()); the unit tests are in
 * test/routing/lost-target.test.ts. The fixture's partition lets descriptors expire while
 * messages are pending; before, up to 7% of them failed (fixture header).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const FIXTURE = 'test/sim/fixtures/target-expired.yaml';

describe('a target whose descriptor expires while a message to it is pending', () => {
  for (const seed of [1, 2]) {
    it(`still gets the message once reachable (seed ${seed})`, () => {
      const scenario = parseScenario(readFileSync(FIXTURE, 'utf8'), FIXTURE);
      const { summary } = runScenario({ ...scenario, seed });
      expect(summary.delivery.measured).toBeGreaterThan(100);
      expect(summary.delivery.ratio).toBe(1);
      expect(summary.faults.neverFired).toEqual([]);
    }, 60_000);
  }
});
