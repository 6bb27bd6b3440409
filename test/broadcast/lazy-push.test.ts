/**
 * Plumtree's lazy push (broadcaster.ts): IHAVEs go to lazy neighbours in batches, but never
 * to a neighbour that showed it has the broadcast — it announced the ID to us, or sent us
 * the payload — before the batch left. Without that rule both ends of every lazy link
 * announced every broadcast to each other.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { probeMessage, testBroadcaster } from '../support/broadcaster.js';

const FLUSH = DEFAULT_BROADCAST.lazyFlushMs;

/**
 * A broadcaster with neighbours `e` (eager) and `l1`, `l2` (made lazy by a duplicate each),
 * recording the IHAVEs it sends by neighbour.
 */
function lazyNode() {
  const ihaves = new Map<string, string[][]>();
  // Plumtree's classic prune, so that one duplicate makes a link lazy (eager-min.test.ts).
  const b = testBroadcaster(
    { ...DEFAULT_BROADCAST, eagerMin: 0 },
    {
      broadcastNeighbours: () => ['e', 'l1', 'l2'],
      sendToNeighbour: (peer, message) => {
        if (message.type !== 'ihave') return;
        ihaves.set(peer, [...(ihaves.get(peer) ?? []), message.ids.map((id) => String(id[0]))]);
      },
    },
  );
  for (const peer of ['e', 'l1', 'l2']) b.neighbourUp(peer);
  // A broadcast from e, then duplicates of it over l1 and l2: both links are pruned to lazy.
  const first = message(0, 0);
  b.onBroadcast('e', first, 0);
  b.onBroadcast('l1', first, 1);
  b.onBroadcast('l2', first, 2);
  b.tick(FLUSH + 10);
  ihaves.clear();
  return { b, ihaves };
}

const message = (n: number, now: number) => probeMessage(n, now + 30_000);

describe('lazy push', () => {
  it('a new broadcast is announced to every lazy neighbour, in one batch each', () => {
    const { b, ihaves } = lazyNode();
    const t = 1_000;
    b.onBroadcast('e', message(1, t), t);
    b.onBroadcast('e', message(2, t), t + 1);
    b.tick(t + FLUSH);
    expect(ihaves.get('l1')).toEqual([['1', '2']]);
    expect(ihaves.get('l2')).toEqual([['1', '2']]);
    expect(ihaves.has('e')).toBe(false);
  });

  it('no IHAVE to a neighbour that announced the ID before the payload came', () => {
    const { b, ihaves } = lazyNode();
    const t = 1_000;
    const m = message(1, t);
    b.onIHave('l1', [m.id], t);
    b.onBroadcast('e', m, t + 5);
    b.tick(t + 5 + FLUSH);
    expect(ihaves.has('l1')).toBe(false);
    expect(ihaves.get('l2')).toEqual([['1']]);
  });

  it('an IHAVE or a payload from a neighbour withdraws the ID from the batch waiting for it', () => {
    const { b, ihaves } = lazyNode();
    const t = 1_000;
    b.onBroadcast('e', message(1, t), t);
    b.onBroadcast('e', message(2, t), t + 1);
    b.onIHave('l1', [message(1, t).id], t + 2); // l1 has 1
    b.onBroadcast('l2', message(2, t), t + 3); // l2 sent us 2 (a duplicate)
    b.tick(t + FLUSH);
    expect(ihaves.get('l1')).toEqual([['2']]);
    expect(ihaves.get('l2')).toEqual([['1']]);
  });

  it('a batch emptied by withdrawals sends nothing', () => {
    const { b, ihaves } = lazyNode();
    const t = 1_000;
    const m = message(1, t);
    b.onBroadcast('e', m, t);
    b.onIHave('l1', [m.id], t + 1);
    b.onIHave('l2', [m.id], t + 2);
    b.tick(t + FLUSH);
    expect(ihaves.size).toBe(0);
  });
});

describe('the payload cache for GRAFTs', () => {
  /** A broadcaster that records the frames it sends `g` alone (a GRAFT's answer, a forward). */
  function grafted(config = DEFAULT_BROADCAST) {
    const resent: Uint8Array[] = [];
    const b = testBroadcaster(config, {
      broadcastNeighbours: () => ['e', 'g'],
      sendFrameToNeighbours: (peers, frame) => {
        if (peers.length === 1 && peers[0] === 'g') resent.push(frame);
      },
    });
    for (const peer of ['e', 'g']) b.neighbourUp(peer);
    return { b, resent };
  }
  const KEEP = DEFAULT_BROADCAST.messageCacheMs;

  it('answers a GRAFT while it keeps the payload, and forgets it messageCacheMs later', () => {
    const { b, resent } = grafted();
    const first = message(1, 0);
    const second = message(2, 0);
    b.onBroadcast('e', first, 0);
    b.onBroadcast('e', second, KEEP / 2);
    resent.length = 0; // the forwards to g (an eager neighbour), not GRAFT answers
    b.tick(KEEP - 1);
    b.onGraft('g', first.id);
    expect(resent).toHaveLength(1);
    b.tick(KEEP); // the first payload's time is up; the second's is not
    b.onGraft('g', first.id);
    b.onGraft('g', second.id);
    expect(resent).toHaveLength(2);
    b.tick(KEEP / 2 + KEEP);
    b.onGraft('g', second.id);
    expect(resent).toHaveLength(2);
  });

  it('a full cache evicts its oldest and still forgets, on time, a payload kept out of order', () => {
    const { b, resent } = grafted({ ...DEFAULT_BROADCAST, messageCacheMax: 2 });
    const a = message(1, 0); // kept until messageCacheMs
    const early = { ...message(2, 0), expiresAt: 2_000 }; // kept until its expiry, behind a
    b.onBroadcast('e', a, 0);
    b.onBroadcast('e', early, 0);
    b.tick(2_000); // a is first and not due: early stays behind it
    b.onBroadcast('e', message(3, 2_001), 2_001); // full: a goes, early is first
    b.tick(3_000);
    resent.length = 0;
    b.onGraft('g', early.id);
    expect(resent).toHaveLength(0);
  });
});
