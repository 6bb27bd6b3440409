/**
 * The learned acknowledgement timeout (routing/rtt.ts, RFC 6298 §2).
 */
import { describe, expect, it } from 'vitest';
import { RttEstimator } from '../../src/engine/routing/rtt.js';

describe('RttEstimator', () => {
  it('waits the initial timeout until the first sample', () => {
    expect(new RttEstimator(5_000, 2_000, 30_000).timeoutMs()).toBe(5_000);
  });

  it('first sample R: SRTT = R, RTTVAR = R/2, timeout 3R (within the bounds)', () => {
    const rtt = new RttEstimator(5_000, 500, 30_000);
    rtt.sample(1_000);
    expect(rtt.smoothedMs).toBe(1_000);
    expect(rtt.timeoutMs()).toBe(3_000);
  });

  it('steady samples converge to SRTT + 4 RTTVAR near the sample, floored at the minimum', () => {
    const rtt = new RttEstimator(5_000, 500, 30_000);
    for (let i = 0; i < 200; i++) rtt.sample(i % 2 === 0 ? 900 : 1_100);
    expect(rtt.smoothedMs).toBeCloseTo(1_000, -2);
    expect(rtt.timeoutMs()).toBeGreaterThan(1_100);
    expect(rtt.timeoutMs()).toBeLessThan(1_600);
    const floored = new RttEstimator(5_000, 2_000, 30_000);
    for (let i = 0; i < 50; i++) floored.sample(1_000);
    expect(floored.timeoutMs()).toBe(2_000);
  });

  it('a slow path raises the timeout at once, capped at the maximum', () => {
    const rtt = new RttEstimator(5_000, 500, 8_000);
    for (let i = 0; i < 20; i++) rtt.sample(1_000);
    const before = rtt.timeoutMs();
    rtt.sample(6_000);
    expect(rtt.timeoutMs()).toBeGreaterThan(before + 4_000);
    rtt.sample(60_000);
    expect(rtt.timeoutMs()).toBe(8_000);
  });

  it('ignores samples that are not finite non-negative numbers', () => {
    const rtt = new RttEstimator(5_000, 500, 30_000);
    rtt.sample(Number.NaN);
    rtt.sample(-1);
    expect(rtt.timeoutMs()).toBe(5_000);
  });
});
