/**
 * Runs a scenario on a simulated world and measures it. Deterministic: the summary depends
 * only on the scenario and its seed (no wall clock inside).
 *
 * Timeline: the initial nodes join evenly over `join.overMs`, each through random live
 * nodes; scripted events fire at their times (after the joins scheduled for the same time);
 * probe broadcasts leave random live nodes as a Poisson process, and so do end-to-end
 * messages (workload.ts); at the end the overlay, the broadcasts, the directories and the
 * deliveries are measured.
 */
import { DEFAULT_BROADCAST, type BroadcastConfig } from '../engine/broadcast/config.js';
import { DEFAULT_DIRECTORY, type DirectoryConfig } from '../engine/directory/config.js';
import { DEFAULT_OVERLAY, type OverlayConfig } from '../engine/overlay/config.js';
import {
  DEFAULT_ROUTING,
  relayStaleAfterMs,
  type RoutingConfig,
} from '../engine/routing/config.js';
import { MESSAGE_CODES } from '../engine/wire/messages.js';
import type { EngineEvent } from '../engine/types.js';
import type { RecordOpener } from '../engine/directory/records.js';
import { SeededRandomSource } from '../transports/sim/rng.js';
import { applyAction } from './actions.js';
import { AdversaryPlan } from './adversaries/plan.js';
import { AdversaryTracker } from './adversaries/tracker.js';
import { BroadcastTracker } from './broadcast-metrics.js';
import { ChurnModel } from './churn.js';
import { DeliveryTracker } from './delivery-metrics.js';
import { FaultLog } from './faults.js';
import { type Measurements, measurementsOf } from './measurements.js';
import { degreeStats, largestComponentFraction } from './overlay-metrics.js';
import type { Scenario } from './scenario.js';
import { mean, percentile } from './stats.js';
import type { DirectorySummary, Summary } from './summary.js';
import { SeriesRecorder } from './timeseries.js';
import { MessageWorkload } from './workload.js';
import { SimWorld } from './world.js';

/** Progress callbacks per run: often enough for a smooth bar, rare enough to cost nothing. */
const PROGRESS_STEPS = 200;
/** A probe sent this close to the end may still be travelling: it is not measured. */
const PROBE_SETTLE_MS = 30_000;
/** A directory converged when it holds at least this share of the live relays. */
const DIRECTORY_CONVERGED_SHARE = 0.99;
/** The share of live nodes is sampled this often (the churn summary's mean). */
const LIVE_SAMPLE_MS = 60_000;
/** The type byte of onion frames (byte 5 of a frame), counted by size on every link. */
const ONION_CODE = MESSAGE_CODES.onion.code;

export interface RunOptions {
  onProgress?: (nowMs: number, totalMs: number) => void;
  /** Check every node's invariants after every input (slower; tests). */
  checkInvariants?: boolean;
  /** Every engine event, in order, before the metrics see it (--trace, --check-determinism). */
  onTrace?: (node: number, event: EngineEvent, now: number) => void;
  /** More eyes on the run (the swarm's checks, sim/swarm/); they see, never steer. */
  observe?: RunObserver;
}

/**
 * Hooks into one run, each called after the runner's own bookkeeping for the same thing.
 * None may schedule events or command nodes: the run must stay the run its scenario makes.
 */
export interface RunObserver {
  /** Once, before the first event: the run's world and its delivery tracker, to query. */
  attach?(world: SimWorld, deliveries: DeliveryTracker): void;
  /** Every frame a node sends on a link. */
  onSend?(node: number, bytes: Uint8Array, now: number): void;
  /** A message delivered to node `node` in its engine life `life` (hex message ID). */
  onDeliver?(node: number, life: number, messageId: string, now: number): void;
  /** Node `node` crashed or left. */
  onDown?(node: number, now: number): void;
  /** Node `node` restarted (after its engine got `start`). */
  onRestart?(node: number, now: number): void;
}

export function overlayConfigOf(scenario: Scenario): OverlayConfig {
  const o = scenario.overlay;
  return {
    ...DEFAULT_OVERLAY,
    minPeers: o.minPeers,
    targetPeers: o.targetPeers,
    maxPeers: o.maxPeers,
    passiveMax: o.passive,
    shuffleIntervalMs: o.shuffleIntervalMs,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
  };
}

export function broadcastConfigOf(scenario: Scenario): BroadcastConfig {
  const { mode, eagerMin } = scenario.broadcast;
  return { ...DEFAULT_BROADCAST, mode, eagerMin };
}

export function directoryConfigOf(scenario: Scenario): DirectoryConfig {
  return {
    ...DEFAULT_DIRECTORY,
    announceIntervalMs: scenario.directory.announceIntervalMs,
    descriptorLifetimeMs: scenario.directory.lifetimeMs,
    sampleSize: scenario.directory.sampleSize,
    announceHops: scenario.directory.announceHops,
    syncIntervalMs: scenario.directory.syncIntervalMs,
  };
}

export function routingConfigOf(scenario: Scenario): RoutingConfig {
  return {
    ...DEFAULT_ROUTING,
    hops: scenario.workload.hops,
    relayStaleAfterMs: relayStaleAfterMs(scenario.directory.announceIntervalMs),
  };
}

export interface RunResult {
  summary: Summary;
  /** The time series and distributions behind the report's metrics.csv and plots. */
  measurements: Measurements;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const repairsMs: number[] = [];
  let islandChecks = 0;
  let islandBridges = 0;
  const broadcasts = new BroadcastTracker();
  const deliveries = new DeliveryTracker();
  const series = new SeriesRecorder(scenario.durationMs);
  let world: SimWorld | undefined;
  let workload: MessageWorkload | undefined;
  const onTrace = options.onTrace;
  const observe = options.observe ?? {};
  const plan =
    scenario.adversaries.length === 0
      ? undefined
      : new AdversaryPlan(scenario.adversaries, scenario.nodes, scenario.seed);
  const adversaries = plan === undefined ? undefined : new AdversaryTracker(plan);
  const onEvent = (node: number, event: EngineEvent, now: number): void => {
    onTrace?.(node, event, now);
    adversaries?.onEvent(node, event);
    switch (event.type) {
      case 'neighbourUp':
      case 'neighbourDown':
        return series.onDegree(node, event.activeSize);
      case 'viewRepaired': {
        if (!world) return;
        // From the earliest failure of a lost neighbour (its crash or leave, when we know it).
        let start = event.since;
        for (const id of event.lost) start = Math.min(start, world.downTime(id) ?? event.since);
        repairsMs.push(now - start);
        return;
      }
      case 'islandCheck':
        islandChecks += 1;
        return;
      case 'islandBridge':
        islandBridges += 1;
        return;
      case 'broadcastSent':
        return broadcasts.onSent(event.id, event.kind, now);
      case 'broadcastDelivered':
        return broadcasts.onDelivered(event.id, now);
      case 'broadcastDuplicate':
        return broadcasts.onDuplicate(event.id);
      case 'messageAttempt':
        return deliveries.onAttempt(event.messageId, event.path);
      case 'messageAcked':
        return deliveries.onAcked(event.messageId);
      case 'messageFailed':
        return deliveries.onFailed(event.messageId);
      case 'packetDropped':
        return deliveries.onDropped(event.reason);
      default:
        return;
    }
  };
  world = new SimWorld({
    seed: String(scenario.seed),
    crypto: scenario.crypto,
    overlay: overlayConfigOf(scenario),
    broadcast: broadcastConfigOf(scenario),
    directory: directoryConfigOf(scenario),
    routing: routingConfigOf(scenario),
    relayFraction: scenario.directory.relayFraction,
    latency: scenario.network.latency,
    loss: scenario.network.loss,
    duplicate: scenario.network.duplicate,
    ...(scenario.network.reorder === null ? {} : { reorder: scenario.network.reorder }),
    checkInvariants: options.checkInvariants ?? false,
    ...(plan === undefined ? {} : { adversaries: plan }),
    ...(adversaries === undefined
      ? {}
      : { recordOpenerOf: (i: number, open: RecordOpener) => adversaries.opener(i, open) }),
    onEvent,
    onDeliver: (node, message, now) => {
      const id = Buffer.from(message.messageId).toString('hex');
      const life = world?.lifeOf(node) ?? 0;
      deliveries.onDelivered(id, node, life, now);
      observe.onDeliver?.(node, life, id, now);
    },
    onSend: (node, bytes, now) => {
      if (bytes[5] === ONION_CODE) deliveries.onOnionFrame(bytes.length);
      observe.onSend?.(node, bytes, now);
    },
    onDown: (node) => {
      deliveries.onNodeDown(node, world?.now ?? 0);
      series.onDown(node);
      observe.onDown?.(node, world?.now ?? 0);
    },
    onRestart: (node) => {
      workload?.onRestart(node);
      observe.onRestart?.(node, world?.now ?? 0);
    },
  });
  const w = world;
  workload = new MessageWorkload(w, scenario, deliveries);
  observe.attach?.(w, deliveries);
  adversaries?.attach(w);

  const spacing = scenario.nodes > 1 ? scenario.join.overMs / (scenario.nodes - 1) : 0;
  for (let i = 0; i < scenario.nodes; i++) w.net.at(Math.floor(i * spacing), () => w.addNode());

  const faults = new FaultLog(scenario);
  scenario.events.forEach((event, index) => {
    w.net.at(event.at, () => {
      if (applyAction(w, event.action, (joined) => churn?.onJoin(joined))) faults.onFired(index);
    });
  });
  scheduleProbes(w, scenario, broadcasts);
  workload.schedule();
  const churn = scenario.churn === null ? null : new ChurnModel(w, scenario.churn, scenario.seed);
  churn?.schedule();
  const liveFractions: number[] = [];
  const sampleLive = (): void => {
    if (w.net.nodeCount > 0) liveFractions.push(w.net.liveNodes().length / w.net.nodeCount);
    if (w.now + LIVE_SAMPLE_MS < scenario.durationMs) w.net.at(w.now + LIVE_SAMPLE_MS, sampleLive);
  };
  w.net.at(Math.min(LIVE_SAMPLE_MS, scenario.durationMs), sampleLive);

  const total = scenario.durationMs;
  const step = Math.max(1, Math.ceil(total / PROGRESS_STEPS));
  // Stops at every progress step and every series sample; neither adds a scheduler event.
  let nextSample = 0;
  for (let t = 0, progressAt = step; t < total;) {
    const sampleAt = series.timesMs[nextSample] ?? total;
    t = Math.min(total, progressAt, sampleAt);
    w.net.runUntil(t);
    if (t === sampleAt) {
      series.sample(t, liveCount(w), w.net.stats.bytesSent);
      adversaries?.sample(t, t === total);
      nextSample += 1;
    }
    if (t === progressAt || t === total) {
      options.onProgress?.(t, total);
      progressAt = Math.min(total, progressAt + step);
    }
  }

  const lastProbeMs = total - PROBE_SETTLE_MS;
  const live = w.liveSnapshots();
  const degrees = degreeStats(live);
  const stats = w.net.stats;
  let grafts = 0;
  for (const i of w.net.liveNodes()) grafts += w.nodeOf(i)?.counters()['grafts'] ?? 0;
  const summary: Summary = {
    scenario: scenario.name,
    seed: scenario.seed,
    nodes: scenario.nodes,
    durationMs: scenario.durationMs,
    crypto: scenario.crypto,
    events: stats.events,
    traceHash: w.net.traceHash(),
    faults: faults.summary(stats, churn?.crashes ?? 0, adversaries?.activity()),
    overlay: {
      liveNodes: live.length,
      degreeMin: live.length > 0 ? degrees.min : null,
      degreeMax: live.length > 0 ? degrees.max : null,
      degreeMean: live.length > 0 ? degrees.mean : null,
      largestComponent: largestComponentFraction(live),
      repairs: repairsMs.length,
      repairMsP50: percentile(repairsMs, 50),
      repairMsP99: percentile(repairsMs, 99),
      islandChecks,
      islandBridges,
      degreeHistogram: degrees.histogram,
    },
    broadcast: broadcasts.summary(scenario.broadcast.mode, lastProbeMs, grafts, scenario.measure),
    directory: directorySummary(w, scenario.directory.sampleSize),
    delivery: deliveries.summary(total),
    churn: {
      crashes: churn?.crashes ?? 0,
      restarts: churn?.restarts ?? 0,
      liveFractionMean: mean(liveFractions),
    },
    network: {
      framesSent: stats.framesSent,
      framesDelivered: stats.framesDelivered,
      framesLost: stats.framesLost,
      bytesSent: stats.bytesSent,
      dials: stats.dials,
      dialsFailed: stats.dialsFailed,
    },
    ...(adversaries === undefined ? {} : { adversaries: adversaries.summary() }),
  };
  const measurements = measurementsOf(
    series.intervalMs,
    series.rows(deliveries.messageTimes(), broadcasts.probeCoverages(lastProbeMs)),
    {
      messageLatencyMs: deliveries.latencies(),
      broadcastLatencyMs: broadcasts.latencySamples(),
      repairMs: repairsMs,
    },
  );
  return { summary, measurements };
}

/** Live nodes, counted without building a list. */
function liveCount(world: SimWorld): number {
  let count = 0;
  for (let i = 0; i < world.net.nodeCount; i++) if (world.net.isLive(i)) count += 1;
  return count;
}

/** Probes from random live nodes, exponential gaps of mean `intervalMs` (a Poisson process). */
function scheduleProbes(world: SimWorld, scenario: Scenario, tracker: BroadcastTracker): void {
  const { intervalMs, fromMs, untilMs, sizeBytes } = scenario.broadcast;
  if (intervalMs === null) return;
  const random = new SeededRandomSource(`${scenario.seed}/workload`).fork('probes');
  const body = new Uint8Array(sizeBytes);
  const next = (after: number): number =>
    after + Math.max(1, Math.round(-Math.log(1 - random.next()) * intervalMs));
  const fire = (): void => {
    const origin = world.randomHonestLiveNode();
    if (origin !== undefined) {
      tracker.expectProbe(world.net.liveNodes().length);
      world.net.command(origin, { type: 'broadcast', body });
    }
    const at = next(world.now);
    if (at < untilMs) world.net.at(at, fire);
  };
  const first = next(fromMs);
  if (first < untilMs) world.net.at(first, fire);
}

function directorySummary(world: SimWorld, sampleSize: number): DirectorySummary {
  const liveIndexes = world.net.liveNodes();
  const liveRelays = new Set<string>();
  const liveIds = new Set<string>();
  for (const i of liveIndexes) {
    const id = world.idOf(i);
    if (id !== undefined) liveIds.add(id);
    if (id !== undefined && world.isRelay(i)) liveRelays.add(id);
  }
  // With a sample smaller than the network, "converged" is a full sample of live relays.
  const convergedAt = DIRECTORY_CONVERGED_SHARE * Math.min(liveRelays.size, sampleSize);
  let converged = 0;
  let forged = 0;
  let stale = 0;
  let sampledOut = 0;
  let evicted = 0;
  let replacedUnreachable = 0;
  const sizes: number[] = [];
  const shares: number[] = [];
  for (const i of liveIndexes) {
    const node = world.nodeOf(i);
    if (!node) continue;
    const counters = node.counters();
    forged += (counters['directoryForged'] ?? 0) + (counters['directoryMalformed'] ?? 0);
    stale += counters['directoryStale'] ?? 0;
    sampledOut += counters['directorySampledOut'] ?? 0;
    evicted += counters['directoryEvicted'] ?? 0;
    replacedUnreachable += counters['directoryReplacedUnreachable'] ?? 0;
    sizes.push(counters['directorySize'] ?? 0);
    let known = 0;
    for (const id of node.snapshot().relays) if (liveRelays.has(id)) known += 1;
    if (known >= convergedAt) converged += 1;
    let knownLive = 0;
    const own = node.identity.id;
    for (const d of node.savedDescriptors(world.now))
      if (d.id !== own && liveIds.has(d.id)) knownLive += 1;
    if (liveIds.size > 1) shares.push(knownLive / (liveIds.size - 1));
  }
  return {
    convergence: liveIndexes.length > 0 ? converged / liveIndexes.length : null,
    liveRelays: liveRelays.size,
    sizeMean: mean(sizes),
    sizeMax: sizes.length > 0 ? sizes.reduce((a, b) => Math.max(a, b)) : null,
    knownShare: mean(shares),
    sampledOut,
    evicted,
    replacedUnreachable,
    forged,
    stale,
  };
}
