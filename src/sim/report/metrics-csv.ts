/**
 * metrics.csv: the time series of a run (timeseries.ts), one row per sampling interval.
 *
 * Plain RFC 4180 CSV that any spreadsheet or `pandas.read_csv` opens: a header row of
 * snake_case names with the unit last (`time_s`, `bytes_per_node_per_s`), numbers rounded
 * like summary.json (roundMetric), an empty cell for "no value", `\n` line ends. No quoting
 * is ever needed: every cell is a number or empty.
 */
import { roundMetric } from '../summary.js';
import type { SeriesRow } from '../timeseries.js';

/** The columns in file order: header name, what it holds (the README and report repeat it). */
export const METRICS_CSV_COLUMNS: readonly {
  name: string;
  key: keyof SeriesRow;
  meaning: string;
}[] = [
  { name: 'time_s', key: 'timeS', meaning: 'end of the interval (s of simulated time)' },
  { name: 'live_nodes', key: 'liveNodes', meaning: 'live nodes at the end of the interval' },
  { name: 'messages_sent', key: 'messagesSent', meaning: 'messages sent in the interval' },
  {
    name: 'messages_delivered',
    key: 'messagesDelivered',
    meaning: 'messages first delivered in the interval',
  },
  {
    name: 'delivery_ratio',
    key: 'deliveryRatio',
    meaning: 'messages delivered so far / sent so far',
  },
  {
    name: 'broadcasts_sent',
    key: 'broadcastsSent',
    meaning: 'measured probe broadcasts sent in the interval',
  },
  {
    name: 'broadcast_coverage',
    key: 'broadcastCoverage',
    meaning: 'mean share of live nodes those probes reached in the end',
  },
  {
    name: 'bytes_per_node_per_s',
    key: 'bytesPerNodePerS',
    meaning: 'bytes sent in the interval per live node per second',
  },
  { name: 'degree_mean', key: 'degreeMean', meaning: 'mean active-view size of live nodes' },
];

export function formatMetricsCsv(rows: readonly SeriesRow[]): string {
  const lines = [METRICS_CSV_COLUMNS.map((c) => c.name).join(',')];
  for (const row of rows) {
    lines.push(METRICS_CSV_COLUMNS.map((c) => formatCell(row[c.key])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function formatCell(value: number | null): string {
  return value === null ? '' : String(roundMetric(value));
}
