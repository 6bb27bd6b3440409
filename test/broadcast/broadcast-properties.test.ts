/**
 * Broadcast on the simulator (issue 3, "Properties"): in a connected overlay a flood with
 * enough hop budget reaches every live node; no node delivers a broadcast twice; drop lists
 * stay within capacity (checked after every input by the node's invariants); tree mode
 * reaches the same nodes as flood mode on the same static overlay.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST, type BroadcastMode } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import { largestComponentFraction } from '../../src/sim/overlay-metrics.js';
import { SimWorld } from '../../src/sim/world.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/broadcast/broadcast-properties.test.ts';
const SETTLED_MS = 90_000;
const PROBES = 5;
const PROBE_GAP_MS = 3_000;

interface Outcome {
  /** probe id → nodes (indexes) that delivered it */
  reached: Map<string, number[]>;
  /** origin of each probe id */
  origins: Map<string, number>;
  live: number[];
  connected: boolean;
}

/** A static overlay of `nodes`, then PROBES probes from seeded origins; no faults. */
function run(
  seed: number,
  nodes: number,
  mode: BroadcastMode,
  dropListMax = DEFAULT_BROADCAST.dropListMax,
): Outcome {
  const reached = new Map<string, number[]>();
  const origins = new Map<string, number>();
  const w = new SimWorld({
    seed: String(seed),
    crypto: 'modelled',
    overlay: TEST_OVERLAY,
    broadcast: { ...DEFAULT_BROADCAST, mode, dropListMax },
    directory: DEFAULT_DIRECTORY,
    latency: { kind: 'lognormal', medianMs: 30, sigma: 0.5 },
    loss: 0,
    checkInvariants: true,
    onEvent: (i, e) => {
      if (e.type === 'broadcastDelivered' && e.kind === 'probe')
        reached.set(e.id, [...(reached.get(e.id) ?? []), i]);
      if (e.type === 'broadcastSent' && e.kind === 'probe') origins.set(e.id, i);
    },
  });
  for (let i = 0; i < nodes; i++) w.net.at(i * 50, () => w.addNode());
  for (let p = 0; p < PROBES; p++) {
    w.net.at(SETTLED_MS + p * PROBE_GAP_MS, () =>
      w.net.command((seed + p * 7) % nodes, { type: 'broadcast', body: new Uint8Array(8) }),
    );
  }
  w.net.runUntil(SETTLED_MS + PROBES * PROBE_GAP_MS + 30_000);
  const live = w.net.liveNodes();
  return { reached, origins, live, connected: largestComponentFraction(w.liveSnapshots()) === 1 };
}

describe('broadcast on the simulator', () => {
  it('in a connected overlay every probe reaches every live node, and none twice (flood and tree)', () => {
    checkProperty(
      FILE,
      'every probe reaches every live node',
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 8, max: 40 }),
        fc.constantFrom<BroadcastMode>('flood', 'tree'),
        (seed, nodes, mode) => {
          const out = run(seed, nodes, mode);
          // The property is about broadcast over a connected overlay. A join that splits the
          // overlay (seed 1826157213 with 33 nodes; 4 of 2,000 seeds) is merged by the first
          // island checks, a minute or two in (README, "The overlay"), which may be after
          // the probes: such a case is set aside and replaced, not counted as a broadcast
          // failure.
          fc.pre(out.connected);
          expect(out.origins.size).toBe(PROBES);
          for (const [id, origin] of out.origins) {
            const at = out.reached.get(id) ?? [];
            expect(new Set(at).size).toBe(at.length); // no node delivers twice
            expect([...at, origin].sort((a, b) => a - b)).toEqual(out.live);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('tree mode reaches the same nodes as flood mode on the same static overlay', () => {
    const flood = run(11, 30, 'flood');
    const tree = run(11, 30, 'tree');
    const sets = (o: Outcome) =>
      [...o.origins.keys()].map((id) => [...(o.reached.get(id) ?? []), o.origins.get(id)].sort());
    expect(tree.live).toEqual(flood.live);
    expect(sets(tree)).toEqual(sets(flood));
  });

  it('a tiny drop list evicts (counted) but the invariants still hold after every input', () => {
    // checkInvariants throws inside the run if a drop list ever exceeded its capacity.
    const out = run(5, 20, 'flood', 4);
    expect(out.connected).toBe(true);
  });
});
