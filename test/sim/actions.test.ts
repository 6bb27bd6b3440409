/**
 * Scripted actions on a small world (src/sim/actions.ts) and churn heterogeneity: named
 * nodes are exactly the nodes touched, a flash crowd arrives spread over its window, a
 * partition isolates or splits as written, and per-node churn factors make fast and slow
 * nodes.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import { applyAction } from '../../src/sim/actions.js';
import { ChurnModel } from '../../src/sim/churn.js';
import type { ChurnParams, ScenarioAction } from '../../src/sim/scenario.js';
import { SimWorld } from '../../src/sim/world.js';

function world(nodes: number, seed = 'actions'): SimWorld {
  const w = new SimWorld({
    seed,
    crypto: 'modelled',
    overlay: TEST_OVERLAY,
    broadcast: DEFAULT_BROADCAST,
    directory: DEFAULT_DIRECTORY,
    latency: { kind: 'constant', ms: 10 },
    loss: 0,
  });
  for (let i = 0; i < nodes; i++) w.net.at(i * 10, () => w.addNode());
  w.net.runUntil(nodes * 10 + 1_000);
  return w;
}

const apply = (w: SimWorld, action: ScenarioAction, joined: number[] = []): boolean =>
  applyAction(w, action, (i) => joined.push(i));

describe('named nodes', () => {
  it('crash, restart and leave touch exactly the named nodes that are eligible', () => {
    const w = world(12);
    const nodes = [
      { from: 2, to: 2 },
      { from: 5, to: 7 },
    ];
    expect(apply(w, { type: 'crash', nodes })).toBe(true);
    expect(w.crashedNodes()).toEqual([2, 5, 6, 7]);
    // Crashing them again finds nothing eligible: the action does not fire.
    expect(apply(w, { type: 'crash', nodes })).toBe(false);
    expect(apply(w, { type: 'restart', nodes: [{ from: 0, to: 5 }] })).toBe(true);
    expect(w.crashedNodes()).toEqual([6, 7]);
    expect(apply(w, { type: 'leave', nodes: [{ from: 7, to: 9 }] })).toBe(true);
    expect(w.crashedNodes()).toEqual([6, 7, 8, 9]);
  });
});

describe('flash crowds', () => {
  it('join { count, over } adds the nodes at random times spread over the window', () => {
    const w = world(5);
    const joined: number[] = [];
    const start = w.now;
    expect(apply(w, { type: 'join', count: 80, overMs: 8_000 }, joined)).toBe(true);
    expect(w.net.nodeCount).toBe(5); // nobody yet: all arrive later
    const counts: number[] = [];
    for (let t = 2_000; t <= 8_000; t += 2_000) {
      w.net.runUntil(start + t);
      counts.push(w.net.nodeCount - 5);
    }
    expect(counts[3]).toBe(80);
    expect(joined).toEqual(Array.from({ length: 80 }, (_, i) => 5 + i));
    // Roughly a quarter per quarter of the window (uniform arrivals: sd ≈ 4 per quarter).
    counts.forEach((c, q) => expect(Math.abs(c - 20 * (q + 1))).toBeLessThan(16));
  });

  it('over: 0 adds every node at once', () => {
    const w = world(3);
    apply(w, { type: 'join', count: 4, overMs: 0 });
    expect(w.net.nodeCount).toBe(7);
  });
});

describe('partitions', () => {
  it('isolate named nodes one way: they cannot reach the rest, the rest reaches them', () => {
    const w = world(8);
    w.crash(1);
    expect(
      apply(w, {
        type: 'partition',
        split: { kind: 'isolate', nodes: { nodes: [{ from: 0, to: 1 }] } },
        oneWay: true,
      }),
    ).toBe(true);
    // Node 1 is down but isolated all the same (its restart lands on the isolated side).
    for (const a of [0, 1]) {
      for (let b = 2; b < 8; b++) {
        expect(w.net.isCut(a, b)).toBe(true);
        expect(w.net.isCut(b, a)).toBe(false);
      }
    }
    expect(w.net.isCut(0, 1)).toBe(false);
    expect(apply(w, { type: 'heal' })).toBe(true);
    expect(apply(w, { type: 'heal' })).toBe(false);
  });

  it('explicit groups: listed groups first, the unlisted nodes as the last group', () => {
    const w = world(10);
    apply(w, {
      type: 'partition',
      split: {
        kind: 'groups',
        groups: [
          [{ from: 0, to: 2 }],
          [
            { from: 3, to: 5 },
            { from: 9, to: 40 },
          ],
        ],
      },
      oneWay: false,
    });
    expect([w.net.isCut(0, 2), w.net.isCut(0, 3), w.net.isCut(3, 9), w.net.isCut(9, 6)]).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(w.net.isCut(6, 7)).toBe(false);
  });

  it('a fraction isolates that share of the live nodes', () => {
    const w = world(10);
    apply(w, {
      type: 'partition',
      split: { kind: 'isolate', nodes: { fraction: 0.3 } },
      oneWay: false,
    });
    const cutFromZero = Array.from({ length: 10 }, (_, i) => w.net.isCut(0, i));
    const isolated = cutFromZero.filter(Boolean).length;
    expect([3, 7]).toContain(isolated); // node 0 on either side
  });
});

describe('churn heterogeneity', () => {
  const MINUTE = 60_000;
  const params: ChurnParams = {
    session: { kind: 'exponential', meanMs: 2 * MINUTE },
    offline: { kind: 'exponential', meanMs: MINUTE },
    fromMs: MINUTE,
    untilMs: 40 * MINUTE,
    heterogeneity: { factor: { kind: 'uniform', min: 0.2, max: 5 }, applies: 'session' },
  };

  it('each node keeps one factor; slow nodes (large factors) crash far less often', () => {
    const w = world(20, 'hetero');
    const crashes = new Map<number, number>();
    const churn = new ChurnModel(w, params, 5);
    const original = w.crash.bind(w);
    w.crash = (i: number) => {
      crashes.set(i, (crashes.get(i) ?? 0) + 1);
      original(i);
    };
    churn.schedule();
    w.net.runUntil(40 * MINUTE);
    const factor = (i: number) => churn.factorOf(i, 'session');
    expect(factor(3)).toBe(factor(3));
    expect(churn.factorOf(3, 'offline')).toBe(1); // applies: session only
    // The third of the nodes with the smallest factors against the third with the largest.
    const byFactor = [...Array(20).keys()].sort((a, b) => factor(a) - factor(b));
    const fast = byFactor.slice(0, 7);
    const slow = byFactor.slice(-7);
    expect(factor(slow[0] as number) / factor(fast[6] as number)).toBeGreaterThan(1.5);
    const rate = (nodes: number[]) =>
      nodes.reduce((sum, i) => sum + (crashes.get(i) ?? 0), 0) / nodes.length;
    expect(rate(fast)).toBeGreaterThan(2 * rate(slow));
  });

  it('factors are drawn per node from the seed: the same seed gives the same factors', () => {
    const a = new ChurnModel(world(2, 'x'), params, 9);
    const b = new ChurnModel(world(2, 'y'), params, 9);
    const c = new ChurnModel(world(2, 'y'), params, 10);
    expect(a.factorOf(1, 'session')).toBe(b.factorOf(1, 'session'));
    expect(a.factorOf(1, 'session')).not.toBe(c.factorOf(1, 'session'));
    expect(a.factorOf(1, 'session')).not.toBe(a.factorOf(0, 'session'));
  });
});
