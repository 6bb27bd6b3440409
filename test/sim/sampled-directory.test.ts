/**
 * Sampled directories in a whole simulated network (directory.sample, directory.announceHops,
 * workload.pairs: known): every directory stays within its sample, announcements reach a
 * ball rather than the network, senders write only to nodes they know, and the default
 * (a sample larger than the network) still gives everyone everyone.
 *
 * And messages get through as with full directories: a relay rarely knows the next hop in
 * its sample of a quarter of the network, so it dials the address the sender wrote in its
 * slot (onion/hop-address.ts). Before the slot carried it, such packets were dropped as
 * 'next-hop-unknown' and delivery fell far below that of full directories.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const NODES = 120;
const SAMPLE = 30;

function scenario(directory: string): string {
  return [
    'name: sampled',
    'seed: 3',
    `nodes: ${NODES}`,
    'duration: 4m',
    'crypto: modelled',
    `directory: ${directory}`,
    'workload: { interval: 2s, pairs: known, from: 1m, until: 3m, expiry: 1m }',
  ].join('\n');
}

function run(directory: string) {
  const failures = new Map<string, number>();
  let announcementsDelivered = 0;
  const onTrace = (_node: number, event: EngineEvent): void => {
    if (event.type === 'messageFailed')
      failures.set(event.reason, (failures.get(event.reason) ?? 0) + 1);
    if (event.type === 'broadcastDelivered' && event.kind === 'descriptor')
      announcementsDelivered += 1;
  };
  const { summary } = runScenario(parseScenario(scenario(directory), 'sampled.yaml'), {
    onTrace,
    checkInvariants: true,
  });
  return { summary, failures, announcementsDelivered };
}

describe('sampled directories in a simulated network', () => {
  it(`${NODES} nodes, sample ${SAMPLE}, announceHops 2: directories stay within the sample`, () => {
    const sampled = run(`{ sample: ${SAMPLE}, announceHops: 2, syncInterval: 1m }`);
    const full = run('{}');
    const d = sampled.summary.directory;
    // Its own descriptor is pinned, outside the sample.
    expect(d.sizeMax).toBeLessThanOrEqual(SAMPLE + 1);
    expect(d.sizeMean).toBeGreaterThan(0.9 * SAMPLE);
    expect(d.knownShare).toBeLessThan((SAMPLE + 1) / (NODES - 1));
    expect(d.sampledOut).toBeGreaterThan(0);
    expect(d.convergence).toBeGreaterThan(0.9); // a full sample of live relays
    // Announcements reach a ball of radius 2 (≤ 1 + 8 + 8·7 nodes), not the network.
    expect(sampled.announcementsDelivered).toBeLessThan(full.announcementsDelivered / 2);

    const f = full.summary.directory;
    expect(f.sizeMax).toBe(NODES);
    expect(f.knownShare).toBe(1);
    expect(f.sampledOut).toBe(0);
    expect(f.evicted).toBe(0);

    // Senders pick known targets: no message fails for want of the target's descriptor.
    expect(sampled.failures.get('unknown-destination') ?? 0).toBe(0);
    expect(sampled.summary.delivery.sent).toBeGreaterThan(40);
    expect(full.summary.delivery.ratio).toBeGreaterThan(0.95);
    // Relays reach next hops outside their sample by the slot's address (module header).
    expect(sampled.summary.delivery.dropReasons['next-hop-unknown'] ?? 0).toBe(0);
    expect(sampled.summary.delivery.ratio).toBeGreaterThan(0.95);
  }, 120_000);
});
