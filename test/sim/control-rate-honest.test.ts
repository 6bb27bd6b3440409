/**
 * Honest traffic never trips the per-link control rate (links.ts, overlay/config.ts
 * CONTROL_RATE_PER_S): the shipped smoke scenario — joins, churn, crashes, a flash crowd, a
 * partition and its heal, with the message workload — runs with not one control frame
 * dropped over the rate on any link of any node.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { runScenario } from '../../src/sim/runner.js';

describe('the control rate limit under honest traffic', () => {
  it('sim/scenarios/smoke.yaml: zero control-rate drops, and the run still delivers', () => {
    const scenario = loadScenarioFile('sim/scenarios/smoke.yaml');
    const overRate: number[] = [];
    let drops = 0;
    const { summary } = runScenario(scenario, {
      onTrace: (node, event) => {
        if (event.type !== 'drop') return;
        drops += 1;
        if (event.what === 'control-rate') overRate.push(node);
      },
    });
    expect(drops).toBeGreaterThan(0); // the trace does carry drop events (of other kinds)
    expect(overRate).toEqual([]);
    expect(summary.delivery.ratio).toBeGreaterThan(0.9);
  }, 120_000);
});
