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
 *   network   { latency, loss, duplicate, reorder } (scenario-network.ts): latency models
 *             constant, uniform, lognormal, matrix (CSV file), coordinates (2-D points)
 *   events    [ { at: duration, <one action> } ] (scenario-events.ts), actions:
 *               crash | leave | restart: { fraction } | { count } | { nodes: [7, "10..19"] }
 *               join: { count, over }   partition: { groups | isolate, oneWay }
 *               heal: {} | null | true   loss: 0..1   latency: <latency model>
 *   settle    duration: a quiet window at the end of the run in which no event may fire;
 *             end-of-run metrics describe the network after it has settled
 *   churn     { session: <distribution>, offline: <distribution>, from, until,
 *             heterogeneity }: every node alternates online sessions and offline periods
 *             (crash, then restart with the same keys); distributions: weibull, exponential,
 *             pareto, truncatedNormal; heterogeneity: a factor per node (churn.ts,
 *             scenario-models.ts)
 *   workload  { interval, size, hops, expiry, from, until, pairs, shards }: end-to-end
 *             messages between random online pairs, a Poisson process of mean gap `interval`
 *             network-wide, sent in [from, until), each retried until `expiry` after it
 *             was sent; `hops` relays per path (every node's routing config); pairs: uniform
 *             or { zipf: { s } }; size: bytes or a distribution; shards: "n/k" (split every
 *             message into n shards, any k rebuild it, each on its own node-disjoint path) or
 *             "none" (default: one packet per message)
 *   adversaries [ { behaviour, fraction | count, rate, from, until, prefix, victim } ]:
 *             misbehaving nodes (scenario-adversaries.ts, src/sim/adversaries/): garbage,
 *             replay, broadcast-flood, lying-descriptors, black-hole, sybil, eclipse
 *
 * docs/scenarios.md is the reference of every key, with its default and an example.
 */

import { dirname } from 'node:path';
import type { FactorDistribution, SizeModel } from './distributions.js';
import { formatDuration } from './duration.js';
import { TextFileError, readTextFile } from './text-file.js';
import { EAGER_MIN } from '../engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../engine/directory/config.js';
import { DEFAULT_ROUTING, REPLY_PATH_MAX } from '../engine/routing/config.js';
import { parseShardSpec, type ShardSpec } from '../engine/routing/shard-spec.js';
import { BROADCAST_BODY_MAX, BROADCAST_HOPS_MAX } from '../engine/wire/limits.js';
import {
  ANNOUNCE_INTERVAL_MIN_MS,
  DIRECTORY_SYNC_INTERVAL_MIN_MS,
  BROADCAST_INTERVAL_MIN_MS,
  BROADCAST_SIZE_DEFAULT,
  WINDOWS_MAX,
  SWEEP_KEY_PATTERN,
  SWEEP_VALUES_MAX,
  DURATION_MAX_MS,
  HEARTBEAT_INTERVAL_DEFAULT_MS,
  HEARTBEAT_INTERVAL_MAX_MS,
  HEARTBEAT_INTERVAL_MIN_MS,
  HEARTBEAT_TIMEOUT_DEFAULT_MS,
  HEARTBEAT_TIMEOUT_MAX_MS,
  JOIN_SPREAD_PER_NODE_MS,
  MAX_PEERS_DEFAULT,
  MIN_PEERS_DEFAULT,
  NAME_MAX_CHARS,
  NAME_PATTERN,
  NODES_MAX,
  NODES_MIN,
  PASSIVE_DEFAULT,
  PASSIVE_MAX,
  PEERS_MAX,
  SCENARIO_FILE_MAX_BYTES,
  SEED_DEFAULT,
  SEED_MAX,
  SHUFFLE_INTERVAL_DEFAULT_MS,
  SHUFFLE_INTERVAL_MAX_MS,
  SHUFFLE_INTERVAL_MIN_MS,
  WORKLOAD_EXPIRY_DEFAULT_MS,
  WORKLOAD_EXPIRY_MAX_MS,
  WORKLOAD_EXPIRY_MIN_MS,
  WORKLOAD_INTERVAL_MIN_MS,
} from './limits.js';
import type { AdversarySpec } from './adversaries/spec.js';
import { readAdversaries } from './scenario-adversaries.js';
import { ACTION_TYPES, readEvents } from './scenario-events.js';
import {
  DISTRIBUTION_KINDS,
  readDistribution,
  readHeterogeneity,
  readPairs,
  readSize,
} from './scenario-models.js';
import { LATENCY_KINDS, readNetwork } from './scenario-network.js';
import { type Field, ScenarioError, list, optional, readYaml } from './yaml-reader.js';

export { ScenarioError } from './yaml-reader.js';
export { ACTION_TYPES, DISTRIBUTION_KINDS, LATENCY_KINDS };
export type { FactorDistribution, SizeModel };

// ---------------------------------------------------------------------------------------------
// The normalized scenario

export type CryptoMode = 'real' | 'modelled';
export const CRYPTO_MODES: readonly CryptoMode[] = ['real', 'modelled'];

/**
 * One-way link latency (transports/sim/latency.ts has the semantics). All values in
 * milliseconds; a matrix carries its numbers (read from `file` at parse time).
 */
export type LatencyModel =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'matrix'; file: string; ms: number[][] }
  | { kind: 'coordinates'; sizeMs: number; baseMs: number };

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

/** Reordering: with `probability`, a frame is held 1..maxDelayMs beyond its FIFO turn. */
export interface ReorderParams {
  probability: number;
  maxDelayMs: number;
}

export interface NetworkParams {
  latency: LatencyModel;
  /** Probability that a frame is lost, 0..1. */
  loss: number;
  /** Probability that a frame is delivered twice, 0..1. */
  duplicate: number;
  /** null: frames on a link arrive in order. */
  reorder: ReorderParams | null;
}

/** Node indexes from `from` to `to`, both included. */
export interface NodeRange {
  from: number;
  to: number;
}

/** Which nodes an action touches: exactly one of the three is set. */
export type NodeSelection =
  /** This share of the eligible nodes, rounded to the nearest count (at least 1). */
  | { fraction: number; count?: never; nodes?: never }
  /** This many of the eligible nodes (fewer if fewer are eligible). */
  | { count: number; fraction?: never; nodes?: never }
  /** These nodes, those of them that are eligible. */
  | { nodes: NodeRange[]; fraction?: never; count?: never };

/** How a partition splits the nodes (scenario-events.ts). */
export type PartitionSplit =
  /** The live nodes, shuffled and dealt into `groups` groups. */
  | { kind: 'random'; groups: number }
  /** These groups (existing nodes, live or not); unlisted nodes form one more group, last. */
  | { kind: 'groups'; groups: NodeRange[][] }
  /** The selected nodes (live ones for fraction and count) form one group, the rest another. */
  | { kind: 'isolate'; nodes: NodeSelection };

/**
 * A scripted action. Eligible nodes: live ones for crash and leave, currently crashed ones for
 * restart. Partition replaces any partition in force (oneWay: a group cannot reach the groups
 * after it, they still reach it); heal removes it. Join adds `count` nodes at random times in
 * [at, at + overMs] (all at `at` when overMs is 0).
 */
export type ScenarioAction =
  | ({ type: 'crash' } & NodeSelection)
  | ({ type: 'leave' } & NodeSelection)
  | ({ type: 'restart' } & NodeSelection)
  | { type: 'join'; count: number; overMs: number }
  | { type: 'partition'; split: PartitionSplit; oneWay: boolean }
  | { type: 'heal' }
  | { type: 'loss'; loss: number }
  | { type: 'latency'; latency: LatencyModel };

export type ActionType = ScenarioAction['type'];

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
  /** Tree mode: eager links a node keeps through its own prunes (BroadcastConfig.eagerMin). */
  eagerMin: number;
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
  | { kind: 'pareto'; shape: number; scaleMs: number }
  /** A normal(meanMs, sdMs) restricted to [minMs, maxMs]. */
  | { kind: 'truncatedNormal'; meanMs: number; sdMs: number; minMs: number; maxMs: number };

/** Per-node churn speeds: each node's lengths are multiplied by a factor drawn once for it. */
export interface Heterogeneity {
  factor: FactorDistribution;
  /** Which lengths the factor multiplies. */
  applies: 'session' | 'offline' | 'both';
}

/** Nodes alternating online sessions and offline periods in [fromMs, untilMs) (churn.ts). */
export interface ChurnParams {
  session: Distribution;
  offline: Distribution;
  fromMs: number;
  untilMs: number;
  /** null: every node draws from the same distributions. */
  heterogeneity: Heterogeneity | null;
}

/**
 * How a message's sender and target are chosen (workload.ts). uniform: two distinct random
 * online nodes. zipf: the target is the online node of Zipf rank r (exponent s; ranks follow
 * node index order among the online nodes), the sender a uniform other online node.
 */
export type PairsModel = { kind: 'uniform' } | { kind: 'known' } | { kind: 'zipf'; s: number };

/** The message workload: end-to-end messages as a Poisson process (runner.ts). */
export interface WorkloadParams {
  /** Mean time between messages, network-wide; null for no messages. */
  intervalMs: number | null;
  /** Body size of each message (a fixed size or a distribution). */
  size: SizeModel;
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
  /** Descriptors of other nodes a directory keeps (a bottom-k sample beyond it). */
  sampleSize: number;
  /** Overlay hops an announcement or revocation travels (the radius of the ball it reaches). */
  announceHops: number;
  /** A node asks a random neighbour for part of its directory this often; 0: never. */
  syncIntervalMs: number;
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
  /** Misbehaving nodes (scenario-adversaries.ts); empty: every node is honest. */
  adversaries: AdversarySpec[];
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
  'adversaries',
] as const;
const CHURN_KEYS = ['session', 'offline', 'from', 'until', 'heterogeneity'] as const;
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
const BROADCAST_KEYS = ['mode', 'eagerMin', 'interval', 'size', 'from', 'until'] as const;
const DIRECTORY_KEYS = [
  'announceInterval',
  'lifetime',
  'relays',
  'sample',
  'announceHops',
  'syncInterval',
] as const;
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

// ---------------------------------------------------------------------------------------------
// Entry points

/** Reads and parses a scenario file; every problem (unreadable file included) is a ScenarioError. */
export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readScenarioText(path), path);
}

/** The text of a scenario file; a missing, unreadable or oversized file is a ScenarioError. */
export function readScenarioText(path: string): string {
  try {
    return readTextFile(path, SCENARIO_FILE_MAX_BYTES, 'a scenario file');
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    const message =
      err.kind === 'too-big' ? err.reason : `cannot read scenario file: ${err.reason}`;
    throw new ScenarioError(path, '', 0, message);
  }
}

/** Where the files a scenario names (a latency matrix) are looked up. */
export interface ParseOptions {
  /** Default: the directory of `sourceName`, taken as a path. */
  baseDir?: string;
}

/**
 * Parses scenario YAML; `sourceName` labels errors (usually the file path) and, unless
 * `options.baseDir` says otherwise, its directory is where relative file paths start.
 */
export function parseScenario(
  text: string,
  sourceName: string,
  options: ParseOptions = {},
): Scenario {
  const baseDir = options.baseDir ?? dirname(sourceName);
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
  const network = readNetwork(top.get('network'), baseDir);
  const settleMs = optional(
    top,
    'settle',
    (f) => f.duration(0, durationMs, `the scenario duration`),
    null,
  );
  const events = readEvents(top.get('events'), nodes, durationMs, settleMs, baseDir);
  const broadcast = readBroadcast(top.get('broadcast'), durationMs);
  const directory = readDirectory(top.get('directory'));
  const measure = readWindows(top.get('measure'), durationMs);
  const sweep = readSweep(top.get('sweep'));
  const workload = readWorkload(top.get('workload'), durationMs);
  const churn = readChurn(top.get('churn'), durationMs);
  const adversaries = readAdversaries(top.get('adversaries'), nodes, durationMs);

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
    adversaries,
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
      if (typeof v !== 'number' && typeof v !== 'string') {
        f.fail(`expected a number or a string, found ${f.describe()}`);
      }
      return v as number | string;
    });
  if (values.length === 0)
    map
      .require('values', 'a list of values')
      .fail('expected at least one value, found an empty list');
  return { key, values };
}

function readBroadcast(field: Field | undefined, durationMs: number): BroadcastParams {
  const map = field?.map(BROADCAST_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);
  const fromMs = get('from', (f) => f.duration(0, durationMs, 'the scenario duration'), 0);
  return {
    mode: get('mode', (f) => f.oneOf(BROADCAST_MODES), 'tree' as BroadcastModeName),
    eagerMin: get('eagerMin', (f) => f.int(0, PEERS_MAX), EAGER_MIN),
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
    size: readSize(map?.get('size')),
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
    pairs: get('pairs', readPairs, { kind: 'uniform' } as PairsModel),
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
  const heterogeneity = optional(map, 'heterogeneity', readHeterogeneity, null);
  return { session, offline, fromMs, untilMs, heterogeneity };
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
    sampleSize: get(
      'sample',
      (f) => f.int(1, DEFAULT_DIRECTORY.entriesMax),
      DEFAULT_DIRECTORY.sampleSize,
    ),
    announceHops: get(
      'announceHops',
      (f) => f.int(1, BROADCAST_HOPS_MAX),
      DEFAULT_DIRECTORY.announceHops,
    ),
    syncIntervalMs: get(
      'syncInterval',
      (f) =>
        f.scalar() === 'off' ? 0 : f.duration(DIRECTORY_SYNC_INTERVAL_MIN_MS, DURATION_MAX_MS),
      DEFAULT_DIRECTORY.syncIntervalMs,
    ),
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
