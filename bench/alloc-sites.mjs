/**
 * Where a simulated run allocates (README "Scale and speed", session 14): a sampling heap
 * profile of churn.yaml's first 15 minutes that keeps the objects the collector freed, summed
 * by allocating function, then the largest sites with their two callers.
 *
 * `node --heap-prof` is not this: it keeps only the samples still alive when the process
 * exits (22 MB of the 6.9 GB such a run allocates). With `--survivors`, only the objects that
 * outlived a scavenge are kept: what the young generation copies and promotes.
 *
 * V8 names the outermost function of an optimized frame, so what callees inlined into it
 * allocate is counted as its own. For exact sites run `node --no-turbo-inlining` (slower, and
 * numbers returned by calls that are otherwise inlined then show up as boxed, e.g. fmix32).
 *
 * Run: `npm run build && node bench/alloc-sites.mjs [--survivors]` (~40 s; prints a table).
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { runScenario } from '../dist/src/sim/runner.js';
import { parseScenario } from '../dist/src/sim/scenario.js';

/** Bytes between samples: ~200,000 samples in a run, each site's share within ~1%. */
const SAMPLING_INTERVAL = 32 * 1024;
const TOP_SITES = 30;
const TOP_STACKS = 30;
const survivors = process.argv.includes('--survivors');

const text = readFileSync(new URL('../sim/scenarios/churn.yaml', import.meta.url), 'utf8')
  .replace('duration: 60m', 'duration: 15m')
  .replace('until: 55m', 'until: 14m')
  .replace('until: 50m', 'until: 12m');
const scenario = parseScenario(text, 'churn.yaml (15 min)');

const session = new Session();
session.connect();
/** The inspector's answer to `method` (a session on our own thread answers at once). */
function post(method, params) {
  let result;
  session.post(method, params, (error, value) => {
    if (error) throw new Error(`${method}: ${error.message}`);
    result = value;
  });
  return result;
}
post('HeapProfiler.enable');
post('HeapProfiler.startSampling', {
  samplingInterval: SAMPLING_INTERVAL,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: !survivors,
});
const started = performance.now();
runScenario(scenario, {});
const seconds = (performance.now() - started) / 1000;
const { profile } = post('HeapProfiler.stopSampling');

const sites = new Map();
const stacks = new Map();
let total = 0;
const nameOf = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
(function walk(node, callers) {
  const name = nameOf(node);
  if (node.selfSize > 0) {
    total += node.selfSize;
    sites.set(name, (sites.get(name) ?? 0) + node.selfSize);
    const stack = [name, ...callers.slice(-2).reverse()].join(' < ');
    stacks.set(stack, (stacks.get(stack) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, [...callers, name]);
})(profile.head, []);

const table = (map, n) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `${((100 * v) / total).toFixed(2).padStart(6)}%  ${(v / 1e6).toFixed(0).padStart(6)} MB  ${k}`,
    )
    .join('\n');
console.log(
  `churn.yaml, 15 simulated minutes, ${seconds.toFixed(1)} s: ` +
    `${(total / 1e6).toFixed(0)} MB ${survivors ? 'outlived a scavenge' : 'allocated'} (sampled)`,
);
console.log(`\nby allocating function (built-ins such as subarray, slice, Map set: ':0')\n`);
console.log(table(sites, TOP_SITES));
console.log(`\nby site and its two callers\n`);
console.log(table(stacks, TOP_STACKS));
