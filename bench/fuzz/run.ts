/**
 * `npm run fuzz [-- --seed S] [--inputs N] [--surface NAME …] [--max-seconds T]
 *   [--crypto real|modelled] [--replay INDEX]`
 *
 * The fuzzing campaigns of issue 8: every surface (surfaces/index.ts), one after the other,
 * each in a worker thread watched for stuck inputs, CAMPAIGN_INPUTS_DEFAULT inputs each
 * unless told otherwise. Results go to reports/bench/fuzz.json (surfaces not run this time
 * keep their last entry). The exit code is 1 if any surface failed.
 *
 * `--replay INDEX` (with one `--surface`) rebuilds that input from the seed, runs it in this
 * process (from the start of its episode, for a stateful surface) and prints it in full with
 * its outcome: the way from a reported failure to a regression test.
 *
 * Run with `node --expose-gc` (npm run fuzz does) so memory is measured after a full GC.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { runSurface, type Failure, type SurfaceResult } from './campaign.js';
import {
  CAMPAIGN_INPUTS_DEFAULT,
  FAILURES_KEPT,
  INPUT_HANG_MS,
  INPUT_STUCK_MS,
  PROGRESS_EVERY_MS,
  WATCHDOG_POLL_MS,
} from './limits.js';
import {
  isSurfaceName,
  SURFACE_NAMES,
  surfaceByName,
  type SurfaceName,
  type SurfaceOptions,
} from './surfaces/index.js';
import { HEARTBEAT_DONE, HEARTBEAT_INDEX, type WorkerJob, type WorkerReply } from './worker.js';

const REPORT_PATH = 'reports/bench/fuzz.json';
const WORKER_URL = new URL('./worker.ts', import.meta.url).href;
/** Workers cannot inherit tsx's loader on Node 20: the boot script imports through it. */
const BOOT = `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));
`;

export interface CampaignOptions {
  seed: string;
  inputs: number;
  surfaces: readonly SurfaceName[];
  maxSeconds?: number;
  surfaceOptions: SurfaceOptions;
  /** Progress lines (to stderr by default). */
  log?: (line: string) => void;
}

/**
 * A result for a worker that never answered: what the watchdog knows (the failures the
 * worker reported before, the last one, and the inputs done at the last heartbeat).
 */
function abandoned(
  surface: SurfaceName,
  seed: string,
  heartbeat: Int32Array,
  earlier: readonly Failure[],
  last: Pick<Failure, 'kind' | 'message'>,
  seconds: number,
): SurfaceResult {
  const index = Atomics.load(heartbeat, HEARTBEAT_INDEX);
  const done = Atomics.load(heartbeat, HEARTBEAT_DONE);
  const nothing = { heapUsedMB: 0, arrayBuffersMB: 0 };
  const failures = [...earlier, { ...last, seed, index, input: '(see --replay)', ms: 0 }];
  const byKind: SurfaceResult['failuresByKind'] = {};
  for (const f of failures) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  return {
    surface,
    typedError: '',
    seed,
    firstIndex: 0,
    inputs: done,
    failures: failures.length,
    failuresByKind: byKind,
    failureSamples: failures.slice(0, FAILURES_KEPT),
    slowOnce: 0,
    outcomes: {},
    seconds: Math.round(seconds * 100) / 100,
    inputsPerSecond: Math.round(done / Math.max(seconds, 1e-9)),
    slowestInputMs: 0,
    slowestIndex: index,
    memoryBefore: nothing,
    memoryAfter: nothing,
    stopped: `${last.kind} at index ${index}: ${last.message}`,
  };
}

/** One surface in a worker, watched; resolves with its result whatever happens. */
function runInWorker(
  surface: SurfaceName,
  options: CampaignOptions,
  log: (line: string) => void,
): Promise<SurfaceResult> {
  const heartbeat = new Int32Array(new SharedArrayBuffer(8));
  Atomics.store(heartbeat, HEARTBEAT_INDEX, -1);
  const job: WorkerJob = {
    kind: 'fuzz-job',
    surface,
    options: options.surfaceOptions,
    seed: options.seed,
    inputs: options.inputs,
    maxSeconds: options.maxSeconds,
    heartbeat: heartbeat.buffer as SharedArrayBuffer,
    entry: WORKER_URL,
  };
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  return new Promise((resolveResult) => {
    const worker = new Worker(BOOT, { eval: true, workerData: job });
    let settled = false;
    const failures: Failure[] = [];
    let lastIndex = -2;
    let sameSince = performance.now();
    let lastLog = performance.now();
    const settle = (result: SurfaceResult): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolveResult(result);
    };
    const watchdog = setInterval(() => {
      const index = Atomics.load(heartbeat, HEARTBEAT_INDEX);
      const now = performance.now();
      if (index !== lastIndex) {
        lastIndex = index;
        sameSince = now;
      } else if (index >= 0 && now - sameSince > INPUT_STUCK_MS) {
        stop({ kind: 'hang', message: `input still running after ${INPUT_STUCK_MS} ms` });
      }
      if (now - lastLog > PROGRESS_EVERY_MS) {
        lastLog = now;
        const done = Atomics.load(heartbeat, HEARTBEAT_DONE);
        log(
          `fuzz ${surface}: ${done.toLocaleString('en')} inputs, ${Math.round(done / seconds())}/s`,
        );
      }
    }, WATCHDOG_POLL_MS);
    const stop = (last: Pick<Failure, 'kind' | 'message'>): void =>
      settle(abandoned(surface, options.seed, heartbeat, failures, last, seconds()));
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'result') return settle(reply.result);
      failures.push(reply.failure);
      log(`fuzz ${surface}: FAILURE ${JSON.stringify(reply.failure)}`);
    });
    worker.on('error', (err) =>
      stop({ kind: 'throw', message: `uncaught in the worker: ${err.stack ?? err.message}` }),
    );
    worker.on('exit', (code) =>
      stop({ kind: 'throw', message: `worker exited (code ${code}) without a result` }),
    );
  });
}

/** Runs the campaign and returns the report (the `fuzz` entry of bench/run.ts). */
export async function runFuzzBench(
  options: Partial<CampaignOptions> = {},
): Promise<Record<string, unknown>> {
  const full: CampaignOptions = {
    seed: '1',
    inputs: CAMPAIGN_INPUTS_DEFAULT,
    surfaces: SURFACE_NAMES,
    surfaceOptions: { crypto: 'real' },
    ...options,
  };
  const log = full.log ?? ((line: string) => console.error(line));
  const loadBefore = loadavg()[0] as number;
  const surfaces: Record<string, SurfaceResult> = {};
  for (const surface of full.surfaces) {
    log(`fuzz ${surface}: ${full.inputs.toLocaleString('en')} inputs, seed ${full.seed}`);
    const result = await runInWorker(surface, full, log);
    surfaces[surface] = result;
    log(
      `fuzz ${surface}: ${result.inputs.toLocaleString('en')} inputs in ${result.seconds} s ` +
        `(${result.inputsPerSecond}/s), ${result.failures} failures, heap ` +
        `${result.memoryBefore.heapUsedMB} → ${result.memoryAfter.heapUsedMB} MB` +
        (result.stopped === undefined ? '' : `, stopped: ${result.stopped}`),
    );
  }
  return {
    benchmark: 'fuzz',
    node: process.version,
    inputHangMs: INPUT_HANG_MS,
    inputStuckMs: INPUT_STUCK_MS,
    nodeCrypto: full.surfaceOptions.crypto,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    surfaces,
  };
}

/** Rebuilds input `index` of `surface`, runs its episode up to it, prints it in full. */
async function replay(
  surface: SurfaceName,
  seed: string,
  index: number,
  surfaceOptions: SurfaceOptions,
): Promise<boolean> {
  const target = surfaceByName(surface, surfaceOptions);
  const firstIndex = index - (index % target.episodeInputs);
  const result = await runSurface(target, { seed, inputs: index - firstIndex + 1, firstIndex });
  const session = await target.open(seed);
  const input = session.input(index);
  await session.close?.();
  const full = JSON.stringify(input, (_key, value: unknown) =>
    value instanceof Uint8Array ? `hex:${Buffer.from(value).toString('hex')}` : value,
  );
  console.log(`surface ${surface}, seed ${seed}, index ${index} (episode from ${firstIndex})`);
  console.log(`input: ${full}`);
  console.log(`outcomes of the episode: ${JSON.stringify(result.outcomes)}`);
  for (const failure of result.failureSamples) console.log(JSON.stringify(failure, null, 2));
  return result.failures === 0;
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

function positiveInteger(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) fail(`${what} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      inputs: { type: 'string' },
      surface: { type: 'string', multiple: true },
      'max-seconds': { type: 'string' },
      crypto: { type: 'string', default: 'real' },
      replay: { type: 'string' },
    },
    strict: true,
  });
  const names = (values.surface ?? []).flatMap((s) => s.split(','));
  for (const name of names) {
    if (!isSurfaceName(name)) fail(`unknown surface ${name}; known: ${SURFACE_NAMES.join(', ')}`);
  }
  const surfaces = names.length === 0 ? SURFACE_NAMES : (names as SurfaceName[]);
  const crypto = values.crypto;
  if (crypto !== 'real' && crypto !== 'modelled') fail('--crypto must be real or modelled');
  const surfaceOptions: SurfaceOptions = { crypto };
  const replayIndex = positiveInteger(values.replay, '--replay');
  if (replayIndex !== undefined) {
    if (surfaces.length !== 1) fail('--replay needs exactly one --surface');
    const ok = await replay(surfaces[0] as SurfaceName, values.seed, replayIndex, surfaceOptions);
    process.exitCode = ok ? 0 : 1;
    return;
  }
  const maxSeconds = positiveInteger(values['max-seconds'], '--max-seconds');
  const report = await runFuzzBench({
    seed: values.seed,
    inputs: positiveInteger(values.inputs, '--inputs') ?? CAMPAIGN_INPUTS_DEFAULT,
    surfaces,
    surfaceOptions,
    ...(maxSeconds === undefined ? {} : { maxSeconds }),
  });
  // Surfaces not run this time keep their last entry.
  const out = resolve(REPORT_PATH);
  const previous = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as { surfaces?: Record<string, unknown> })
    : {};
  const merged = {
    ...report,
    surfaces: { ...previous.surfaces, ...(report['surfaces'] as object) },
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
  console.log(`wrote ${out}`);
  const results = Object.values(report['surfaces'] as Record<string, SurfaceResult>);
  process.exitCode = results.some((r) => r.failures > 0) ? 1 : 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) await main();
