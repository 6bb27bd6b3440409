/**
 * Runs one scenario under many seeds on worker threads (`p2pmsg sim --seeds`).
 *
 * Theory of operation. `workers` threads (at most os.availableParallelism(), and at most
 * SEED_WORKERS_MAX) each take the next seed from a shared cursor, run it (seed-worker.ts) and
 * come back for another. Results are stored by the seed's index, never by arrival, so the
 * output does not depend on which worker finished first. The first failure stops the pool:
 * no new seed is started, every worker is terminated, and a SeedRunError names the seed.
 *
 * Runs are independent simulations (each builds its own world from the scenario and its
 * seed), so splitting them over threads changes nothing in any run's result.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SEED_WORKERS_MAX } from './limits.js';
import type { Scenario } from './scenario.js';
import type { Summary } from './summary.js';

/** What the pool sends a worker. */
export interface SeedTask {
  index: number;
  scenario: Scenario;
}

/** What a worker answers. */
export type SeedAnswer =
  | { index: number; ok: true; summary: Summary }
  | { index: number; ok: false; message: string; stack: string };

/** A seed's run failed (an engine bug, an invariant, a crashed worker). */
export class SeedRunError extends Error {
  override name = 'SeedRunError';
  constructor(
    readonly seed: number,
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

export interface SeedPoolOptions {
  /** Threads to use (default: defaultSeedWorkers()); never more than there are seeds. */
  workers?: number;
  /** Called as each seed finishes, in the order they finish (terminal progress only). */
  onDone?: (seed: number, done: number, total: number) => void;
}

/** min(os.availableParallelism(), SEED_WORKERS_MAX): one run per core. */
export function defaultSeedWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), SEED_WORKERS_MAX));
}

/** Runs `scenario` once per seed; `result[i]` is the summary of `seeds[i]`. */
export async function runSeeds(
  scenario: Scenario,
  seeds: readonly number[],
  options: SeedPoolOptions = {},
): Promise<Summary[]> {
  const wanted = options.workers ?? defaultSeedWorkers();
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > SEED_WORKERS_MAX) {
    throw new RangeError(`runSeeds: workers must be 1..${SEED_WORKERS_MAX}, got ${wanted}`);
  }
  const results: Summary[] = new Array<Summary>(seeds.length);
  const workers = Array.from({ length: Math.min(wanted, seeds.length) }, spawnWorker);
  let next = 0;
  let done = 0;
  let failed = false;
  const slot = async (worker: Worker): Promise<void> => {
    while (!failed && next < seeds.length) {
      const index = next++;
      const seed = seeds[index] as number;
      try {
        results[index] = await runOne(worker, { index, scenario: { ...scenario, seed } }, seed);
      } catch (err) {
        failed = true;
        throw err;
      }
      done += 1;
      options.onDone?.(seed, done, seeds.length);
    }
  };
  try {
    await Promise.all(workers.map(slot));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}

/** Sends one task and waits for its answer; a worker error or exit is the seed's failure. */
function runOne(worker: Worker, task: SeedTask, seed: number): Promise<Summary> {
  return new Promise<Summary>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (answer: SeedAnswer): void => {
      if (answer.index !== task.index) return;
      cleanup();
      if (answer.ok) resolve(answer.summary);
      else reject(new SeedRunError(seed, answer.message, answer.stack));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new SeedRunError(seed, err.message, err.stack ?? ''));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new SeedRunError(seed, `worker thread exited (code ${code}) during the run`, ''));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(task);
  });
}

/**
 * A worker running seed-worker. From the built CLI that is seed-worker.js next to this file;
 * from TypeScript sources (vitest, tsx) it is seed-worker.ts, which a worker can only load
 * after registering tsx's loader inside the thread (Node 20 does not pass --import hooks on).
 */
function spawnWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(fromSources ? './seed-worker.ts' : './seed-worker.js', import.meta.url);
  if (!fromSources) return new Worker(url);
  const boot =
    `import('tsx/esm/api').then((tsx) => { tsx.register(); ` +
    `return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}
