/**
 * Overlay health from node snapshots: degree statistics, connectivity and the invariants
 * every settled overlay must satisfy (symmetric active links, no self, no duplicates).
 * Used by the report and by the simulator's property tests.
 */
import type { NodeId, NodeSnapshot } from '../engine/types.js';

export interface DegreeStats {
  min: number;
  max: number;
  mean: number;
  /** degree → number of live nodes with that degree */
  histogram: Record<string, number>;
}

export function degreeStats(snapshots: readonly NodeSnapshot[]): DegreeStats {
  if (snapshots.length === 0) return { min: 0, max: 0, mean: 0, histogram: {} };
  let min = Infinity;
  let max = 0;
  let sum = 0;
  const counts = new Map<number, number>();
  for (const s of snapshots) {
    const d = s.active.length;
    min = Math.min(min, d);
    max = Math.max(max, d);
    sum += d;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const histogram: Record<string, number> = {};
  for (const d of [...counts.keys()].sort((a, b) => a - b))
    histogram[String(d)] = counts.get(d) as number;
  return { min, max, mean: sum / snapshots.length, histogram };
}

/**
 * Sizes of the connected components of the live overlay, largest first. An edge counts
 * when either end lists the other (a half-open edge still carries traffic one way); edges
 * to nodes not in `snapshots` (dead nodes) are ignored.
 */
export function componentSizes(snapshots: readonly NodeSnapshot[]): number[] {
  const index = new Map<NodeId, number>();
  snapshots.forEach((s, i) => index.set(s.id, i));
  const parent = snapshots.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      const up = parent[parent[i] as number] as number;
      parent[i] = up;
      i = up;
    }
    return i;
  };
  snapshots.forEach((s, i) => {
    for (const peer of s.active) {
      const j = index.get(peer);
      if (j !== undefined) parent[find(i)] = find(j);
    }
  });
  const sizes = new Map<number, number>();
  for (let i = 0; i < snapshots.length; i++) sizes.set(find(i), (sizes.get(find(i)) ?? 0) + 1);
  return [...sizes.values()].sort((a, b) => b - a);
}

/** The fraction of live nodes in the largest connected component (1 for an empty network). */
export function largestComponentFraction(snapshots: readonly NodeSnapshot[]): number {
  if (snapshots.length === 0) return 1;
  return (componentSizes(snapshots)[0] ?? 0) / snapshots.length;
}

/**
 * Violations of the settled-overlay invariants: a node listing itself or a duplicate, or
 * an active link between two live nodes that only one of them lists.
 */
export function overlayViolations(snapshots: readonly NodeSnapshot[]): string[] {
  const byId = new Map<NodeId, NodeSnapshot>();
  for (const s of snapshots) byId.set(s.id, s);
  const problems: string[] = [];
  for (const s of snapshots) {
    if (s.active.includes(s.id) || s.passive.includes(s.id)) problems.push(`${s.id} lists itself`);
    if (new Set(s.active).size !== s.active.length)
      problems.push(`${s.id} has a duplicate neighbour`);
    for (const peer of s.active) {
      const other = byId.get(peer);
      if (other && !other.active.includes(s.id))
        problems.push(`${s.id} → ${peer} is not symmetric`);
    }
  }
  return problems;
}
