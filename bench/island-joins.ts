/**
 * Island joins (README, "The overlay", deviation three): how often a fast join of 8–40 nodes
 * with `TEST_OVERLAY` splits into components, and whether the island checks merge every
 * split by the time the broadcast property's probes end. The join is the broadcast
 * property's (test/broadcast/broadcast-properties.test.ts): one node every 50 ms, flood
 * mode, log-normal latency (median 30 ms). Exact for its seeds: only the wall time varies.
 *
 * Run: `npx tsx bench/island-joins.ts [--from 2000] [--to 4000]` (writes
 * reports/bench/island-joins.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BROADCAST } from '../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../src/engine/overlay/config.js';
import { largestComponentFraction } from '../src/sim/overlay-metrics.js';
import { SimWorld } from '../src/sim/world.js';

const JOIN_GAP_MS = 50;
/** When a split is counted (the splits seen form within 5 s)… */
const SPLIT_AT_MS = 30_000;
/** …and when it must be gone: the end of the broadcast property's probes. */
const HEALED_BY_MS = 135_000;
const SEEDS_MAX = 100_000;

interface JoinOutcome {
  seed: number;
  nodes: number;
  componentAtSplit: number;
  componentAtEnd: number;
  bridges: number;
}

function join(seed: number): JoinOutcome {
  const nodes = 8 + (seed % 33);
  let bridges = 0;
  const w = new SimWorld({
    seed: String(seed),
    crypto: 'modelled',
    overlay: TEST_OVERLAY,
    broadcast: { ...DEFAULT_BROADCAST, mode: 'flood' },
    directory: DEFAULT_DIRECTORY,
    latency: { kind: 'lognormal', medianMs: 30, sigma: 0.5 },
    loss: 0,
    onEvent: (_node, event) => {
      if (event.type === 'islandBridge') bridges += 1;
    },
  });
  for (let i = 0; i < nodes; i++) w.net.at(i * JOIN_GAP_MS, () => w.addNode());
  w.net.runUntil(SPLIT_AT_MS);
  const componentAtSplit = largestComponentFraction(w.liveSnapshots());
  w.net.runUntil(HEALED_BY_MS);
  const componentAtEnd = largestComponentFraction(w.liveSnapshots());
  return { seed, nodes, componentAtSplit, componentAtEnd, bridges };
}

export function runIslandJoinsBench(from = 2_000, to = 4_000): Record<string, unknown> {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from < to && to - from <= SEEDS_MAX))
    throw new Error(`need integer seeds with from < to and at most ${SEEDS_MAX} of them`);
  const outcomes = Array.from({ length: to - from }, (_, k) => join(from + k));
  const split = outcomes.filter((o) => o.componentAtSplit < 1);
  const connected = outcomes.filter((o) => o.componentAtSplit === 1);
  return {
    benchmark: 'island-joins',
    seeds: { from, to: to - 1 },
    splitAt: `${SPLIT_AT_MS / 1000} s`,
    healedBy: `${HEALED_BY_MS / 1000} s`,
    joins: outcomes.length,
    split: split.length,
    stillSplitAtEnd: outcomes.filter((o) => o.componentAtEnd < 1).map((o) => o.seed),
    splitJoins: split,
    bridgesInJoinsNeverSplit: connected.reduce((sum, o) => sum + o.bridges, 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : Number(process.argv[at + 1]);
  };
  const result = runIslandJoinsBench(arg('--from', 2_000), arg('--to', 4_000));
  const out = resolve('reports/bench/island-joins.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ ...result, splitJoins: undefined }));
  console.log(`wrote ${out}`);
}
