/**
 * Sharded messages in the simulator (issue 7): the scenario key `workload.shards`, what the
 * delivery metrics count for them (retries beyond the first n packets, delivery without any
 * retry, onion frames per delivered message), and a small run through the runner.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../src/sim/delivery-metrics.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario, ScenarioError } from '../../src/sim/scenario.js';
import { formatSummaryJson } from '../../src/sim/summary.js';

const yaml = (shards: string, crash = false, seed = 4): string =>
  [
    'name: tiny-shards',
    `seed: ${seed}`,
    'nodes: 40',
    'duration: 4m',
    'join: { over: 4s }',
    'network: { latency: { kind: constant, ms: 20ms } }',
    `workload: { interval: 2s, size: 200, expiry: 90s, from: 1m, until: 150s, shards: ${shards} }`,
    ...(crash ? ['events:', '  - { at: 50s, crash: { fraction: 0.1 } }'] : []),
  ].join('\n');

describe('workload.shards', () => {
  it('reads "n/k" and "none"; absent means one packet', () => {
    expect(parseScenario(yaml('3/2'), 's.yaml').workload.shards).toEqual({ n: 3, k: 2 });
    expect(parseScenario(yaml('none'), 's.yaml').workload.shards).toBeNull();
    const plain = yaml('none').replace(', shards: none', '');
    expect(parseScenario(plain, 's.yaml').workload.shards).toBeNull();
  });

  it.each([
    ['2/3', 'k (3) cannot exceed n (2): any k of the n shards rebuild the message'],
    ['9/2', 'at most 8 shards per message, found n = 9'],
    ['3', 'expected n/k with 1 ≤ k ≤ n ≤ 8 (e.g. 3/2) or "none", found 3'],
  ])('refuses %s with the key path and line', (value, message) => {
    let error: unknown;
    try {
      parseScenario(yaml(value), 's.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).format()).toBe(`s.yaml:7: workload.shards: ${message}`);
  });
});

describe('DeliveryTracker with sharded messages', () => {
  it('counts retries beyond the first n packets, and deliveries that needed none', () => {
    const t = new DeliveryTracker();
    t.onSent('a', 0, 1, 0, 1_000, true, 3); // three shards, delivered from the first round
    t.onSent('b', 0, 2, 0, 1_000, true, 3); // one shard resent before delivery
    t.onSent('c', 0, 3, 0, 1_000, true); // one packet, delivered on its first attempt
    for (let i = 0; i < 3; i++) t.onAttempt('a', ['r1', 'r2', '1']);
    for (let i = 0; i < 4; i++) t.onAttempt('b', ['r3', 'r4', '2']);
    t.onAttempt('c', ['r5', '3']);
    for (let i = 0; i < 40; i++) t.onOnionFrame(2054);
    t.onDelivered('a', 1, 0, 100);
    t.onDelivered('b', 2, 0, 900);
    t.onDelivered('c', 3, 0, 200);
    for (const id of ['a', 'b', 'c']) t.onDeadline(id, true);
    const s = t.summary(2_000);
    expect([s.measured, s.delivered, s.noRetry, s.retries, s.rerouted]).toEqual([3, 3, 2, 1, 1]);
    expect(s.ratioNoRetry).toBeCloseTo(2 / 3);
    expect(s.onionFrames).toBe(40);
    expect(s.onionFramesPerDelivered).toBeCloseTo(40 / 3);
  });
});

describe('a sharded workload through the runner', () => {
  it('3/2: every message delivered once, one frame size, invariants checked on every input', () => {
    const { summary } = runScenario(parseScenario(yaml('3/2'), 'tiny.yaml'), {
      checkInvariants: true,
    });
    const d = summary.delivery;
    expect(d.sent).toBeGreaterThan(30);
    expect(d.delivered).toBe(d.sent);
    expect(d.ratio).toBe(1);
    expect(d.ratioNoRetry).toBe(1);
    expect(d.duplicates).toBe(0);
    expect(d.failed).toBe(0);
    expect(d.retries).toBe(0);
    expect(d.packetSizes).toEqual([2054]);
    // No crash, loss or partition: no frame is lost, not even one sent as the other side
    // closed the link idle (links close gracefully: links.ts) or on the losing link of a
    // simultaneous dial (it retires). Three shards out and three acks back, four frames
    // each: 24 per message.
    expect(summary.network.framesLost).toBe(0);
    expect(d.onionFramesPerDelivered).toBe(24);
  });

  it('crashed relays: 3/2 delivers more messages without a retry than one packet does', () => {
    // With 10% of relays dead a 3-hop path survives with p ≈ 0.73, two of three with ≈ 0.82:
    // a margin that one seed's ~40 messages can hide, so four seeds are counted together.
    const total = { plain: 0, sharded: 0, measured: 0 };
    for (const seed of [1, 2, 3, 4]) {
      const run = (shards: string) =>
        runScenario(parseScenario(yaml(shards, true, seed), 'tiny.yaml')).summary.delivery;
      const plain = run('none');
      const sharded = run('3/2');
      expect(sharded.measured).toBe(plain.measured);
      expect(sharded.duplicates).toBe(0);
      expect(sharded.ratio).toBe(1);
      expect(sharded.onionFramesPerDelivered!).toBeGreaterThan(plain.onionFramesPerDelivered!);
      total.plain += plain.noRetry;
      total.sharded += sharded.noRetry;
      total.measured += plain.measured;
    }
    expect(total.measured).toBeGreaterThan(120);
    expect(total.sharded).toBeGreaterThan(total.plain);
  });

  it('is deterministic: the same seed gives the same summary', () => {
    const a = formatSummaryJson(runScenario(parseScenario(yaml('5/3', true), 't.yaml')).summary);
    const b = formatSummaryJson(runScenario(parseScenario(yaml('5/3', true), 't.yaml')).summary);
    expect(a).toBe(b);
  });
});
