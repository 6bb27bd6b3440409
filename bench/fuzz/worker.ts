/**
 * One surface's campaign in a worker thread, so the main thread can watch it: the worker
 * writes the index of the input it is running, and the number done, into shared memory
 * (`heartbeat`); the main thread stops a worker whose index has not moved for
 * INPUT_STUCK_MS (a synchronous loop cannot time itself).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSurface, type Failure, type SurfaceResult } from './campaign.js';
import { surfaceByName, type SurfaceName, type SurfaceOptions } from './surfaces/index.js';

export interface WorkerJob {
  kind: 'fuzz-job';
  surface: SurfaceName;
  options: SurfaceOptions;
  seed: string;
  inputs: number;
  maxSeconds: number | undefined;
  /** Int32Array: [index of the input running, inputs done]. */
  heartbeat: SharedArrayBuffer;
  /** This module's URL (the boot script imports it through tsx). */
  entry: string;
}

export type WorkerReply =
  { type: 'result'; result: SurfaceResult } | { type: 'failure'; failure: Failure };

/** Slots of the heartbeat array. */
export const HEARTBEAT_INDEX = 0;
export const HEARTBEAT_DONE = 1;

const job = workerData as WorkerJob | null;
if (parentPort !== null && job?.kind === 'fuzz-job') {
  const heartbeat = new Int32Array(job.heartbeat);
  const result = await runSurface(surfaceByName(job.surface, job.options), {
    seed: job.seed,
    inputs: job.inputs,
    ...(job.maxSeconds === undefined ? {} : { maxSeconds: job.maxSeconds }),
    onInputStart: (index) => Atomics.store(heartbeat, HEARTBEAT_INDEX, index),
    onProgress: (done) => Atomics.store(heartbeat, HEARTBEAT_DONE, done),
    onFailure: (failure) =>
      parentPort?.postMessage({ type: 'failure', failure } satisfies WorkerReply),
  });
  parentPort.postMessage({ type: 'result', result } satisfies WorkerReply);
}
