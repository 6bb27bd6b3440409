/**
 * Runs a scenario on a simulated world and measures it. Deterministic: the summary depends
 * only on the scenario and its seed (no wall clock inside).
 *
 * Timeline: the initial nodes join evenly over `join.overMs`, each through a random live
 * node; scripted events fire at their times (after the joins scheduled for the same time);
 * at the end the overlay is measured over the live nodes.
 */
import { DEFAULT_OVERLAY, type OverlayConfig } from '../engine/overlay/config.js';
import { sample } from '../engine/random.js';
import type { EngineEvent } from '../engine/types.js';
import { degreeStats, largestComponentFraction } from './overlay-metrics.js';
import type { NodeSelection, Scenario, ScenarioAction } from './scenario.js';
import { ACTION_TYPES } from './scenario.js';
import { percentile } from './stats.js';
import type { FaultCounts, Summary } from './summary.js';
import { SimWorld } from './world.js';

/** Progress callbacks per run: often enough for a smooth bar, rare enough to cost nothing. */
const PROGRESS_STEPS = 200;

export interface RunOptions {
  onProgress?: (nowMs: number, totalMs: number) => void;
  /** Check every node's invariants after every input (slower; tests). */
  checkInvariants?: boolean;
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

export function runScenario(scenario: Scenario, options: RunOptions = {}): { summary: Summary } {
  const repairsMs: number[] = [];
  let world: SimWorld | undefined;
  const onEvent = (_node: number, event: EngineEvent, now: number): void => {
    if (event.type !== 'viewRepaired' || !world) return;
    // From the earliest failure of a lost neighbour (its crash or leave, when we know it).
    let start = event.since;
    for (const id of event.lost) start = Math.min(start, world.downTime(id) ?? event.since);
    repairsMs.push(now - start);
  };
  world = new SimWorld({
    seed: String(scenario.seed),
    crypto: scenario.crypto,
    overlay: overlayConfigOf(scenario),
    latency: scenario.network.latency,
    loss: scenario.network.loss,
    checkInvariants: options.checkInvariants ?? false,
    onEvent,
  });
  const w = world;

  const spacing = scenario.nodes > 1 ? scenario.join.overMs / (scenario.nodes - 1) : 0;
  for (let i = 0; i < scenario.nodes; i++) w.net.at(Math.floor(i * spacing), () => w.addNode());

  const faults = Object.fromEntries(ACTION_TYPES.map((t) => [t, 0])) as FaultCounts;
  for (const event of scenario.events) {
    w.net.at(event.at, () => {
      if (applyAction(w, event.action)) faults[event.action.type] += 1;
    });
  }

  const total = scenario.durationMs;
  const step = Math.max(1, Math.ceil(total / PROGRESS_STEPS));
  for (let t = 0; t < total;) {
    t = Math.min(total, t + step);
    w.net.runUntil(t);
    options.onProgress?.(t, total);
  }

  const live = w.liveSnapshots();
  const degrees = degreeStats(live);
  const stats = w.net.stats;
  const summary: Summary = {
    scenario: scenario.name,
    seed: scenario.seed,
    nodes: scenario.nodes,
    durationMs: scenario.durationMs,
    crypto: scenario.crypto,
    events: stats.events,
    traceHash: w.net.traceHash(),
    faults,
    overlay: {
      liveNodes: live.length,
      degreeMin: live.length > 0 ? degrees.min : null,
      degreeMax: live.length > 0 ? degrees.max : null,
      degreeMean: live.length > 0 ? degrees.mean : null,
      largestComponent: largestComponentFraction(live),
      repairs: repairsMs.length,
      repairMsP50: percentile(repairsMs, 50),
      repairMsP99: percentile(repairsMs, 99),
      degreeHistogram: degrees.histogram,
    },
    network: {
      framesSent: stats.framesSent,
      framesDelivered: stats.framesDelivered,
      framesLost: stats.framesLost,
      bytesSent: stats.bytesSent,
      dials: stats.dials,
      dialsFailed: stats.dialsFailed,
    },
  };
  return { summary };
}

/** How many of `eligible` a selection names (a fraction rounds, but to at least one). */
function selectionSize(selection: NodeSelection, eligible: number): number {
  const wanted =
    selection.fraction !== undefined
      ? Math.max(1, Math.round(selection.fraction * eligible))
      : selection.count;
  return Math.min(eligible, wanted ?? 0);
}

/** Applies a scripted action; false when there was nothing to act on (it did not fire). */
function applyAction(world: SimWorld, action: ScenarioAction): boolean {
  const pickNodes = (eligible: number[], selection: NodeSelection): number[] =>
    sample(world.eventRandom, eligible, selectionSize(selection, eligible.length));
  switch (action.type) {
    case 'crash': {
      const nodes = pickNodes(world.net.liveNodes(), action);
      nodes.forEach((i) => world.crash(i));
      return nodes.length > 0;
    }
    case 'leave': {
      const nodes = pickNodes(world.net.liveNodes(), action);
      nodes.forEach((i) => world.leave(i));
      return nodes.length > 0;
    }
    case 'restart': {
      const nodes = pickNodes(world.crashedNodes(), action);
      nodes.forEach((i) => world.restart(i));
      return nodes.length > 0;
    }
    case 'join':
      for (let i = 0; i < action.count; i++) world.addNode();
      return action.count > 0;
    case 'partition':
      world.partition(action.groups);
      return true;
    case 'heal':
      world.net.heal();
      return true;
    case 'loss':
      world.net.setLoss(action.loss);
      return true;
  }
}
