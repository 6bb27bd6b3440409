/**
 * Simulator runs for benchmarks: each in a fresh child process (bench/sim-child.ts), so a
 * run's wall time, CPU time and peak RSS are its own, and a median over several runs.
 *
 * The child runs the compiled tree (`npm run build`'s tsc, built once per benchmark
 * process), as `p2pmsg sim` does: under tsx every function keeps its name in a property
 * dictionary of its own, ~5 KB of heap per simulated node at 1,000 nodes.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { simHeapFlags } from '../src/cli/commands/sim-heap.js';
import type { SimChildRequest, SimChildResult } from './sim-child.js';

export type { SimChildRequest, SimChildResult };

export interface SimChildOptions {
  /**
   * V8's old-space limit for the child (MiB): a run that needs more dies, not swaps. The
   * child gets the young generation `p2pmsg sim` gives a run, with or without it.
   */
  maxHeapMiB?: number;
  /** The child is killed after this long (a benchmark never hangs). */
  timeoutMs: number;
}

export const ROOT = resolve(import.meta.dirname, '..');
/** tsc over src and bench takes seconds; five minutes means something is wrong. */
const BUILD_TIMEOUT_MS = 5 * 60_000;
let built: string | undefined;

/** Compiles src and bench to dist (tsconfig.build.json), once per process. */
export function buildOnce(): void {
  if (built !== undefined) return;
  const version = sourceVersion();
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', resolve(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
    timeout: BUILD_TIMEOUT_MS,
  });
  built = version;
}

/** What the children run: the version of the code buildOnce compiled (sourceVersion). */
export function builtVersion(): string {
  buildOnce();
  return built as string;
}

export function runSimChild(request: SimChildRequest, options: SimChildOptions): SimChildResult {
  buildOnce();
  const child = resolve(ROOT, 'dist/bench/sim-child.js');
  const args = [...simHeapFlags(options.maxHeapMiB), child, JSON.stringify(request)];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as SimChildResult;
}

/**
 * The commit the benchmark ran, with `+changes` when src/ or bench/ differ from it: a
 * report quotes its numbers for a version of the code. "unknown" outside a git checkout.
 */
function sourceVersion(): string {
  try {
    const git = (args: string[]): string =>
      execFileSync('git', args, {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const commit = git(['rev-parse', '--short=12', 'HEAD']);
    return git(['status', '--porcelain', '--', 'src', 'bench']) === ''
      ? commit
      : `${commit}+changes`;
  } catch {
    return 'unknown';
  }
}

/** The median (upper median for an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}
