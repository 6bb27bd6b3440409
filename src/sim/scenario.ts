/**
 * Scenario files: the YAML schema of `p2pmsg sim`, validated and normalized (DESIGN.md §5).
 *
 * Theory of operation: `parseScenario` reads the YAML through yaml-reader.ts, which tracks the
 * key path and line of every value, checks every key and range against limits.ts, fills in
 * the defaults and returns a `Scenario` in which every duration is integer milliseconds.
 * Anything wrong throws a ScenarioError naming the key path, the line, what was expected and
 * what was found. The runner never sees an unchecked value.
 *
 * Rules:
 * 1. Mappings are closed: unknown keys are errors (a typo must not silently become a default).
 * 2. Durations carry units ("90s"); a bare number is an error (duration.ts).
 * 3. Events must be written in time order (non-decreasing `at`). We do not sort: the file is
 *    read as a timeline, and a misplaced event is more likely a typo in `at` than an intent.
 *    Events at the same `at` fire in file order.
 * 4. Extending the schema (issue 6: churn models, workload, more latency models, measuring
 *    windows) means adding a key to the relevant KEYS list and a reader below. New fields of
 *    the normalized types are always filled in (from defaults), so the runner never checks
 *    for absence and older files keep their meaning.
 *
 * Top-level keys:
 *   name      slug [a-z0-9-], required; names the report directory
 *   seed      integer 0..2^32-1, default 1 (the CLI's --seed overrides it)
 *   nodes     integer 1..200000, required: nodes alive at the start
 *   duration  duration, required: simulated time
 *   crypto    real | modelled, default modelled
 *   join      { over: duration }: initial joins spread evenly over this window, each via a
 *             random already-live node; default nodes × 20ms (at most `duration`)
 *   overlay   { minPeers, maxPeers, targetPeers, passive, shuffleInterval,
 *               heartbeatInterval, heartbeatTimeout }
 *   network   { latency: { kind: constant, ms } | { kind: uniform, min, max }
 *                        | { kind: lognormal, median, sigma },  loss: 0..1 }
 *   events    [ { at: duration, <one action> } ], actions:
 *               crash | leave | restart: { fraction: (0, 1] } or { count: n }
 *               join: { count: n }   partition: { groups: 2..16 }   heal: {} | null | true
 *               loss: 0..1
 *   settle    duration: a quiet window at the end of the run in which no event may fire;
 *             end-of-run metrics describe the network after it has settled
 *   churn     { session: <distribution>, offline: <distribution>, from, until }: every node
 *             alternates online sessions and offline periods (crash, then restart with the
 *             same keys); distributions: { weibull: { shape, scale } } | { exponential:
 *             { mean } } | { pareto: { shape, scale } } (churn.ts)
 *   workload  { interval, size, hops, expiry, from, until, pairs, shards }: end-to-end
 *             messages between random online pairs, a Poisson process of mean gap `interval`
 *             network-wide, sent in [from, until), each retried until `expiry` after it
 *             was sent; `hops` relays per path (every node's routing config); pairs: uniform;
 *             shards: "n/k" (split every message into n shards, any k rebuild it, each on its
 *             own node-disjoint path) or "none" (default: one packet per message)
 */

import { readFileSync, statSync } from 'node:fs';
import { formatDuration } from './duration.js';
import { DEFAULT_DIRECTORY } from '../engine/directory/config.js';
import { DEFAULT_ROUTING, REPLY_PATH_MAX, ROUTING_BODY_MAX } from '../engine/routing/config.js';
import { parseShardSpec, type ShardSpec } from '../engine/routing/shard-spec.js';
import { BROADCAST_BODY_MAX } from '../engine/wire/limits.js';
import {
  ANNOUNCE_INTERVAL_MIN_MS,
  BROADCAST_INTERVAL_MIN_MS,
  BROADCAST_SIZE_DEFAULT,
  WINDOWS_MAX,
  SWEEP_KEY_PATTERN,
  SWEEP_VALUES_MAX,
  DURATION_MAX_MS,
  EVENTS_MAX,
  HEARTBEAT_INTERVAL_DEFAULT_MS,
  HEARTBEAT_INTERVAL_MAX_MS,
  HEARTBEAT_INTERVAL_MIN_MS,
  HEARTBEAT_TIMEOUT_DEFAULT_MS,
  HEARTBEAT_TIMEOUT_MAX_MS,
  JOIN_SPREAD_PER_NODE_MS,
  LATENCY_MAX_MS,
  LATENCY_MEDIAN_DEFAULT_MS,
  LATENCY_SIGMA_DEFAULT,
  LATENCY_SIGMA_MAX,
  LOSS_DEFAULT,
  LOSS_MAX,
  LOSS_MIN,
  MAX_PEERS_DEFAULT,
  MIN_PEERS_DEFAULT,
  NAME_MAX_CHARS,
  NAME_PATTERN,
  NODES_EVER_MAX,
  NODES_MAX,
  NODES_MIN,
  PARTITION_GROUPS_MAX,
  PARTITION_GROUPS_MIN,
  PASSIVE_DEFAULT,
  PASSIVE_MAX,
  PEERS_MAX,
  SCENARIO_FILE_MAX_BYTES,
  SEED_DEFAULT,
  SEED_MAX,
  SHUFFLE_INTERVAL_DEFAULT_MS,
  SHUFFLE_INTERVAL_MAX_MS,
  SHUFFLE_INTERVAL_MIN_MS,
  CHURN_DURATION_MIN_MS,
  CHURN_SHAPE_MAX,
  WORKLOAD_EXPIRY_DEFAULT_MS,
  WORKLOAD_EXPIRY_MAX_MS,
  WORKLOAD_EXPIRY_MIN_MS,
  WORKLOAD_INTERVAL_MIN_MS,
  WORKLOAD_SIZE_DEFAULT,
} from './limits.js';
import { type Field, type MapField, ScenarioError, list, readYaml } from './yaml-reader.js';

export { ScenarioError } from './yaml-reader.js';

// ---------------------------------------------------------------------------------------------
// The normalized scenario

export type CryptoMode = 'real' | 'modelled';
export const CRYPTO_MODES: readonly CryptoMode[] = ['real', 'modelled'];

/** One-way link latency, drawn once per ordered pair of nodes. All values in milliseconds. */
export type LatencyModel =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number };
export const LATENCY_KINDS: readonly LatencyModel['kind'][] = ['constant', 'uniform', 'lognormal'];

export interface OverlayParams {
  minPeers: number;
  maxPeers: number;
  /** Active-view size a node aims for; minPeers ≤ targetPeers ≤ maxPeers. */
  targetPeers: number;
  passive: number;
  shuffleIntervalMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
}

export interface NetworkParams {
  latency: LatencyModel;
  /** Probability that a frame is lost, 0..1. */
  loss: number;
}

/** Which nodes an action touches: exactly one of the two is set. */
export type NodeSelection =
  /** This share of the eligible nodes, rounded to the nearest count (at least 1). */
  | { fraction: number; count?: never }
  /** This many of the eligible nodes (fewer if fewer are eligible). */
  | { count: number; fraction?: never };

/**
 * A scripted action. Eligible nodes: live ones for crash and leave, currently crashed ones for
 * restart. Partition splits the live nodes into `groups` random groups; heal removes it.
 */
export type ScenarioAction =
  | ({ type: 'crash' } & NodeSelection)
  | ({ type: 'leave' } & NodeSelection)
  | ({ type: 'restart' } & NodeSelection)
  | { type: 'join'; count: number }
  | { type: 'partition'; groups: number }
  | { type: 'heal' }
  | { type: 'loss'; loss: number };

export type ActionType = ScenarioAction['type'];
/** Every action, in the order reports list them. */
export const ACTION_TYPES: readonly ActionType[] = [
  'crash',
  'leave',
  'join',
  'restart',
  'partition',
  'heal',
  'loss',
];

export interface ScenarioEvent {
  /** Simulated time of the event, in milliseconds from the start (0 ≤ at ≤ durationMs). */
  at: number;
  action: ScenarioAction;
  /** 1-based line of the event in the scenario file, for messages about it. */
  line: number;
}

export type BroadcastModeName = 'flood' | 'tree';
export const BROADCAST_MODES: readonly BroadcastModeName[] = ['flood', 'tree'];

/** The broadcast workload: probes from random live origins, as a Poisson process. */
export interface BroadcastParams {
  mode: BroadcastModeName;
  /** Mean time between probes, network-wide; null for no probes. */
  intervalMs: number | null;
  sizeBytes: number;
  /** Probes are sent in [fromMs, untilMs). */
  fromMs: number;
  untilMs: number;
}

/** A distribution of durations (all in ms); churn.ts draws from it. */
export type Distribution =
  | { kind: 'exponential'; meanMs: number }
  | { kind: 'weibull'; shape: number; scaleMs: number }
  | { kind: 'pareto'; shape: number; scaleMs: number };
export const DISTRIBUTION_KINDS: readonly Distribution['kind'][] = [
  'weibull',
  'exponential',
  'pareto',
];

/** Nodes alternating online sessions and offline periods in [fromMs, untilMs) (churn.ts). */
export interface ChurnParams {
  session: Distribution;
  offline: Distribution;
  fromMs: number;
  untilMs: number;
}

/** How a message's sender and target are chosen. uniform: two distinct random online nodes. */
export type PairsModel = 'uniform';
export const PAIRS_MODELS: readonly PairsModel[] = ['uniform'];

/** The message workload: end-to-end messages as a Poisson process (runner.ts). */
export interface WorkloadParams {
  /** Mean time between messages, network-wide; null for no messages. */
  intervalMs: number | null;
  sizeBytes: number;
  /** Relays per path (the routing config of every node). */
  hops: number;
  /** A message is retried until this long after it was sent. */
  expiryMs: number;
  /** Messages are sent in [fromMs, untilMs). */
  fromMs: number;
  untilMs: number;
  pairs: PairsModel;
  /** Split every message into n shards, any k rebuild it; null: one packet per message. */
  shards: ShardSpec | null;
}

export interface DirectoryParams {
  announceIntervalMs: number;
  lifetimeMs: number;
  /** Fraction of nodes that volunteer as relays. */
  relayFraction: number;
}

/** Runs of the same scenario with one key set to each value in turn. */
export interface SweepParams {
  key: string;
  values: (number | string)[];
}

/** A named interval of simulated time: broadcast metrics are also reported per window. */
export interface MeasureWindow {
  name: string;
  fromMs: number;
  toMs: number;
}

export interface Scenario {
  name: string;
  seed: number;
  /** Nodes alive at the start (they join over `join.overMs`). */
  nodes: number;
  durationMs: number;
  crypto: CryptoMode;
  join: { overMs: number };
  overlay: OverlayParams;
  network: NetworkParams;
  /** In time order; equal times in file order. */
  events: ScenarioEvent[];
  /** Quiet window at the end (no events inside it), or null when not set. */
  settleMs: number | null;
  broadcast: BroadcastParams;
  directory: DirectoryParams;
  measure: MeasureWindow[];
  sweep: SweepParams | null;
  workload: WorkloadParams;
  /** null: no churn model (nodes fail only by scripted events). */
  churn: ChurnParams | null;
}

// ---------------------------------------------------------------------------------------------
// Keys

const TOP_KEYS = [
  'name',
  'seed',
  'nodes',
  'duration',
  'crypto',
  'join',
  'overlay',
  'network',
  'events',
  'settle',
  'broadcast',
  'directory',
  'measure',
  'sweep',
  'workload',
  'churn',
] as const;
const CHURN_KEYS = ['session', 'offline', 'from', 'until'] as const;
const DISTRIBUTION_KEYS = {
  weibull: ['shape', 'scale'],
  exponential: ['mean'],
  pareto: ['shape', 'scale'],
} as const;
const WORKLOAD_KEYS = [
  'interval',
  'size',
  'hops',
  'expiry',
  'from',
  'until',
  'pairs',
  'shards',
] as const;
const SWEEP_KEYS = ['key', 'values'] as const;
const BROADCAST_KEYS = ['mode', 'interval', 'size', 'from', 'until'] as const;
const DIRECTORY_KEYS = ['announceInterval', 'lifetime', 'relays'] as const;
const WINDOW_KEYS = ['name', 'from', 'to'] as const;
const JOIN_KEYS = ['over'] as const;
const OVERLAY_KEYS = [
  'minPeers',
  'maxPeers',
  'targetPeers',
  'passive',
  'shuffleInterval',
  'heartbeatInterval',
  'heartbeatTimeout',
] as const;
const NETWORK_KEYS = ['latency', 'loss'] as const;
const LATENCY_KEYS = {
  constant: ['kind', 'ms'],
  uniform: ['kind', 'min', 'max'],
  lognormal: ['kind', 'median', 'sigma'],
} as const;
const SELECTION_KEYS = ['fraction', 'count'] as const;
const EVENT_KEYS = ['at', ...ACTION_TYPES] as const;

// ---------------------------------------------------------------------------------------------
// Entry points

/** Reads and parses a scenario file; every problem (unreadable file included) is a ScenarioError. */
export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readScenarioText(path), path);
}

/** The text of a scenario file; a missing, unreadable or oversized file is a ScenarioError. */
export function readScenarioText(path: string): string {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > SCENARIO_FILE_MAX_BYTES) {
      throw new ScenarioError(
        path,
        '',
        0,
        `expected a scenario file of at most ${SCENARIO_FILE_MAX_BYTES} bytes, found ${size} bytes`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, expected a YAML file'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new ScenarioError(path, '', 0, `cannot read scenario file: ${reason}`);
  }
  return text;
}

/** Parses scenario YAML; `sourceName` labels errors (usually the file path). */
export function parseScenario(text: string, sourceName: string): Scenario {
  const root = readYaml(text, sourceName);
  if (root.isNull()) {
    root.fail(`expected a mapping with keys ${list(TOP_KEYS, 'and')}, found an empty document`);
  }
  const top = root.map(TOP_KEYS);

  const name = readName(top.require('name', 'a slug such as "overlay-1k"'));
  const seed = optional(top, 'seed', (f) => f.int(0, SEED_MAX), SEED_DEFAULT);
  const nodes = top
    .require('nodes', `an integer from ${NODES_MIN} to ${NODES_MAX}`)
    .int(NODES_MIN, NODES_MAX);
  const durationMs = top
    .require('duration', 'a duration such as "20m"')
    .duration(1, DURATION_MAX_MS);
  const crypto = optional(top, 'crypto', (f) => f.oneOf(CRYPTO_MODES), 'modelled');
  const join = readJoin(top.get('join'), nodes, durationMs);
  const overlay = readOverlay(top.get('overlay'));
  const network = readNetwork(top.get('network'));
  const settleMs = optional(
    top,
    'settle',
    (f) => f.duration(0, durationMs, `the scenario duration`),
    null,
  );
  const events = readEvents(top.get('events'), nodes, durationMs, settleMs);
  const broadcast = readBroadcast(top.get('broadcast'), durationMs);
  const directory = readDirectory(top.get('directory'));
  const measure = readWindows(top.get('measure'), durationMs);
  const sweep = readSweep(top.get('sweep'));
  const workload = readWorkload(top.get('workload'), durationMs);
  const churn = readChurn(top.get('churn'), durationMs);

  return {
    name,
    seed,
    nodes,
    durationMs,
    crypto,
    join,
    overlay,
    network,
    events,
    settleMs,
    broadcast,
    directory,
    measure,
    sweep,
    workload,
    churn,
  };
}

/** A parameter sweep: the runner re-reads the file with `key` set to each value (sweep.ts). */
function readSweep(field: Field | undefined): SweepParams | null {
  if (field === undefined) return null;
  const map = field.map(SWEEP_KEYS);
  const keyField = map.require('key', 'a dotted key path such as events.0.crash.fraction');
  const key = keyField.string('a dotted key path');
  if (!SWEEP_KEY_PATTERN.test(key) || key.split('.')[0] === 'sweep') {
    keyField.fail(
      `expected a dotted key path of this file such as events.0.crash.fraction, found ${JSON.stringify(key)}`,
    );
  }
  const values = map
    .require('values', 'a list of values')
    .list(SWEEP_VALUES_MAX)
    .map((f) => {
      const v = f.scalar();
      if (typeof v !== 'number' && typeof v !== 'string') f.fail('expected a number or a string');
      return v as number | string;
    });
  if (values.length === 0)
    map.require('values', 'a list of values').fail('expected at least one value');
  return { key, values };
}

function readBroadcast(field: Field | undefined, durationMs: number): BroadcastParams {
  const map = field?.map(BROADCAST_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);
  const fromMs = get('from', (f) => f.duration(0, durationMs, 'the scenario duration'), 0);
  return {
    mode: get('mode', (f) => f.oneOf(BROADCAST_MODES), 'tree' as BroadcastModeName),
    intervalMs: get(
      'interval',
      (f) => f.duration(BROADCAST_INTERVAL_MIN_MS, durationMs, 'the scenario duration'),
      null as number | null,
    ),
    sizeBytes: get('size', (f) => f.int(0, BROADCAST_BODY_MAX), BROADCAST_SIZE_DEFAULT),
    fromMs,
    untilMs: get(
      'until',
      (f) => f.duration(fromMs, durationMs, 'the scenario duration'),
      durationMs,
    ),
  };
}

function readWorkload(field: Field | undefined, durationMs: number): WorkloadParams {
  const map = field?.map(WORKLOAD_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);
  const fromMs = get('from', (f) => f.duration(0, durationMs, 'the scenario duration'), 0);
  return {
    intervalMs: get(
      'interval',
      (f) => f.duration(WORKLOAD_INTERVAL_MIN_MS, durationMs, 'the scenario duration'),
      null as number | null,
    ),
    sizeBytes: get('size', (f) => f.int(0, ROUTING_BODY_MAX), WORKLOAD_SIZE_DEFAULT),
    hops: get('hops', (f) => f.int(1, REPLY_PATH_MAX), DEFAULT_ROUTING.hops),
    expiryMs: get(
      'expiry',
      (f) => f.duration(WORKLOAD_EXPIRY_MIN_MS, WORKLOAD_EXPIRY_MAX_MS, 'the longest retry window'),
      WORKLOAD_EXPIRY_DEFAULT_MS,
    ),
    fromMs,
    untilMs: get(
      'until',
      (f) => f.duration(fromMs, durationMs, 'the scenario duration'),
      durationMs,
    ),
    pairs: get('pairs', (f) => f.oneOf(PAIRS_MODELS), 'uniform' as PairsModel),
    shards: get('shards', readShards, null),
  };
}

/** `shards: 3/2` or `shards: none` (routing/shard-spec.ts has the one parser). */
function readShards(field: Field): ShardSpec | null {
  const parsed = parseShardSpec(field.scalar());
  if (!parsed.ok) field.fail(parsed.message);
  return parsed.spec;
}

function readChurn(field: Field | undefined, durationMs: number): ChurnParams | null {
  if (field === undefined) return null;
  const map = field.map(CHURN_KEYS);
  const session = readDistribution(map.require('session', 'a distribution of session lengths'));
  const offline = readDistribution(map.require('offline', 'a distribution of offline periods'));
  const fromMs = optional(
    map,
    'from',
    (f) => f.duration(0, durationMs, 'the scenario duration'),
    0,
  );
  const untilMs = optional(
    map,
    'until',
    (f) => f.duration(fromMs, durationMs, 'the scenario duration'),
    durationMs,
  );
  return { session, offline, fromMs, untilMs };
}

/** `{ weibull: { shape, scale } }`, `{ exponential: { mean } }` or `{ pareto: { shape, scale } }`. */
function readDistribution(field: Field): Distribution {
  const outer = field.map(DISTRIBUTION_KINDS);
  const kinds = outer.keys();
  if (kinds.length !== 1) {
    field.fail(
      `expected exactly one of ${list(DISTRIBUTION_KINDS)}, found ` +
        (kinds.length === 0 ? 'none' : kinds.join(' and ')),
    );
  }
  const kind = kinds[0] as Distribution['kind'];
  const map = (outer.get(kind) as Field).map(DISTRIBUTION_KEYS[kind]);
  const shape = (): number =>
    map
      .require('shape', `a number in (0, ${CHURN_SHAPE_MAX}]`)
      .number(0, CHURN_SHAPE_MAX, { minExclusive: true });
  const duration = (key: string): number =>
    map.require(key, 'a duration such as "30m"').duration(CHURN_DURATION_MIN_MS, DURATION_MAX_MS);
  switch (kind) {
    case 'exponential':
      return { kind, meanMs: duration('mean') };
    case 'weibull':
      return { kind, shape: shape(), scaleMs: duration('scale') };
    case 'pareto':
      return { kind, shape: shape(), scaleMs: duration('scale') };
  }
}

function readDirectory(field: Field | undefined): DirectoryParams {
  const map = field?.map(DIRECTORY_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);
  const announceIntervalMs = get(
    'announceInterval',
    (f) => f.duration(ANNOUNCE_INTERVAL_MIN_MS, DURATION_MAX_MS),
    DEFAULT_DIRECTORY.announceIntervalMs,
  );
  const lifetimeMs = get(
    'lifetime',
    (f) => {
      const ms = f.duration(
        1,
        DEFAULT_DIRECTORY.descriptorLifetimeMaxMs,
        'the longest accepted lifetime',
      );
      if (ms <= announceIntervalMs) {
        f.fail(
          `expected more than announceInterval (${formatDuration(announceIntervalMs)}), found ${formatDuration(ms)}`,
        );
      }
      return ms;
    },
    Math.max(
      DEFAULT_DIRECTORY.descriptorLifetimeMs,
      Math.min(3 * announceIntervalMs, DEFAULT_DIRECTORY.descriptorLifetimeMaxMs),
    ),
  );
  return {
    announceIntervalMs,
    lifetimeMs,
    relayFraction: get('relays', (f) => f.number(0, 1), 1),
  };
}

function readWindows(field: Field | undefined, durationMs: number): MeasureWindow[] {
  if (field === undefined) return [];
  return field.list(WINDOWS_MAX).map((item) => {
    const map = item.map(WINDOW_KEYS);
    const name = map.require('name', 'a window name').string('a window name');
    const fromMs = map
      .require('from', 'a duration')
      .duration(0, durationMs, 'the scenario duration');
    const toMs = map
      .require('to', 'a duration')
      .duration(fromMs, durationMs, 'the scenario duration');
    return { name, fromMs, toMs };
  });
}

// ---------------------------------------------------------------------------------------------
// Sections

function optional<T, D>(map: MapField, key: string, read: (field: Field) => T, fallback: D): T | D {
  const field = map.get(key);
  return field === undefined ? fallback : read(field);
}

function readName(field: Field): string {
  const name = field.string('a slug such as "overlay-1k"');
  if (name.length === 0 || name.length > NAME_MAX_CHARS || !NAME_PATTERN.test(name)) {
    field.fail(
      `expected a slug of 1 to ${NAME_MAX_CHARS} characters: lowercase letters, digits and ` +
        `single dashes between them (e.g. "overlay-1k"), found ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function readJoin(field: Field | undefined, nodes: number, durationMs: number): Scenario['join'] {
  // The default may not outlast the run: 200,000 nodes × 20 ms is 66 minutes.
  const fallback = Math.min(nodes * JOIN_SPREAD_PER_NODE_MS, durationMs);
  if (field === undefined) return { overMs: fallback };
  const map = field.map(JOIN_KEYS);
  return {
    overMs: optional(
      map,
      'over',
      (f) => f.duration(0, durationMs, 'the scenario duration'),
      fallback,
    ),
  };
}

function readOverlay(field: Field | undefined): OverlayParams {
  const map = field?.map(OVERLAY_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);

  const minPeers = get('minPeers', (f) => f.int(1, PEERS_MAX), MIN_PEERS_DEFAULT);
  const maxPeers = get('maxPeers', (f) => f.int(1, PEERS_MAX), MAX_PEERS_DEFAULT);
  if (minPeers > maxPeers) {
    // Blame whichever of the two the file set (both defaults cannot conflict).
    const blamed = map?.get('minPeers') ?? (map?.get('maxPeers') as Field);
    blamed.fail(
      `expected minPeers ≤ maxPeers, found minPeers ${minPeers} and maxPeers ${maxPeers}` +
        (map?.has('maxPeers') === true && map.has('minPeers')
          ? ''
          : ' (the other one is the default)'),
    );
  }
  const targetDefault = Math.ceil((minPeers + maxPeers) / 2);
  const targetPeers = get(
    'targetPeers',
    (f) => within(f, f.int(1, PEERS_MAX), minPeers, maxPeers, 'minPeers', 'maxPeers'),
    targetDefault,
  );
  // The passive view must hold at least a full active view's worth of candidates to repair
  // from; the default grows with maxPeers so that raising maxPeers alone stays valid.
  const passive = get(
    'passive',
    (f) => within(f, f.int(1, PASSIVE_MAX), maxPeers, PASSIVE_MAX, 'maxPeers', 'the limit'),
    Math.max(PASSIVE_DEFAULT, maxPeers),
  );
  const shuffleIntervalMs = get(
    'shuffleInterval',
    (f) => f.duration(SHUFFLE_INTERVAL_MIN_MS, SHUFFLE_INTERVAL_MAX_MS),
    SHUFFLE_INTERVAL_DEFAULT_MS,
  );
  const heartbeatIntervalMs = get(
    'heartbeatInterval',
    (f) => f.duration(HEARTBEAT_INTERVAL_MIN_MS, HEARTBEAT_INTERVAL_MAX_MS),
    HEARTBEAT_INTERVAL_DEFAULT_MS,
  );
  // Three missed heartbeats declare a neighbour dead, whatever the interval.
  const timeoutDefault = Math.max(HEARTBEAT_TIMEOUT_DEFAULT_MS, 3 * heartbeatIntervalMs);
  const heartbeatTimeoutMs = get(
    'heartbeatTimeout',
    (f) => {
      const ms = f.duration(1, HEARTBEAT_TIMEOUT_MAX_MS);
      if (ms <= heartbeatIntervalMs) {
        f.fail(
          `expected more than heartbeatInterval (${formatDuration(heartbeatIntervalMs)}), ` +
            `found ${formatDuration(ms)}: every neighbour would time out between two heartbeats`,
        );
      }
      return ms;
    },
    timeoutDefault,
  );
  return {
    minPeers,
    maxPeers,
    targetPeers,
    passive,
    shuffleIntervalMs,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
  };
}

/** Checks lo ≤ value ≤ hi where the bounds come from other keys, naming them in the message. */
function within(
  field: Field,
  value: number,
  lo: number,
  hi: number,
  loName: string,
  hiName: string,
): number {
  if (value < lo || value > hi) {
    field.fail(`expected a value from ${loName} (${lo}) to ${hiName} (${hi}), found ${value}`);
  }
  return value;
}

function readNetwork(field: Field | undefined): NetworkParams {
  const map = field?.map(NETWORK_KEYS);
  const latencyField = map?.get('latency');
  const latency: LatencyModel =
    latencyField === undefined
      ? { kind: 'lognormal', medianMs: LATENCY_MEDIAN_DEFAULT_MS, sigma: LATENCY_SIGMA_DEFAULT }
      : readLatency(latencyField);
  const lossField = map?.get('loss');
  const loss = lossField === undefined ? LOSS_DEFAULT : lossField.number(LOSS_MIN, LOSS_MAX);
  return { latency, loss };
}

function readLatency(field: Field): LatencyModel {
  // Read `kind` first so the allowed keys can depend on it.
  const loose = field.map(['kind', 'ms', 'min', 'max', 'median', 'sigma']);
  const kind = loose.require('kind', `one of ${list(LATENCY_KINDS)}`).oneOf(LATENCY_KINDS);
  const map = field.map(LATENCY_KEYS[kind]);
  const ms = (key: string): number =>
    map.require(key, 'a duration such as "40ms"').duration(0, LATENCY_MAX_MS);
  switch (kind) {
    case 'constant':
      return { kind, ms: ms('ms') };
    case 'uniform': {
      const minMs = ms('min');
      const maxMs = ms('max');
      if (minMs > maxMs) {
        (map.get('max') as Field).fail(`expected max ≥ min (${minMs}ms), found ${maxMs}ms`);
      }
      return { kind, minMs, maxMs };
    }
    case 'lognormal': {
      const medianMs = map
        .require('median', 'a duration such as "40ms"')
        .duration(1, LATENCY_MAX_MS);
      const sigma = optional(
        map,
        'sigma',
        (f) => f.number(0, LATENCY_SIGMA_MAX),
        LATENCY_SIGMA_DEFAULT,
      );
      return { kind, medianMs, sigma };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events

function readEvents(
  field: Field | undefined,
  nodes: number,
  durationMs: number,
  settleMs: number | null,
): ScenarioEvent[] {
  if (field === undefined) return [];
  const events: ScenarioEvent[] = [];
  let joinedTotal = nodes;
  const lastAllowedMs = durationMs - (settleMs ?? 0);
  for (const item of field.list(EVENTS_MAX)) {
    const map = item.map(EVENT_KEYS);
    const atField = map.require('at', 'a duration such as "10m"');
    const at = atField.duration(0, durationMs, 'the scenario duration');
    if (at > lastAllowedMs) {
      atField.fail(
        `expected at most ${formatDuration(lastAllowedMs)} (duration ${formatDuration(durationMs)} ` +
          `minus settle ${formatDuration(settleMs ?? 0)}: no events while the network settles), ` +
          `found ${formatDuration(at)}`,
      );
    }
    const previous = events[events.length - 1];
    if (previous !== undefined && at < previous.at) {
      atField.fail(
        `expected events in time order: this one (${formatDuration(at)}) comes before the one ` +
          `above it (${formatDuration(previous.at)}, line ${previous.line})`,
      );
    }
    const actionKeys = map.keys().filter((key) => key !== 'at');
    if (actionKeys.length !== 1) {
      const found = actionKeys.length === 0 ? 'none' : actionKeys.join(' and ');
      item.fail(`expected exactly one action (${list(ACTION_TYPES)}) besides at, found ${found}`);
    }
    const type = actionKeys[0] as ActionType;
    const action = readAction(type, map.get(type) as Field);
    if (action.type === 'join') {
      joinedTotal += action.count;
      if (joinedTotal > NODES_EVER_MAX) {
        (map.get('join') as Field).fail(
          `expected at most ${NODES_EVER_MAX} nodes over the whole run (nodes plus every join), ` +
            `found ${joinedTotal} by this event`,
        );
      }
    }
    events.push({ at, action, line: item.line });
  }
  return events;
}

function readAction(type: ActionType, field: Field): ScenarioAction {
  switch (type) {
    case 'crash':
    case 'leave':
    case 'restart':
      return { type, ...readSelection(field) };
    case 'join':
      return {
        type,
        count: field.map(['count']).require('count', 'an integer ≥ 1').int(1, NODES_EVER_MAX),
      };
    case 'partition': {
      const groups = field
        .map(['groups'])
        .require('groups', `an integer from ${PARTITION_GROUPS_MIN} to ${PARTITION_GROUPS_MAX}`)
        .int(PARTITION_GROUPS_MIN, PARTITION_GROUPS_MAX);
      return { type, groups };
    }
    case 'heal': {
      // `heal:`, `heal: {}` and `heal: true` all read naturally; nothing else does.
      if (field.isNull() || field.isEmptyMapping() || field.scalar() === true) return { type };
      field.fail(
        `expected nothing, {} or true (heal takes no parameters), found ${field.describe()}`,
      );
    }
    case 'loss':
      return { type, loss: field.number(LOSS_MIN, LOSS_MAX) };
  }
}

function readSelection(field: Field): NodeSelection {
  const map = field.map(SELECTION_KEYS);
  const fraction = map.get('fraction');
  const count = map.get('count');
  if ((fraction === undefined) === (count === undefined)) {
    field.fail(
      `expected exactly one of fraction (0 < f ≤ 1) or count (an integer ≥ 1), found ` +
        (fraction === undefined ? 'neither' : 'both'),
    );
  }
  if (fraction !== undefined) return { fraction: fraction.number(0, 1, { minExclusive: true }) };
  return { count: (count as Field).int(1, NODES_EVER_MAX) };
}
