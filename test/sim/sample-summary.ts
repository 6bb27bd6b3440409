/** A plausible Summary for tests of the report writer and the CLI (no runner needed). */
import type { Summary } from '../../src/sim/summary.js';

export function sampleSummary(): Summary {
  return {
    scenario: 'smoke',
    seed: 3,
    nodes: 50,
    durationMs: 180_000,
    crypto: 'modelled',
    events: 12_345,
    traceHash: '0123abcd',
    faults: { crash: 1, leave: 0, join: 0, restart: 0, partition: 1, heal: 1, loss: 0 },
    overlay: {
      liveNodes: 40,
      degreeMin: 4,
      degreeMax: 8,
      degreeMean: 6.1 + 1e-12,
      largestComponent: 1,
      repairs: 31,
      repairMsP50: 812,
      repairMsP99: null,
      degreeHistogram: { '4': 2, '5': 0, '6': 30, '8': 8 },
    },
    broadcast: {
      mode: 'tree',
      sent: 12,
      coverageMean: 0.99,
      coverageMin: 0.9,
      redundancy: 1.2,
      latencyMsP50: 120,
      latencyMsP99: 480,
      dropListHits: 34,
      grafts: 5,
      windows: { afterFailure: { sent: 2, coverageMean: 0.95, coverageMin: 0.9 } },
    },
    directory: { convergence: 1, liveRelays: 40, sizeMean: 44.5, forged: 0, stale: 3 },
    network: {
      framesSent: 10,
      framesDelivered: 9,
      framesLost: 1,
      bytesSent: 1000,
      dials: 60,
      dialsFailed: 2,
    },
  };
}
