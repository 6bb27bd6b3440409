/**
 * One simulator run measured for memory (bench/sim-heap.ts): at every simulated minute a
 * full garbage collection, then the live heap and the typed arrays' backing stores, until
 * `stopMinutes`. Needs `--expose-gc`. Argument: JSON `{ file, sets, stopMinutes }`.
 * Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { applyOverrides, parseAssignment } from '../src/sim/overrides.js';
import { runScenario } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';

export interface SimHeapRequest {
  file: string;
  sets: string[];
  stopMinutes: number;
}

export interface SimHeapSample {
  minute: number;
  /** Live heap after a full collection, less the heap before the run (MiB). */
  heapMiB: number;
  /** ArrayBuffer backing stores and other memory outside the heap, less the same before (MiB). */
  externalMiB: number;
}

export interface SimHeapResult {
  nodes: number;
  samples: SimHeapSample[];
  peakRssMiB: number;
}

/** Thrown from the progress callback to end the run at `stopMinutes`. */
class Stop extends Error {}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('sim-heap-child needs node --expose-gc');
const request = JSON.parse(process.argv[2] ?? '{}') as SimHeapRequest;
const text = applyOverrides(
  readFileSync(request.file, 'utf8'),
  request.sets.map((s) => parseAssignment(s)),
);
const scenario = parseScenario(text, request.file);
const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
/**
 * Two full collections: after one, `external` still counts the backing stores of dead
 * arrays whose release is pending (two identical runs read 5.8 and 16.0 MiB after one, both
 * 5.5–6.0 after two).
 */
function collect(): void {
  gc?.();
  gc?.();
}

collect();
const before = process.memoryUsage();
const samples: SimHeapSample[] = [];
let nextMinute = 1;
try {
  runScenario(scenario, {
    onProgress: (nowMs) => {
      if (nowMs < nextMinute * 60_000) return;
      nextMinute = Math.floor(nowMs / 60_000) + 1;
      collect();
      const m = process.memoryUsage();
      samples.push({
        minute: Math.round(nowMs / 6_000) / 10,
        heapMiB: mib(m.heapUsed - before.heapUsed),
        externalMiB: mib(m.external - before.external),
      });
      if (nowMs >= request.stopMinutes * 60_000) throw new Stop();
    },
  });
} catch (error) {
  if (!(error instanceof Stop)) throw error;
}
const result: SimHeapResult = {
  nodes: scenario.nodes,
  samples,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(result));
