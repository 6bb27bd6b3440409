/**
 * How large is the cache an engine's state must fit in? A random pointer chase (each load
 * gives the next line's index, so loads cannot overlap) over buffers from 256 KiB to
 * 128 MiB: the time per load jumps where the buffer outgrows the last-level cache this
 * process actually gets. docs/engine-state-layout.md uses it: this VM reports a 32 MiB L3,
 * but loads turn into DRAM misses between 8 and 12 MiB (session 18), so a 1,000-node run's
 * working set (~100 MB live) is far out of reach, and what an input costs is the number of
 * lines it touches, not how they are spread.
 *
 * Run: `node bench/cache-latency.mjs [--repeats 3]` (~1 min; → reports/bench/cache-latency.json).
 * Medians of `repeats` chases per size; the host is shared, so a neighbour's load moves them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const OUT = new URL('../reports/bench/cache-latency.json', import.meta.url);
/** Ints per 64-byte line. */
const LINE_INTS = 16;
const SIZES_MIB = [0.25, 0.5, 1, 2, 4, 6, 8, 10, 12, 16, 24, 32, 64, 128];
const LOADS = 4_000_000;

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
  console.error('error: --repeats must be an integer from 1 to 20');
  process.exit(2);
}

/** A buffer whose lines form one random cycle (a fixed LCG: the same cycle every run). */
function chain(lines) {
  const order = Int32Array.from({ length: lines }, (_, i) => i);
  let state = 12345;
  for (let i = lines - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const buffer = new Int32Array(lines * LINE_INTS);
  for (let i = 0; i < lines; i++) buffer[order[i] * LINE_INTS] = order[(i + 1) % lines] * LINE_INTS;
  return buffer;
}

/** Nanoseconds per dependent load, after one warm-up lap. */
function chase(buffer, lines) {
  let at = 0;
  for (let i = 0; i < 2 * lines; i++) at = buffer[at];
  const start = process.hrtime.bigint();
  for (let i = 0; i < LOADS; i++) at = buffer[at];
  const ns = Number(process.hrtime.bigint() - start) / LOADS;
  return at < 0 ? -1 : ns; // `at` is used, so the loop is not removed
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const mib of SIZES_MIB) {
  const lines = Math.floor((mib * 1024 * 1024) / (LINE_INTS * 4));
  const buffer = chain(lines);
  const runs = Array.from({ length: repeats }, () => chase(buffer, lines));
  rows.push({
    mib,
    nsPerLoad: Number(median(runs).toFixed(1)),
    runs: runs.map((r) => Number(r.toFixed(1))),
  });
  console.log(`${String(mib).padStart(6)} MiB  ${median(runs).toFixed(1).padStart(6)} ns a load`);
}
mkdirSync(new URL('.', OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify({ benchmark: 'cache-latency', loadsPerRun: LOADS, repeats, rows }, null, 2) + '\n',
);
console.log(`wrote ${OUT.pathname}`);
