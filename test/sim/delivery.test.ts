/**
 * Delivery metrics (src/sim/delivery-metrics.ts) by their definitions, and the message
 * workload end to end through the runner on a small scenario.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../src/sim/delivery-metrics.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { formatSummaryJson } from '../../src/sim/summary.js';

describe('DeliveryTracker', () => {
  it('ratio counts only messages to targets online at send and at the deadline, once decided', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 1, 0, 1_000, true); // delivered
    t.onSent('b', 0, 2, 0, 1_000, true); // not delivered, target online: counts as a miss
    t.onSent('c', 0, 3, 0, 1_000, true); // target offline at the deadline: not measured
    t.onSent('d', 0, 4, 0, 5_000, true); // deadline after the end, undelivered: undecided
    t.onSent('e', 0, 5, 0, 5_000, true); // deadline after the end, delivered: measured
    t.onDelivered('a', 1, 0, 100);
    t.onDelivered('e', 5, 0, 300);
    t.onNodeDown(0, 50); // the sender of a, b, c, d, e was down for a moment …
    t.onNodeDown(5, 4_000); // … and e's target goes down after the end of the run
    t.onDeadline('a', true);
    t.onDeadline('b', true);
    t.onDeadline('c', false);
    const s = t.summary(2_000);
    expect(s.sent).toBe(5);
    expect(s.measured).toBe(3);
    expect(s.delivered).toBe(2);
    expect(s.ratio).toBeCloseTo(2 / 3);
    expect(s.steadyEnds).toBe(0);
    expect(s.ratioSteadyEnds).toBeNull();
    expect(s.latencyMsP50).toBe(100);
    expect(s.latencyMsP99).toBe(300);
  });

  it('ratioSteadyEnds counts only messages whose two ends stayed online until the deadline', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 1, 0, 1_000, true); // delivered, steady
    t.onSent('b', 2, 3, 0, 1_000, true); // undelivered, target away in between: not steady
    t.onSent('c', 4, 5, 0, 1_000, true); // undelivered, steady: a miss
    t.onDelivered('a', 1, 0, 100);
    t.onNodeDown(3, 200);
    t.onNodeDown(4, 1_500); // after c's deadline: still steady
    for (const id of ['a', 'b', 'c']) t.onDeadline(id, true);
    const s = t.summary(2_000);
    expect(s.measured).toBe(3);
    expect(s.steadyEnds).toBe(2);
    expect(s.ratioSteadyEnds).toBe(0.5);
  });

  it('a second delivery in one engine life is a duplicate; after a restart it is counted apart', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 1, 0, 1_000, true);
    t.onDelivered('a', 1, 0, 10);
    t.onDelivered('a', 1, 0, 20);
    t.onDelivered('a', 1, 1, 30);
    t.onDelivered('a', 2, 0, 40); // not the target: ignored
    const s = t.summary(1_000);
    expect(s.duplicates).toBe(1);
    expect(s.duplicatesAcrossRestarts).toBe(1);
    expect(s.latencyMsP50).toBe(10);
  });

  it('retries, reroute delay, hops, path diversity and packet sizes', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 9, 0, 10_000, true);
    t.onSent('b', 0, 9, 0, 10_000, true);
    t.onAttempt('a', ['r1', 'r2', 'r3', 't']);
    t.onDelivered('a', 9, 0, 500);
    t.onAttempt('b', ['r1', 'r2', 'r3', 't']);
    t.onAttempt('b', ['r4', 'r5', 't']);
    t.onDelivered('b', 9, 0, 6_000);
    for (const size of [2054, 2054, 2054]) t.onOnionFrame(size);
    const s = t.summary(10_000);
    expect(s.retries).toBe(1);
    expect(s.rerouted).toBe(1);
    expect(s.rerouteExtraMsP50).toBe(5_500);
    expect(s.hopsMean).toBeCloseTo(8 / 3);
    expect(s.pathDiversity).toBeCloseTo(2 / 3);
    expect(s.packetSizes).toEqual([2054]);
  });

  it('the outbox owes what is neither acked nor failed nor expired', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 1, 0, 1_000, true);
    t.onSent('b', 0, 1, 0, 1_000, true);
    t.onSent('c', 0, 1, 0, 100, true);
    t.onSent('d', 3, 1, 0, 1_000, true);
    t.onAcked('a');
    expect(t.outstanding(0, 500)).toEqual(['b']);
  });
});

describe('the message workload through the runner', () => {
  const yaml = (crash: boolean): string =>
    [
      'name: tiny-workload',
      'seed: 3',
      'nodes: 30',
      'duration: 5m',
      'join: { over: 3s }',
      'network: { latency: { kind: constant, ms: 20ms } }',
      'workload: { interval: 1s, size: 100, expiry: 90s, from: 1m, until: 3m }',
      ...(crash ? ['events:', '  - { at: 2m, crash: { fraction: 0.1 } }'] : []),
    ].join('\n');

  it('every message delivered once, one frame size, invariants checked on every input', () => {
    const { summary } = runScenario(parseScenario(yaml(false), 'tiny.yaml'), {
      checkInvariants: true,
    });
    const d = summary.delivery;
    expect(d.sent).toBeGreaterThan(90);
    expect(d.measured).toBe(d.sent);
    expect(d.delivered).toBe(d.sent);
    expect(d.ratio).toBe(1);
    expect(d.duplicates).toBe(0);
    expect(d.failed).toBe(0);
    expect(d.packetSizes).toEqual([2054]);
    expect(d.hopsMean).toBe(3);
    expect(d.latencyMsP50).toBeGreaterThan(8 * 20);
    expect(formatSummaryJson(summary)).toContain('"delivery": {');
  });

  it('crashed relays: messages to live targets are still all delivered, some after a retry', () => {
    const { summary } = runScenario(parseScenario(yaml(true), 'tiny.yaml'));
    const d = summary.delivery;
    expect(d.ratio).toBe(1);
    expect(d.duplicates).toBe(0);
    expect(d.rerouted).toBeGreaterThan(0);
    expect(d.rerouteExtraMsP50).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same summary', () => {
    const a = formatSummaryJson(runScenario(parseScenario(yaml(true), 't.yaml')).summary);
    const b = formatSummaryJson(runScenario(parseScenario(yaml(true), 't.yaml')).summary);
    expect(a).toBe(b);
  });
});
