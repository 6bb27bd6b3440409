/**
 * Adversarial peers in the simulator (issue 8 #2): the `adversaries:` key of the scenario
 * language, every behaviour acting and counted on a small world with what contains it,
 * black holes against retries, the /16 rule against Sybils, and determinism.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../src/engine/directory/records.js';
import { DEFAULT_OVERLAY, EVICTION_PROTECTED_SHARE } from '../../src/engine/overlay/config.js';
import { choosePath } from '../../src/engine/routing/path.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { AdversaryPlan } from '../../src/sim/adversaries/plan.js';
import { atLeastTwo } from '../../src/sim/adversaries/tracker.js';
import { runScenario } from '../../src/sim/runner.js';
import { ScenarioError, parseScenario, type Scenario } from '../../src/sim/scenario.js';
import { formatSummaryJson, type Summary } from '../../src/sim/summary.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/sim/adversaries.test.ts';
const BASE = 'name: t\nnodes: 20\nduration: 10m\n';

function errorOf(yaml: string): ScenarioError {
  try {
    parseScenario(BASE + yaml, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

/** A small world: `nodes` nodes for `duration`, messages every 500 ms from 40 s on. */
function small(
  adversaries: string,
  options: { nodes?: number; seed?: number; extra?: string } = {},
): Scenario {
  const yaml =
    `name: adv\nseed: ${options.seed ?? 1}\nnodes: ${options.nodes ?? 40}\nduration: 3m\n` +
    'join: { over: 10s }\n' +
    'network:\n  latency: { kind: lognormal, median: 40ms, sigma: 0.5 }\n' +
    'workload:\n  interval: 500ms\n  expiry: 60s\n  from: 40s\n  until: 2m\n' +
    (options.extra ?? '') +
    `adversaries:\n${adversaries}`;
  return parseScenario(yaml, 'adv.yaml');
}

describe('the adversaries key', () => {
  it('reads each behaviour with its defaults', () => {
    const s = parseScenario(
      BASE +
        'adversaries:\n' +
        '  - { behaviour: black-hole, fraction: 0.1 }\n' +
        '  - { behaviour: garbage, count: 2, rate: 3, from: 1m, until: 2m }\n' +
        '  - { behaviour: sybil, fraction: 0.25 }\n' +
        '  - { behaviour: eclipse, count: 3 }\n',
      'test.yaml',
    );
    expect(s.adversaries).toEqual([
      {
        behaviour: 'black-hole',
        fraction: 0.1,
        count: null,
        ratePerS: 0,
        fromMs: 0,
        untilMs: 600_000,
        prefix: null,
        victim: null,
        line: 5,
      },
      {
        behaviour: 'garbage',
        fraction: null,
        count: 2,
        ratePerS: 3,
        fromMs: 60_000,
        untilMs: 120_000,
        prefix: null,
        victim: null,
        line: 6,
      },
      {
        behaviour: 'sybil',
        fraction: 0.25,
        count: null,
        ratePerS: 0,
        fromMs: 0,
        untilMs: 600_000,
        prefix: '10.66',
        victim: null,
        line: 7,
      },
      {
        behaviour: 'eclipse',
        fraction: null,
        count: 3,
        ratePerS: 0.5,
        fromMs: 0,
        untilMs: 600_000,
        prefix: null,
        victim: 1,
        line: 8,
      },
    ]);
    expect(parseScenario(BASE, 'test.yaml').adversaries).toEqual([]);
  });

  it.each([
    [
      '  - { behaviour: wormhole, count: 1 }\n',
      'adversaries[0].behaviour',
      /expected one of .*black-hole/,
    ],
    [
      '  - { behavior: black-hole, count: 1 }\n',
      'adversaries[0].behavior',
      /did you mean "behaviour"/,
    ],
    [
      '  - { behaviour: black-hole, count: 1, rate: 2 }\n',
      'adversaries[0].rate',
      /not a key of behaviour black-hole/,
    ],
    [
      '  - { behaviour: replay, count: 1, prefix: "10.1" }\n',
      'adversaries[0].prefix',
      /not a key of behaviour replay/,
    ],
    ['  - { behaviour: garbage }\n', 'adversaries[0]', /exactly one of fraction .* or count/],
    ['  - { behaviour: garbage, count: 1, fraction: 0.5 }\n', 'adversaries[0]', /found both/],
    ['  - { behaviour: garbage, fraction: 1.5 }\n', 'adversaries[0].fraction', /from 0 up to 1/],
    ['  - { behaviour: garbage, count: 1, rate: 0 }\n', 'adversaries[0].rate', /above 0/],
    ['  - { behaviour: garbage, count: 1, rate: 1000 }\n', 'adversaries[0].rate', /up to 100/],
    [
      '  - { behaviour: garbage, count: 1, from: 5m, until: 1m }\n',
      'adversaries[0].until',
      /at least 5m/,
    ],
    [
      '  - { behaviour: sybil, count: 2, prefix: "12.7" }\n',
      'adversaries[0].prefix',
      /outside 11\.\.210/,
    ],
    ['  - { behaviour: sybil, count: 2, prefix: "10.300" }\n', 'adversaries[0].prefix', /0 to 255/],
    [
      '  - { behaviour: eclipse, count: 19, victim: 3 }\n',
      'adversaries[0].count',
      /at most 16 attackers/,
    ],
    [
      '  - { behaviour: black-hole, count: 15 }\n  - { behaviour: replay, count: 5 }\n',
      'adversaries',
      /at most 19 adversaries/,
    ],
    [
      '  - { behaviour: sybil, count: 1 }\n  - { behaviour: sybil, count: 1 }\n',
      'adversaries',
      /at most one sybil entry/,
    ],
    ['  behaviour: black-hole\n', 'adversaries', /expected a list/],
  ])('refuses %j at %s', (yaml, keyPath, message) => {
    const err = errorOf(`adversaries:\n${yaml}`);
    expect(err.keyPath).toBe(keyPath);
    expect(err.message).toMatch(message);
    expect(err.line).toBeGreaterThan(0);
  });

  it("a sweep can set an entry's share", () => {
    const s = parseScenario(
      BASE +
        'adversaries:\n  - { behaviour: black-hole, fraction: 0.1 }\n' +
        'sweep: { key: adversaries.0.fraction, values: [0, 0.3] }\n',
      'test.yaml',
    );
    expect(s.sweep).toEqual({ key: 'adversaries.0.fraction', values: [0, 0.3] });
  });
});

describe('the plan: which nodes, at which addresses', () => {
  it('entries take disjoint nodes, eclipse attackers come after their victim, never the victim', () => {
    const s = parseScenario(
      BASE +
        'adversaries:\n  - { behaviour: eclipse, count: 6, victim: 4 }\n' +
        '  - { behaviour: black-hole, count: 10 }\n',
      'test.yaml',
    );
    const plan = new AdversaryPlan(s.adversaries, s.nodes, s.seed);
    const [attackers, holes] = plan.members as [number[], number[]];
    expect(attackers).toHaveLength(6);
    expect(holes).toHaveLength(10);
    expect(attackers.every((i) => i > 4)).toBe(true);
    expect([...attackers, ...holes]).not.toContain(4);
    expect(new Set([...attackers, ...holes]).size).toBe(16);
    expect(plan.bootstrapOf(attackers[0] as number)).toBe(4);
    expect(plan.bootstrapOf(holes[0] as number)).toBeUndefined();
  });

  it('with Sybils: they share their /16, every honest node has its own, addresses are distinct', () => {
    const s = parseScenario(
      BASE + 'adversaries:\n  - { behaviour: sybil, count: 5, prefix: "10.9" }\n',
      't.yaml',
    );
    const plan = new AdversaryPlan(s.adversaries, 300, 3);
    const address = plan.addressPlan() as (i: number) => string;
    const all = Array.from({ length: 300 }, (_, i) => address(i));
    expect(new Set(all).size).toBe(300);
    const group = (a: string): string => a.split('.').slice(0, 2).join('.');
    const sybils = all.filter((_, i) => plan.isSybil(i));
    expect(sybils).toHaveLength(5);
    expect(new Set(sybils.map(group))).toEqual(new Set(['10.9']));
    const honest = all.filter((_, i) => !plan.isSybil(i)).map(group);
    expect(new Set(honest).size).toBe(295);
    expect(new AdversaryPlan([], 10, 1).addressPlan()).toBeUndefined();
  });
});

describe('every behaviour acts, is counted, and is contained (40 nodes, 3 minutes)', () => {
  const mixed = small(
    '  - { behaviour: garbage, count: 2, rate: 1 }\n' +
      '  - { behaviour: replay, count: 4, rate: 4 }\n' +
      '  - { behaviour: broadcast-flood, count: 1, rate: 5 }\n' +
      '  - { behaviour: lying-descriptors, count: 2, rate: 0.5 }\n' +
      '  - { behaviour: black-hole, count: 3 }\n' +
      '  - { behaviour: eclipse, count: 10, victim: 1, rate: 1 }\n',
  );
  let first: Summary | undefined;
  const summary = (): Summary => (first ??= runScenario(mixed).summary);

  it('each entry acted (nothing never fired), and its activity is in the faults', () => {
    const s = summary();
    expect(s.faults.neverFired).toEqual([]);
    const activity = s.faults.adversaries as Record<string, number>;
    expect(Object.keys(activity)).toHaveLength(6);
    for (const count of Object.values(activity)) expect(count).toBeGreaterThan(0);
    const byBehaviour = Object.fromEntries(
      (s.adversaries?.entries ?? []).map((e) => [e.behaviour, e.activity]),
    );
    expect(byBehaviour['garbage']?.['randomFrames']).toBeGreaterThan(0);
    expect(byBehaviour['replay']?.['replayed']).toBeGreaterThan(0);
    expect(byBehaviour['broadcast-flood']?.['broadcasts']).toBeGreaterThan(100);
    expect(byBehaviour['black-hole']?.['onionDropped']).toBeGreaterThan(0);
    expect(byBehaviour['eclipse']?.['victimFramesDropped']).toBeGreaterThan(0);
    for (const kind of ['forged', 'stale', 'future', 'wrong-address', 'wrong-key'])
      expect(byBehaviour['lying-descriptors']?.[kind]).toBeGreaterThan(0);
  });

  it('what contains each: decoder, replay cache, origin quota, record checks', () => {
    const c = summary().adversaries?.containment ?? {};
    expect(c['decodeErrors']).toBeGreaterThan(0); // garbage: typed error, link closed
    expect(c['packetDropped.replay']).toBeGreaterThan(0); // replays die at the next hop
    expect(c['broadcastQuotaExceeded']).toBeGreaterThan(0); // the flood stops at the quota
    expect(c['descriptorsForged']).toBeGreaterThan(0); // forged records refused
    expect(c['descriptorsStale']).toBeGreaterThan(0); // stale and future ones too
    expect(summary().delivery.duplicates).toBe(0);
  });

  it('the flood reaches a small part of the network: far fewer deliveries than broadcasts × nodes', () => {
    const s = summary();
    const flood = s.adversaries?.entries.find((e) => e.behaviour === 'broadcast-flood');
    const broadcasts = flood?.activity['broadcasts'] ?? 0;
    const delivered = s.adversaries?.containment['adversaryBroadcastsDelivered'] ?? 0;
    expect(delivered).toBeLessThan(0.5 * broadcasts * 40);
  });

  it('the eclipse victim ends with attackers in its view', () => {
    const e = summary().adversaries?.eclipse;
    expect(e?.victim).toBe(1);
    expect(e?.attackersInView).toBeGreaterThan(0);
  });

  it('determinism: the same seed gives the same summary.json, byte for byte', () => {
    expect(formatSummaryJson(runScenario(mixed).summary)).toBe(formatSummaryJson(summary()));
  });
});

describe('eviction protection (overlay/hyparview.ts): an established node against an eclipse', () => {
  it('keeps the longest-standing half of its view: attackers asking from minute 2 get at most the other half', () => {
    // 10 attackers for 8 slots, asking every second from minute 2 for 18 minutes. Without the
    // protection they held all 8 slots at the end (checked by disabling it).
    const scenario = parseScenario(
      'name: eclipse-established\nseed: 1\nnodes: 60\nduration: 20m\njoin: { over: 10s }\n' +
        'directory: { announceInterval: 1m, lifetime: 3m }\n' +
        'adversaries:\n  - { behaviour: eclipse, count: 10, victim: 1, rate: 1, from: 2m }\n',
      'eclipse-established.yaml',
    );
    const e = runScenario(scenario).summary.adversaries?.eclipse;
    expect(EVICTION_PROTECTED_SHARE).toBe(0.5); // what "half" below stands for
    expect(e?.victimDegree).toBe(DEFAULT_OVERLAY.maxPeers);
    expect(e?.attackersInView).toBeGreaterThan(0);
    expect(e?.attackersInView).toBeLessThanOrEqual(DEFAULT_OVERLAY.maxPeers / 2);
    expect(e?.victimKnownBy).toBe(1);
  }, 60_000);

  /** 60 nodes; the honest ones churn from minute 3 to 19, the victim and its 10 attackers stay online (churn.ts Rule 6). */
  const underChurn = (seed: number, churnUntil: string, session = '55m', offline = '18m') =>
    runScenario(
      parseScenario(
        `name: eclipse-churn\nseed: ${seed}\nnodes: 60\nduration: 20m\njoin: { over: 10s }\n` +
          'directory: { announceInterval: 1m, lifetime: 3m }\n' +
          `churn:\n  session: { weibull: { shape: 0.6, scale: ${session} } }\n` +
          `  offline: { weibull: { shape: 0.6, scale: ${offline} } }\n  from: 3m\n  until: ${churnUntil}\n` +
          'adversaries:\n  - { behaviour: eclipse, count: 10, victim: 1, rate: 1, from: 2m }\n',
        'eclipse-churn.yaml',
      ),
    ).summary;
  const half = DEFAULT_OVERLAY.maxPeers * EVICTION_PROTECTED_SHARE;
  const fromMinute3 = (s: Summary): number[] => {
    const t = s.adversaries?.eclipse?.overTime;
    return (t?.attackers ?? []).filter((_, i) => (t?.minute[i] ?? 0) >= 3) as number[];
  };

  it('under churn the longest-standing places pass to attackers, but not every place: neighbours that bring new broadcasts keep theirs', () => {
    // Measured: at most 3 of 8 without churn (seed 4), 6 with churn.yaml's churn (seed 5); under
    // the harsher churn (seed 1) 6 of 8, where without EVICTION_PROTECTED_NOVEL the attackers
    // took all 8 from minute 20 and the victim was forgotten. Other seeds since the keep-alive
    // slack of overlay/config.ts (session 18): churned 4, 4, 4, 4, 5 (seeds 1-4, 6); harsher
    // 7, 6, 5, 8, 5 (seeds 2-6: seed 5's victim is fully eclipsed for a while, the known gap
    // of README "Adversarial peers"); without churn at most 2-4.
    const churned = underChurn(5, '19m');
    const still = underChurn(4, '3m'); // from = until: no session ends
    const harsher = underChurn(1, '19m', '10m', '5m');
    expect(churned.churn.crashes).toBeGreaterThan(10);
    expect(still.churn.crashes).toBe(0);
    expect(churned.faults.neverFired).toEqual([]);
    expect(harsher.faults.neverFired).toEqual([]);
    expect(churned.adversaries?.eclipse?.overTime.degree).not.toContain(null); // victim stays up
    expect(fromMinute3(still)).toHaveLength(18);
    expect(Math.max(...fromMinute3(still))).toBeLessThanOrEqual(half);
    expect(Math.max(...fromMinute3(churned))).toBeGreaterThan(half);
    for (const s of [churned, harsher]) {
      expect(Math.max(...fromMinute3(s))).toBeLessThan(DEFAULT_OVERLAY.maxPeers);
      expect(s.adversaries?.eclipse?.victimKnownBy).toBe(1);
    }
  }, 60_000);

  it('a small view keeps one neighbour evictable: a JOIN never takes it past maxPeers', () => {
    // maxPeers 2: the oldest neighbour and the two that last brought something new would
    // be every neighbour (the first version let a JOIN make it three: invariant broken).
    const s = runScenario(
      parseScenario(
        'name: small-view\nseed: 1\nnodes: 30\nduration: 6m\njoin: { over: 10s }\n' +
          'overlay: { minPeers: 1, targetPeers: 2, maxPeers: 2 }\n' +
          'directory: { announceInterval: 1m, lifetime: 3m }\n' +
          'adversaries:\n  - { behaviour: eclipse, count: 6, victim: 1, rate: 1 }\n',
        'small-view.yaml',
      ),
      { checkInvariants: true },
    ).summary;
    // checkInvariants: every node's active view is checked against maxPeers after every input.
    expect(s.adversaries?.eclipse?.victimDegree).toBeLessThanOrEqual(2);
    expect(s.faults.neverFired).toEqual([]);
  }, 60_000);

  it('a node surrounded from its own join keeps the neighbours that bring it broadcasts, and stays known', () => {
    // 10 attackers join through the victim and ask from its first second. Without
    // EVICTION_PROTECTED_NOVEL they held all 8 slots at every minute, the victim's directory
    // emptied to itself and nobody held it (delivery 0.92–0.97, seeds 1–3).
    for (const seed of [1, 2, 3]) {
      const s = runScenario(
        parseScenario(
          `name: eclipse-join\nseed: ${seed}\nnodes: 60\nduration: 10m\njoin: { over: 10s }\n` +
            'directory: { announceInterval: 1m, lifetime: 3m }\n' +
            'workload: { interval: 2s, expiry: 2m, from: 2m, until: 8m }\n' +
            'adversaries:\n  - { behaviour: eclipse, count: 10, victim: 1, rate: 1 }\n',
          'eclipse-join.yaml',
        ),
      ).summary;
      const e = s.adversaries?.eclipse;
      expect(Math.max(...(e?.overTime.attackers as number[]))).toBeLessThan(
        DEFAULT_OVERLAY.maxPeers,
      );
      expect(e?.victimKnownBy).toBe(1);
      expect(e?.victimDirectorySize).toBe(60);
      expect(s.delivery.ratio).toBe(1);
    }
  }, 60_000);
});

describe('the shell', () => {
  it('a shell whose behaviour finds nothing to do changes nothing: the same engine events', () => {
    // Replayers with no onion traffic to capture: their timers fire, and do nothing.
    const text = (adversaries: string): Scenario =>
      parseScenario(`name: s\nnodes: 20\nduration: 90s\n${adversaries}`, 's.yaml');
    const trace = (scenario: Scenario): string[] => {
      const lines: string[] = [];
      runScenario(scenario, {
        onTrace: (node, event, now) => lines.push(`${now} ${node} ${JSON.stringify(event)}`),
      });
      return lines;
    };
    const honest = trace(text(''));
    const shelled = trace(text('adversaries:\n  - { behaviour: replay, count: 5, rate: 10 }\n'));
    expect(honest.length).toBeGreaterThan(1000);
    // Events at the same millisecond may come in another order (the shell's wake-ups enter
    // the queue at other moments); the events themselves, and their times, are the same.
    expect([...shelled].sort()).toEqual([...honest].sort());
  });
});

describe('black holes against retries', () => {
  it('30% black holes cut first-try delivery; retries on fresh paths bring it back', () => {
    const base = runScenario(small('  - { behaviour: black-hole, fraction: 0 }\n')).summary;
    const holes = runScenario(small('  - { behaviour: black-hole, fraction: 0.3 }\n')).summary;
    expect(base.faults.neverFired).toEqual([]); // fraction 0: nothing configured, nothing owed
    expect(base.delivery.ratioNoRetry).toBeGreaterThan(0.95);
    expect(holes.delivery.ratioNoRetry).toBeLessThan(0.7);
    // Retries for 60 s recover most of the loss (a longer expiry recovers more: README).
    expect(holes.delivery.ratio).toBeGreaterThan(0.85);
    expect(holes.delivery.ratio as number).toBeGreaterThan(
      (holes.delivery.ratioNoRetry as number) + 0.2,
    );
    expect(holes.delivery.retries).toBeGreaterThan(base.delivery.retries);
    expect(holes.delivery.duplicates).toBe(0);
  });
});

describe('Sybils and the /16 rule', () => {
  /** A descriptor as path choice sees it: only id, address and issue time matter there. */
  const relay = (id: string, address: string): Descriptor =>
    ({ kind: 'descriptor', id, address, relay: true, issued: 0, expires: 1e12 }) as Descriptor;

  it('property: no path holds two relays from the Sybil /16 while other relays remain', () => {
    checkProperty(
      FILE,
      'no path holds two relays from the Sybil /16',
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 8, max: 120 }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        (seed, nodes, share, hops) => {
          const s = parseScenario(
            `name: t\nnodes: ${nodes}\nduration: 1m\nadversaries:\n  - { behaviour: sybil, fraction: ${share} }\n`,
            't.yaml',
          );
          const plan = new AdversaryPlan(s.adversaries, nodes, seed);
          const address = plan.addressPlan();
          if (address === undefined) return; // the share rounded to no Sybil
          const relays = Array.from({ length: nodes }, (_, i) => relay(`n${i}`, address(i)));
          const honest = nodes - (plan.members[0]?.length ?? 0);
          const random = new SeededRandomSource(String(seed)).fork('paths');
          for (let k = 0; k < 20; k++) {
            const path = choosePath(random, relays, { hops, hopsMin: 1, exclude: new Set() });
            const sybils = (path ?? []).filter((r) => plan.isSybil(Number(r.id.slice(1)))).length;
            // Two Sybils only when fewer than `hops` distinct /16s exist besides theirs.
            if (honest >= hops - 1) expect(sybils).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('in a run, no attempt has two Sybil relays; about as many have one as a uniform draw gives', () => {
    const s = runScenario(small('  - { behaviour: sybil, fraction: 0.3 }\n')).summary;
    const sybil = s.adversaries?.sybil;
    expect(sybil?.withSybil).toBeGreaterThan(0);
    expect(sybil?.withTwoSybils).toBe(0);
    expect(sybil?.shareWithTwoSybilsUniform).toBeGreaterThan(0.1);
  });

  it('atLeastTwo is the hypergeometric tail', () => {
    expect(atLeastTwo(10, 0, 3)).toBe(0);
    expect(atLeastTwo(10, 10, 3)).toBeCloseTo(1, 12);
    // 4 marked of 10, 2 draws: P(both) = (4/10)(3/9).
    expect(atLeastTwo(10, 4, 2)).toBeCloseTo(12 / 90, 12);
  });
});
