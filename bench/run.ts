/**
 * `npm run bench [-- name …]`: runs the benchmarks (all, or the named ones) one after the
 * other and writes each result to reports/bench/<name>.json. Each benchmark is also runnable
 * alone: `npx tsx bench/<name>.ts`. Numbers are medians over several runs where a run is
 * cheap; simulations are exact for their seed and only their wall time varies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBroadcastBench } from './broadcast.js';
import { runCliStartupBench } from './cli-startup.js';
import { runCryptoBench } from './crypto.js';
import { runDaemonBench } from './daemon.js';
import { runDigestBench } from './digest.js';
import { runFloodBench } from './flood.js';
import { runFuzzBench } from './fuzz/run.js';
import { runHeapOwnersBench } from './heap-owners.js';
import { runIslandJoinsBench } from './island-joins.js';
import { runNoiseBench } from './noise.js';
import { runOnionBench } from './onion.js';
import { runOverlayBench } from './overlay.js';
import { runRoutingBench } from './routing.js';
import { runShardsBench } from './shards.js';
import { runSimCostsBench } from './sim-costs.js';
import { runSimHeapBench } from './sim-heap.js';
import { runSimSpeedBench } from './sim-speed.js';
import { runSigkillBench } from './sigkill.js';
import { runEventLoopCeiling } from './sim-eventloop.js';

const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {
  eventloop: async () => ({
    benchmark: 'eventloop',
    pending1k: runEventLoopCeiling(2_000_000, 1_000),
    pending100k: runEventLoopCeiling(2_000_000, 100_000),
  }),
  crypto: runCryptoBench,
  onion: runOnionBench,
  shards: runShardsBench,
  noise: runNoiseBench,
  overlay: runOverlayBench,
  'island-joins': async () => runIslandJoinsBench(),
  // The issue-6 goals at full size: hours today (`npx tsx bench/sim-speed.ts --minutes 5` is quick).
  'sim-speed': () => runSimSpeedBench(),
  'sim-heap': () => runSimHeapBench(),
  'sim-costs': () => runSimCostsBench(),
  'heap-owners': () => runHeapOwnersBench(),
  broadcast: runBroadcastBench,
  digest: () => runDigestBench(),
  routing: runRoutingBench,
  daemon: runDaemonBench,
  'cli-startup': () => runCliStartupBench(),
  flood: runFloodBench,
  sigkill: () => runSigkillBench(),
  // A million inputs per surface: tens of minutes (`npm run fuzz` runs it with options).
  fuzz: () => runFuzzBench(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `error: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
  );
  process.exit(2);
}
const dir = resolve('reports/bench');
mkdirSync(dir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  const started = performance.now();
  console.log(`bench ${name} …`);
  const report = await (BENCHMARKS[name] as () => Promise<Record<string, unknown>>)();
  writeFileSync(resolve(dir, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
  console.log(
    `bench ${name}: ${Math.round(performance.now() - started) / 1000} s → reports/bench/${name}.json`,
  );
}
