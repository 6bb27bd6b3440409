/**
 * What is a simulated run's allocation stream worth? (README "Scale and speed", session 14.)
 * Runs churn.yaml's first 10 minutes with `elements` extra: after every input the network
 * hands an engine, an array of that many small integers is made and dropped (180 elements
 * ≈ 1.5 KB, about what an input allocates today: 6.1 GB over ~3.6 M inputs). If young
 * garbage evicted the caches or cost collections, the run would slow in proportion.
 *
 * Same-time pairs only (the host drifts): start two at once, one per core, and compare the
 * wall times they print:
 *   npm run build
 *   node bench/alloc-stream-experiment.mjs 0 & node bench/alloc-stream-experiment.mjs 180 & wait
 */
import { readFileSync } from 'node:fs';
import { runScenario } from '../dist/src/sim/runner.js';
import { parseScenario } from '../dist/src/sim/scenario.js';

const elements = Number(process.argv[2] ?? 0);
if (!Number.isInteger(elements) || elements < 0) throw new Error('usage: [elements ≥ 0]');

const text = readFileSync(new URL('../sim/scenarios/churn.yaml', import.meta.url), 'utf8')
  .replace('duration: 60m', 'duration: 10m')
  .replace('until: 55m', 'until: 9m')
  .replace('until: 50m', 'until: 8m');
let kept;
const started = performance.now();
runScenario(parseScenario(text, 'churn.yaml (10 min)'), {
  observe: {
    attach(world) {
      // Wrapped with 0 elements too, so both runs call through the same shape.
      const net = world.net;
      const deliver = net.deliver;
      net.deliver = function (...args) {
        deliver.apply(this, args);
        const junk = new Array(elements);
        for (let i = 0; i < elements; i++) junk[i] = i;
        kept = junk; // escapes: the optimizer cannot drop the allocation
      };
    },
  },
});
const seconds = (performance.now() - started) / 1000;
console.log(`${elements} elements per input (${kept.length}): ${seconds.toFixed(1)} s wall`);
