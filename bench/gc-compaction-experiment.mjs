/**
 * Does a denser heap make simulated inputs cheaper? (README "Scale and speed", session 12.)
 * V8 lets churn.yaml's heap grow to 300–500 MB while a full collection finds ~65 MB live.
 * This runs churn.yaml's first 10 minutes twice at the same time, one process per core (the
 * host's speed drifts, so only runs side by side compare): one as usual, one with a full,
 * compacting collection at every simulated minute, which keeps the live objects packed.
 * Each prints its user CPU seconds and, for the second, the heap before and after every
 * forced collection.
 *
 * Run: `npm run build && node bench/gc-compaction-experiment.mjs [pairs]` (default 2 pairs;
 * ~1 min a pair; prints one line per process).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MINUTE_MS = 60_000;
const MIB = 2 ** 20;
const self = fileURLToPath(import.meta.url);
const mode = process.argv[2];

if (mode === 'plain' || mode === 'compacting') {
  const { runScenario } = await import('../dist/src/sim/runner.js');
  const { parseScenario } = await import('../dist/src/sim/scenario.js');
  const { applyOverrides, parseAssignment } = await import('../dist/src/sim/overrides.js');
  const file = new URL('../sim/scenarios/churn.yaml', import.meta.url);
  const sets = ['duration=10m', 'churn.until=9m', 'workload.until=8m'].map(parseAssignment);
  const scenario = parseScenario(applyOverrides(readFileSync(file, 'utf8'), sets), 'churn.yaml');
  const heap = [];
  let next = MINUTE_MS;
  runScenario(scenario, {
    onProgress: (now) => {
      if (mode === 'plain' || now < next) return;
      next += MINUTE_MS;
      const before = process.memoryUsage().heapUsed;
      globalThis.gc();
      heap.push(`${Math.round(before / MIB)}→${Math.round(process.memoryUsage().heapUsed / MIB)}`);
    },
  });
  const cpu = process.cpuUsage().user / 1e6;
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  const heapNote = heap.length === 0 ? '' : `, heap MiB at each minute ${heap.join(' ')}`;
  console.log(`${mode}: ${cpu.toFixed(1)} s user CPU, peak RSS ${rss} MiB${heapNote}`);
} else {
  const pairs = Number(mode ?? 2);
  const run = (which) =>
    new Promise((done) => {
      const child = spawn(process.execPath, ['--expose-gc', self, which], { stdio: 'inherit' });
      child.on('exit', done);
    });
  for (let pair = 1; pair <= pairs; pair++) {
    console.log(`pair ${pair}:`);
    await Promise.all([run('plain'), run('compacting')]);
  }
}
