/**
 * Scripted actions (`events:`) carried out on a simulated world: which nodes an action
 * touches, and what it does to them or to the network.
 *
 * Rules:
 * 1. Random choices (a fraction or count of nodes, a random partition, flash-crowd arrival
 *    times) come from the world's event stream, in event order; named nodes draw nothing.
 * 2. An action that finds nothing to act on (no eligible node, no partition to heal) does not
 *    fire: `applyAction` returns false and faults.ts names it in the run's failure.
 * 3. Named nodes that do not exist yet when the action runs (a flash crowd still arriving)
 *    are skipped, like named nodes that are not eligible.
 */
import { sample } from '../engine/random.js';
import type { NodeRange, NodeSelection, PartitionSplit, ScenarioAction } from './scenario.js';
import type { SimWorld } from './world.js';

/** How many of `eligible` a fraction or count names (a fraction rounds, but to at least one). */
function selectionSize(selection: NodeSelection, eligible: number): number {
  const wanted =
    selection.fraction !== undefined
      ? Math.max(1, Math.round(selection.fraction * eligible))
      : (selection.count ?? 0);
  return Math.min(eligible, wanted);
}

/** Whether node `index` is in one of `ranges`. */
export function inRanges(ranges: readonly NodeRange[], index: number): boolean {
  return ranges.some((r) => index >= r.from && index <= r.to);
}

/** The indexes `ranges` name that exist in the world now, ascending, without repeats. */
export function existingNodes(world: SimWorld, ranges: readonly NodeRange[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < world.net.nodeCount; i++) if (inRanges(ranges, i)) out.push(i);
  return out;
}

/** The eligible nodes a selection picks (Rule 1). */
export function selectNodes(
  world: SimWorld,
  eligible: readonly number[],
  selection: NodeSelection,
): number[] {
  if (selection.nodes !== undefined) {
    const ranges = selection.nodes;
    return eligible.filter((i) => inRanges(ranges, i));
  }
  return sample(world.eventRandom, eligible, selectionSize(selection, eligible.length));
}

/** Applies a scripted action now; false when there was nothing to act on (Rule 2). */
export function applyAction(
  world: SimWorld,
  action: ScenarioAction,
  onJoin: (index: number) => void,
): boolean {
  switch (action.type) {
    case 'crash': {
      const nodes = selectNodes(world, world.net.liveNodes(), action);
      nodes.forEach((i) => world.crash(i));
      return nodes.length > 0;
    }
    case 'leave': {
      const nodes = selectNodes(world, world.net.liveNodes(), action);
      nodes.forEach((i) => world.leave(i));
      return nodes.length > 0;
    }
    case 'restart': {
      const nodes = selectNodes(world, world.crashedNodes(), action);
      nodes.forEach((i) => world.restart(i));
      return nodes.length > 0;
    }
    case 'join':
      scheduleJoins(world, action.count, action.overMs, onJoin);
      return action.count > 0;
    case 'partition':
      return partition(world, action.split, action.oneWay);
    case 'heal': {
      const wasPartitioned = world.net.partitioned;
      world.net.heal();
      return wasPartitioned;
    }
    case 'loss':
      world.net.setLoss(action.loss);
      return true;
    case 'latency':
      world.net.setLatency(action.latency);
      return true;
  }
}

/**
 * `count` nodes join now (overMs = 0) or at uniformly random times in [now, now + overMs]:
 * a flash crowd. Times are drawn up front, sorted, so node indexes follow arrival order.
 */
function scheduleJoins(
  world: SimWorld,
  count: number,
  overMs: number,
  onJoin: (index: number) => void,
): void {
  if (overMs === 0) {
    for (let i = 0; i < count; i++) onJoin(world.addNode());
    return;
  }
  const now = world.now;
  const times = Array.from({ length: count }, () =>
    Math.round(now + world.eventRandom.next() * overMs),
  ).sort((a, b) => a - b);
  for (const t of times) world.net.at(t, () => onJoin(world.addNode()));
}

function partition(world: SimWorld, split: PartitionSplit, oneWay: boolean): boolean {
  switch (split.kind) {
    case 'random':
      world.partition(split.groups, oneWay);
      return true;
    case 'groups': {
      const groups = split.groups.map((ranges) => existingNodes(world, ranges));
      if (groups.every((group) => group.length === 0)) return false;
      world.net.partition(groups, { oneWay });
      return true;
    }
    case 'isolate': {
      // Named nodes are isolated whether up or down (a restart keeps its place); a fraction
      // or count is of the live nodes.
      const selection = split.nodes;
      const isolated =
        selection.nodes !== undefined
          ? existingNodes(world, selection.nodes)
          : selectNodes(world, world.net.liveNodes(), selection);
      if (isolated.length === 0) return false;
      world.net.partition([isolated], { oneWay });
      return true;
    }
  }
}
