/**
 * What a run measured beyond summary.json's scalars, for the report's metrics.csv and plots:
 * the time series and the distributions behind the summary's percentiles.
 *
 * Bounded whatever the run's size: the series has at most SERIES_ROWS_MAX rows
 * (timeseries.ts) and every distribution is an empirical CDF of at most CDF_POINTS_MAX
 * points (stats.ts `empiricalCdf`), built once at the end from the samples the trackers
 * keep for the summary anyway.
 */
import { type CdfPoint, empiricalCdf } from './stats.js';
import type { SeriesRow } from './timeseries.js';

/** Points per CDF: a step every 0.5% of the samples is finer than a 600-pixel plot shows. */
export const CDF_POINTS_MAX = 200;

export interface Measurements {
  /** The sampling interval of `series` (ms of simulated time). */
  intervalMs: number;
  series: SeriesRow[];
  /** End-to-end message latency, send to first delivery (ms); [] without a message workload. */
  messageLatencyMs: CdfPoint[];
  /** Probe broadcast latency, send to delivery at each node (ms); [] without probes. */
  broadcastLatencyMs: CdfPoint[];
  /** Active-view repair time, neighbour lost to view refilled (ms); [] without repairs. */
  repairMs: CdfPoint[];
}

export function measurementsOf(
  intervalMs: number,
  series: SeriesRow[],
  samples: {
    messageLatencyMs: readonly number[];
    broadcastLatencyMs: readonly number[];
    repairMs: readonly number[];
  },
): Measurements {
  return {
    intervalMs,
    series,
    messageLatencyMs: empiricalCdf(samples.messageLatencyMs, CDF_POINTS_MAX),
    broadcastLatencyMs: empiricalCdf(samples.broadcastLatencyMs, CDF_POINTS_MAX),
    repairMs: empiricalCdf(samples.repairMs, CDF_POINTS_MAX),
  };
}
