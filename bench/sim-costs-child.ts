/**
 * One simulator run with every engine input timed (bench/sim-costs.ts): the engine's own
 * time per input, by kind (a frame by its message type, a tick by the timers it fired), and
 * then the same ping input again and again on one engine, so that everything it touches
 * stays in the caches. Argument: JSON `{ file, sets, stopMinutes? }`. Prints one JSON line.
 *
 * The timing wraps `Node.prototype.handle` (and notes which timers `TimerTable.takeDue`
 * returned) in this process only: the engine and the simulator are the ones `p2pmsg sim`
 * runs, and what they compute is unchanged (the summary's trace hash says so).
 */
import { readFileSync } from 'node:fs';
import { Node } from '../src/engine/node.js';
import { TimerTable } from '../src/engine/timers.js';
import type { Input, Millis } from '../src/engine/types.js';
import { encodeMessage, messageTypeOf } from '../src/engine/wire/codec.js';
import { FRAME_HEADER_BYTES } from '../src/engine/wire/limits.js';
import { applyOverrides, parseAssignment } from '../src/sim/overrides.js';
import { runScenario } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';
import type { SimWorld } from '../src/sim/world.js';

export interface SimCostsRequest {
  file: string;
  sets: string[];
  /** Stop after this many simulated minutes (default: the scenario's duration). */
  stopMinutes?: number;
}

export interface InputCost {
  input: string;
  count: number;
  /** Mean engine time per input, the clock's own cost taken off (µs). */
  meanUs: number;
  /** Share of all the engine's time. */
  percent: number;
}

export interface SimCostsResult {
  nodes: number;
  simulatedMinutes: number;
  wallMs: number;
  /** Time inside the engines' `handle`, all inputs (ms). */
  engineMs: number;
  /** The run's events and trace hash; null and a note when `stopMinutes` ended it early. */
  events: number | null;
  traceHash: string;
  /** What one pair of clock reads costs, taken off every input (ns). */
  clockNs: number;
  inputs: InputCost[];
  /** A ping frame handled during the run, and again and again on one engine after it (µs). */
  ping: { inRunUs: number; warmUs: number; ratio: number };
}

/** Pings handled per warm batch, and batches (the median is reported). */
const WARM_PINGS = 100_000;
const WARM_BATCHES = 5;
/** Clock reads to price a read pair. */
const CLOCK_SAMPLES = 200_000;

class Stop extends Error {}

const request = JSON.parse(process.argv[2] ?? '{}') as SimCostsRequest;
const text = applyOverrides(
  readFileSync(request.file, 'utf8'),
  request.sets.map((s) => parseAssignment(s)),
);
const scenario = parseScenario(text, request.file);
const now = (): bigint => process.hrtime.bigint();

function clockPairNs(): number {
  let total = 0n;
  for (let i = 0; i < CLOCK_SAMPLES; i++) {
    const t0 = now();
    total += now() - t0;
  }
  return Number(total) / CLOCK_SAMPLES;
}

const totals = new Map<string, { count: number; ns: number }>();
let fired: readonly string[] = [];
const takeDue = TimerTable.prototype.takeDue;
TimerTable.prototype.takeDue = function (this: TimerTable<string>, at: Millis) {
  fired = takeDue.call(this, at);
  return fired as never;
};

function inputKind(input: Input): string {
  switch (input.type) {
    case 'frame':
      return `frame ${messageTypeOf(input.bytes[FRAME_HEADER_BYTES - 1] as number) ?? 'unknown'}`;
    case 'tick':
      return `tick ${fired.length === 0 ? '(nothing due)' : fired.join('+')}`;
    case 'command':
      return `command ${input.command.type}`;
    default:
      return input.type;
  }
}

const handle = Node.prototype.handle;
Node.prototype.handle = function (this: Node, input: Input, at: Millis) {
  fired = [];
  const t0 = now();
  const out = handle.call(this, input, at);
  const ns = Number(now() - t0);
  const kind = inputKind(input);
  const entry = totals.get(kind);
  if (entry === undefined) totals.set(kind, { count: 1, ns });
  else {
    entry.count += 1;
    entry.ns += ns;
  }
  return out;
};

const clockNs = clockPairNs();
let world: SimWorld | undefined;
let simulatedMs = scenario.durationMs;
const started = now();
let summary: { events: number; traceHash: string } | undefined;
try {
  summary = runScenario(scenario, {
    observe: { attach: (w) => void (world = w) },
    onProgress: (nowMs) => {
      if (request.stopMinutes !== undefined && nowMs >= request.stopMinutes * 60_000) {
        simulatedMs = nowMs;
        throw new Stop();
      }
    },
  }).summary;
} catch (error) {
  if (!(error instanceof Stop)) throw error;
}
const wallMs = Number(now() - started) / 1e6;

/** The run's last live engine with a ready link: pings on that link, time moving a second each. */
function warmPingUs(): number {
  const net = (world as SimWorld).net;
  for (const index of net.liveNodes().reverse()) {
    const engine = net.engineOf(index) as Node;
    // The link table is private to the engine; this benchmark reads it, nothing else does.
    const { links } = engine as unknown as {
      links: { readyLinks(): IterableIterator<{ id: number }> };
    };
    const link = links.readyLinks().next().value;
    if (link === undefined) continue;
    const bytes = encodeMessage({ type: 'ping' });
    let at = net.now;
    const batches: number[] = [];
    for (let b = 0; b < WARM_BATCHES; b++) {
      const t0 = now();
      for (let i = 0; i < WARM_PINGS; i++) {
        at += 1_000;
        handle.call(engine, { type: 'frame', link: link.id, bytes }, at); // unwrapped: not in totals
      }
      batches.push(Number(now() - t0) / WARM_PINGS);
    }
    batches.sort((x, y) => x - y);
    return (batches[Math.floor(WARM_BATCHES / 2)] as number) / 1000;
  }
  throw new Error('no live engine with a ready link to time');
}

let engineNs = 0;
for (const { count, ns } of totals.values()) engineNs += ns - count * clockNs;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const inputs: InputCost[] = [...totals]
  .map(([input, { count, ns }]) => ({
    input,
    count,
    meanUs: round((ns / count - clockNs) / 1000, 2),
    percent: round((100 * (ns - count * clockNs)) / engineNs, 1),
  }))
  .sort((a, b) => b.percent - a.percent);
const inRunUs = inputs.find((c) => c.input === 'frame ping')?.meanUs ?? NaN;
const warmUs = round(warmPingUs(), 3);
const result: SimCostsResult = {
  nodes: scenario.nodes,
  simulatedMinutes: round(simulatedMs / 60_000, 1),
  wallMs: Math.round(wallMs),
  engineMs: Math.round(engineNs / 1e6),
  events: summary?.events ?? null,
  traceHash: summary?.traceHash ?? '(stopped early: no summary)',
  clockNs: round(clockNs, 1),
  inputs,
  ping: { inRunUs, warmUs, ratio: round(inRunUs / warmUs, 1) },
};
console.log(JSON.stringify(result));
