/**
 * The worker thread of a `--seeds` run (seed-pool.ts): runs each scenario it is sent and
 * posts back its summary, or the error with its stack. One run at a time; the pool sends the
 * next scenario when the previous answer arrives, and terminates the worker at the end.
 */

import { parentPort } from 'node:worker_threads';
import { runScenario } from './runner.js';
import type { SeedTask, SeedAnswer } from './seed-pool.js';

const port = parentPort;
if (port === null) throw new Error('seed-worker.ts runs only as a worker thread (seed-pool.ts)');

port.on('message', (task: SeedTask) => {
  let answer: SeedAnswer;
  try {
    answer = { index: task.index, ok: true, summary: runScenario(task.scenario).summary };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    answer = { index: task.index, ok: false, message: error.message, stack: error.stack ?? '' };
  }
  port.postMessage(answer);
});
