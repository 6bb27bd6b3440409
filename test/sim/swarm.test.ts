/**
 * Swarm mode (issue 6 #6): the generator makes one valid scenario per seed, always the same
 * one; a swarm of real runs passes every check; and each check fails when its invariant is
 * broken, with a message that names the seed and the command that replays it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_MAX } from '../../src/sim/limits.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';
import {
  ONION_FRAME_BYTES,
  SwarmChecker,
  SwarmViolationError,
  faultsEndMs,
} from '../../src/sim/swarm/checker.js';
import { generateSwarmScenario } from '../../src/sim/swarm/generate.js';
import {
  LIVENESS_DELIVERY_BOUND_MS,
  LIVENESS_SETTLE_MS,
  SWARM_DIRECTORY_SAMPLE_MIN,
  SWARM_DRAWS,
  SWARM_LIVE_FLOOR_FRACTION,
  SWARM_SAMPLE_LIVE_MARGIN,
  SWARM_NODES_MAX,
  SWARM_NODES_MIN,
} from '../../src/sim/swarm/limits.js';
import { describeSwarmFailure, runSwarmCase, swarmReplayCommand } from '../../src/sim/swarm/run.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/sim/swarm.test.ts';

/** The first `count` seeds from `from` whose scenario has at most `maxNodes` nodes (fast runs). */
function smallSeeds(count: number, maxNodes: number, from = 1): number[] {
  const seeds: number[] = [];
  for (let seed = from; seeds.length < count; seed++) {
    const { nodes } = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
    if (nodes <= maxNodes) seeds.push(seed);
  }
  return seeds;
}

describe('the swarm generator', () => {
  it('every seed gives a scenario the parser accepts, the same text every time, faults ending before a quiet settle', () => {
    checkProperty(
      FILE,
      'every seed gives a scenario',
      fc.property(fc.integer({ min: 0, max: SEED_MAX }), (seed) => {
        const generated = generateSwarmScenario(seed);
        expect(generateSwarmScenario(seed).text).toBe(generated.text);
        const scenario = parseScenario(generated.text, `swarm-${seed}.yaml`);
        expect(scenario.name).toBe(`swarm-${seed}`);
        expect(scenario.seed).toBe(seed);
        expect(scenario.nodes).toBeGreaterThanOrEqual(SWARM_NODES_MIN);
        expect(scenario.nodes).toBeLessThanOrEqual(SWARM_NODES_MAX);
        // The checker's idea of "healed" is the generator's (rule 3), and a whole settle
        // period plus one delivery bound of quiet follows it.
        expect(faultsEndMs(scenario)).toBeLessThanOrEqual(generated.healedAtMs);
        expect(scenario.settleMs).toBe(scenario.durationMs - generated.healedAtMs);
        expect(scenario.durationMs - generated.healedAtMs).toBeGreaterThan(
          LIVENESS_SETTLE_MS + LIVENESS_DELIVERY_BOUND_MS,
        );
        // Every partition is healed and every loss episode over by the end of the faults.
        let partitioned = false;
        let loss = scenario.network.loss;
        for (const { action } of scenario.events) {
          if (action.type === 'partition') partitioned = true;
          if (action.type === 'heal') partitioned = false;
          if (action.type === 'loss') loss = action.loss;
        }
        expect(partitioned).toBe(false);
        expect(loss).toBe(scenario.network.loss);
        expect(scenario.workload.intervalMs).not.toBeNull();
        expect(scenario.workload.untilMs).toBe(scenario.durationMs - LIVENESS_DELIVERY_BOUND_MS);
      }),
      { numRuns: 500 },
    );
  });

  it('different seeds give different scenarios', () => {
    const texts = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      // Without the lines that name the seed, which would make any two texts differ.
      const lines = generateSwarmScenario(seed).text.split('\n');
      texts.add(lines.filter((line) => !/^(#|name:|seed:)/.test(line)).join('\n'));
    }
    expect(texts.size).toBe(50);
  });

  it('across seeds the scenarios use every kind of fault', () => {
    const kinds = new Set<string>();
    let churn = 0;
    for (let seed = 0; seed < 200; seed++) {
      const scenario = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
      for (const event of scenario.events) kinds.add(event.action.type);
      if (scenario.churn !== null) churn += 1;
    }
    expect([...kinds].sort()).toEqual(
      ['crash', 'heal', 'join', 'leave', 'loss', 'partition', 'restart'].sort(),
    );
    expect(churn).toBeGreaterThan(20);
  });

  it('some seeds make directories samples of the network, with messages to known nodes only', () => {
    let sampled = 0;
    for (let seed = 0; seed < 200; seed++) {
      const scenario = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
      if (scenario.directory.sampleSize >= scenario.nodes) continue;
      sampled += 1;
      expect(scenario.workload.pairs).toEqual({ kind: 'known' });
      const share = SWARM_DRAWS.directorySampleShare.min;
      // At least enough for one path (sharded messages ask for more).
      const enough = Math.ceil(
        (SWARM_SAMPLE_LIVE_MARGIN * (scenario.workload.hops + 1)) / SWARM_LIVE_FLOOR_FRACTION,
      );
      expect(scenario.directory.sampleSize).toBeGreaterThanOrEqual(
        Math.max(SWARM_DIRECTORY_SAMPLE_MIN, Math.round(share * scenario.nodes), enough),
      );
    }
    expect(sampled).toBeGreaterThan(30);
    expect(sampled).toBeLessThan(100);
  });
});

describe('a swarm of real runs', () => {
  it('three small seeds pass every safety and liveness check', () => {
    for (const seed of smallSeeds(3, 20)) {
      const result = runSwarmCase(seed);
      expect(result.violations, describeSwarmFailure(result).join('\n')).toEqual([]);
      expect(result.tally?.messagesJudged).toBeGreaterThan(0);
    }
  });

  it('a small seed with sampled directories passes every check', () => {
    const seed = smallSeeds(20, 20).find((candidate) =>
      generateSwarmScenario(candidate).text.includes('sample:'),
    );
    expect(seed).toBeDefined();
    const result = runSwarmCase(seed!);
    expect(result.violations, describeSwarmFailure(result).join('\n')).toEqual([]);
    expect(result.tally?.messagesJudged).toBeGreaterThan(0);
    // Relays reach nodes outside their sample: before the onion slot carried the next hop's
    // address, they dropped hundreds of packets here as next-hop-unknown.
    const { summary } = runScenario(result.scenario);
    expect(summary.delivery.dropReasons['next-hop-unknown']).toBeUndefined();
  });

  it('the checks only watch: the run has the trace hash of the plain scenario run', () => {
    const [seed] = smallSeeds(1, 15) as [number];
    const scenario = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
    const checker = new SwarmChecker(scenario);
    const watched = runScenario(scenario, {
      checkInvariants: true,
      onTrace: checker.onTrace,
      observe: checker,
    });
    expect(watched.summary.traceHash).toBe(runScenario(scenario).summary.traceHash);
  });
});

describe('a broken invariant is caught, with the seed and the replay command', () => {
  const [seed] = smallSeeds(1, 15) as [number];

  it.each([
    ['duplicate-delivery', /delivered again to node \d+ in the same engine life/],
    ['frame-size', new RegExp(`onion frame of ${ONION_FRAME_BYTES + 1} bytes`)],
  ] as const)('an injected %s stops the run at once', (inject, message) => {
    const result = runSwarmCase(seed, { inject });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({
      kind: inject,
      message: expect.stringMatching(message),
    });
    expect(result.tally).toBeNull(); // the run ended at the violation
    const text = describeSwarmFailure(result).join('\n');
    expect(text).toContain(`swarm seed ${seed} failed:`);
    expect(text).toContain(`replay: p2pmsg sim --swarm 1 --seed ${seed}`);
    expect(swarmReplayCommand(seed)).toBe(`p2pmsg sim --swarm 1 --seed ${seed}`);
  });

  it('an active view above maxPeers is a degree violation', () => {
    const scenario = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
    const checker = new SwarmChecker(scenario);
    const max = scenario.overlay.maxPeers;
    const up = (size: number) => () =>
      checker.onTrace(3, { type: 'neighbourUp', peer: 'p', activeSize: size }, 1234);
    expect(up(max)).not.toThrow();
    expect(up(max + 1)).toThrow(SwarmViolationError);
    expect(up(max + 1)).toThrow(
      `node 3 has ${max + 1} active neighbours, more than maxPeers ${max}`,
    );
  });

  it('a partition that never heals fails liveness: messages across it undelivered, the overlay split', () => {
    const scenario = parseScenario(
      [
        'name: never-healed',
        'nodes: 14',
        'duration: 7m',
        'join: { over: 2s }',
        'network: { latency: { kind: constant, ms: 20ms } }',
        'workload: { interval: 2s, hops: 1, from: 10s, until: 320s }',
        'events:',
        '  - at: 30s',
        '    partition: { groups: 2 }',
      ].join('\n'),
      'never-healed.yaml',
    );
    const checker = new SwarmChecker(scenario);
    runScenario(scenario, { onTrace: checker.onTrace, observe: checker });
    const { violations, tally } = checker.finish();
    const kinds = new Set(violations.map((v) => v.kind));
    expect([...kinds].sort()).toEqual(['disconnected', 'undelivered']);
    expect(tally.messagesJudged).toBeGreaterThan(0);
    const undelivered = violations.find((v) => v.kind === 'undelivered');
    expect(undelivered?.message).toMatch(
      /sent at \d+ ms, after the faults and the settle period, never delivered/,
    );
    expect(violations.find((v) => v.kind === 'disconnected')?.message).toMatch(
      /split into 2 components/,
    );
  });
});
