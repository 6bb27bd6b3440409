/**
 * `p2pmsg sim --check-determinism`: run the same scenario twice in one process and name the
 * first engine event where the two runs differ (STYLE.md #13: one seed must replay a run
 * exactly, so a difference is a bug — a stray Math.random, a Map iterated in insertion order
 * that depends on timing, state leaking between runs through a module-level variable).
 *
 * Theory of operation. Both runs stream their engine events as trace lines (trace.ts) into
 * SHA-256 hashes of DETERMINISM_CHUNK_EVENTS lines each. The first run keeps only its chunk
 * digests; the second keeps the lines of its current chunk and compares each digest as the
 * chunk completes, stopping at the first mismatch. To show the first run's side of that chunk,
 * the first run is replayed up to the chunk's end (a third run), and the two chunks are
 * compared line by line. Memory: one digest per chunk plus two chunks of lines, whatever the
 * length of the run. If every event agrees, the two summary.json texts are compared too.
 *
 * `compareRuns` takes the runs as functions, so tests can compare two different seeds or
 * inject a difference through the same code path the CLI uses.
 */

import { createHash, type Hash } from 'node:crypto';
import type { EngineEvent } from '../engine/types.js';
import { DETERMINISM_CHUNK_EVENTS } from './limits.js';
import { type RunOptions, runScenario } from './runner.js';
import type { Scenario } from './scenario.js';
import { formatSummaryJson, type Summary } from './summary.js';
import { traceLine, type TraceRecord } from './trace.js';

export type TraceHook = (node: number, event: EngineEvent, now: number) => void;

/** One run: calls `onTrace` for every engine event, in order, and returns the run's summary. */
export type TracedRun = (onTrace: TraceHook) => Summary;

export type DeterminismResult =
  | { deterministic: true; events: number; traceHash: string }
  | {
      deterministic: false;
      kind: 'event';
      /** 0-based index of the first differing engine event. */
      index: number;
      /** Each run's version of that event; null when that run had ended before it. */
      first: TraceRecord | null;
      second: TraceRecord | null;
      /** Set when the replay of the first run did not repeat it either. */
      note?: string;
    }
  | {
      deterministic: false;
      kind: 'summary';
      /** 1-based line of summary.json where the texts first differ, and both lines. */
      line: number;
      first: string | null;
      second: string | null;
    };

export interface CompareOptions {
  /** Engine events per hashed chunk (tests make it small to cross chunk borders). */
  chunkEvents?: number;
  /** Replays the first run to show its side of a difference (default: `first` again). */
  replayFirst?: TracedRun;
}

/** Thrown from a trace hook to end a run early; caught here, never escapes. */
class StopRun extends Error {}

/** SHA-256 over consecutive chunks of `size` lines; calls `onChunk` as each one completes. */
class ChunkHasher {
  count = 0;
  private hash: Hash = createHash('sha256');

  constructor(
    private readonly size: number,
    private readonly onChunk: (chunk: number, digest: string) => void,
  ) {}

  add(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
    this.count += 1;
    if (this.count % this.size === 0) this.emit(this.count / this.size - 1);
  }

  /** Emits the last, partial chunk (if any). */
  end(): void {
    if (this.count % this.size !== 0) this.emit(Math.floor(this.count / this.size));
  }

  private emit(chunk: number): void {
    const digest = this.hash.digest('hex');
    this.hash = createHash('sha256');
    this.onChunk(chunk, digest);
  }
}

/** Runs `first` and `second` and reports the first engine event (or summary line) that differs. */
export function compareRuns(
  first: TracedRun,
  second: TracedRun,
  options: CompareOptions = {},
): DeterminismResult {
  const size = options.chunkEvents ?? DETERMINISM_CHUNK_EVENTS;
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunkEvents must be ≥ 1');

  const digests: string[] = [];
  const a = new ChunkHasher(size, (_chunk, digest) => digests.push(digest));
  const summaryA = first((node, event, now) => a.add(traceLine(node, event, now)));
  a.end();

  // The second run: compare chunk by chunk, keep only the current chunk's lines.
  let lines: string[] = [];
  let mismatch: number | null = null;
  const b = new ChunkHasher(size, (chunk, digest) => {
    if (digest !== digests[chunk]) {
      mismatch = chunk;
      throw new StopRun();
    }
    lines = [];
  });
  let summaryB: Summary | null = null;
  try {
    summaryB = second((node, event, now) => {
      const line = traceLine(node, event, now);
      lines.push(line);
      b.add(line);
    });
    b.end();
  } catch (err) {
    if (!(err instanceof StopRun)) throw err;
  }
  // The second run ended on a chunk border while the first went on.
  if (mismatch === null && b.count < a.count && b.count % size === 0) mismatch = b.count / size;
  if (mismatch !== null) {
    return locate(options.replayFirst ?? first, mismatch, size, lines, digests[mismatch]);
  }

  const textA = formatSummaryJson(summaryA);
  const textB = formatSummaryJson(summaryB as unknown as Summary);
  if (textA !== textB) return summaryDifference(textA, textB);
  return { deterministic: true, events: a.count, traceHash: summaryA.traceHash };
}

/** Replays the first run up to the end of `chunk` and finds the first line that differs. */
function locate(
  replay: TracedRun,
  chunk: number,
  size: number,
  secondLines: readonly string[],
  firstDigest: string | undefined,
): DeterminismResult {
  const start = chunk * size;
  const firstLines: string[] = [];
  let seen = 0;
  try {
    replay((node, event, now) => {
      if (seen >= start) firstLines.push(traceLine(node, event, now));
      seen += 1;
      if (seen === start + size) throw new StopRun();
    });
  } catch (err) {
    if (!(err instanceof StopRun)) throw err;
  }
  const digest = createHash('sha256');
  for (const line of firstLines) digest.update(`${line}\n`);
  const replayed =
    firstLines.length === 0 && firstDigest === undefined
      ? true
      : digest.digest('hex') === firstDigest;
  const note = replayed
    ? undefined
    : 'the replay of the first run differed from the first run too; its version is shown';

  const length = Math.max(firstLines.length, secondLines.length);
  for (let i = 0; i < length; i++) {
    if (firstLines[i] !== secondLines[i]) {
      return {
        deterministic: false,
        kind: 'event',
        index: start + i,
        first: parseLine(firstLines[i]),
        second: parseLine(secondLines[i]),
        ...(note === undefined ? {} : { note }),
      };
    }
  }
  // The replay matched the second run, not the first: only the chunk is known.
  return {
    deterministic: false,
    kind: 'event',
    index: start,
    first: null,
    second: null,
    note:
      `the runs differ within engine events ${start}..${start + size - 1}, but a replay of ` +
      'the first run matched the second: the first run was the odd one out',
  };
}

function parseLine(line: string | undefined): TraceRecord | null {
  return line === undefined ? null : (JSON.parse(line) as TraceRecord);
}

function summaryDifference(textA: string, textB: string): DeterminismResult {
  const a = textA.split('\n');
  const b = textB.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return {
    deterministic: false,
    kind: 'summary',
    line: i + 1,
    first: a[i] ?? null,
    second: b[i] ?? null,
  };
}

/** What one run of the runner returns (summary, and the measurements behind the report). */
export type RunOutput = ReturnType<typeof runScenario>;

/**
 * Checks one scenario: two runs, same seed, same process. Also returns the first run's
 * output, so the caller can write its report without a third run.
 */
export function checkScenarioDeterminism(
  scenario: Scenario,
  options: {
    /** Also sees every event of the first run (the CLI's --trace writer). */
    onFirstTrace?: TraceHook;
    /** Simulated progress of run 1, 2 (and 3, the replay that locates a difference). */
    onProgress?: (run: number, nowMs: number, totalMs: number) => void;
    chunkEvents?: number;
  } = {},
): { verdict: DeterminismResult; firstRun: RunOutput } {
  let firstRun: RunOutput | undefined;
  const run =
    (index: number, extra?: TraceHook): TracedRun =>
    (onTrace) => {
      const hook: TraceHook =
        extra === undefined
          ? onTrace
          : (node, event, now) => {
              extra(node, event, now);
              onTrace(node, event, now);
            };
      const runOptions: RunOptions = { onTrace: hook };
      const onProgress = options.onProgress;
      if (onProgress !== undefined) {
        runOptions.onProgress = (now, total) => onProgress(index, now, total);
      }
      const output = runScenario(scenario, runOptions);
      if (index === 1) firstRun = output;
      return output.summary;
    };
  const verdict = compareRuns(run(1, options.onFirstTrace), run(2), {
    replayFirst: run(3),
    ...(options.chunkEvents === undefined ? {} : { chunkEvents: options.chunkEvents }),
  });
  return { verdict, firstRun: firstRun as RunOutput };
}

/** The lines that explain a difference (for stderr), without the `error:` prefix. */
export function describeDifference(result: DeterminismResult): string[] {
  if (result.deterministic) return [];
  if (result.kind === 'summary') {
    return [
      `not deterministic: every engine event agrees, but summary.json differs at line ${result.line}`,
      `  first run:  ${result.first ?? '(ends here)'}`,
      `  second run: ${result.second ?? '(ends here)'}`,
    ];
  }
  const at = result.first ?? result.second;
  const where = at === null ? '' : ` (t=${at.t} ms, node ${at.node})`;
  const show = (record: TraceRecord | null): string =>
    record === null ? '(no such event: the run had ended)' : JSON.stringify(record);
  const versions =
    result.first === null && result.second === null
      ? []
      : [`  first run:  ${show(result.first)}`, `  second run: ${show(result.second)}`];
  return [
    `not deterministic: the runs first differ at engine event ${result.index}${where}`,
    ...versions,
    ...(result.note === undefined ? [] : [`  note: ${result.note}`]),
  ];
}
