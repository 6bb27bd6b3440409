/**
 * The run as a time series (metrics.csv and the "over time" plots): one row per sampling
 * interval of simulated time.
 *
 * Theory of operation. The runner samples the world at the end of every interval, between
 * two `runUntil` calls, so sampling adds no event to the scheduler and changes neither the
 * trace hash nor any other metric. What must be read while the run goes (live nodes, bytes
 * sent, the active-view sizes) is read then; everything the trackers keep anyway (when each
 * message was sent and delivered, what each probe reached) is binned once at the end, so a
 * probe's coverage is its final coverage, not a snapshot of it in flight.
 *
 * Rules:
 * 1. Row i covers the simulated time (t(i-1), t(i)], t(i) = (i + 1) × interval, the last row
 *    ending at the end of the run (it may be shorter); an event at time t belongs to the row
 *    that ends at or after t, as `runUntil(t)` processes events at time t before the sample.
 * 2. Degrees come from the engines' neighbourUp/neighbourDown events (each carries the new
 *    active-view size); a node that goes down counts 0 until its next life reports again.
 * 3. "No value" (no live node, no message yet, no probe in the window) is null, a blank cell.
 */
import { SECOND_MS } from './limits.js';

/** Sampling interval: 10 s of simulated time resolves a 15 s failure detector's reaction. */
export const SERIES_INTERVAL_MS = 10 * SECOND_MS;
/**
 * Rows per run at most: a long run samples more coarsely (whole seconds) instead of writing
 * an unbounded file; 2,000 points is more than a plot can show.
 */
export const SERIES_ROWS_MAX = 2_000;

export interface SeriesRow {
  /** End of the row's interval, in seconds of simulated time. */
  timeS: number;
  /** Live nodes at the end of the interval. */
  liveNodes: number;
  /** End-to-end messages the workload sent in the interval. */
  messagesSent: number;
  /** Messages first delivered to their target in the interval. */
  messagesDelivered: number;
  /** Delivered so far / sent so far (in-flight messages count as not yet delivered). */
  deliveryRatio: number | null;
  /** Measured probe broadcasts sent in the interval. */
  broadcastsSent: number;
  /** Mean final coverage of those probes. */
  broadcastCoverage: number | null;
  /** Bytes sent in the interval per node live at its end, per second. */
  bytesPerNodePerS: number | null;
  /** Mean active-view size of the live nodes at the end of the interval. */
  degreeMean: number | null;
}

/** The interval used for a run of `durationMs`: SERIES_INTERVAL_MS unless that gives too many rows. */
export function seriesIntervalMs(durationMs: number): number {
  const coarse = Math.ceil(durationMs / SERIES_ROWS_MAX / SECOND_MS) * SECOND_MS;
  return Math.max(SERIES_INTERVAL_MS, coarse);
}

/** The sample times of a run: every interval, then the end of the run. */
export function sampleTimesMs(durationMs: number): number[] {
  const interval = seriesIntervalMs(durationMs);
  const times: number[] = [];
  for (let t = interval; t < durationMs; t += interval) times.push(t);
  times.push(durationMs);
  return times;
}

interface Sample {
  atMs: number;
  liveNodes: number;
  bytesSent: number;
  degreeSum: number;
}

export class SeriesRecorder {
  readonly intervalMs: number;
  readonly timesMs: readonly number[];
  /** Active-view size per node index, as last reported (0 while down). */
  private readonly degrees: number[] = [];
  private degreeSum = 0;
  private readonly samples: Sample[] = [];

  constructor(durationMs: number) {
    this.intervalMs = seriesIntervalMs(durationMs);
    this.timesMs = sampleTimesMs(durationMs);
  }

  /** A neighbourUp/neighbourDown event of node `node`: its active view now has `activeSize`. */
  onDegree(node: number, activeSize: number): void {
    this.degreeSum += activeSize - (this.degrees[node] ?? 0);
    this.degrees[node] = activeSize;
  }

  /** Node `node` crashed or left: its links are gone with it. */
  onDown(node: number): void {
    this.onDegree(node, 0);
  }

  /** The state at `atMs`, one of `timesMs`, in order; `bytesSent` is the network's running total. */
  sample(atMs: number, liveNodes: number, bytesSent: number): void {
    const expected = this.timesMs[this.samples.length];
    if (atMs !== expected)
      throw new Error(`SeriesRecorder: sample at ${atMs}, expected ${expected}`);
    this.samples.push({ atMs, liveNodes, bytesSent, degreeSum: this.degreeSum });
  }

  /** The rows, with the messages and probes of the whole run binned by time. */
  rows(
    messages: readonly { sentAt: number; deliveredAt: number | undefined }[],
    probes: readonly { sentAt: number; coverage: number }[],
  ): SeriesRow[] {
    const n = this.samples.length;
    const sent = new Array<number>(n).fill(0);
    const delivered = new Array<number>(n).fill(0);
    const probesSent = new Array<number>(n).fill(0);
    const coverageSum = new Array<number>(n).fill(0);
    const bin = (atMs: number): number =>
      Math.min(n - 1, Math.max(0, Math.ceil(atMs / this.intervalMs) - 1));
    for (const m of messages) {
      add(sent, bin(m.sentAt), 1);
      if (m.deliveredAt !== undefined) add(delivered, bin(m.deliveredAt), 1);
    }
    for (const p of probes) {
      add(probesSent, bin(p.sentAt), 1);
      add(coverageSum, bin(p.sentAt), p.coverage);
    }
    const rows: SeriesRow[] = [];
    let sentSoFar = 0;
    let deliveredSoFar = 0;
    let previous = { atMs: 0, bytesSent: 0 };
    this.samples.forEach((s, i) => {
      sentSoFar += sent[i] as number;
      deliveredSoFar += delivered[i] as number;
      const seconds = (s.atMs - previous.atMs) / SECOND_MS;
      const probeCount = probesSent[i] as number;
      rows.push({
        timeS: s.atMs / SECOND_MS,
        liveNodes: s.liveNodes,
        messagesSent: sent[i] as number,
        messagesDelivered: delivered[i] as number,
        deliveryRatio: sentSoFar > 0 ? deliveredSoFar / sentSoFar : null,
        broadcastsSent: probeCount,
        broadcastCoverage: probeCount > 0 ? (coverageSum[i] as number) / probeCount : null,
        bytesPerNodePerS:
          s.liveNodes > 0 && seconds > 0
            ? (s.bytesSent - previous.bytesSent) / s.liveNodes / seconds
            : null,
        degreeMean: s.liveNodes > 0 ? s.degreeSum / s.liveNodes : null,
      });
      previous = s;
    });
    return rows;
  }
}

function add(counts: number[], index: number, amount: number): void {
  counts[index] = (counts[index] as number) + amount;
}
