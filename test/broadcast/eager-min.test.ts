/**
 * The eager minimum (broadcast/config.ts EAGER_MIN): a duplicate prunes the link it came
 * over only while more than `eagerMin` eager neighbours remain. `eagerMin: 0` is Plumtree's
 * rule, a prune on every duplicate. A neighbour's PRUNE is always obeyed: it asked us to
 * stop sending it payloads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST, EAGER_MIN } from '../../src/engine/broadcast/config.js';
import { probeMessage, testBroadcaster } from '../support/broadcaster.js';

/** A tree-mode broadcaster; `prunes` lists the neighbours it sent a PRUNE to, in order. */
function node(eagerMin: number) {
  const prunes: string[] = [];
  const b = testBroadcaster(
    { ...DEFAULT_BROADCAST, eagerMin },
    {
      sendToNeighbour: (peer, message) => {
        if (message.type === 'prune') prunes.push(peer);
      },
    },
  );
  return { b, prunes };
}

const message = (n: number) => probeMessage(n, 30_000);

const PEERS = ['a', 'b', 'c', 'd', 'e', 'f'];

describe('the eager minimum', () => {
  it('is 3 by default', () => {
    expect(EAGER_MIN).toBe(3);
    expect(DEFAULT_BROADCAST.eagerMin).toBe(EAGER_MIN);
  });

  it('duplicates prune while more than eagerMin eager links remain, then no more', () => {
    const { b, prunes } = node(3);
    for (const peer of PEERS) b.neighbourUp(peer);
    const m = message(1);
    b.onBroadcast('a', m, 0);
    for (const peer of PEERS.slice(1)) b.onBroadcast(peer, m, 1);
    expect(prunes).toEqual(['b', 'c', 'd']);
    expect(b.links()).toEqual({ eager: ['a', 'e', 'f'], lazy: ['b', 'c', 'd'] });
  });

  it('eagerMin 0 is Plumtree: every duplicate prunes, down to no eager link at all', () => {
    const { b, prunes } = node(0);
    for (const peer of PEERS) b.neighbourUp(peer);
    const m = message(1);
    b.onBroadcast('a', m, 0);
    for (const peer of PEERS) b.onBroadcast(peer, m, 1);
    expect(prunes).toEqual(PEERS);
    expect(b.links().eager).toEqual([]);
  });

  it("a neighbour's PRUNE is obeyed below the minimum", () => {
    const { b } = node(3);
    for (const peer of PEERS.slice(0, 3)) b.neighbourUp(peer);
    b.onPrune('a');
    expect(b.links()).toEqual({ eager: ['b', 'c'], lazy: ['a'] });
  });

  it('property: our own prunes never leave fewer than eagerMin eager links', () => {
    type Step =
      | { op: 'up' | 'down' | 'prune' | 'graft'; peer: number }
      | { op: 'payload'; peer: number; id: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        op: fc.constantFrom('up' as const, 'down' as const, 'prune' as const, 'graft' as const),
        peer: fc.nat(PEERS.length - 1),
      }),
      fc.record({
        op: fc.constant('payload' as const),
        peer: fc.nat(PEERS.length - 1),
        id: fc.nat(3),
      }),
    );
    fc.assert(
      fc.property(
        fc.nat(5),
        fc.array(step, { minLength: 20, maxLength: 80 }),
        (eagerMin, steps) => {
          const { b, prunes } = node(eagerMin);
          const up = new Set<string>();
          for (const s of steps) {
            const peer = PEERS[s.peer] as string;
            if (s.op === 'up') {
              b.neighbourUp(peer);
              up.add(peer);
              continue;
            }
            if (s.op === 'down') {
              b.neighbourDown(peer);
              up.delete(peer);
              continue;
            }
            if (!up.has(peer)) continue; // the node hears only its neighbours
            const before = prunes.length;
            if (s.op === 'prune') b.onPrune(peer);
            else if (s.op === 'graft') b.onGraft(peer, message(0).id);
            else if (s.op === 'payload') b.onBroadcast(peer, message(s.id), 1);
            const { eager, lazy } = b.links();
            if (prunes.length > before) {
              expect(prunes.at(-1)).toBe(peer);
              expect(eager.length).toBeGreaterThanOrEqual(eagerMin);
              expect(lazy).toContain(peer);
            }
            expect(eager.filter((p) => lazy.includes(p))).toEqual([]);
          }
        },
      ),
    );
  });
});
