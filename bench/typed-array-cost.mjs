/**
 * What a new typed array costs by size, against carving one from a shared slab. V8 keeps a
 * typed array of up to 64 bytes in the JS heap; a larger one gets a backing store of its own
 * (a malloc, an entry the collector tracks and sweeps). Session 20 found the engine copying
 * every forwarded broadcast (~250 bytes) into a new array, and building link-auth transcripts
 * and modelled-signature inputs (~200–260 bytes) the same way; carving and shared buffers took
 * 5–10% off simulated runs and ~15% off their peak memory (README, "Scale and speed").
 *
 * Run: `node bench/typed-array-cost.mjs [--repeats 3]` (~20 s; → reports/bench/typed-array-cost.json).
 * Each case keeps the last 4,096 arrays alive, as a run keeps frames in flight and in caches;
 * medians of `repeats` rounds of 1,000,000 arrays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const OUT = new URL('../reports/bench/typed-array-cost.json', import.meta.url);
const ARRAYS = 1_000_000;
const KEPT = 4096;
const SLAB_BYTES = 16 * 1024;

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
  console.error('error: --repeats must be an integer from 1 to 20');
  process.exit(2);
}

const source = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);
let slab = new Uint8Array(SLAB_BYTES);
let used = 0;

function carve(size) {
  if (used + size > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const out = slab.subarray(used, used + size);
  used += size;
  return out;
}

const cases = [
  ...[32, 64, 65, 128, 256].map((size) => ({
    name: `new copy, ${size} bytes`,
    size,
    make: (i) => source.slice(i & 63, (i & 63) + size),
  })),
  {
    name: 'carved copy, 256 bytes',
    size: 256,
    make: (i) => {
      const out = carve(256);
      out.set(source.subarray(i & 63, (i & 63) + 256));
      return out;
    },
  },
];

function round(make) {
  const kept = new Array(KEPT);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ARRAYS; i++) kept[i & (KEPT - 1)] = make(i);
  return Number(process.hrtime.bigint() - start) / ARRAYS;
}

const results = [];
for (const c of cases) {
  round(c.make); // warm-up: compiled and the heap grown before timing
  const times = Array.from({ length: repeats }, () => round(c.make)).sort((a, b) => a - b);
  const ns = times[Math.floor(times.length / 2)];
  results.push({ case: c.name, bytes: c.size, nsPerArray: Number(ns.toFixed(1)) });
  console.log(`${c.name.padEnd(24)} ${ns.toFixed(1).padStart(8)} ns an array`);
}

mkdirSync(new URL('.', OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify(
    {
      benchmark: 'typed-array-cost',
      node: process.version,
      method: `median of ${repeats} rounds of ${ARRAYS} arrays, the last ${KEPT} kept alive`,
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${OUT.pathname}`);
