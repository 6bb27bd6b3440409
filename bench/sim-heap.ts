/**
 * Memory per simulated node (issue 6: "keep per-node state compact"; the 100,000-node goal
 * is ≤ 6 GiB): a scenario run at two sizes in fresh processes of the compiled tree, with a
 * full garbage collection at every simulated minute (bench/sim-heap-child.ts). The slope
 * between the sizes is what one more node costs, free of the process's fixed part; it is
 * given at the last minute and at the minute of the largest heap (the join's peak).
 *
 * Options: `--file F` (default sim/scenarios/scale-100k.yaml), `--nodes a,b` (default
 * 1000,2000), `--minutes M` (stop after M simulated minutes, default 12: scale-100k's join
 * ends at 10), `--out FILE`.
 *
 * Run: `npx tsx bench/sim-heap.ts` (writes reports/bench/sim-heap.json, or FILE; ~2 min).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { SimHeapRequest, SimHeapResult } from './sim-heap-child.js';
import { buildOnce, builtVersion, ROOT } from './sim-runs.js';

/** One measured run may take this long before the benchmark gives up on it. */
const CHILD_TIMEOUT_MS = 60 * 60_000;
const KIB = 1024;

export interface SimHeapOptions {
  file?: string;
  nodes?: [number, number];
  minutes?: number;
}

function measure(request: SimHeapRequest): SimHeapResult {
  buildOnce();
  const child = resolve(ROOT, 'dist/bench/sim-heap-child.js');
  const out = execFileSync(process.execPath, ['--expose-gc', child, JSON.stringify(request)], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as SimHeapResult;
}

/** KiB per node between two runs' samples at the same minute (heap, and heap + external). */
function slope(small: SimHeapResult, large: SimHeapResult, index: number) {
  const a = small.samples[index];
  const b = large.samples[index];
  if (a === undefined || b === undefined) throw new Error('runs of different lengths');
  const per = (mibSmall: number, mibLarge: number): number =>
    Math.round((((mibLarge - mibSmall) * KIB) / (large.nodes - small.nodes)) * 10) / 10;
  return {
    minute: b.minute,
    heapKiBPerNode: per(a.heapMiB, b.heapMiB),
    withExternalKiBPerNode: per(a.heapMiB + a.externalMiB, b.heapMiB + b.externalMiB),
  };
}

export async function runSimHeapBench(
  options: SimHeapOptions = {},
): Promise<Record<string, unknown>> {
  const file = options.file ?? 'sim/scenarios/scale-100k.yaml';
  const [smallNodes, largeNodes] = options.nodes ?? [1_000, 2_000];
  const stopMinutes = options.minutes ?? 12;
  const run = (nodes: number) => measure({ file, sets: [`nodes=${nodes}`], stopMinutes });
  const small = run(smallNodes);
  const large = run(largeNodes);
  let peak = 0;
  large.samples.forEach((s, i) => {
    if (s.heapMiB > (large.samples[peak] as { heapMiB: number }).heapMiB) peak = i;
  });
  return {
    benchmark: 'sim-heap',
    source: builtVersion(),
    node: process.version,
    scenario: file,
    method:
      'live heap after a full GC at every simulated minute, two sizes, fresh processes of the compiled tree; per node = the slope between the sizes',
    atEnd: slope(small, large, large.samples.length - 1),
    atPeak: slope(small, large, peak),
    runs: [small, large],
  };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      nodes: { type: 'string' },
      minutes: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const nodes = values.nodes?.split(',').map(Number);
  if (
    nodes !== undefined &&
    (nodes.length !== 2 ||
      !nodes.every((n) => Number.isInteger(n) && n > 0) ||
      nodes[0]! >= nodes[1]!)
  ) {
    console.error(
      `error: --nodes expects two increasing node counts, like 1000,2000; got '${values.nodes}'`,
    );
    process.exit(2);
  }
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (minutes !== undefined && !(minutes > 0)) {
    console.error(`error: --minutes expects a positive number, got '${values.minutes}'`);
    process.exit(2);
  }
  const report = await runSimHeapBench({
    file: values.file,
    nodes: nodes as [number, number] | undefined,
    minutes,
  });
  const out = resolve(values.out ?? 'reports/bench/sim-heap.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify({ atEnd: report.atEnd, atPeak: report.atPeak }, null, 2));
}
