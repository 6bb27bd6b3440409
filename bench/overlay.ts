/**
 * Overlay benchmark (issue 2, "Measured"): the 1,000-node overlay scenario for one simulated
 * hour — wall time, simulated events per second, peak memory, median of 3 runs, each in a
 * fresh process — next to the bare event-loop ceiling measured in the same run; then the
 * memory per node at growing sizes and the largest node count that fits in 4 GiB.
 *
 * Run: `npx tsx bench/overlay.ts` (writes reports/bench/overlay.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runEventLoopCeiling } from './sim-eventloop.js';
import { median, runSimChild, type SimChildResult } from './sim-runs.js';

const RUNS = 3;
const HOUR_MS = 3_600_000;
const MEMORY_LIMIT_MIB = 4096;
/** Node counts for the memory probe, each for a few simulated minutes. */
const MEMORY_PROBE_NODES = [1_000, 2_000, 4_000];
const MEMORY_PROBE_MS = 3 * 60_000;
/** A single run may take this long before the benchmark gives up on it. */
const CHILD_TIMEOUT_MS = 30 * 60_000;

function scenario(nodes: number, durationMs: number): { text: string; name: string } {
  const minutes = durationMs / 60_000;
  return {
    name: 'bench/overlay.ts',
    text: [
      `name: bench-overlay-${nodes}`,
      'seed: 1',
      `nodes: ${nodes}`,
      `duration: ${minutes}m`,
      'crypto: modelled',
      'events:',
      `  - at: ${minutes / 2}m`,
      '    crash: { fraction: 0.3 }',
    ].join('\n'),
  };
}

type ChildResult = SimChildResult & { overlay: Record<string, unknown> };

function runChild(request: { text: string; name: string }, maxHeapMiB?: number): ChildResult {
  const result = runSimChild(request, { maxHeapMiB, timeoutMs: CHILD_TIMEOUT_MS });
  return { ...result, overlay: result.summary['overlay'] as Record<string, unknown> };
}

/** Coefficients [a, b, c] of the parabola through three points. */
function quadraticThrough(...points: [number, number][]): [number, number, number] {
  const [[x0, y0], [x1, y1], [x2, y2]] = points as [
    [number, number],
    [number, number],
    [number, number],
  ];
  const d = (x0 - x1) * (x0 - x2) * (x1 - x2);
  const c = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / d;
  const b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / d;
  const a = (x1 * x2 * (x1 - x2) * y0 + x2 * x0 * (x2 - x0) * y1 + x0 * x1 * (x0 - x1) * y2) / d;
  return [a, b, c];
}

export async function runOverlayBench(): Promise<Record<string, unknown>> {
  const ceiling = runEventLoopCeiling(2_000_000, 10_000);
  const runs: ChildResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(runChild(scenario(1_000, HOUR_MS)));
  const memory = MEMORY_PROBE_NODES.map((nodes) => {
    const r = runChild(scenario(nodes, MEMORY_PROBE_MS), MEMORY_LIMIT_MIB);
    return { nodes, peakRssMiB: r.peakRssMiB, wallMs: r.wallMs };
  });
  // Every node keeps every descriptor, so memory grows as a + b·N + c·N²: fit the three
  // probes exactly and solve for the node count that reaches the limit.
  const [p0, p1, p2] = memory as [(typeof memory)[0], (typeof memory)[0], (typeof memory)[0]];
  const [a, b, c] = quadraticThrough(
    [p0.nodes, p0.peakRssMiB],
    [p1.nodes, p1.peakRssMiB],
    [p2.nodes, p2.peakRssMiB],
  );
  const largestIn4GiB =
    c > 0
      ? Math.floor((-b + Math.sqrt(b * b - 4 * c * (a - MEMORY_LIMIT_MIB))) / (2 * c))
      : Math.floor((MEMORY_LIMIT_MIB - a) / b);
  const kibPerNode = ((p2.peakRssMiB - p1.peakRssMiB) * 1024) / (p2.nodes - p1.nodes);
  return {
    benchmark: 'overlay',
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    scenario: '1,000 nodes, 1 simulated hour, 30% crash at 30 min, modelled crypto',
    method: `median of ${RUNS} runs, each in a fresh process`,
    wallSeconds: median(runs.map((r) => r.wallMs)) / 1000,
    eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    events: runs[0]?.events,
    eventLoopCeilingPerSecond: Math.round(ceiling.eventsPerSecond),
    ratioToCeiling:
      Math.round((median(runs.map((r) => r.eventsPerSecond)) / ceiling.eventsPerSecond) * 1000) /
      1000,
    overlayAtEnd: runs[0]?.overlay,
    runs: runs.map(({ wallMs, eventsPerSecond, peakRssMiB }) => ({
      wallMs,
      eventsPerSecond,
      peakRssMiB,
    })),
    memoryProbe: { simulatedMs: MEMORY_PROBE_MS, points: memory },
    kibPerNode: Math.round(kibPerNode * 10) / 10,
    largestNodesIn4GiB: {
      estimate: largestIn4GiB,
      how: 'peak RSS = a + b·N + c·N² through the three probes (every directory holds every descriptor), solved for 4 GiB',
      fit: { a, b, c },
    },
  };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const report = await runOverlayBench();
  const out = resolve('reports/bench/overlay.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}
