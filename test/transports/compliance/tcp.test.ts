/**
 * The transport compliance suite on real sockets: one `TcpRuntime` per host on 127.0.0.2,
 * 127.0.0.3, … with port 0. Time is real: `advanceUntil` polls with a bounded timeout.
 */
import { nodeSuite } from '../../../src/engine/crypto/node.js';
import { TcpRuntime } from '../../../src/transports/tcp/runtime.js';
import { deadAddress, keyPair, sleep, waitFor } from '../tcp/helpers.js';
import { runTransportCompliance, type ComplianceWorld } from './suite.js';

/** Real ms a condition may take; conditions here hold within milliseconds. */
const MAX_WAIT_MS = 10_000;

runTransportCompliance('TCP runtime', async (count, createEngine) => {
  const runtimes: TcpRuntime[] = [];
  for (let i = 0; i < count; i++) {
    const keys = keyPair(`compliance ${i}`);
    runtimes.push(
      new TcpRuntime({
        engine: createEngine(i),
        listenHost: `127.0.0.${2 + i}`,
        listenPort: 0,
        staticSecret: keys.secret,
        staticPublic: keys.public,
        suite: nodeSuite,
      }),
    );
  }
  const addresses = await Promise.all(runtimes.map((r) => r.listen()));
  const world: ComplianceWorld = {
    addresses,
    deadAddress: await deadAddress(),
    async start() {
      for (const runtime of runtimes) await runtime.start();
    },
    now: () => Date.now(),
    advanceUntil: (condition, what, maxMs = MAX_WAIT_MS) => waitFor(condition, what, maxMs),
    advanceBy: (ms) => sleep(ms),
    async close() {
      await Promise.all(runtimes.map((r) => r.stop()));
    },
  };
  return world;
});
