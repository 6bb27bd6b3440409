/**
 * The broadcast quota per origin (issue 8 #3): a node passes on at most `originQuota`
 * broadcasts of one origin per period, counts the rest, and honest traffic stays under it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BROADCAST,
  type BroadcastConfig,
  ORIGIN_QUOTA,
  ORIGIN_QUOTA_PERIOD_MS,
} from '../../src/engine/broadcast/config.js';
import { OriginQuota } from '../../src/engine/broadcast/origin-quota.js';
import { identityOf, messageOf } from '../support/link-peer.js';
import { checkProperty } from '../support/property.js';
import { probeMessage, testBroadcaster, type BroadcastMessage } from '../support/broadcaster.js';

/** A broadcaster whose neighbours are `peers`, recording what it delivers and forwards. */
function broadcaster(config: BroadcastConfig, valid: (body: Uint8Array) => boolean = () => true) {
  const delivered: string[] = [];
  const forwarded: string[] = [];
  const b = testBroadcaster(config, {
    broadcastNeighbours: () => ['a', 'b', 'c'],
    sendFrameToNeighbours: (_peers, frame) => void forwarded.push(messageOf(frame).type),
    validateBroadcast: (_kind, body) => valid(body),
    deliverBroadcast: (message) => void delivered.push(originName(message.origin)),
  });
  return { b, delivered, forwarded };
}

/** Origins by name, as valid node IDs: the broadcaster encodes what it passes on. */
const originIds = new Map<string, string>();
function originId(name: string): string {
  const known = originIds.get(name);
  if (known !== undefined) return known;
  const id = identityOf(name).id;
  originIds.set(name, id);
  return id;
}
function originName(id: string): string {
  for (const [name, known] of originIds) if (known === id) return name;
  return id;
}

let nextId = 0;
function probe(origin: string, now: number, body = new Uint8Array(4)): BroadcastMessage {
  return probeMessage(nextId++, now + 30_000, originId(origin), body);
}

const FLOOD = { ...DEFAULT_BROADCAST, mode: 'flood' as const };

describe('broadcast quota per origin', () => {
  it('a flooding origin: the first ORIGIN_QUOTA of a period pass, the rest stop here, counted', () => {
    const { b, delivered, forwarded } = broadcaster(FLOOD);
    for (let i = 0; i < 3 * ORIGIN_QUOTA; i++) b.onBroadcast('a', probe('flooder', i * 10), i * 10);
    expect(delivered).toHaveLength(ORIGIN_QUOTA);
    expect(forwarded).toHaveLength(ORIGIN_QUOTA);
    expect(b.quota.exceeded).toBe(2 * ORIGIN_QUOTA);
  });

  it('another origin is not held back by the flooder, and the quota renews after a period', () => {
    const { b, delivered } = broadcaster(FLOOD);
    for (let i = 0; i <= ORIGIN_QUOTA; i++) b.onBroadcast('a', probe('flooder', 0), 0);
    b.onBroadcast('b', probe('honest', 1), 1);
    expect(delivered.filter((o) => o === 'honest')).toHaveLength(1);
    expect(b.quota.exceeded).toBe(1);
    const later = ORIGIN_QUOTA_PERIOD_MS;
    b.tick(later);
    b.onBroadcast('a', probe('flooder', later), later);
    expect(delivered.filter((o) => o === 'flooder')).toHaveLength(ORIGIN_QUOTA + 1);
  });

  it('every node puts a broadcast in the same window: a node that meets the origin later passes the same ones', () => {
    // The flooder sends one broadcast every 500 ms for two minutes, each expiring 30 s
    // later; node B starts hearing it at 30 s, where a window of expiries begins. With
    // windows opened at each node's first sighting, B would pass 30 at once that A refuses.
    const flood = Array.from({ length: 240 }, (_, i) => ({
      at: i * 500,
      m: probe('flooder', i * 500),
    }));
    const a = broadcaster(FLOOD);
    const b = broadcaster(FLOOD);
    const passedA = new Set<number>();
    const passedB = new Set<number>();
    flood.forEach(({ at, m }, i) => {
      const before = a.delivered.length;
      a.b.onBroadcast('a', m, at);
      if (a.delivered.length > before) passedA.add(i);
      if (at < 30_000) return;
      const beforeB = b.delivered.length;
      b.b.onBroadcast('a', m, at);
      if (b.delivered.length > beforeB) passedB.add(i);
    });
    expect([...passedB]).toEqual([...passedA].filter((i) => (flood[i]?.at ?? 0) >= 30_000));
    expect(passedA.size).toBeLessThanOrEqual(3 * ORIGIN_QUOTA); // three windows in two minutes
  });

  it('invalid broadcasts naming an origin do not use up its quota', () => {
    const { b, delivered } = broadcaster(FLOOD, (body) => body[0] === 0);
    const forged = new Uint8Array([1]);
    for (let i = 0; i < 5 * ORIGIN_QUOTA; i++) b.onBroadcast('a', probe('victim', 0, forged), 0);
    b.onBroadcast('a', probe('victim', 0), 0);
    expect(delivered).toEqual(['victim']);
    expect(b.quota.exceeded).toBe(0);
  });

  it('an over-quota broadcast is remembered: another copy or an IHAVE does not bring it back', () => {
    const { b, delivered } = broadcaster({ ...DEFAULT_BROADCAST, originQuota: 1 });
    b.onBroadcast('a', probe('o', 0), 0);
    const over = probe('o', 0);
    b.onBroadcast('a', over, 0);
    b.onIHave('b', [over.id], 0);
    expect(b.nextDeadline()).toBeUndefined(); // no graft pending for it
    b.onBroadcast('c', over, 5);
    expect(delivered).toHaveLength(1);
    expect(b.quota.exceeded).toBe(1);
  });

  it('an over-quota broadcast that was grafted is no longer missing: no graft again', () => {
    const grafts: string[] = [];
    const b = testBroadcaster(
      { ...DEFAULT_BROADCAST, originQuota: 1 },
      {
        broadcastNeighbours: () => ['a'],
        sendToNeighbour: (_peer, message) => void grafts.push(message.type),
      },
    );
    b.neighbourUp('a');
    b.onBroadcast('a', probe('o', 0), 0);
    const over = probe('o', 0);
    b.onIHave('a', [over.id], 0);
    b.tick(DEFAULT_BROADCAST.graftTimeoutMs); // grafts it
    b.onBroadcast('a', over, DEFAULT_BROADCAST.graftTimeoutMs + 10); // over the quota
    for (let t = 2; t < 20; t++) b.tick(t * DEFAULT_BROADCAST.graftTimeoutMs);
    expect(grafts.filter((t) => t === 'graft')).toHaveLength(1);
    expect(b.nextDeadline()).toBeUndefined();
  });

  it('property: no origin passes more than two quotas in any period; tracked origins bounded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })), {
          maxLength: 300,
        }),
        (steps) => {
          const limits = { quota: 3, periodMs: 1_000, trackedMax: 4 };
          const quota = new OriginQuota(limits);
          let now = 0;
          const passed: { origin: number; at: number }[] = [];
          for (const [origin, gap] of steps) {
            now += gap;
            if (!quota.over(String(origin), now)) {
              quota.record(String(origin), now);
              passed.push({ origin, at: now });
            }
            expect(quota.tracked).toBeLessThanOrEqual(limits.trackedMax);
          }
          // With at most trackedMax origins in play no window is evicted, so the bound is exact.
          const origins = new Set(steps.map(([o]) => o));
          if (origins.size > limits.trackedMax) return;
          for (const o of origins) {
            const times = passed.filter((p) => p.origin === o).map((p) => p.at);
            // Within any period starting at a pass, at most quota + quota passes (two windows).
            for (let i = 0; i < times.length; i++) {
              const within = times.filter(
                (t) => t >= (times[i] as number) && t < (times[i] as number) + limits.periodMs,
              );
              expect(within.length).toBeLessThanOrEqual(2 * limits.quota);
            }
          }
        },
      ),
    );
  });

  it('property: answers as the quota without the flush shortcut would (model)', () => {
    // The model is the quota before `flush` learnt to skip within a window when the front
    // had not moved: same `over` answers and the same origins tracked, whatever the order.
    checkProperty(
      'test/broadcast/origin-quota.test.ts',
      'answers as the quota without the flush shortcut',
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('record', 'over', 'flush'),
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 150 }),
            fc.integer({ min: -1_200, max: 1_200 }),
          ),
          { maxLength: 200 },
        ),
        (steps) => {
          const limits = { quota: 2, periodMs: 1_000, trackedMax: 4 };
          const quota = new OriginQuota(limits);
          const model = new QuotaModel(limits);
          let now = 0;
          for (const [op, origin, gap, skew] of steps) {
            now += gap;
            const expiresAt = Math.max(0, now + skew);
            if (op === 'record') {
              quota.record(String(origin), expiresAt);
              model.record(String(origin), expiresAt);
            } else if (op === 'over') {
              expect(quota.over(String(origin), expiresAt)).toBe(
                model.over(String(origin), expiresAt),
              );
            } else {
              quota.flush(now);
              model.flush(now);
            }
            expect(quota.tracked).toBe(model.origins.size);
          }
        },
      ),
      {
        numRuns: 500,
        // The property's first find (an older window counted after a flush), then the two
        // ways the front moves within a window: re-recorded, and evicted by a new origin.
        examples: [
          [
            [
              ['record', 0, 500, 800],
              ['record', 1, 0, -400],
              ['flush', 0, 600, 0],
              ['record', 0, 0, 500],
              ['flush', 0, 0, 0],
            ],
          ],
          [
            [
              ['record', 0, 500, 800],
              ['record', 1, 0, -400],
              ['flush', 0, 600, 0],
              ['record', 2, 0, 0],
              ['record', 3, 0, 0],
              ['record', 4, 0, 0],
              ['flush', 0, 0, 0],
            ],
          ],
          [
            [
              ['record', 0, 52, 0],
              ['record', 0, 119, 0],
              ['record', 0, 261, 0],
              ['record', 0, 190, 0],
              ['record', 0, 233, 0],
              ['flush', 0, 145, 0],
              ['record', 0, 0, -1],
              ['flush', 0, 0, 0],
            ],
          ],
        ],
      },
    );
  });
});

/** origin-quota.ts as it was before its flush shortcut, as the property's reference. */
class QuotaModel {
  readonly origins = new Map<
    string,
    { latest: number; latestCount: number; previousCount: number }
  >();
  constructor(private readonly limits: { quota: number; periodMs: number; trackedMax: number }) {}
  over(origin: string, expiresAt: number): boolean {
    const w = this.origins.get(origin);
    const window = Math.floor(expiresAt / this.limits.periodMs);
    if (w === undefined || window > w.latest) return false;
    const count =
      window === w.latest ? w.latestCount : window === w.latest - 1 ? w.previousCount : Infinity;
    return count >= this.limits.quota;
  }
  record(origin: string, expiresAt: number): void {
    const window = Math.floor(expiresAt / this.limits.periodMs);
    const w = this.origins.get(origin);
    this.origins.delete(origin);
    if (w === undefined && this.origins.size >= this.limits.trackedMax)
      this.origins.delete(this.origins.keys().next().value as string);
    if (w === undefined || window > w.latest) {
      const previousCount = w !== undefined && window === w.latest + 1 ? w.latestCount : 0;
      this.origins.set(origin, { latest: window, latestCount: 1, previousCount });
      return;
    }
    if (window === w.latest) w.latestCount += 1;
    else if (window === w.latest - 1) w.previousCount += 1;
    this.origins.set(origin, w);
  }
  flush(now: number): void {
    const current = Math.floor(now / this.limits.periodMs);
    for (const [origin, w] of this.origins) {
      if (w.latest >= current) break;
      this.origins.delete(origin);
    }
  }
}
