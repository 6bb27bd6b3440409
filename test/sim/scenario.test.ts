import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EAGER_MIN } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { describe, expect, it } from 'vitest';
import {
  EVENTS_MAX,
  HEARTBEAT_INTERVAL_DEFAULT_MS,
  HEARTBEAT_TIMEOUT_DEFAULT_MS,
  JOIN_SPREAD_PER_NODE_MS,
  LATENCY_MEDIAN_DEFAULT_MS,
  LATENCY_SIGMA_DEFAULT,
  MAX_PEERS_DEFAULT,
  MIN_PEERS_DEFAULT,
  PASSIVE_DEFAULT,
  SCENARIO_FILE_MAX_BYTES,
  SEED_DEFAULT,
  SHUFFLE_INTERVAL_DEFAULT_MS,
  WORKLOAD_EXPIRY_DEFAULT_MS,
  WORKLOAD_SIZE_DEFAULT,
} from '../../src/sim/limits.js';
import { ScenarioError, loadScenarioFile, parseScenario } from '../../src/sim/scenario.js';

/** The smallest valid scenario: three lines. */
const BASE = 'name: t\nnodes: 10\nduration: 10m\n';

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

describe('parseScenario: defaults', () => {
  it('a minimal scenario gets every default filled in, durations in ms', () => {
    expect(parseScenario(BASE, 'test.yaml')).toEqual({
      name: 't',
      seed: SEED_DEFAULT,
      nodes: 10,
      durationMs: 600_000,
      crypto: 'modelled',
      join: { overMs: 10 * JOIN_SPREAD_PER_NODE_MS },
      overlay: {
        minPeers: MIN_PEERS_DEFAULT,
        maxPeers: MAX_PEERS_DEFAULT,
        targetPeers: Math.ceil((MIN_PEERS_DEFAULT + MAX_PEERS_DEFAULT) / 2),
        passive: PASSIVE_DEFAULT,
        shuffleIntervalMs: SHUFFLE_INTERVAL_DEFAULT_MS,
        heartbeatIntervalMs: HEARTBEAT_INTERVAL_DEFAULT_MS,
        heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_DEFAULT_MS,
      },
      network: {
        latency: {
          kind: 'lognormal',
          medianMs: LATENCY_MEDIAN_DEFAULT_MS,
          sigma: LATENCY_SIGMA_DEFAULT,
        },
        loss: 0,
        duplicate: 0,
        reorder: null,
      },
      events: [],
      settleMs: null,
      broadcast: {
        mode: 'tree',
        eagerMin: EAGER_MIN,
        intervalMs: null,
        sizeBytes: 64,
        fromMs: 0,
        untilMs: 600_000,
      },
      directory: {
        announceIntervalMs: DEFAULT_DIRECTORY.announceIntervalMs,
        lifetimeMs: DEFAULT_DIRECTORY.descriptorLifetimeMs,
        relayFraction: 1,
        sampleSize: DEFAULT_DIRECTORY.sampleSize,
        announceHops: DEFAULT_DIRECTORY.announceHops,
        syncIntervalMs: 60_000,
      },
      measure: [],
      sweep: null,
      workload: {
        intervalMs: null,
        size: { kind: 'fixed', bytes: WORKLOAD_SIZE_DEFAULT },
        hops: 3,
        expiryMs: WORKLOAD_EXPIRY_DEFAULT_MS,
        fromMs: 0,
        untilMs: 600_000,
        pairs: { kind: 'uniform' },
        shards: null,
      },
      churn: null,
      adversaries: [],
    });
  });

  it('the message workload is read and checked, with key paths in errors', () => {
    const s = parseScenario(
      `${BASE}workload:\n  interval: 2s\n  size: 100\n  hops: 2\n  expiry: 3m\n` +
        `  from: 1m\n  until: 5m\n  pairs: uniform\n`,
      'test.yaml',
    );
    expect(s.workload).toEqual({
      intervalMs: 2000,
      size: { kind: 'fixed', bytes: 100 },
      hops: 2,
      expiryMs: 180_000,
      fromMs: 60_000,
      untilMs: 300_000,
      pairs: { kind: 'uniform' },
      shards: null,
    });
    const keyPath = (yaml: string): string => errorOf(`${BASE}workload:\n${yaml}`).keyPath;
    expect(keyPath('  interval: 5ms\n')).toBe('workload.interval');
    expect(keyPath('  size: 1025\n')).toBe('workload.size');
    expect(keyPath('  hops: 0\n')).toBe('workload.hops');
    expect(keyPath('  hops: 5\n')).toBe('workload.hops');
    expect(keyPath('  expiry: 500ms\n')).toBe('workload.expiry');
    expect(keyPath('  expiry: 2d\n')).toBe('workload.expiry');
    expect(keyPath('  from: 2m\n  until: 1m\n')).toBe('workload.until');
    expect(keyPath('  until: 11m\n')).toBe('workload.until');
    expect(keyPath('  pairs: zipf\n')).toBe('workload.pairs');
    expect(keyPath('  rate: 1\n')).toBe('workload.rate');
  });

  it('broadcast, directory and measuring windows are read and checked', () => {
    const s = parseScenario(
      `${BASE}broadcast:\n  mode: flood\n  eagerMin: 0\n  interval: 2s\n  size: 100\n  from: 1m\n  until: 5m\n` +
        `directory:\n  announceInterval: 5m\n  lifetime: 20m\n  relays: 0.5\n` +
        `  sample: 200\n  announceHops: 3\n  syncInterval: 5m\n` +
        `measure:\n  - { name: early, from: 1m, to: 2m }\n`,
      'test.yaml',
    );
    expect(s.broadcast).toEqual({
      mode: 'flood',
      eagerMin: 0,
      intervalMs: 2000,
      sizeBytes: 100,
      fromMs: 60_000,
      untilMs: 300_000,
    });
    expect(s.directory).toEqual({
      announceIntervalMs: 300_000,
      lifetimeMs: 1_200_000,
      relayFraction: 0.5,
      sampleSize: 200,
      announceHops: 3,
      syncIntervalMs: 300_000,
    });
    for (const bad of ['sample: 0', 'announceHops: 0', 'announceHops: 33', 'syncInterval: 10s']) {
      const key = bad.split(':')[0];
      expect(errorOf(`${BASE}directory:\n  ${bad}\n`).keyPath).toBe(`directory.${key}`);
    }
    expect(parseScenario(`${BASE}directory: { syncInterval: off }\n`, 't.yaml').directory).toEqual(
      expect.objectContaining({ syncIntervalMs: 0 }),
    );
    expect(parseScenario(`${BASE}workload: { pairs: known }\n`, 't.yaml').workload.pairs).toEqual({
      kind: 'known',
    });
    expect(s.measure).toEqual([{ name: 'early', fromMs: 60_000, toMs: 120_000 }]);
    expect(errorOf(`${BASE}broadcast:\n  mode: gossip\n`).keyPath).toBe('broadcast.mode');
    for (const bad of ['-1', '65', '1.5', 'three'])
      expect(errorOf(`${BASE}broadcast:\n  eagerMin: ${bad}\n`).keyPath).toBe('broadcast.eagerMin');
    expect(errorOf(`${BASE}directory:\n  announceInterval: 10m\n  lifetime: 5m\n`).keyPath).toBe(
      'directory.lifetime',
    );
    expect(errorOf(`${BASE}measure:\n  - { name: w, from: 5m, to: 1m }\n`).keyPath).toBe(
      'measure[0].to',
    );
  });

  it('derived defaults follow the values that were set', () => {
    const s = parseScenario(
      `${BASE}overlay:\n  minPeers: 10\n  maxPeers: 40\n  heartbeatInterval: 5s\n`,
      'test.yaml',
    );
    expect(s.overlay.targetPeers).toBe(25);
    expect(s.overlay.passive).toBe(40); // at least maxPeers
    expect(s.overlay.heartbeatTimeoutMs).toBe(15_000); // three missed heartbeats
  });

  it('the default join window never outlasts the run', () => {
    const s = parseScenario('name: t\nnodes: 200000\nduration: 10m\n', 'test.yaml');
    expect(s.join.overMs).toBe(600_000);
  });

  it('every field and action is read and normalized', () => {
    const s = parseScenario(
      [
        'name: full-1',
        'seed: 42',
        'nodes: 100',
        'duration: 1h',
        'crypto: real',
        'join: { over: 30s }',
        'overlay: { minPeers: 3, maxPeers: 6, targetPeers: 5, passive: 12, shuffleInterval: 1m,',
        '           heartbeatInterval: 1s, heartbeatTimeout: 4s }',
        'network: { latency: { kind: uniform, min: 10ms, max: 1s }, loss: 0.01 }',
        'settle: 10m',
        'events:',
        '  - { at: 5m, crash: { fraction: 0.25 } }',
        '  - { at: 5m, leave: { count: 3 } }',
        '  - { at: 6m, join: { count: 20 } }',
        '  - { at: 7m, restart: { fraction: 1 } }',
        '  - { at: 8m, partition: { groups: 3 } }',
        '  - { at: 9m, heal: {} }',
        '  - { at: 9m, heal: true }',
        '  - at: 10m',
        '    heal:',
        '  - { at: 50m, loss: 0 }',
      ].join('\n'),
      'test.yaml',
    );
    expect(s).toMatchObject({
      name: 'full-1',
      seed: 42,
      crypto: 'real',
      join: { overMs: 30_000 },
      overlay: { minPeers: 3, maxPeers: 6, targetPeers: 5, passive: 12, shuffleIntervalMs: 60_000 },
      network: { latency: { kind: 'uniform', minMs: 10, maxMs: 1000 }, loss: 0.01 },
      settleMs: 600_000,
    });
    expect(s.events).toEqual([
      { at: 300_000, action: { type: 'crash', fraction: 0.25 }, line: 12 },
      { at: 300_000, action: { type: 'leave', count: 3 }, line: 13 },
      { at: 360_000, action: { type: 'join', count: 20, overMs: 0 }, line: 14 },
      { at: 420_000, action: { type: 'restart', fraction: 1 }, line: 15 },
      {
        at: 480_000,
        action: { type: 'partition', split: { kind: 'random', groups: 3 }, oneWay: false },
        line: 16,
      },
      { at: 540_000, action: { type: 'heal' }, line: 17 },
      { at: 540_000, action: { type: 'heal' }, line: 18 },
      { at: 600_000, action: { type: 'heal' }, line: 19 },
      { at: 3_000_000, action: { type: 'loss', loss: 0 }, line: 21 },
    ]);
  });

  it('all three latency models', () => {
    const latency = (body: string) =>
      parseScenario(`${BASE}network:\n  latency: ${body}\n`, 'test.yaml').network.latency;
    expect(latency('{ kind: constant, ms: 25ms }')).toEqual({ kind: 'constant', ms: 25 });
    expect(latency('{ kind: uniform, min: 0ms, max: 80ms }')).toEqual({
      kind: 'uniform',
      minMs: 0,
      maxMs: 80,
    });
    expect(latency('{ kind: lognormal, median: 1s }')).toEqual({
      kind: 'lognormal',
      medianMs: 1000,
      sigma: LATENCY_SIGMA_DEFAULT,
    });
  });
});

/** [what is wrong, YAML, expected keyPath, expected line, message fragment]. */
const BAD: [string, string, string, number, RegExp][] = [
  ['empty file', '', '', 1, /found an empty document/],
  ['a list at the top', '- a\n', '', 1, /expected a mapping/],
  ['missing name', 'nodes: 10\nduration: 1m\n', 'name', 1, /missing required key/],
  ['missing nodes', 'name: t\nduration: 1m\n', 'nodes', 1, /missing required key/],
  ['missing duration', 'name: t\nnodes: 3\n', 'duration', 1, /missing required key/],
  ['name not a slug', 'name: My Scenario\nnodes: 10\nduration: 1m\n', 'name', 1, /expected a slug/],
  ['name a number', 'name: 7\nnodes: 10\nduration: 1m\n', 'name', 1, /found the number 7/],
  ['unknown top key', `${BASE}nodez: 3\n`, 'nodez', 4, /unknown key \(did you mean "nodes"\?\)/],
  [
    'far-off unknown key',
    `${BASE}colour: red\n`,
    'colour',
    4,
    /^unknown key; expected one of name, /,
  ],
  ['zero nodes', 'name: t\nnodes: 0\nduration: 1m\n', 'nodes', 2, /from 1 to 200000, found 0/],
  ['too many nodes', 'name: t\nnodes: 200001\nduration: 1m\n', 'nodes', 2, /found 200001/],
  ['fractional nodes', 'name: t\nnodes: 2.5\nduration: 1m\n', 'nodes', 2, /expected an integer/],
  [
    'nodes as text',
    'name: t\nnodes: "1,000"\nduration: 1m\n',
    'nodes',
    2,
    /found the string "1,000"/,
  ],
  [
    'duration without unit',
    'name: t\nnodes: 1\nduration: 600\n',
    'duration',
    3,
    /units are mandatory/,
  ],
  ['zero duration', 'name: t\nnodes: 1\nduration: 0s\n', 'duration', 3, /at least 1ms/],
  ['duration too long', 'name: t\nnodes: 1\nduration: 31d\n', 'duration', 3, /expected a duration/],
  ['negative seed', `${BASE}seed: -1\n`, 'seed', 4, /from 0 to 4294967295/],
  ['seed too big', `${BASE}seed: 4294967296\n`, 'seed', 4, /found 4294967296/],
  ['bad crypto', `${BASE}crypto: fake\n`, 'crypto', 4, /one of real or modelled/],
  ['crypto typo', `${BASE}crypto: modeled\n`, 'crypto', 4, /did you mean "modelled"/],
  [
    'join.over too long',
    `${BASE}join:\n  over: 11m\n`,
    'join.over',
    5,
    /at most the scenario duration/,
  ],
  ['overlay not a map', `${BASE}overlay: 5\n`, 'overlay', 4, /expected a mapping/],
  [
    'overlay key case',
    `${BASE}overlay:\n  minpeers: 3\n`,
    'overlay.minpeers',
    5,
    /did you mean "minPeers"/,
  ],
  ['minPeers 0', `${BASE}overlay:\n  minPeers: 0\n`, 'overlay.minPeers', 5, /from 1 to 64/],
  ['maxPeers 65', `${BASE}overlay:\n  maxPeers: 65\n`, 'overlay.maxPeers', 5, /from 1 to 64/],
  [
    'min > max',
    `${BASE}overlay:\n  minPeers: 6\n  maxPeers: 5\n`,
    'overlay.minPeers',
    5,
    /minPeers ≤ maxPeers/,
  ],
  ['min > default max', `${BASE}overlay:\n  minPeers: 9\n`, 'overlay.minPeers', 5, /the default/],
  [
    'target out of band',
    `${BASE}overlay:\n  targetPeers: 9\n`,
    'overlay.targetPeers',
    5,
    /from minPeers \(4\) to maxPeers \(8\)/,
  ],
  ['passive < max', `${BASE}overlay:\n  passive: 7\n`, 'overlay.passive', 5, /from maxPeers \(8\)/],
  [
    'shuffle too fast',
    `${BASE}overlay:\n  shuffleInterval: 10ms\n`,
    'overlay.shuffleInterval',
    5,
    /at least 1s/,
  ],
  [
    'timeout ≤ interval',
    `${BASE}overlay:\n  heartbeatInterval: 3s\n  heartbeatTimeout: 3s\n`,
    'overlay.heartbeatTimeout',
    6,
    /more than heartbeatInterval \(3s\)/,
  ],
  ['network typo', `${BASE}network:\n  los: 0.1\n`, 'network.los', 5, /did you mean "loss"/],
  ['loss > 1', `${BASE}network:\n  loss: 1.5\n`, 'network.loss', 5, /from 0 up to 1, found 1.5/],
  [
    'latency without kind',
    `${BASE}network:\n  latency: { ms: 5ms }\n`,
    'network.latency.kind',
    5,
    /missing required key/,
  ],
  [
    'latency kind typo',
    `${BASE}network:\n  latency: { kind: normal }\n`,
    'network.latency.kind',
    5,
    /one of constant, uniform, lognormal, matrix or coordinates/,
  ],
  [
    'key of another latency kind',
    `${BASE}network:\n  latency:\n    kind: constant\n    median: 5ms\n`,
    'network.latency.median',
    7,
    /unknown key; expected one of kind or ms/,
  ],
  [
    'latency number',
    `${BASE}network:\n  latency:\n    kind: constant\n    ms: 40\n`,
    'network.latency.ms',
    7,
    /units are mandatory/,
  ],
  [
    'uniform min > max',
    `${BASE}network:\n  latency: { kind: uniform, min: 50ms, max: 10ms }\n`,
    'network.latency.max',
    5,
    /max ≥ min/,
  ],
  [
    'sigma too big',
    `${BASE}network:\n  latency: { kind: lognormal, median: 40ms, sigma: 4 }\n`,
    'network.latency.sigma',
    5,
    /up to 3/,
  ],
  ['events not a list', `${BASE}events: { at: 1m }\n`, 'events', 4, /expected a list/],
  [
    'event without at',
    `${BASE}events:\n  - crash: { count: 1 }\n`,
    'events[0].at',
    5,
    /missing required key/,
  ],
  [
    'event without action',
    `${BASE}events:\n  - at: 1m\n`,
    'events[0]',
    5,
    /exactly one action .* found none/,
  ],
  [
    'event with two actions',
    `${BASE}events:\n  - at: 1m\n    crash: { count: 1 }\n    heal:\n`,
    'events[0]',
    5,
    /found crash and heal/,
  ],
  [
    'action typo',
    `${BASE}events:\n  - at: 1m\n    crsh: { count: 1 }\n`,
    'events[0].crsh',
    6,
    /did you mean "crash"/,
  ],
  [
    'at after the end',
    `${BASE}events:\n  - at: 11m\n    heal:\n`,
    'events[0].at',
    5,
    /at most the scenario duration \(10m\)/,
  ],
  [
    'at without unit',
    `${BASE}events:\n  - at: 60\n    heal:\n`,
    'events[0].at',
    5,
    /units are mandatory/,
  ],
  [
    'events out of order',
    `${BASE}events:\n  - at: 2m\n    heal:\n  - at: 1m\n    heal:\n`,
    'events[1].at',
    7,
    /time order/,
  ],
  [
    'event in the settle window',
    `${BASE}settle: 5m\nevents:\n  - at: 6m\n    heal:\n`,
    'events[0].at',
    6,
    /no events while the network settles/,
  ],
  [
    'crash fraction 0',
    `${BASE}events:\n  - at: 1m\n    crash:\n      fraction: 0\n`,
    'events[0].crash.fraction',
    7,
    /above 0 up to 1, found 0/,
  ],
  [
    'crash fraction as percent',
    `${BASE}events:\n  - at: 1m\n    crash: { fraction: 30% }\n`,
    'events[0].crash.fraction',
    6,
    /found the string "30%"/,
  ],
  [
    'crash fraction and count',
    `${BASE}events:\n  - at: 1m\n    crash: { fraction: 0.1, count: 2 }\n`,
    'events[0].crash',
    6,
    /found fraction and count/,
  ],
  [
    'crash without selection',
    `${BASE}events:\n  - at: 1m\n    crash:\n`,
    'events[0].crash',
    6,
    /exactly one of fraction \(0 < f ≤ 1\), count \(an integer ≥ 1\) or nodes .*found none/,
  ],
  [
    'leave count 0',
    `${BASE}events:\n  - at: 1m\n    leave: { count: 0 }\n`,
    'events[0].leave.count',
    6,
    /from 1 to/,
  ],
  [
    'restart unknown key',
    `${BASE}events:\n  - at: 1m\n    restart: { node: 3 }\n`,
    'events[0].restart.node',
    6,
    /unknown key/,
  ],
  [
    'join without count',
    `${BASE}events:\n  - at: 1m\n    join: {}\n`,
    'events[0].join.count',
    6,
    /missing required key/,
  ],
  [
    'joins beyond the node budget',
    'name: t\nnodes: 199999\nduration: 1h\nevents:\n  - at: 1m\n    join: { count: 2 }\n',
    'events[0].join',
    6,
    /at most 200000 nodes over the whole run/,
  ],
  [
    'partition 1 group',
    `${BASE}events:\n  - at: 1m\n    partition: { groups: 1 }\n`,
    'events[0].partition.groups',
    6,
    /from 2 to 16/,
  ],
  [
    'partition 17 groups',
    `${BASE}events:\n  - at: 1m\n    partition: { groups: 17 }\n`,
    'events[0].partition.groups',
    6,
    /found 17/,
  ],
  [
    'heal with parameters',
    `${BASE}events:\n  - at: 1m\n    heal: { groups: 2 }\n`,
    'events[0].heal',
    6,
    /heal takes no parameters/,
  ],
  [
    'heal false',
    `${BASE}events:\n  - at: 1m\n    heal: false\n`,
    'events[0].heal',
    6,
    /found false/,
  ],
  [
    'loss event > 1',
    `${BASE}events:\n  - at: 1m\n    loss: 2\n`,
    'events[0].loss',
    6,
    /from 0 up to 1/,
  ],
  ['settle too long', `${BASE}settle: 11m\n`, 'settle', 4, /at most the scenario duration/],
  ['YAML syntax error', `${BASE}overlay: { minPeers: 3\n`, '', 5, /^invalid YAML: /],
  ['duplicate key', `${BASE}nodes: 5\n`, '', 4, /invalid YAML: a key appears twice/],
  ['two documents', `${BASE}---\nname: u\n`, '', 4, /exactly one document/],
  ['tab indentation', `${BASE}overlay:\n\tminPeers: 3\n`, '', 5, /invalid YAML: tabs/i],
  ['alias', `name: &n t\nnodes: 10\nduration: 10m\ncrypto: *n\n`, 'crypto', 4, /aliases/],
  ['non-string key', `${BASE}1: x\n`, '', 4, /expected keys to be names/],
];

describe('parseScenario: bad scenarios name the key path and line', () => {
  it.each(BAD)('%s', (_what, text, keyPath, line, message) => {
    const err = errorOf(text);
    expect({ keyPath: err.keyPath, line: err.line }).toEqual({ keyPath, line });
    expect(err.message).toMatch(message);
    expect(err.sourceName).toBe('test.yaml');
  });

  it('format() is one line: <file>:<line>: <keyPath>: <message>', () => {
    const err = errorOf(`${BASE}events:\n  - at: 1m\n    crash:\n      fraction: 0\n`);
    expect(err.format()).toBe(
      'test.yaml:7: events[0].crash.fraction: expected a number above 0 up to 1, found 0',
    );
    expect(err.format()).not.toContain('\n');
    expect(errorOf('').format()).toMatch(/^test\.yaml:1: expected a mapping/);
  });

  it('the list of events is bounded', () => {
    const events = Array.from({ length: EVENTS_MAX + 1 }, () => '  - { at: 1m, heal: }').join('\n');
    const err = errorOf(`${BASE}events:\n${events}\n`);
    expect(err.keyPath).toBe('events');
    expect(err.message).toMatch(`at most ${EVENTS_MAX} items`);
  });
});

describe('loadScenarioFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmsg-scenario-'));

  it('reports a missing file as a ScenarioError for the whole file (line 0)', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadScenarioFile(path)).toThrow(ScenarioError);
    try {
      loadScenarioFile(path);
    } catch (err) {
      expect((err as ScenarioError).line).toBe(0);
      expect((err as ScenarioError).format()).toBe(
        `${path}: cannot read scenario file: no such file`,
      );
    }
  });

  it('refuses a directory and an oversized file', () => {
    expect(() => loadScenarioFile(dir)).toThrow(/is a directory/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${BASE}# ${'x'.repeat(SCENARIO_FILE_MAX_BYTES)}\n`);
    expect(() => loadScenarioFile(big)).toThrow(/at most 1048576 bytes/);
  });

  it('labels errors with the path', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, `${BASE}nodez: 3\n`);
    expect(() => loadScenarioFile(path)).toThrow(ScenarioError);
    try {
      loadScenarioFile(path);
    } catch (err) {
      expect((err as ScenarioError).format()).toMatch(`${path}:4: nodez: unknown key`);
    }
  });
});

describe('shipped scenarios', () => {
  const shipped = readdirSync('sim/scenarios').filter((f) => f.endsWith('.yaml'));

  it('include overlay.yaml and smoke.yaml', () => {
    expect(shipped).toEqual(expect.arrayContaining(['overlay.yaml', 'smoke.yaml']));
  });

  it.each(shipped)('%s parses, and its name matches the file name', (file) => {
    const scenario = loadScenarioFile(join('sim/scenarios', file));
    expect(`${scenario.name}.yaml`).toBe(file);
  });

  it('overlay.yaml: 1,000 nodes, 30% crash at once mid-run, then settle', () => {
    const s = loadScenarioFile('sim/scenarios/overlay.yaml');
    expect(s.nodes).toBe(1000);
    expect(s.events).toHaveLength(1);
    expect(s.events[0]?.action).toEqual({ type: 'crash', fraction: 0.3 });
    expect(s.events[0]?.at).toBe(s.durationMs / 2);
    expect(s.settleMs).toBe(s.durationMs / 2);
  });
});
