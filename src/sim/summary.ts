/**
 * The result of one simulation run and the files it is written to (DESIGN.md §5).
 *
 * `summary.json` must be byte-identical for the same scenario and seed (issue 2), so:
 * 1. No wall-clock time, date, host or path inside; the CLI prints those on the terminal.
 * 2. Keys appear in the order the runner built them (JSON.stringify keeps insertion order;
 *    integer-like keys such as histogram bins come first, ascending, which is deterministic).
 * 3. Every number is rounded to SUMMARY_DECIMALS decimals (roundMetric), so float noise in the
 *    last bits cannot differ between two builds of the same value. NaN, ±Infinity and
 *    `undefined` are bugs and throw: "no value" is `null`.
 * 4. 2-space indentation and a trailing newline.
 *
 * The shape is open: later issues add sections (workload, delivery, broadcast …) and keys;
 * existing keys keep their meaning. report.md renders every section generically, so a new
 * section appears in the report without touching this file (add a line to METRIC_NOTES to
 * describe it).
 */

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from './duration.js';
import type { AdversarySummary } from './adversaries/tracker.js';
import type { FaultCounts } from './faults.js';
import type {
  ChurnParams,
  CryptoMode,
  Distribution,
  LatencyModel,
  PartitionSplit,
  Scenario,
  ScenarioAction,
  SizeModel,
} from './scenario.js';

/** Decimals kept for every number in summary.json. */
export const SUMMARY_DECIMALS = 6;

export type { FaultCounts } from './faults.js';

export interface OverlaySummary {
  /** Live nodes at the end of the run. */
  liveNodes: number;
  /** Active-view degree over live nodes at the end; null when no node is live. */
  degreeMin: number | null;
  degreeMax: number | null;
  degreeMean: number | null;
  /** Fraction (0..1) of live nodes in the largest connected component at the end. */
  largestComponent: number;
  /** Repairs completed: a neighbour lost, then the active view refilled. */
  repairs: number;
  /** Repair time percentiles (nearest rank) in ms; null when there were no repairs. */
  repairMsP50: number | null;
  repairMsP99: number | null;
  /** Island checks: shuffle walks through a bootstrap address (overlay/hyparview.ts)… */
  islandChecks: number;
  /** …and those that found a stranger and asked it to be a neighbour. */
  islandBridges: number;
  /** Live nodes per active-view degree at the end: `{ "4": 12, "5": 0, "6": 950 }`. */
  degreeHistogram: Record<string, number>;
}

export interface NetworkSummary {
  framesSent: number;
  framesDelivered: number;
  framesLost: number;
  bytesSent: number;
  dials: number;
  dialsFailed: number;
}

export interface BroadcastWindowSummary {
  sent: number;
  coverageMean: number | null;
  coverageMin: number | null;
}

export interface BroadcastSummary {
  mode: 'flood' | 'tree';
  /** Probes measured (sent early enough to finish before the end). */
  sent: number;
  coverageMean: number | null;
  coverageMin: number | null;
  redundancy: number | null;
  latencyMsP50: number | null;
  latencyMsP99: number | null;
  /** Repeats of any broadcast (probes, descriptors, revocations) dropped by drop lists. */
  dropListHits: number;
  /** Tree repairs: GRAFTs sent by live nodes. */
  grafts: number;
  /** Per measuring window of the scenario (`measure`). */
  windows: Record<string, BroadcastWindowSummary>;
}

export interface DirectorySummary {
  /**
   * Fraction of live nodes whose directory holds ≥ 99% of min(live relays, sample size)
   * live relays: all of them with full directories, a full sample of them when sampled.
   */
  convergence: number | null;
  liveRelays: number;
  /** Mean directory size (descriptors) over live nodes. */
  sizeMean: number | null;
  /** Largest directory (descriptors, its own included) of a live node. */
  sizeMax: number | null;
  /** Mean over live nodes of the fraction of the other live nodes whose descriptor it holds. */
  knownShare: number | null;
  /** Valid descriptors refused by live nodes' samples (directory.sample). */
  sampledOut: number;
  /** Sample members evicted by newcomers, by live nodes (replacedUnreachable included). */
  evicted: number;
  /** Of those, members the node could not reach that gave up their slot (directory rule 7). */
  replacedUnreachable: number;
  /** Forged, malformed and stale records rejected by live nodes. */
  forged: number;
  stale: number;
}

/** End-to-end messages of the workload (delivery-metrics.ts has the definitions). */
export interface DeliverySummary {
  /** Messages the workload sent. */
  sent: number;
  /** Messages in the ratio: target online at send and at the deadline, and decided. */
  measured: number;
  /** Messages delivered at least once (measured or not). */
  delivered: number;
  ratio: number | null;
  /** Measured messages delivered before anything was sent again (delivery-metrics.ts). */
  noRetry: number;
  /** noRetry / measured. */
  ratioNoRetry: number | null;
  /** Measured messages whose sender and target stayed online from send to deadline. */
  steadyEnds: number;
  /** The ratio over those. */
  ratioSteadyEnds: number | null;
  /** messageFailed events (expired, or refused at once). */
  failed: number;
  /** Second deliveries within one engine life of the target: must be 0. */
  duplicates: number;
  /** Deliveries again after the target restarted (the daemon's inbox drops them). */
  duplicatesAcrossRestarts: number;
  latencyMsP50: number | null;
  latencyMsP95: number | null;
  latencyMsP99: number | null;
  retries: number;
  /** Messages issued again by a restarted sender's outbox. */
  reissued: number;
  /** Messages delivered after at least one retry. */
  rerouted: number;
  rerouteExtraMsP50: number | null;
  hopsMean: number | null;
  pathDiversity: number | null;
  /** Distinct sizes (bytes) of onion frames seen on any link: exactly one. */
  packetSizes: number[];
  /** Onion frames sent on any link: messages, shards, acks, every hop, resends. */
  onionFrames: number;
  /** onionFrames / delivered: the bandwidth one delivered message costs. */
  onionFramesPerDelivered: number | null;
  packetsDropped: number;
  /** packetDropped events by reason, reasons in alphabetical order. */
  dropReasons: Record<string, number>;
}

/** The churn model's work (scenario `churn:`; zeros without one). */
export interface ChurnSummary {
  /** Sessions ended by the churn model (silent crashes). */
  crashes: number;
  /** Offline periods ended (restarts with the same keys). */
  restarts: number;
  /** Mean share of nodes live, sampled every simulated minute. */
  liveFractionMean: number | null;
}

export interface Summary {
  /** The scenario's name. */
  scenario: string;
  seed: number;
  /** Initial node count. */
  nodes: number;
  durationMs: number;
  crypto: CryptoMode;
  /** Simulated events processed by the scheduler. */
  events: number;
  /** Hash of the event trace: equal seeds give equal hashes. */
  traceHash: string;
  faults: FaultCounts;
  overlay: OverlaySummary;
  broadcast: BroadcastSummary;
  directory: DirectorySummary;
  delivery: DeliverySummary;
  churn: ChurnSummary;
  network: NetworkSummary;
  /** Only with `adversaries:` (adversaries/tracker.ts): what they did, what contained them. */
  adversaries?: AdversarySummary;
}

/** What writeReport needs beyond the summary to write a useful report.md. */
export interface ReportExtra {
  /** The scenario file as the user named it, for the reproduce command. */
  scenarioFile?: string;
  /** The normalized scenario, shown as a parameter table. */
  scenario?: Scenario;
  /** The command that reruns this run, when it is more than file and seed (`--set …`). */
  reproduce?: string;
  /** Markdown lines placed after the scenario, before the tables (report/: plots, files). */
  sections?: readonly string[];
}

/** One line per known metric for the report tables, keyed by path in the summary. */
export const METRIC_NOTES: Readonly<Record<string, string>> = {
  scenario: 'scenario name',
  seed: 'seed of every random stream',
  nodes: 'initial nodes',
  durationMs: 'simulated time (ms)',
  crypto: 'real or modelled crypto',
  events: 'simulated events processed',
  traceHash: 'hash of the event trace (same seed ⇒ same hash)',
  'faults.crash': 'crash actions fired',
  'faults.leave': 'leave actions fired',
  'faults.join': 'join actions fired',
  'faults.restart': 'restart actions fired',
  'faults.partition': 'partition actions fired',
  'faults.heal': 'heal actions fired (a partition was in force)',
  'faults.loss': 'loss changes fired',
  'faults.latency': 'latency model changes fired',
  'faults.lossDrops': 'frames lost to the loss probability',
  'faults.partitionCuts': 'frames, FINs and connection set-ups a partition stopped',
  'faults.duplicates': 'frames delivered twice (network.duplicate)',
  'faults.reorders': 'frames held back out of order (network.reorder)',
  'faults.churnSessions': 'online sessions ended by the churn model',
  'faults.neverFired': 'configured faults that never fired: the run fails unless empty',
  'overlay.liveNodes': 'live nodes at the end',
  'overlay.degreeMin': 'smallest active view at the end',
  'overlay.degreeMax': 'largest active view at the end',
  'overlay.degreeMean': 'mean active view at the end',
  'overlay.largestComponent': 'fraction of live nodes in the largest connected component',
  'overlay.repairs': 'active-view repairs completed',
  'overlay.repairMsP50': 'median repair time (ms, nearest rank)',
  'overlay.repairMsP99': '99th percentile repair time (ms, nearest rank)',
  'overlay.islandChecks': 'island checks (shuffle walks through a bootstrap address)',
  'overlay.islandBridges': 'island checks that asked a stranger to be a neighbour',
  'broadcast.mode': 'flood or tree (Plumtree)',
  'broadcast.sent': 'probe broadcasts measured',
  'broadcast.coverageMean': 'mean fraction of live nodes (at send time) a probe reached',
  'broadcast.coverageMin': 'smallest fraction of live nodes a probe reached',
  'broadcast.redundancy': 'payload copies received per node per probe (1 is ideal)',
  'broadcast.latencyMsP50': 'median time from send to delivery at a node (ms)',
  'broadcast.latencyMsP99': '99th percentile time from send to delivery (ms)',
  'broadcast.dropListHits': 'repeats dropped by drop lists (all broadcasts)',
  'broadcast.grafts': 'Plumtree GRAFTs (tree repairs) by live nodes',
  'directory.convergence':
    'fraction of live nodes whose directory holds ≥ 99% of min(live relays, sample) live relays',
  'directory.liveRelays': 'live nodes that volunteer as relays',
  'directory.sizeMean': 'mean descriptors per directory',
  'directory.sizeMax': 'largest directory of a live node (descriptors, its own included)',
  'directory.knownShare': 'mean fraction of the other live nodes whose descriptor a node holds',
  'directory.sampledOut': 'valid descriptors refused for ranking outside a node’s sample',
  'directory.evicted': 'sample members evicted by a newcomer',
  'directory.replacedUnreachable': 'of those, members the node could not reach (slot given up)',
  'directory.forged': 'forged or malformed records rejected',
  'directory.stale': 'stale records rejected',
  'delivery.sent': 'end-to-end messages sent by the workload',
  'delivery.measured':
    'messages in the ratio: target online at send time and at the deadline, outcome known',
  'delivery.delivered': 'messages delivered at least once',
  'delivery.ratio': 'measured messages delivered / measured messages',
  'delivery.noRetry':
    'measured messages delivered before any retry (first attempt, or first n shards, sufficed)',
  'delivery.ratioNoRetry': 'delivered without any retry / measured messages',
  'delivery.steadyEnds':
    'measured messages whose sender and target stayed online from send to deadline',
  'delivery.ratioSteadyEnds': 'the ratio over those (what relays and retries achieve)',
  'delivery.failed': 'messageFailed events (expired, or refused at once)',
  'delivery.duplicates': 'second deliveries to one engine life of the target (must be 0)',
  'delivery.duplicatesAcrossRestarts':
    'deliveries again after the target restarted (dropped by the daemon inbox by message ID)',
  'delivery.latencyMsP50': 'median time from send to first delivery (ms)',
  'delivery.latencyMsP95': '95th percentile time from send to first delivery (ms)',
  'delivery.latencyMsP99': '99th percentile time from send to first delivery (ms)',
  'delivery.retries':
    'attempts beyond the first of each message, packets beyond the first n of a sharded one',
  'delivery.reissued': 'messages issued again by a restarted sender (durable outbox)',
  'delivery.rerouted': 'messages delivered after at least one retry',
  'delivery.rerouteExtraMsP50':
    'median latency of rerouted messages minus median latency of first-try ones (ms)',
  'delivery.hopsMean': 'mean relays per attempt (the target not counted)',
  'delivery.pathDiversity':
    'distinct paths / attempts per sender-target pair with ≥ 2 attempts, mean (1 = never reused)',
  'delivery.packetSizes': 'distinct onion frame sizes on any link in bytes (one size)',
  'delivery.onionFrames': 'onion frames sent on any link (messages, shards, acks, resends)',
  'delivery.onionFramesPerDelivered': 'onion frames per delivered message (bandwidth cost)',
  'delivery.packetsDropped': 'packetDropped events (bad MAC, replay, next hop unreachable, …)',
  'churn.crashes': 'sessions ended by the churn model (silent crashes)',
  'churn.restarts': 'offline periods ended by the churn model (restarts, same keys)',
  'churn.liveFractionMean': 'mean share of nodes online, sampled every simulated minute',
  'network.framesSent': 'frames sent',
  'network.framesDelivered': 'frames delivered',
  'network.framesLost': 'frames lost (loss, partitions, dead nodes)',
  'network.bytesSent': 'bytes sent',
  'network.dials': 'dials started',
  'network.dialsFailed': 'dials that failed',
  'faults.adversaries': 'what each adversaries entry did in all (0: never fired)',
  'adversaries.entries': 'each entry: behaviour, nodes, what they did by kind',
  'adversaries.attemptsThroughAdversary':
    'path attempts of honest senders with an adversarial relay',
  'adversaries.retries': 'attempts after the first of a message (honest senders)',
  'adversaries.retriesThroughAdversary': 'of those, attempts with an adversarial relay',
  'adversaries.containment.adversaryBroadcastsDelivered':
    'broadcasts of adversarial origin delivered at honest nodes (how far a flood got)',
  'adversaries.containment.decodeErrors': 'frames honest nodes could not decode (link closed)',
  'adversaries.containment.broadcastQuotaExceeded':
    'broadcasts stopped by the per-origin quota at live honest nodes',
  'adversaries.containment.descriptorsForged':
    'forged or malformed records refused (live honest nodes)',
  'adversaries.containment.descriptorsStale': 'stale or future records refused (live honest nodes)',
  'adversaries.containment.descriptorsExpired': 'expired records refused (live honest nodes)',
  'adversaries.containment.adversaryNeighboursLost':
    'adversaries that honest nodes lost as neighbours',
  'adversaries.containment.packetDropped.replay': 'replayed onion packets dropped by replay caches',
  'adversaries.sybil.shareWithSybil': 'path attempts with ≥ 1 relay from the Sybil /16',
  'adversaries.sybil.shareWithTwoSybils':
    'path attempts with ≥ 2 relays from the Sybil /16 (0 by the /16 rule)',
  'adversaries.sybil.shareWithTwoSybilsUniform':
    'the same, expected with uniform draws (no /16 rule)',
  'adversaries.eclipse.attackersInView': "attackers in the victim's active view at the end",
  'adversaries.eclipse.victimKnownBy': "share of live honest nodes holding the victim's descriptor",
};

// ---------------------------------------------------------------------------------------------
// summary.json

/** Rounds to SUMMARY_DECIMALS decimals; integers pass unchanged; -0 becomes 0. */
export function roundMetric(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`roundMetric: not a finite number: ${value}`);
  const rounded = Number.isInteger(value) ? value : Number(value.toFixed(SUMMARY_DECIMALS));
  return rounded === 0 ? 0 : rounded;
}

/** A copy of `value` with every number rounded; throws on values JSON cannot carry exactly. */
export function canonicalize(value: unknown, path = 'summary'): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}; use null for "no value"`);
    return roundMetric(value);
  }
  if (Array.isArray(value)) return value.map((item, i) => canonicalize(item, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = canonicalize(item, `${path}.${key}`);
    return out;
  }
  throw new Error(
    `${path} is ${value === undefined ? 'undefined' : typeof value}; summaries hold plain JSON only`,
  );
}

/** The exact text of summary.json. */
export function formatSummaryJson(summary: Summary): string {
  return `${JSON.stringify(canonicalize(summary), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files

/** Writes `summary.json` and `report.md` into `dir` (created if missing); returns their paths. */
export function writeReport(
  dir: string,
  summary: Summary,
  extra: ReportExtra = {},
): { summaryPath: string; reportPath: string } {
  // Render both before writing either, so a bad value leaves no half-written report.
  const json = formatSummaryJson(summary);
  const markdown = renderReport(summary, extra);
  mkdirSync(dir, { recursive: true });
  const summaryPath = join(dir, 'summary.json');
  const reportPath = join(dir, 'report.md');
  writeAtomically(summaryPath, json);
  writeAtomically(reportPath, markdown);
  return { summaryPath, reportPath };
}

/** Writes `text` to `path` through a temporary file, so a reader never sees half of it. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** The command that reruns a scenario with a seed, quoted for a POSIX shell. */
export function reproduceCommand(scenarioFile: string, seed: number): string {
  return `p2pmsg sim ${shellQuote(scenarioFile)} --seed ${seed}`;
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// report.md

/** The text of report.md: deterministic too (no clock), though only summary.json must be. */
export function renderReport(summary: Summary, extra: ReportExtra = {}): string {
  const data = canonicalize(summary) as Record<string, unknown>;
  const out: string[] = [];
  out.push(`# Simulation report: ${summary.scenario}`, '');
  out.push(
    `Seed ${summary.seed}, ${summary.nodes} nodes, ${formatDuration(summary.durationMs)} of ` +
      `simulated time, ${summary.crypto} crypto.`,
    '',
  );
  out.push(
    'Reproduce:',
    '',
    '```sh',
    extra.reproduce ?? reproduceCommand(extra.scenarioFile ?? '<scenario.yaml>', summary.seed),
    '```',
    '',
  );
  if (extra.scenario !== undefined) out.push(...scenarioSection(extra.scenario));
  if (extra.sections !== undefined) out.push(...extra.sections);

  // Top-level scalars form the "Run" table; every object below it becomes its own section.
  const runRows = Object.entries(data).filter(([, value]) => !isRecord(value));
  out.push('## Run', '', ...metricTable(runRows, ''));
  for (const [key, value] of Object.entries(data)) {
    if (isRecord(value)) out.push(...section(key, value));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function section(key: string, value: Record<string, unknown>): string[] {
  const out = [`## ${title(key)}`, ''];
  const scalars = Object.entries(value).filter(([, item]) => !isRecord(item));
  if (scalars.length > 0) out.push(...metricTable(scalars, `${key}.`));
  for (const [child, item] of Object.entries(value)) {
    if (!isRecord(item)) continue;
    out.push(`### ${title(child)}`, '');
    out.push(
      ...(/histogram$/i.test(child)
        ? histogramTable(item)
        : metricTable(Object.entries(item), `${key}.${child}.`)),
    );
  }
  return out;
}

function metricTable(rows: [string, unknown][], prefix: string): string[] {
  const lines = ['| metric | value | meaning |', '|---|---:|---|'];
  for (const [key, value] of rows) {
    lines.push(
      `| ${cell(key)} | ${cell(showValue(value))} | ${cell(METRIC_NOTES[prefix + key] ?? '')} |`,
    );
  }
  return [...lines, ''];
}

function histogramTable(bins: Record<string, unknown>): string[] {
  const total = Object.values(bins).reduce<number>(
    (sum, n) => sum + (typeof n === 'number' ? n : 0),
    0,
  );
  const lines = ['| degree | nodes | share |', '|---:|---:|---:|'];
  for (const [bin, count] of Object.entries(bins)) {
    const share =
      typeof count === 'number' && total > 0 ? `${((100 * count) / total).toFixed(1)}%` : '—';
    lines.push(`| ${cell(bin)} | ${cell(showValue(count))} | ${share} |`);
  }
  if (Object.keys(bins).length === 0) lines.push('| — | 0 | — |');
  return [...lines, ''];
}

function scenarioSection(scenario: Scenario): string[] {
  const o = scenario.overlay;
  const rows: [string, string][] = [
    ['name', scenario.name],
    ['nodes', String(scenario.nodes)],
    ['duration', formatDuration(scenario.durationMs)],
    ['crypto', scenario.crypto],
    ['initial joins over', formatDuration(scenario.join.overMs)],
    [
      'overlay peers',
      `min ${o.minPeers}, target ${o.targetPeers}, max ${o.maxPeers}, passive ${o.passive}`,
    ],
    [
      'overlay timers',
      `shuffle ${formatDuration(o.shuffleIntervalMs)}, heartbeat ${formatDuration(o.heartbeatIntervalMs)}, ` +
        `timeout ${formatDuration(o.heartbeatTimeoutMs)}`,
    ],
    ['latency', describeLatency(scenario.network.latency)],
    ['loss', String(scenario.network.loss)],
    ['duplicate', String(scenario.network.duplicate)],
    [
      'reorder',
      scenario.network.reorder === null
        ? '—'
        : `probability ${scenario.network.reorder.probability}, up to ` +
          `${formatDuration(scenario.network.reorder.maxDelayMs)} late`,
    ],
    ['message sizes', describeSize(scenario.workload.size)],
    [
      'pairs',
      scenario.workload.pairs.kind === 'zipf'
        ? `Zipf hot-spot targets, s = ${scenario.workload.pairs.s}`
        : scenario.workload.pairs.kind === 'known'
          ? 'targets known to the sender'
          : 'uniform',
    ],
    ['churn', scenario.churn === null ? '—' : describeChurn(scenario.churn)],
    ['settle', scenario.settleMs === null ? '—' : formatDuration(scenario.settleMs)],
  ];
  const out = ['## Scenario', '', '| parameter | value |', '|---|---|'];
  for (const [key, value] of rows) out.push(`| ${cell(key)} | ${cell(value)} |`);
  out.push('', '### Scripted events', '');
  if (scenario.events.length === 0) return [...out, 'None.', ''];
  out.push('| # | at | action |', '|---:|---:|---|');
  scenario.events.forEach((event, i) => {
    out.push(`| ${i + 1} | ${formatDuration(event.at)} | ${cell(describeAction(event.action))} |`);
  });
  return [...out, ''];
}

export function describeLatency(latency: LatencyModel): string {
  switch (latency.kind) {
    case 'constant':
      return `constant ${latency.ms}ms`;
    case 'uniform':
      return `uniform ${latency.minMs}–${latency.maxMs}ms`;
    case 'lognormal':
      return `log-normal, median ${latency.medianMs}ms, sigma ${latency.sigma}`;
    case 'matrix':
      return `matrix ${latency.file} (${latency.ms.length}×${latency.ms.length}, node i on row i mod ${latency.ms.length})`;
    case 'coordinates':
      return `2-D coordinates in a ${latency.sizeMs}ms square, plus ${latency.baseMs}ms`;
  }
}

function describeChurn(churn: ChurnParams): string {
  const h = churn.heterogeneity;
  const factor =
    h === null
      ? ''
      : `; per-node factor on ${h.applies} lengths: ` +
        (h.factor.kind === 'lognormal'
          ? `log-normal, sigma ${h.factor.sigma}`
          : `uniform ${h.factor.min}–${h.factor.max}`);
  return (
    `sessions ${describeDistribution(churn.session)}, offline ${describeDistribution(churn.offline)}, ` +
    `from ${formatDuration(churn.fromMs)} until ${formatDuration(churn.untilMs)}${factor}`
  );
}

function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'exponential':
      return `exponential (mean ${formatDuration(d.meanMs)})`;
    case 'weibull':
      return `Weibull (shape ${d.shape}, scale ${formatDuration(d.scaleMs)})`;
    case 'pareto':
      return `Pareto (shape ${d.shape}, scale ${formatDuration(d.scaleMs)})`;
    case 'truncatedNormal':
      return (
        `normal (mean ${formatDuration(d.meanMs)}, sd ${formatDuration(d.sdMs)}) in ` +
        `[${formatDuration(d.minMs)}, ${formatDuration(d.maxMs)}]`
      );
  }
}

function describeSize(size: SizeModel): string {
  switch (size.kind) {
    case 'fixed':
      return `${size.bytes} bytes`;
    case 'uniform':
      return `uniform ${size.minBytes}–${size.maxBytes} bytes`;
    case 'lognormal':
      return `log-normal, median ${size.medianBytes} bytes, sigma ${size.sigma}`;
  }
}

function describeNodes(selection: {
  fraction?: number;
  count?: number;
  nodes?: readonly { from: number; to: number }[];
}): string {
  if (selection.fraction !== undefined) return `${roundMetric(selection.fraction * 100)}%`;
  if (selection.count !== undefined) return `${selection.count}`;
  const ranges = (selection.nodes ?? []).map((r) =>
    r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`,
  );
  return `nodes ${ranges.join(', ')}`;
}

export function describeAction(action: ScenarioAction): string {
  switch (action.type) {
    case 'crash':
    case 'leave':
    case 'restart': {
      const which = describeNodes(action);
      const of = action.type === 'restart' ? 'of the crashed nodes' : 'of the live nodes';
      return `${action.type} ${which} ${of}`;
    }
    case 'join':
      return action.overMs === 0
        ? `join ${action.count} new nodes`
        : `join ${action.count} new nodes over ${formatDuration(action.overMs)}`;
    case 'partition':
      return describePartition(action.split, action.oneWay);
    case 'heal':
      return 'heal the partition';
    case 'loss':
      return `set loss to ${action.loss}`;
    case 'latency':
      return `set latency to ${describeLatency(action.latency)}`;
  }
}

function describePartition(split: PartitionSplit, oneWay: boolean): string {
  const way = oneWay ? ' one way (earlier groups cannot reach later ones)' : '';
  switch (split.kind) {
    case 'random':
      return `partition the live nodes into ${split.groups} groups${way}`;
    case 'groups': {
      const groups = split.groups.map((g) => `[${describeNodes({ nodes: g })}]`);
      return `partition into ${groups.join(' ')} and the rest${way}`;
    }
    case 'isolate':
      return `isolate ${describeNodes(split.nodes)}${way}`;
  }
}

function showValue(value: unknown): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function title(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
