/**
 * The directory's bounded sample (src/engine/directory/sample.ts): bottom-k by a salted
 * rank, whatever the arrival order; pinned IDs outside it and never evicted; entriesMax,
 * revocations and expiry still hold.
 */
import { seededIdentity } from '../support/identities.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { Directory, DirectoryPinError } from '../../src/engine/directory/directory.js';
import { signDescriptor, signRevocation } from '../../src/engine/directory/records.js';
import { BottomK, sampleRank, sampleSaltOf } from '../../src/engine/directory/sample.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import type { Identity } from '../../src/engine/identity.js';
import { Node } from '../../src/engine/node.js';
import type { NodeId } from '../../src/engine/types.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';

const suite = modelledSuite;
const LIFETIME_MS = 600_000;
const SALT = new Uint8Array(32).fill(7);
const POOL = Array.from({ length: 24 }, (_, i) => identity(i + 1));

function identity(seed: number): Identity {
  return seededIdentity(suite, seed);
}

function announce(who: Identity, issued = 1_000, lifetime = LIFETIME_MS): Uint8Array {
  return signDescriptor(suite, who, {
    address: '10.0.0.1:7000',
    relay: true,
    issued,
    expires: issued + lifetime,
  }).bytes;
}

function directory(sampleSize: number, entriesMax = 100, pinnedMax?: number): Directory {
  return new Directory(
    suite,
    {
      entriesMax,
      descriptorLifetimeMaxMs: 3_600_000,
      clockSkewMs: 10_000,
      sampleSize,
      ...(pinnedMax === undefined ? {} : { pinnedMax }),
    },
    SALT,
  );
}

/** Distinct IDs by rank under SALT, lowest first (ties by ID). */
function byRank(ids: Iterable<NodeId>): NodeId[] {
  const ranked = [...new Set(ids)].map((id) => ({ id, rank: sampleRank(suite, SALT, id) }));
  ranked.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));
  return ranked.map((r) => r.id);
}

/** The k IDs of lowest rank, sorted by ID (to compare with a directory's IDs). */
function lowest(ids: Iterable<NodeId>, k: number): NodeId[] {
  return byRank(ids).slice(0, k).sort();
}

const held = (d: Directory): NodeId[] => d.ids().sort();

describe('directory sample (bottom-k)', () => {
  it('a rank is the first 48 bits of HMAC(salt, the ID as UTF-8), for any ID, ASCII or not, short or long', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 10 })),
          { maxLength: 4 },
        ),
        (ids) => {
          for (const id of ids) {
            const mac = suite.hmacSha256(SALT, new TextEncoder().encode(id));
            const expected = [...mac.subarray(0, 6)].reduce((rank, byte) => rank * 256 + byte, 0);
            expect(sampleRank(suite, SALT, id)).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps exactly the k lowest ranks of the IDs heard, whatever the arrival order', () => {
    checkProperty(
      'test/directory/sample.test.ts',
      'keeps exactly the k lowest ranks',
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 60 }),
        (k, arrivals) => {
          const d = directory(k);
          arrivals.forEach((i, t) => {
            // Re-announcements (later issue times) mixed in: they must not churn the sample.
            const outcome = d.acceptBytes(announce(POOL[i]!, 1_000 + t), 2_000 + t);
            expect(['new', 'updated', 'sampledOut']).toContain(outcome);
          });
          const heard = arrivals.map((i) => POOL[i]!.id);
          expect(held(d)).toEqual(lowest(heard, k));
          expect(d.sampled).toBe(Math.min(k, new Set(heard).size));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a stranger is an ID it would hold but does not, nor remembers revoked', () => {
    // The overlay's island checks ask a stranger to be a neighbour (hyparview.ts header).
    checkProperty(
      'test/directory/sample.test.ts',
      'a stranger is an ID it would hold',
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 20 }),
        fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 3 }),
        (k, heardAt, revokedAt) => {
          const d = directory(k);
          for (const i of heardAt) d.acceptBytes(announce(POOL[i]!), 2_000);
          for (const i of revokedAt)
            d.acceptBytes(signRevocation(suite, POOL[i]!, 3_000).bytes, 3_000);
          const kept = d.ids();
          // With the sample full, an ID gets in only by ranking below its highest member.
          const worst = kept.length < k ? undefined : byRank(kept)[kept.length - 1];
          for (const { id } of POOL) {
            const wouldHold = worst === undefined || byRank([id, worst])[0] === id;
            const known = kept.includes(id) || d.isRevoked(id);
            expect(d.isStranger(id)).toBe(!known && wouldHold);
          }
        },
      ),
      { numRuns: 200 },
    );
    // By hand: unheard with room, then heard, then revoked.
    const d = directory(4);
    const [alice] = POOL;
    expect(d.isStranger(alice!.id)).toBe(true);
    d.acceptBytes(announce(alice!), 2_000);
    expect(d.isStranger(alice!.id)).toBe(false);
    d.acceptBytes(signRevocation(suite, alice!, 3_000).bytes, 3_000);
    expect(d.get(alice!.id)).toBeUndefined();
    expect(d.isStranger(alice!.id)).toBe(false);
  });

  it('refuses a higher-ranked newcomer as sampledOut, not as an error, and evicts for a lower one', () => {
    const ids = POOL.map((p) => p.id);
    const order = byRank(ids);
    const byId = new Map(POOL.map((p) => [p.id, p]));
    const d = directory(2);
    // Ranks 1, 2 in; rank 3 refused; rank 0 evicts rank 2.
    expect(d.acceptBytes(announce(byId.get(order[1]!)!), 1_000)).toBe('new');
    expect(d.acceptBytes(announce(byId.get(order[2]!)!), 1_000)).toBe('new');
    expect(d.acceptBytes(announce(byId.get(order[3]!)!), 1_000)).toBe('sampledOut');
    expect(d.acceptBytes(announce(byId.get(order[0]!)!), 1_000)).toBe('new');
    expect(held(d)).toEqual([order[0]!, order[1]!].sort());
    expect(d.counters).toMatchObject({ sampledOut: 1, evicted: 1, full: 0 });
  });

  it('pinned IDs are admitted whatever their rank, never evicted, and not counted in the sample', () => {
    checkProperty(
      'test/directory/sample.test.ts',
      'pinned IDs never evicted',
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 5 }),
        fc.array(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 60 }),
        (k, pins, arrivals) => {
          const d = directory(k);
          const pinned = new Set(pins.map((i) => POOL[i]!.id));
          for (const id of pinned) d.pin(id);
          arrivals.forEach((i, t) => d.acceptBytes(announce(POOL[i]!, 1_000 + t), 2_000 + t));
          const heard = new Set(arrivals.map((i) => POOL[i]!.id));
          for (const id of pinned) expect(d.get(id) !== undefined).toBe(heard.has(id));
          const unpinned = [...heard].filter((id) => !pinned.has(id));
          const sampled = held(d).filter((id) => !pinned.has(id));
          expect(sampled).toEqual(lowest(unpinned, k));
          expect(d.sampled).toBe(sampled.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('unpinning puts a held entry back in the sample, which evicts its highest rank', () => {
    const d = directory(2);
    const [a, b, c] = POOL;
    d.pin(a!.id);
    for (const who of [a!, b!, c!]) d.acceptBytes(announce(who), 1_000);
    expect(d.size).toBe(3);
    d.unpin(a!.id);
    expect(d.size).toBe(2);
    expect(held(d)).toEqual(lowest([a!.id, b!.id, c!.id], 2));
    expect(d.counters.evicted).toBe(1);
  });

  it('refuses more than pinnedMax pins with a named error', () => {
    const d = directory(2, 100, 2);
    d.pin(POOL[0]!.id);
    d.pin(POOL[1]!.id);
    d.pin(POOL[1]!.id); // pinning again is no new pin
    expect(() => d.pin(POOL[2]!.id)).toThrow(DirectoryPinError);
  });

  it('entriesMax still bounds sample and pins together', () => {
    const d = directory(3, 4);
    for (const who of POOL.slice(0, 3)) d.pin(who.id);
    for (const who of POOL) d.acceptBytes(announce(who), 1_000);
    expect(d.size).toBe(4);
    expect(d.counters.full).toBeGreaterThan(0);
    for (const who of POOL.slice(0, 3)) expect(d.get(who.id)).toBeDefined();
  });

  it('a revoked or expired member leaves room that the next arrival fills', () => {
    const ids = byRank(POOL.map((p) => p.id));
    const byId = new Map(POOL.map((p) => [p.id, p]));
    const d = directory(2);
    d.acceptBytes(announce(byId.get(ids[0]!)!, 1_000, 10_000), 1_000); // expires at 11 s
    d.acceptBytes(announce(byId.get(ids[1]!)!), 1_000);
    expect(d.acceptBytes(announce(byId.get(ids[5]!)!), 1_000)).toBe('sampledOut');
    d.prune(11_000);
    expect(d.acceptBytes(announce(byId.get(ids[5]!)!, 11_000), 11_000)).toBe('new');
    expect(d.acceptBytes(signRevocation(suite, byId.get(ids[1]!)!, 12_000).bytes, 12_000)).toBe(
      'revoked',
    );
    expect(d.get(ids[1]!)).toBeUndefined();
    expect(d.acceptBytes(announce(byId.get(ids[7]!)!, 12_000), 12_000)).toBe('new');
    // The revoked node's older descriptor cannot come back.
    expect(d.acceptBytes(announce(byId.get(ids[1]!)!), 12_500)).toBe('stale');
    expect(held(d)).toEqual([ids[5]!, ids[7]!].sort());
  });

  it('every node has a salt of its own, so samples of the same IDs differ', () => {
    const salts = POOL.slice(0, 4).map((p) => sampleSaltOf(suite, p));
    const samples = salts.map((salt) => {
      const d = new Directory(
        suite,
        { entriesMax: 100, descriptorLifetimeMaxMs: 3_600_000, clockSkewMs: 10_000, sampleSize: 5 },
        salt,
      );
      for (const who of POOL) d.acceptBytes(announce(who), 1_000);
      return held(d).join();
    });
    expect(new Set(samples).size).toBeGreaterThan(1);
    // …and the same identity always draws the same salt (a stable sample across restarts).
    expect(sampleSaltOf(suite, POOL[0]!)).toEqual(salts[0]);
  });

  it('without a sample size nothing is sampled out (full directories)', () => {
    const d = new Directory(suite, {
      entriesMax: 100,
      descriptorLifetimeMaxMs: 3_600_000,
      clockSkewMs: 10_000,
    });
    for (const who of POOL) expect(d.acceptBytes(announce(who), 1_000)).toBe('new');
    expect(d.size).toBe(POOL.length);
  });

  it('a node samples its directory and keeps what its runtime pinned (pin and unpin commands)', () => {
    const me = POOL[0]!;
    const others = POOL.slice(1);
    const start = (pinned: NodeId[], unpinned: NodeId[] = []): NodeId[] => {
      const node = new Node({
        identity: me,
        crypto: suite,
        random: new SeededRandomSource('pin-test'),
        address: '10.0.0.9:7000',
        bootstrap: [],
        directory: { ...DEFAULT_DIRECTORY, sampleSize: 3 },
        checkInvariants: true,
        restore: { descriptors: others.map((who) => announce(who, 1_000)), replayTags: [] },
      });
      for (const id of pinned) node.handle({ type: 'command', command: { type: 'pin', id } }, 0);
      for (const id of unpinned)
        node.handle({ type: 'command', command: { type: 'unpin', id } }, 0);
      node.handle({ type: 'start' }, 2_000);
      return node
        .savedDescriptors(2_000)
        .map((d) => d.id)
        .sort();
    };
    const plain = start([]);
    expect(plain).toHaveLength(3);
    // Three nodes the sample (under this node's own salt) left out: pinned, they are kept too.
    const pins = others
      .map((o) => o.id)
      .filter((id) => !plain.includes(id))
      .slice(0, 3);
    const pinnedRun = start(pins);
    expect(pinnedRun).toHaveLength(6);
    for (const id of pins) expect(pinnedRun).toContain(id);
    expect(start(pins, pins)).toEqual(plain);
  });
});

describe('directory sample healing (rule 7: an unreachable member gives way)', () => {
  const byId = new Map(POOL.map((p) => [p.id, p]));
  const order = byRank(POOL.map((p) => p.id));
  const who = (rank: number): Identity => byId.get(order[rank]!)!;
  /** A sample of `k` holding the nodes of these ranks. */
  const holding = (k: number, ranks: number[]): Directory => {
    const d = directory(k);
    for (const rank of ranks) d.acceptBytes(announce(who(rank)), 1_000);
    return d;
  };

  it('a member we could not reach gives its slot to a newcomer the sample would refuse', () => {
    const d = holding(2, [0, 1]);
    d.memberUnreachable(order[0]!, 1_000);
    expect(d.acceptBytes(announce(who(9)), 1_000)).toBe('new');
    expect(held(d)).toEqual([order[1]!, order[9]!].sort());
    expect(d.counters).toMatchObject({ replacedUnreachable: 1, evicted: 1, sampledOut: 0 });
    // Only once: the next higher-ranked newcomer is refused again, as bottom-k says.
    expect(d.acceptBytes(announce(who(10)), 1_000)).toBe('sampledOut');
  });

  it('a lower-ranked newcomer takes the unreachable member’s slot, not the worst reachable one’s', () => {
    const d = holding(2, [1, 2]);
    d.memberUnreachable(order[1]!, 1_000);
    expect(d.acceptBytes(announce(who(0)), 1_000)).toBe('new');
    expect(held(d)).toEqual([order[0]!, order[2]!].sort());
  });

  it('unreachable members give way oldest first, one per newcomer', () => {
    const d = holding(3, [0, 1, 2]);
    d.memberUnreachable(order[2]!, 1_000);
    d.memberUnreachable(order[0]!, 1_000);
    d.memberUnreachable(order[2]!, 1_000); // marked once
    d.acceptBytes(announce(who(8)), 1_000);
    expect(held(d)).toEqual([order[0]!, order[1]!, order[8]!].sort());
    d.acceptBytes(announce(who(9)), 1_000);
    expect(held(d)).toEqual([order[1]!, order[8]!, order[9]!].sort());
    expect(d.counters.replacedUnreachable).toBe(2);
  });

  it('a newcomer our routing suspects takes no slot; a reachable or re-announced member keeps its own', () => {
    const d = holding(2, [0, 1]);
    d.suspected = (id) => id === order[9];
    d.memberUnreachable(order[0]!, 1_000);
    expect(d.acceptBytes(announce(who(9)), 1_000)).toBe('sampledOut');
    d.memberReachable(order[0]!); // a link to it came up
    expect(d.acceptBytes(announce(who(10)), 1_000)).toBe('sampledOut');
    d.memberUnreachable(order[1]!, 1_000);
    expect(d.acceptBytes(announce(who(1), 2_000), 2_000)).toBe('updated'); // it announced again
    expect(d.acceptBytes(announce(who(11)), 2_000)).toBe('sampledOut');
    expect(held(d)).toEqual([order[0]!, order[1]!].sort());
    expect(d.counters.replacedUnreachable).toBe(0);
  });

  it('pinned IDs and non-members are never marked, and full directories keep everyone', () => {
    const d = holding(2, [0, 1]);
    d.memberUnreachable(order[0]!, 1_000);
    d.pin(order[0]!); // pinned now: outside the sample, its mark gone with its membership
    d.acceptBytes(announce(who(2)), 1_000); // the sample is full again
    d.memberUnreachable(order[5]!, 1_000); // not held: nothing to give up
    expect(d.acceptBytes(announce(who(9)), 1_000)).toBe('sampledOut');
    expect(d.get(order[0]!)).toBeDefined();
    const full = new Directory(suite, {
      entriesMax: 100,
      descriptorLifetimeMaxMs: 3_600_000,
      clockSkewMs: 10_000,
    });
    for (const p of POOL.slice(0, 4)) full.acceptBytes(announce(p), 1_000);
    full.memberUnreachable(POOL[0]!.id, 1_000);
    full.acceptBytes(announce(POOL[5]!), 1_000);
    expect(full.get(POOL[0]!.id)).toBeDefined();
    expect(full.counters.replacedUnreachable).toBe(0);
  });

  it('a newcomer whose descriptor is older than the failure takes no slot, nor does an old re-announcement clear it', () => {
    const d = holding(2, [0, 1]);
    d.memberUnreachable(order[0]!, 5_000);
    // Issued before the failure: it may have died in it too.
    expect(d.acceptBytes(announce(who(9), 4_000), 6_000)).toBe('sampledOut');
    expect(d.acceptBytes(announce(who(0), 4_500), 6_000)).toBe('updated'); // still marked
    expect(d.acceptBytes(announce(who(10), 5_000), 6_000)).toBe('new');
    expect(held(d)).toEqual([order[1]!, order[10]!].sort());
  });

  it('agrees with a plain model of rule 7 over any offers, failures, recoveries and suspicions', () => {
    type Step =
      | { kind: 'offer'; who: number; age: number }
      | { kind: 'unreachable'; who: number }
      | { kind: 'reachable'; who: number };
    const who = fc.nat(POOL.length - 1);
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('offer' as const), who, age: fc.nat(20) }),
      fc.record({ kind: fc.constant('unreachable' as const), who }),
      fc.record({ kind: fc.constant('reachable' as const), who }),
    );
    const rank = new Map(order.map((id, i) => [id, i]));
    checkProperty(
      'test/directory/sample.test.ts',
      'agrees with a plain model of rule 7',
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 6 }),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        (k, suspectedIndexes, steps) => {
          const suspected = new Set(suspectedIndexes.map((i) => POOL[i]!.id));
          const d = directory(k);
          d.suspected = (id) => suspected.has(id);
          // The model: members with their descriptors' issue times; marks with their times.
          const members = new Map<NodeId, number>();
          const marks: { id: NodeId; since: number }[] = [];
          const unmark = (id: NodeId): void => {
            const at = marks.findIndex((m) => m.id === id);
            if (at >= 0) marks.splice(at, 1);
          };
          const drop = (id: NodeId): void => {
            members.delete(id);
            unmark(id);
          };
          steps.forEach((s, t) => {
            const now = 100 + t;
            const id = POOL[s.who]!.id;
            if (s.kind === 'unreachable') {
              d.memberUnreachable(id, now);
              if (members.has(id) && !marks.some((m) => m.id === id))
                marks.push({ id, since: now });
              return;
            }
            if (s.kind === 'reachable') {
              d.memberReachable(id);
              return unmark(id);
            }
            const issued = now - s.age;
            d.acceptBytes(announce(POOL[s.who]!, issued), now);
            const current = members.get(id);
            if (current !== undefined) {
              if (issued <= current) return; // known or stale
              members.set(id, issued);
              const mark = marks.find((m) => m.id === id);
              if (mark !== undefined && issued >= mark.since) unmark(id);
              return;
            }
            if (members.size >= k) {
              const worst = [...members.keys()].reduce((a, b) =>
                rank.get(a)! > rank.get(b)! ? a : b,
              );
              const first = marks[0];
              if (first !== undefined && issued >= first.since && !suspected.has(id))
                drop(first.id);
              else if (rank.get(id)! < rank.get(worst)!) drop(worst);
              else return;
            }
            members.set(id, issued);
          });
          expect(held(d)).toEqual([...members.keys()].sort());
          expect(d.sampled).toBeLessThanOrEqual(k);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('BottomK (the sample members)', () => {
  // Ranks from a small range, so that ties (broken by the ID) happen often.
  const IDS = Array.from({ length: 12 }, (_, i) => `id${String.fromCharCode(97 + i)}` as NodeId);
  const rankOf = (id: NodeId): number => (id.charCodeAt(2) * 7) % 5;
  const byRankThenId = (a: NodeId, b: NodeId): number =>
    rankOf(a) - rankOf(b) || (a < b ? -1 : a > b ? 1 : 0);

  it('after any adds and deletes, worst() and admit() agree with a sorted model', () => {
    checkProperty(
      'test/directory/sample.test.ts',
      'BottomK agrees with a sorted model',
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat(IDS.length - 1), fc.boolean()), { maxLength: 80 }),
        (k, ops) => {
          const sample = new BottomK(k, rankOf);
          const model = new Set<NodeId>();
          for (const [adding, i, withRank] of ops) {
            const id = IDS[i]!;
            if (adding && !model.has(id)) {
              // The directory adds when there is room, or after evicting the worst.
              const admission = sample.admit(id);
              if (admission.kind === 'refuse') continue;
              if (admission.kind === 'evict') {
                sample.delete(admission.evict);
                model.delete(admission.evict);
              }
              sample.add(id, withRank ? rankOf(id) : undefined);
              model.add(id);
            } else if (!adding) {
              sample.delete(id);
              model.delete(id);
            }
            const sorted = [...model].sort(byRankThenId);
            expect(sample.size).toBe(model.size);
            expect(sample.worst()).toBe(sorted.at(-1));
            for (const other of IDS) expect(sample.has(other)).toBe(model.has(other));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('computes a rank only when it must compare one', () => {
    const computed: NodeId[] = [];
    const sample = new BottomK(2, (id) => {
      computed.push(id);
      return rankOf(id);
    });
    sample.add(IDS[0]!);
    sample.add(IDS[1]!);
    expect(computed).toEqual([]); // below capacity: nothing ranked
    sample.admit(IDS[2]!);
    expect(new Set(computed)).toEqual(new Set([IDS[0], IDS[1], IDS[2]]));
    computed.length = 0;
    sample.admit(IDS[3]!); // the members' ranks are kept
    expect(computed).toEqual([IDS[3]]);
  });
});
