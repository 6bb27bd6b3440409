/**
 * Broadcasts with a small hop limit (the directory's announceHops) on a settled overlay, in
 * Plumtree's tree mode: a broadcast stops at its radius, lazy IHAVEs never announce it
 * beyond (a node that received it with no hops left does not forward it, so it announces it
 * to no one), and the GRAFTs it causes stop once it has spread: no node keeps grafting a
 * broadcast that ran out of hops.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import type { NodeSnapshot } from '../../src/engine/types.js';
import { SimWorld } from '../../src/sim/world.js';

const NODES = 40;
const SETTLED_MS = 90_000;
const PROBE_GAP_MS = 5_000;
const PROBES = 6;
/** Hops left when a broadcast leaves its origin: it reaches nodes up to HOPS + 1 away. */
const HOPS = 1;

/** Overlay distances from `origin` over active views (BFS). */
function distances(snapshots: NodeSnapshot[], origin: string): Map<string, number> {
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const out = new Map([[origin, 0]]);
  const queue = [origin];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    for (const next of byId.get(at)?.active ?? []) {
      if (out.has(next)) continue;
      out.set(next, out.get(at)! + 1);
      queue.push(next);
    }
  }
  return out;
}

function grafts(w: SimWorld): number {
  let sum = 0;
  for (const i of w.net.liveNodes()) sum += w.nodeOf(i)?.counters()['grafts'] ?? 0;
  return sum;
}

describe('broadcasts with a hop limit (tree mode)', () => {
  it.each([1, 2, 3])(
    'seed %i: reach only their radius, and their GRAFTs stop',
    (seed) => {
      const reached = new Map<string, string[]>();
      const origins = new Map<string, string>();
      const w = new SimWorld({
        seed: String(seed),
        crypto: 'modelled',
        overlay: TEST_OVERLAY,
        broadcast: { ...DEFAULT_BROADCAST, mode: 'tree', hops: HOPS },
        directory: DEFAULT_DIRECTORY,
        latency: { kind: 'lognormal', medianMs: 30, sigma: 0.5 },
        loss: 0,
        checkInvariants: true,
        onEvent: (i, e) => {
          const id = w.idOf(i)!;
          if (e.type === 'broadcastDelivered' && e.kind === 'probe')
            reached.set(e.id, [...(reached.get(e.id) ?? []), id]);
          if (e.type === 'broadcastSent' && e.kind === 'probe') origins.set(e.id, id);
        },
      });
      for (let i = 0; i < NODES; i++) w.net.at(i * 50, () => w.addNode());
      w.net.runUntil(SETTLED_MS);
      const snapshots = w.liveSnapshots();
      const before = grafts(w);
      for (let p = 0; p < PROBES; p++) {
        w.net.at(SETTLED_MS + p * PROBE_GAP_MS, () =>
          w.net.command((seed * 11 + p * 7) % NODES, {
            type: 'broadcast',
            body: new Uint8Array(8),
          }),
        );
      }
      const quiet = SETTLED_MS + PROBES * PROBE_GAP_MS + 10_000;
      w.net.runUntil(quiet);
      const after = grafts(w);
      w.net.runUntil(quiet + 60_000);
      // Nothing left to graft once the probes have spread (no endless GRAFT for an ID that
      // ran out of hops), and few GRAFTs at all: at most one per node and probe.
      expect(grafts(w)).toBe(after);
      expect(after - before).toBeLessThanOrEqual(PROBES * NODES);

      expect(origins.size).toBe(PROBES);
      for (const [id, origin] of origins) {
        const d = distances(snapshots, origin);
        const at = reached.get(id) ?? [];
        for (const node of at) expect(d.get(node)).toBeLessThanOrEqual(HOPS + 1);
        // Every neighbour of the origin gets it (eagerly, or by grafting the origin).
        for (const [node, hops] of d) if (hops === 1) expect(at).toContain(node);
        expect(new Set(at).size).toBeLessThan(NODES);
      }
    },
    60_000,
  );
});
