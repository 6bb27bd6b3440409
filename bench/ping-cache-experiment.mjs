/**
 * Is a simulated input's cost its data or its code? (README "Scale and speed", session 11.)
 * After 12 minutes of churn.yaml, one ping frame handled again and again: on one engine,
 * round-robin over every live engine, and in a scattered order over them; then the same with
 * `lines` random cache-line writes into a 256 MiB buffer between pings — what other nodes'
 * inputs do to the caches in a run — while the code stays the same tiny loop.
 *
 * Run: `npm run build && node bench/ping-cache-experiment.mjs` (~2 min; prints a table).
 */
import { readFileSync } from 'node:fs';
import { encodeMessage } from '../dist/src/engine/wire/codec.js';
import { runScenario } from '../dist/src/sim/runner.js';
import { parseScenario } from '../dist/src/sim/scenario.js';

/** Allocated and touched before the run, so the run's collector has settled with it. */
const POLLUTION = new Float64Array(32 * 1024 * 1024);
POLLUTION.fill(1);
/** A random index of POLLUTION, rounded down to a cache line's first element (8 doubles). */
const LINE_INDEX_MASK = (POLLUTION.length - 1) & ~7;
const PINGS = 200_000;
const POLLUTED_PINGS = 20_000;

const text = readFileSync(new URL('../sim/scenarios/churn.yaml', import.meta.url), 'utf8')
  .replace('duration: 60m', 'duration: 12m')
  .replace('until: 55m', 'until: 11m')
  .replace('until: 50m', 'until: 10m');
let world;
runScenario(parseScenario(text, 'churn.yaml (12 min)'), {
  observe: { attach: (w) => (world = w) },
});
const net = world.net;
const targets = [];
for (const index of net.liveNodes()) {
  const engine = net.engineOf(index);
  const link = engine.links.readyLinks().next().value; // private to the engine: read here only
  if (link !== undefined) targets.push({ engine, link: link.id });
}
const ping = encodeMessage({ type: 'ping' });
let at = net.now;
const clock = () => process.hrtime.bigint();
const scattered = Array.from({ length: PINGS }, (_, i) => (i * 7919 + 13) % targets.length);
const pick = {
  one: () => targets[0],
  roundRobin: (i) => targets[i % targets.length],
  scattered: (i) => targets[scattered[i % scattered.length]],
};
let seed = 12345;
function pollute(lines) {
  for (let j = 0; j < lines; j++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    POLLUTION[seed & LINE_INDEX_MASK] += 1;
  }
}
/** Mean ns per ping; the clock brackets each ping only when polluting between them. */
function pings(choose, n, lines) {
  let total = 0n;
  if (lines === 0) {
    const t = clock();
    for (let i = 0; i < n; i++) {
      const { engine, link } = choose(i);
      at += 1_000;
      engine.handle({ type: 'frame', link, bytes: ping }, at);
    }
    total = clock() - t;
  } else {
    for (let i = 0; i < n; i++) {
      pollute(lines);
      const { engine, link } = choose(i);
      at += 1_000;
      const t = clock();
      engine.handle({ type: 'frame', link, bytes: ping }, at);
      total += clock() - t;
    }
  }
  return Math.round(Number(total) / n);
}
console.log(`${targets.length} engines; ns per ping (median of 3)`);
const median = (f) => [f(), f(), f()].sort((a, b) => a - b)[1];
for (const [name, choose] of Object.entries(pick)) {
  const clean = median(() => pings(choose, PINGS, 0));
  const row = [name, `clean ${clean}`];
  for (const lines of [1_000, 4_000])
    row.push(`${lines} lines ${median(() => pings(choose, POLLUTED_PINGS, lines))}`);
  console.log(row.join(' | '));
}
