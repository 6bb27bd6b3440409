/**
 * The transport compliance suite on the simulated network (virtual time: `advanceUntil`
 * steps `runUntil` one virtual millisecond at a time).
 */
import { SimNetwork, simAddress } from '../../../src/transports/sim/network.js';
import { runTransportCompliance, type ComplianceWorld } from './suite.js';

/** Virtual ms a condition may take: above the simulator's 5 s connect timeout. */
const MAX_VIRTUAL_MS = 60_000;

runTransportCompliance('simulated network', async (count, createEngine) => {
  const net = new SimNetwork({
    seed: 'compliance',
    latency: { kind: 'constant', ms: 5 },
    copyFrames: true,
    createEngine: (ctx) => createEngine(ctx.index),
  });
  const world: ComplianceWorld = {
    addresses: Array.from({ length: count }, (_, i) => simAddress(i)),
    deadAddress: simAddress(count + 7),
    async start() {
      for (let i = 0; i < count; i++) net.addNode();
    },
    now: () => net.now,
    async advanceUntil(condition, what, maxMs = MAX_VIRTUAL_MS) {
      const deadline = net.now + maxMs;
      while (!condition()) {
        if (net.now >= deadline) throw new Error(`sim: no ${what} within ${maxMs} virtual ms`);
        net.runUntil(net.now + 1);
      }
    },
    async advanceBy(ms) {
      net.runUntil(net.now + ms);
    },
    async close() {},
  };
  return world;
});
