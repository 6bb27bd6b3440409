/**
 * Simulator runs for benchmarks: each in a fresh child process (bench/sim-child.ts), so a
 * run's wall time, CPU time and peak RSS are its own, and a median over several runs.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { SimChildRequest, SimChildResult } from './sim-child.js';

export type { SimChildRequest, SimChildResult };

export interface SimChildOptions {
  /** V8's old-space limit for the child (MiB): a run that needs more dies, not swaps. */
  maxHeapMiB?: number;
  /** The child is killed after this long (a benchmark never hangs). */
  timeoutMs: number;
}

export function runSimChild(request: SimChildRequest, options: SimChildOptions): SimChildResult {
  const child = resolve(import.meta.dirname, 'sim-child.ts');
  const args = [
    ...(options.maxHeapMiB ? [`--max-old-space-size=${options.maxHeapMiB}`] : []),
    '--import',
    'tsx',
    child,
    JSON.stringify(request),
  ];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as SimChildResult;
}

/** The median (upper median for an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}
