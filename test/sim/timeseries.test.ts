/**
 * The time series recorder (src/sim/timeseries.ts) by its rules: interval boundaries,
 * the short last row, bounded rows for long runs, degrees from neighbour events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SERIES_INTERVAL_MS,
  SERIES_ROWS_MAX,
  SeriesRecorder,
  sampleTimesMs,
  seriesIntervalMs,
} from '../../src/sim/timeseries.js';

describe('sample times', () => {
  it('every 10 s, then the end of the run', () => {
    expect(sampleTimesMs(35_000)).toEqual([10_000, 20_000, 30_000, 35_000]);
    expect(sampleTimesMs(30_000)).toEqual([10_000, 20_000, 30_000]);
    expect(sampleTimesMs(4_000)).toEqual([4_000]);
  });

  it('never more than SERIES_ROWS_MAX rows, strictly increasing, ending with the run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 * 24 * 3_600_000 }), (durationMs) => {
        const times = sampleTimesMs(durationMs);
        expect(times.length).toBeLessThanOrEqual(SERIES_ROWS_MAX);
        expect(times.at(-1)).toBe(durationMs);
        expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
        expect(seriesIntervalMs(durationMs) % 1000).toBe(0);
        expect(seriesIntervalMs(durationMs)).toBeGreaterThanOrEqual(SERIES_INTERVAL_MS);
      }),
    );
  });
});

describe('SeriesRecorder', () => {
  it('bins an event at exactly t into the row ending at t, and rates over the short last row', () => {
    const r = new SeriesRecorder(25_000);
    r.onDegree(0, 2);
    r.onDegree(1, 2);
    r.sample(10_000, 2, 1_000);
    r.onDown(1);
    r.sample(20_000, 1, 3_000);
    r.sample(25_000, 1, 4_000);
    const rows = r.rows(
      [
        { sentAt: 0, deliveredAt: 10_000 },
        { sentAt: 10_001, deliveredAt: undefined },
        { sentAt: 20_000, deliveredAt: 25_000 },
      ],
      [
        { sentAt: 12_000, coverage: 0.5 },
        { sentAt: 15_000, coverage: 1 },
      ],
    );
    expect(rows.map((row) => row.timeS)).toEqual([10, 20, 25]);
    expect(rows.map((row) => row.messagesSent)).toEqual([1, 2, 0]);
    expect(rows.map((row) => row.messagesDelivered)).toEqual([1, 0, 1]);
    expect(rows.map((row) => row.deliveryRatio)).toEqual([1, 1 / 3, 2 / 3]);
    expect(rows.map((row) => row.broadcastsSent)).toEqual([0, 2, 0]);
    expect(rows.map((row) => row.broadcastCoverage)).toEqual([null, 0.75, null]);
    // 1,000 B over 10 s by 2 nodes; 2,000 B over 10 s by 1; 1,000 B over 5 s by 1.
    expect(rows.map((row) => row.bytesPerNodePerS)).toEqual([50, 200, 200]);
    expect(rows.map((row) => row.degreeMean)).toEqual([2, 2, 2]);
  });

  it('no live node: no rate and no degree, never a division by zero', () => {
    const r = new SeriesRecorder(10_000);
    r.sample(10_000, 0, 500);
    expect(r.rows([], [])[0]).toMatchObject({
      liveNodes: 0,
      deliveryRatio: null,
      bytesPerNodePerS: null,
      degreeMean: null,
    });
  });

  it('refuses a sample out of order (the runner must stop at every sample time)', () => {
    const r = new SeriesRecorder(30_000);
    expect(() => r.sample(20_000, 1, 0)).toThrow(/expected 10000/);
  });
});
