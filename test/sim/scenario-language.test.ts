/**
 * The scenario keys of issue 6's language: each new key parsed into its normalized form, and
 * each bad value refused with the key path, the line and what was expected.
 * (scenario.test.ts covers the original keys; matrix files are in matrix-csv.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { DURATION_MAX_MS } from '../../src/sim/limits.js';
import { ScenarioError, parseScenario, type Scenario } from '../../src/sim/scenario.js';

const BASE = 'name: t\nnodes: 10\nduration: 10m\n';
const CHURN_OFFLINE = '  offline: { exponential: { mean: 1m } }\n';

const parse = (yaml: string): Scenario => parseScenario(BASE + yaml, 'test.yaml');

function errorOf(yaml: string): ScenarioError {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

describe('network: duplicate, reorder, coordinates', () => {
  it('reads duplication, reordering and the coordinates model; defaults are off', () => {
    const s = parse(
      'network:\n  latency: { kind: coordinates, size: 150ms, base: 5ms }\n' +
        '  duplicate: 0.01\n  reorder: { probability: 0.05, delay: 80ms }\n',
    );
    expect(s.network).toEqual({
      latency: { kind: 'coordinates', sizeMs: 150, baseMs: 5 },
      loss: 0,
      duplicate: 0.01,
      reorder: { probability: 0.05, maxDelayMs: 80 },
    });
    expect(parse('network:\n  latency: { kind: coordinates, size: 1s }\n').network.latency).toEqual(
      { kind: 'coordinates', sizeMs: 1000, baseMs: 0 },
    );
    expect(parse('').network).toMatchObject({ duplicate: 0, reorder: null });
  });

  it.each<[string, string, string, number, RegExp]>([
    [
      'duplicate above 1',
      'network:\n  duplicate: 1.5\n',
      'network.duplicate',
      5,
      /from 0 up to 1, found 1.5/,
    ],
    [
      'duplicate as percent',
      'network:\n  duplicate: 1%\n',
      'network.duplicate',
      5,
      /found the string "1%"/,
    ],
    [
      'reorder probability 0',
      'network:\n  reorder: { probability: 0, delay: 1s }\n',
      'network.reorder.probability',
      5,
      /above 0 up to 1/,
    ],
    [
      'reorder without delay',
      'network:\n  reorder: { probability: 0.1 }\n',
      'network.reorder.delay',
      5,
      /missing required key \(expected a duration/,
    ],
    [
      'reorder delay too long',
      'network:\n  reorder: { probability: 0.1, delay: 2m }\n',
      'network.reorder.delay',
      5,
      /at most 1m/,
    ],
    [
      'reorder delay bare number',
      'network:\n  reorder: { probability: 0.1, delay: 50 }\n',
      'network.reorder.delay',
      5,
      /unit/,
    ],
    [
      'reorder unknown key',
      'network:\n  reorder: { chance: 0.1, delay: 5ms }\n',
      'network.reorder.chance',
      5,
      /unknown key.*probability or delay/,
    ],
    [
      'coordinates without size',
      'network:\n  latency: { kind: coordinates }\n',
      'network.latency.size',
      5,
      /missing required key/,
    ],
    [
      'coordinates size too big',
      'network:\n  latency: { kind: coordinates, size: 2m }\n',
      'network.latency.size',
      5,
      /at most 1m/,
    ],
    [
      'coordinates with a matrix key',
      'network:\n  latency: { kind: coordinates, size: 1s, file: x.csv }\n',
      'network.latency.file',
      5,
      /unknown key; expected one of kind, size or base/,
    ],
  ])('%s', (_what, yaml, keyPath, line, message) => {
    const err = errorOf(yaml);
    expect({ keyPath: err.keyPath, line: err.line }).toEqual({ keyPath, line });
    expect(err.message).toMatch(message);
  });
});

describe('events: named nodes, flash crowds, partitions, latency changes', () => {
  it('reads every new action form', () => {
    const s = parse(
      [
        'events:',
        '  - { at: 1m, crash: { nodes: [3, "5..7"] } }',
        '  - { at: 1m, restart: { nodes: "0..9" } }',
        '  - { at: 2m, leave: { nodes: 4 } }',
        '  - { at: 2m, join: { count: 100, over: 30s } }',
        '  - { at: 3m, partition: { groups: 2, oneWay: true } }',
        '  - { at: 3m, partition: { groups: [["0..4"], [5, 6, "100..109"]] } }',
        '  - { at: 4m, partition: { isolate: { fraction: 0.1 }, oneWay: true } }',
        '  - { at: 4m, partition: { isolate: { nodes: [0] } } }',
        '  - { at: 5m, latency: { kind: constant, ms: 200ms } }',
      ].join('\n') + '\n',
    );
    expect(s.events.map((e) => e.action)).toEqual([
      {
        type: 'crash',
        nodes: [
          { from: 3, to: 3 },
          { from: 5, to: 7 },
        ],
      },
      { type: 'restart', nodes: [{ from: 0, to: 9 }] },
      { type: 'leave', nodes: [{ from: 4, to: 4 }] },
      { type: 'join', count: 100, overMs: 30_000 },
      { type: 'partition', split: { kind: 'random', groups: 2 }, oneWay: true },
      {
        type: 'partition',
        split: {
          kind: 'groups',
          groups: [
            [{ from: 0, to: 4 }],
            [
              { from: 5, to: 5 },
              { from: 6, to: 6 },
              { from: 100, to: 109 },
            ],
          ],
        },
        oneWay: false,
      },
      { type: 'partition', split: { kind: 'isolate', nodes: { fraction: 0.1 } }, oneWay: true },
      {
        type: 'partition',
        split: { kind: 'isolate', nodes: { nodes: [{ from: 0, to: 0 }] } },
        oneWay: false,
      },
      { type: 'latency', latency: { kind: 'constant', ms: 200 } },
    ]);
  });

  it.each<[string, string, string, number, RegExp]>([
    [
      'node index beyond the nodes',
      'events:\n  - at: 1m\n    crash: { nodes: [10] }\n',
      'events[0].crash.nodes[0]',
      6,
      /expected node indexes below 10 \(the nodes that exist by this event\), found 10/,
    ],
    [
      'range beyond the nodes',
      'events:\n  - at: 1m\n    crash: { nodes: ["5..12"] }\n',
      'events[0].crash.nodes[0]',
      6,
      /below 10.*found 12/,
    ],
    [
      'joined nodes count only after their join',
      'events:\n  - { at: 1m, crash: { nodes: [12] } }\n  - { at: 2m, join: { count: 5 } }\n',
      'events[0].crash.nodes[0]',
      5,
      /below 10/,
    ],
    [
      'backwards range',
      'events:\n  - at: 1m\n    crash: { nodes: ["7..3"] }\n',
      'events[0].crash.nodes[0]',
      6,
      /start is at most its end/,
    ],
    [
      'bad range syntax',
      'events:\n  - at: 1m\n    crash: { nodes: ["3-7"] }\n',
      'events[0].crash.nodes[0]',
      6,
      /a node index .* or an inclusive range such as "10..19".*found the string "3-7"/,
    ],
    [
      'negative index',
      'events:\n  - at: 1m\n    crash: { nodes: [-1] }\n',
      'events[0].crash.nodes[0]',
      6,
      /found the number -1/,
    ],
    [
      'empty node list',
      'events:\n  - at: 1m\n    crash: { nodes: [] }\n',
      'events[0].crash.nodes',
      6,
      /at least one node/,
    ],
    [
      'nodes and count',
      'events:\n  - at: 1m\n    leave: { nodes: [1], count: 2 }\n',
      'events[0].leave',
      6,
      /exactly one of fraction.*found count and nodes/,
    ],
    [
      'join over past the end',
      'events:\n  - at: 9m\n    join: { count: 5, over: 2m }\n',
      'events[0].join.over',
      6,
      /at most the time left after this event \(9m\) before the run ends or settles \(1m\), found 2m/,
    ],
    [
      'join over into settle',
      'settle: 5m\nevents:\n  - at: 4m\n    join: { count: 5, over: 2m }\n',
      'events[0].join.over',
      7,
      /found 2m/,
    ],
    [
      'partition groups and isolate',
      'events:\n  - at: 1m\n    partition: { groups: 2, isolate: { count: 1 } }\n',
      'events[0].partition',
      6,
      /exactly one of groups .* or isolate .*found both/,
    ],
    [
      'partition with neither',
      'events:\n  - at: 1m\n    partition: { oneWay: true }\n',
      'events[0].partition',
      6,
      /found neither/,
    ],
    [
      'partition groups as a word',
      'events:\n  - at: 1m\n    partition: { groups: two }\n',
      'events[0].partition.groups',
      6,
      /a number of random groups \(2 to 16\) or a list of node lists, found the string "two"/,
    ],
    [
      'overlapping groups',
      'events:\n  - at: 1m\n    partition: { groups: [["0..4"], ["3..6"]] }\n',
      'events[0].partition.groups[1]',
      6,
      /without common nodes, found node 3 in groups\[0\] and here/,
    ],
    [
      'too many groups',
      `events:\n  - at: 1m\n    partition: { groups: [${Array.from({ length: 17 }, (_, i) => `[${i % 10}]`).join(', ')}] }\n`,
      'events[0].partition.groups',
      6,
      /at most 16 items/,
    ],
    [
      'oneWay not a boolean',
      'events:\n  - at: 1m\n    partition: { groups: 2, oneWay: yes }\n',
      'events[0].partition.oneWay',
      6,
      /expected true or false, found the string "yes"/,
    ],
    [
      'isolate nobody',
      'events:\n  - at: 1m\n    partition: { isolate: {} }\n',
      'events[0].partition.isolate',
      6,
      /found none/,
    ],
    [
      'latency event with a bad model',
      'events:\n  - at: 1m\n    latency: { kind: uniform, min: 50ms, max: 10ms }\n',
      'events[0].latency.max',
      6,
      /max ≥ min/,
    ],
    [
      'latency event as a number',
      'events:\n  - at: 1m\n    latency: 50\n',
      'events[0].latency',
      6,
      /expected a mapping with keys kind/,
    ],
  ])('%s', (_what, yaml, keyPath, line, message) => {
    const err = errorOf(yaml);
    expect({ keyPath: err.keyPath, line: err.line }).toEqual({ keyPath, line });
    expect(err.message).toMatch(message);
  });
});

describe('churn: truncated normal and heterogeneity', () => {
  it('reads a truncated normal (bounds default to 0 and the longest duration)', () => {
    const s = parse(
      `churn:\n  session: { truncatedNormal: { mean: 30m, sd: 10m, min: 1m, max: 2h } }\n` +
        `  offline: { truncatedNormal: { mean: 5m, sd: 5m } }\n`,
    );
    expect(s.churn?.session).toEqual({
      kind: 'truncatedNormal',
      meanMs: 1_800_000,
      sdMs: 600_000,
      minMs: 60_000,
      maxMs: 7_200_000,
    });
    expect(s.churn?.offline).toEqual({
      kind: 'truncatedNormal',
      meanMs: 300_000,
      sdMs: 300_000,
      minMs: 0,
      maxMs: DURATION_MAX_MS,
    });
    expect(s.churn?.heterogeneity).toBeNull();
  });

  it('reads heterogeneity: lognormal or uniform factors, applies defaults to session', () => {
    const churn = (h: string) =>
      parse(
        `churn:\n  session: { exponential: { mean: 10m } }\n${CHURN_OFFLINE}  heterogeneity: ${h}\n`,
      ).churn?.heterogeneity;
    expect(churn('{ factor: { lognormal: { sigma: 0.8 } } }')).toEqual({
      factor: { kind: 'lognormal', sigma: 0.8 },
      applies: 'session',
    });
    expect(churn('{ factor: { uniform: { min: 0.5, max: 2 } }, applies: both }')).toEqual({
      factor: { kind: 'uniform', min: 0.5, max: 2 },
      applies: 'both',
    });
  });

  it.each<[string, string, RegExp]>([
    [
      '  session: { truncatedNormal: { mean: 30m } }\n',
      'churn.session.truncatedNormal.sd',
      /missing required key/,
    ],
    [
      '  session: { truncatedNormal: { mean: 30m, sd: 0s } }\n',
      'churn.session.truncatedNormal.sd',
      /at least 1ms/,
    ],
    [
      '  session: { truncatedNormal: { mean: 30m, sd: 1m, min: 10m, max: 5m } }\n',
      'churn.session.truncatedNormal.max',
      /more than min \(10m\), found 5m/,
    ],
    [
      '  session: { truncatedNormal: { mean: 1m, sd: 1s, min: 2h } }\n',
      'churn.session.truncatedNormal',
      /hold at least 0.000001 of the normal distribution \(mean 1m, sd 1s\)/,
    ],
    [
      '  session: { truncatedNormal: { mean: 1m, sd: 1s, median: 2m } }\n',
      'churn.session.truncatedNormal.median',
      /unknown key \(did you mean "mean"\?\); expected one of mean, sd, min or max/,
    ],
    [
      '  session: { normal: { mean: 1m, sd: 1s } }\n',
      'churn.session.normal',
      /unknown key.*truncatedNormal/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { factor: { gamma: { k: 2 } } }\n',
      'churn.heterogeneity.factor.gamma',
      /unknown key; expected one of lognormal or uniform/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { applies: both }\n',
      'churn.heterogeneity.factor',
      /missing required key/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { factor: { lognormal: { sigma: 4 } } }\n',
      'churn.heterogeneity.factor.lognormal.sigma',
      /from 0 up to 3, found 4/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { factor: { uniform: { min: 2, max: 1 } } }\n',
      'churn.heterogeneity.factor.uniform.max',
      /max ≥ min \(2\), found 1/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { factor: { uniform: { min: 0, max: 1 } } }\n',
      'churn.heterogeneity.factor.uniform.min',
      /from 0.001 up to 1000, found 0/,
    ],
    [
      '  session: { exponential: { mean: 1m } }\n  heterogeneity: { factor: { lognormal: { sigma: 1 } }, applies: online }\n',
      'churn.heterogeneity.applies',
      /one of session, offline or both/,
    ],
  ])('%j fails at %s', (yaml, keyPath, message) => {
    const text = yaml.includes('offline') ? yaml : yaml.replace('\n', `\n${CHURN_OFFLINE}`);
    const err = errorOf(`churn:\n${text}`);
    expect(err.keyPath).toBe(keyPath);
    expect(err.message).toMatch(message);
  });
});

describe('workload: Zipf pairs and size distributions', () => {
  it('reads pairs and sizes', () => {
    const w = (yaml: string) => parse(`workload:\n${yaml}`).workload;
    expect(w('  pairs: { zipf: { s: 1.2 } }\n').pairs).toEqual({ kind: 'zipf', s: 1.2 });
    expect(w('  pairs: uniform\n').pairs).toEqual({ kind: 'uniform' });
    expect(w('  size: 0\n').size).toEqual({ kind: 'fixed', bytes: 0 });
    expect(w('  size: { uniform: { min: 16, max: 1024 } }\n').size).toEqual({
      kind: 'uniform',
      minBytes: 16,
      maxBytes: 1024,
    });
    expect(w('  size: { lognormal: { median: 200, sigma: 0.5 } }\n').size).toEqual({
      kind: 'lognormal',
      medianBytes: 200,
      sigma: 0.5,
      maxBytes: 1024,
    });
    expect(w('  size: { lognormal: { median: 200 } }\n').size).toMatchObject({ sigma: 1 });
  });

  it.each<[string, string, RegExp]>([
    [
      '  pairs: zipf\n',
      'workload.pairs',
      /expected uniform, known or \{ zipf: \{ s: <exponent> \} \}, found the string "zipf"/,
    ],
    [
      '  pairs: { zipf: {} }\n',
      'workload.pairs.zipf.s',
      /missing required key \(expected a number from 0 to 5\)/,
    ],
    ['  pairs: { zipf: { s: 6 } }\n', 'workload.pairs.zipf.s', /from 0 up to 5, found 6/],
    ['  pairs: { pareto: { s: 1 } }\n', 'workload.pairs.pareto', /unknown key/],
    ['  size: 2000\n', 'workload.size', /integer from 0 to 1024, found 2000/],
    [
      '  size: { uniform: { min: 100, max: 50 } }\n',
      'workload.size.uniform.max',
      /max ≥ min \(100\), found 50/,
    ],
    ['  size: { uniform: { min: 100 } }\n', 'workload.size.uniform.max', /missing required key/],
    [
      '  size: { lognormal: { median: 0 } }\n',
      'workload.size.lognormal.median',
      /from 1 to 1024, found 0/,
    ],
    [
      '  size: { lognormal: { median: 10, sigma: 5 } }\n',
      'workload.size.lognormal.sigma',
      /up to 3, found 5/,
    ],
    [
      '  size: { normal: { mean: 5 } }\n',
      'workload.size.normal',
      /unknown key; expected one of uniform or lognormal/,
    ],
    ['  size: 1.5\n', 'workload.size', /integer/],
  ])('%j fails at %s', (yaml, keyPath, message) => {
    const err = errorOf(`workload:\n${yaml}`);
    expect(err.keyPath).toBe(keyPath);
    expect(err.message).toMatch(message);
  });
});
