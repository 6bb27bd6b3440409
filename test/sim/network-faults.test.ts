/**
 * The simulated network's fault options of issue 6: one-way partitions (A cannot reach B,
 * B still reaches A), duplication and reordering, with their counters; all deterministic.
 * Driven with scriptable fake engines, so every frame and its time are visible.
 */
import { describe, expect, it } from 'vitest';
import type { Input } from '../../src/engine/types.js';
import { CONNECT_TIMEOUT_MS } from '../../src/transports/sim/limits.js';
import {
  SimNetwork,
  simAddress,
  type SimNetworkOptions,
  type SimNodeContext,
} from '../../src/transports/sim/network.js';
import {
  dial,
  close,
  FakeEngine,
  send,
  wake,
  type Behaviour,
} from '../transports/sim/fake-engine.js';

/** A network of FakeEngines, 10 ms one way; `engines[i]` is node i's latest incarnation. */
function setup(
  behaviour: (ctx: SimNodeContext) => Behaviour,
  options: Partial<SimNetworkOptions> = {},
  nodes = 2,
) {
  const engines: FakeEngine[] = [];
  const net = new SimNetwork({
    seed: 'faults',
    latency: { kind: 'constant', ms: 10 },
    ...options,
    createEngine(ctx) {
      const engine = new FakeEngine(ctx, behaviour(ctx));
      engines[ctx.index] = engine;
      return engine;
    },
  });
  for (let i = 0; i < nodes; i++) net.addNode();
  return { net, engines };
}

/** Node 0 dials node 1 at start; every node sends [its index, tick number] every 100 ms. */
const pinger =
  (ctx: SimNodeContext): Behaviour =>
  (input, now, eng) => {
    if (input.type === 'start') {
      const out = [wake(now + 100)];
      if (ctx.index === 0) out.push(dial(0, simAddress(1)));
      return out;
    }
    if (input.type === 'tick') {
      const frames = [...eng.open.keys()].map((l) => send(l, [ctx.index, now / 100]));
      return [...frames, wake(now + 100)];
    }
    return [];
  };

/** The ticks of the frames node `i` received (second byte of each). */
const ticksAt = (engines: FakeEngine[], i: number): number[] =>
  (engines[i]?.of('frame') ?? []).map((f) => f.input.bytes[1] as number);

const types = (engine: FakeEngine | undefined, from = 0): Input['type'][] =>
  (engine?.inputs ?? []).slice(from).map((r) => r.input.type);

describe('one-way partitions', () => {
  it('A cannot reach B while B still reaches A; heal restores both ways', () => {
    const { net, engines } = setup(pinger);
    net.runUntil(150); // linked at 20; tick 1 at 100 crosses both ways
    expect(ticksAt(engines, 0)).toEqual([1]);
    expect(ticksAt(engines, 1)).toEqual([1]);
    net.partition([[0], [1]], { oneWay: true });
    expect(net.partitioned).toBe(true);
    expect(net.isCut(0, 1)).toBe(true);
    expect(net.isCut(1, 0)).toBe(false);
    net.runUntil(550);
    expect(ticksAt(engines, 1)).toEqual([1]); // nothing from 0 got through
    expect(ticksAt(engines, 0)).toEqual([1, 2, 3, 4, 5]); // 1's frames still arrive
    expect(net.stats.partitionCuts).toBe(4);
    net.heal();
    expect(net.isCut(0, 1)).toBe(false);
    net.runUntil(750);
    expect(ticksAt(engines, 1)).toEqual([1, 6, 7]);
  });

  it('listed groups come first: group 1 cannot send to group 2 or to the unlisted rest', () => {
    const { net } = setup(() => () => [], {}, 4);
    net.partition([[0], [1]], { oneWay: true });
    const cut = (a: number, b: number) => net.isCut(a, b);
    expect([cut(0, 1), cut(0, 2), cut(1, 2), cut(2, 3)]).toEqual([true, true, true, false]);
    expect([cut(1, 0), cut(2, 0), cut(2, 1), cut(3, 2)]).toEqual([false, false, false, false]);
    // A node added during the partition joins the unlisted group.
    const late = net.addNode();
    expect([cut(0, late), cut(late, 0), cut(late, 2)]).toEqual([true, false, false]);
    // A symmetric partition cuts both ways.
    net.partition([[0], [1]]);
    expect([cut(0, 1), cut(1, 0), cut(2, 0), cut(late, 2)]).toEqual([true, true, true, false]);
  });

  it('a connection needs both ways: a dial fails from either side of a one-way cut', () => {
    const { net, engines } = setup(
      (ctx) => (input) =>
        ctx.index === 1 && input.type === 'start' ? [dial(5, simAddress(0))] : [],
    );
    net.partition([[0], [1]], { oneWay: true });
    net.runUntil(CONNECT_TIMEOUT_MS + 100);
    // 1 → 0: the SYN arrives (0 sees the connection, half-open) but the SYN-ACK is cut.
    expect(engines[0]?.of('linkOpened').map((r) => r.now)).toEqual([10]);
    expect(engines[1]?.of('dialFailed').map((r) => [r.now, r.input.reason])).toEqual([
      [CONNECT_TIMEOUT_MS, 'timeout'],
    ]);
    expect(engines[1]?.of('linkOpened')).toEqual([]);
    // 0 → 1: the SYN itself is cut.
    const other = setup(
      (ctx) => (input) =>
        ctx.index === 0 && input.type === 'start' ? [dial(6, simAddress(1))] : [],
    );
    other.net.partition([[0], [1]], { oneWay: true });
    other.net.runUntil(CONNECT_TIMEOUT_MS + 100);
    expect(types(other.engines[1])).toEqual(['start']);
    expect(other.engines[0]?.of('dialFailed').map((r) => r.input.reason)).toEqual(['timeout']);
    expect(other.net.stats.partitionCuts).toBe(1);
  });

  it('a FIN follows the allowed direction only; frames in flight are cut on arrival', () => {
    const { net, engines } = setup((ctx) => (input, now, eng) => {
      if (ctx.index === 0 && input.type === 'start') return [dial(0, simAddress(1))];
      if (input.type === 'command') {
        const link = [...eng.open.keys()][0] as number;
        return now === 100 ? [send(link, [ctx.index, 9])] : [close(link)];
      }
      return [];
    });
    net.runUntil(50);
    // 0 sends at 100 (arrives at 110); the one-way cut starts at 105, before it lands.
    net.at(100, () => net.command(0, { type: 'leave' }));
    net.at(105, () => net.partition([[0], [1]], { oneWay: true }));
    net.runUntil(200);
    expect(engines[1]?.of('frame')).toEqual([]);
    // 0 closes: its FIN to 1 is cut, so 1 still believes the link open.
    net.at(300, () => net.command(0, { type: 'leave' }));
    net.runUntil(400);
    expect(engines[1]?.of('linkClosed')).toEqual([]);
    expect(engines[1]?.open.size).toBe(1);
    // 1 closes its side: that FIN travels 1 → 0, which is allowed (0's side is gone: no input).
    net.at(500, () => net.command(1, { type: 'leave' }));
    net.runUntil(600);
    expect(net.stats.partitionCuts).toBe(2);
  });
});

describe('duplication and reordering', () => {
  it('duplicate: 1 delivers every frame twice, back to back, and counts them', () => {
    const { net, engines } = setup(pinger, { duplicate: 1 });
    net.runUntil(350);
    expect(ticksAt(engines, 1)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(net.stats.duplicated).toBe(6); // 3 ticks × 2 directions, each copied once
    expect(net.stats.framesSent).toBe(6);
    expect(net.stats.framesDelivered).toBe(12);
  });

  it('reorder: held-back frames arrive later than their turn and later frames overtake them', () => {
    const behaviour =
      (ctx: SimNodeContext): Behaviour =>
      (input, now, eng) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(0, simAddress(1))];
        if (ctx.index === 0 && input.type === 'linkOpened') return [wake(now + 1)];
        if (ctx.index === 0 && input.type === 'tick' && now < 220) {
          // One frame a millisecond: byte 1 numbers them in sending order.
          return [...[...eng.open.keys()].map((l) => send(l, [0, now - 20])), wake(now + 1)];
        }
        return [];
      };
    const { net, engines } = setup(behaviour, {
      reorder: { probability: 0.3, maxDelayMs: 50 },
    });
    net.runUntil(1_000);
    const frames = engines[1]?.of('frame') ?? [];
    const order = frames.map((f) => f.input.bytes[1] as number);
    expect(order).toHaveLength(199); // sent at 21..219 ms
    expect([...order].sort((a, b) => a - b)).toEqual(order.map((_, i) => i + 1)); // none lost
    expect(order).not.toEqual([...order].sort((a, b) => a - b)); // but out of order
    const reordered = net.stats.reordered;
    expect(reordered).toBeGreaterThan(40);
    expect(reordered).toBeLessThan(80);
    // Never early: frame k was sent at 20 + k and takes at least the 10 ms delay; a held
    // frame is late by at most 50 ms beyond the FIFO arrival of the frames before it.
    for (const f of frames) {
      const k = f.input.bytes[1] as number;
      expect(f.now).toBeGreaterThanOrEqual(20 + k + 10);
      expect(f.now).toBeLessThanOrEqual(20 + k + 10 + 50);
    }
    // Deterministic: the same seed gives the same order.
    const again = setup(behaviour, { reorder: { probability: 0.3, maxDelayMs: 50 } });
    again.net.runUntil(1_000);
    expect(ticksAt(again.engines, 1)).toEqual(order);
    expect(again.net.traceHash()).toBe(net.traceHash());
  });

  it('off by default: no draws, no counts, the same trace as before the options existed', () => {
    const plain = setup(pinger);
    const zero = setup(pinger, { duplicate: 0, reorder: { probability: 0, maxDelayMs: 5 } });
    plain.net.runUntil(2_000);
    zero.net.runUntil(2_000);
    expect(zero.net.traceHash()).toBe(plain.net.traceHash());
    expect([plain.net.stats.duplicated, plain.net.stats.reordered]).toEqual([0, 0]);
  });

  it('bad options are refused by name', () => {
    expect(() => setup(pinger, { duplicate: 2 })).toThrow(/duplicate: expected a probability/);
    expect(() => setup(pinger, { reorder: { probability: 0.1, maxDelayMs: 0 } })).toThrow(
      /reorder\.maxDelayMs: expected an integer in \[1, 60000\]/,
    );
    expect(() => setup(pinger, { reorder: { probability: -1, maxDelayMs: 5 } })).toThrow(
      /reorder\.probability/,
    );
  });
});
