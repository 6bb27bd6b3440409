/**
 * The fuzzing loop every surface shares.
 *
 * Theory of operation. A *surface* is one place where hostile input enters p2pmsg. It opens
 * a session (fixtures: captured traffic, a node, a socket server), then for each index draws
 * an input (a pure function of seed, surface and index: random.ts) and runs it. Running an
 * input answers an outcome label ('ok', 'error:bad-mac', …) for the tallies, or throws:
 * - a throw is a failure, whatever it is: the surface's typed error never escapes `run` (the
 *   surface turns it into a label), so anything thrown is a crash or a broken invariant;
 * - an input slower than INPUT_HANG_MS is a failure ('hang'). On a busy shared machine a
 *   scheduling stall can stretch any input, so an input of a stateless surface is run once
 *   more first: it is a hang only if it is slow again; if not, it is counted in `slowOnce`;
 * - an unhandled rejection is a failure of the input that left it (the loop lets the event
 *   loop turn after every input, so it is seen before the next one starts).
 * Failures carry the seed and index that rebuild the input (`npm run fuzz -- --surface S
 * --seed X --replay I`). Inputs of a stateful surface (a node) depend on the ones before
 * them in their *episode*; a replay runs the episode from its start.
 *
 * Memory is measured after a full GC (`--expose-gc`) once the session is open and again
 * after the last input, before the session closes.
 */
import type fc from 'fast-check';
import {
  FAILURES_KEPT,
  INPUT_HANG_MS,
  INPUT_SHOWN_MAX_CHARS,
  OUTCOME_LABELS_MAX,
} from './limits.js';
import { drawInput } from './random.js';

export interface Session<I> {
  /** Input `index` (deterministic in the campaign's seed and the index). */
  input(index: number): I;
  /**
   * Runs one input. Returns an outcome label; throws on a crash or a broken invariant. A
   * stateful surface starts a fresh episode when `index % episodeInputs === 0`, and when
   * `fresh` says the run starts here (first input, or after a failure).
   */
  run(input: I, index: number, fresh: boolean): string | Promise<string>;
  /** The input for a failure report. */
  show(input: I): string;
  close?(): void | Promise<void>;
}

export interface Surface<I = unknown> {
  name: string;
  /** What the surface answers bad input with (reported; never thrown out of `run`). */
  typedError: string;
  /** Inputs that share state (1: every input stands alone). */
  episodeInputs: number;
  open(seed: string): Session<I> | Promise<Session<I>>;
}

export type FailureKind = 'throw' | 'hang' | 'unhandled-rejection';

export interface Failure {
  kind: FailureKind;
  seed: string;
  index: number;
  message: string;
  input: string;
  ms: number;
}

export interface MemorySample {
  heapUsedMB: number;
  arrayBuffersMB: number;
}

export interface SurfaceResult {
  surface: string;
  typedError: string;
  seed: string;
  firstIndex: number;
  inputs: number;
  failures: number;
  failuresByKind: Partial<Record<FailureKind, number>>;
  failureSamples: Failure[];
  outcomes: Record<string, number>;
  /** Inputs over INPUT_HANG_MS once but not when run again (machine noise, not hangs). */
  slowOnce: number;
  seconds: number;
  inputsPerSecond: number;
  slowestInputMs: number;
  slowestIndex: number;
  memoryBefore: MemorySample;
  memoryAfter: MemorySample;
  /** Why the run ended before `inputs` (time budget, or the watchdog's verdict). */
  stopped?: string;
}

export interface RunOptions {
  seed: string;
  inputs: number;
  /** First index (a replay starts at its episode's first input). */
  firstIndex?: number;
  /** Stop after this long (the inputs done are reported), for surfaces too slow for `inputs`. */
  maxSeconds?: number;
  /** Called as each input starts, with its index (the watchdog's heartbeat): keep it cheap. */
  onInputStart?: (index: number) => void;
  /** Called every thousand inputs with the inputs done so far. */
  onProgress?: (done: number) => void;
  /** Called on every failure as it happens (kept even if the run is killed later). */
  onFailure?: (failure: Failure) => void;
}

const MB = 1024 * 1024;
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

/** Heap after a full collection, when the process runs with --expose-gc. */
export function measureMemory(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsedMB: round(heapUsed / MB), arrayBuffersMB: round(arrayBuffers / MB) };
}

function clip(text: string): string {
  return text.length <= INPUT_SHOWN_MAX_CHARS ? text : `${text.slice(0, INPUT_SHOWN_MAX_CHARS)}…`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const frames = (err.stack ?? '').split('\n').slice(1, 6).join('\n');
    return `${err.name}: ${err.message}\n${frames}`;
  }
  return String(err);
}

/** How long `input` takes when run again (a throw now counts as slow: it was not before). */
async function timeAgain<I>(session: Session<I>, input: I, index: number): Promise<number> {
  const t0 = performance.now();
  try {
    await session.run(input, index, false);
  } catch {
    return Infinity;
  }
  return performance.now() - t0;
}

/** Runs `options.inputs` inputs of `surface`; never throws for a failing input. */
export async function runSurface<I>(
  surface: Surface<I>,
  options: RunOptions,
): Promise<SurfaceResult> {
  const { seed, inputs } = options;
  const firstIndex = options.firstIndex ?? 0;
  const session = await surface.open(seed);
  const samples: Failure[] = [];
  const byKind: Partial<Record<FailureKind, number>> = {};
  let failures = 0;
  const outcomes = new Map<string, number>();
  let current = { index: -1, input: undefined as I | undefined };

  const fail = (kind: FailureKind, index: number, message: string, input: string, ms = 0) => {
    failures++;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const failure = { kind, seed, index, message, input, ms };
    if (samples.length < FAILURES_KEPT) samples.push(failure);
    options.onFailure?.(failure);
  };
  const onRejection = (reason: unknown): void => {
    const input = current.input === undefined ? '' : clip(session.show(current.input));
    fail('unhandled-rejection', current.index, describeError(reason), input);
  };
  process.on('unhandledRejection', onRejection);

  const memoryBefore = measureMemory();
  let slowestInputMs = 0;
  let slowestIndex = firstIndex;
  let slowOnce = 0;
  let fresh = true;
  let done = 0;
  let stopped: string | undefined;
  const started = performance.now();
  try {
    for (let index = firstIndex; index < firstIndex + inputs; index++) {
      if (
        options.maxSeconds !== undefined &&
        done % 256 === 0 &&
        performance.now() - started > options.maxSeconds * 1000
      ) {
        stopped = `time budget of ${options.maxSeconds} s`;
        break;
      }
      options.onInputStart?.(index);
      const input = session.input(index);
      current = { index, input };
      const t0 = performance.now();
      let outcome: string;
      try {
        const result = session.run(input, index, fresh);
        outcome = typeof result === 'string' ? result : await result;
        fresh = false;
      } catch (err) {
        outcome = 'failure';
        fresh = true; // a stateful surface's state is suspect after a throw
        fail('throw', index, describeError(err), clip(session.show(input)));
      }
      const ms = performance.now() - t0;
      if (ms > slowestInputMs) {
        slowestInputMs = ms;
        slowestIndex = index;
      }
      if (ms > INPUT_HANG_MS) {
        const again = surface.episodeInputs === 1 ? await timeAgain(session, input, index) : ms;
        if (again > INPUT_HANG_MS) {
          const took =
            `took ${Math.round(ms)} ms` + (again === ms ? '' : `, ${Math.round(again)} ms again`);
          fail('hang', index, took, clip(session.show(input)), ms);
        } else slowOnce++;
      }
      const label = outcomes.has(outcome) || outcomes.size < OUTCOME_LABELS_MAX ? outcome : 'other';
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      // Let the event loop turn: a rejection this input left unhandled is reported now,
      // against this input, and not after the whole (otherwise synchronous) campaign.
      await new Promise((resolve) => setImmediate(resolve));
      done++;
      if (done % 1000 === 0) options.onProgress?.(done);
    }
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  const seconds = (performance.now() - started) / 1000;
  const memoryAfter = measureMemory();
  try {
    await session.close?.();
  } catch (err) {
    fail('throw', firstIndex + done, `closing the session: ${describeError(err)}`, '');
  }
  return {
    surface: surface.name,
    typedError: surface.typedError,
    seed,
    firstIndex,
    inputs: done,
    failures,
    failuresByKind: byKind,
    failureSamples: samples,
    slowOnce,
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
    seconds: round(seconds),
    inputsPerSecond: Math.round(done / Math.max(seconds, 1e-9)),
    slowestInputMs: round(slowestInputMs),
    slowestIndex,
    memoryBefore,
    memoryAfter,
    ...(stopped === undefined ? {} : { stopped }),
  };
}

/**
 * A surface whose inputs stand alone: `prepare` (run once per campaign) gives the input
 * arbitrary and the check that labels one input.
 */
export function statelessSurface<I>(spec: {
  name: string;
  typedError: string;
  prepare: () => { arbitrary: fc.Arbitrary<I>; run: (input: I) => string };
  show: (input: I) => string;
}): Surface<I> {
  const { name, typedError, prepare, show } = spec;
  return {
    name,
    typedError,
    episodeInputs: 1,
    open(seed) {
      const { arbitrary, run } = prepare();
      return { input: (index) => drawInput(arbitrary, seed, name, index), run, show };
    },
  };
}

/** Hex of the first bytes, for failure reports. */
export function showBytes(bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.subarray(0, INPUT_SHOWN_MAX_CHARS / 2)).toString('hex');
  return `${bytes.length} bytes: ${shown}${bytes.length > INPUT_SHOWN_MAX_CHARS / 2 ? '…' : ''}`;
}

/** Thrown by surfaces when an output or a state breaks a rule the surface checks. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}
