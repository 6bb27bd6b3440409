/**
 * The comparison plots of a sweep report (sim/sweep.ts): a few metrics of every point's
 * summary, drawn across the sweep's values, as Vega-Lite specs.
 *
 * Which plots: COMPARISONS, a table keyed by what the summaries hold. A row is drawn when
 * its `when` count is above zero at some point (messages were sent, probes were measured);
 * within it, a series is drawn when it has a value at some point. A `*` in a series path
 * stands for every key of the record there, in the order the summaries hold them
 * (`broadcast.windows.*.coverageMean`: one series per measuring window of the scenario).
 *
 * Shape: sweep values that are all numbers (a failed fraction, a peer count) give lines over
 * a numeric x axis; any other values (`none`, `3/2`, `flood`) give grouped bars, in the
 * sweep's order.
 *
 * Rules, as plot-specs.ts: data inline, so `<name>.vl.json` opens as it is; axis titles
 * with units; a legend below when a plot has several series; a title, and a subtitle naming
 * the scenario, seed and swept key; numbers rounded like summary.json (same seed ⇒ same bytes).
 */
import type { TopLevelSpec } from 'vega-lite';
import { roundMetric, type Summary } from '../summary.js';
import type { NamedPlot } from './plot-files.js';
import {
  type Body,
  fractionAxis,
  PLOT_HEIGHT_PX,
  PLOT_WIDTH_PX,
  SCHEMA,
  SERIES_COLOURS,
  seriesColour,
  validOnly,
} from './plot-specs.js';

/** Series per plot: one colour each (more would repeat colours and crowd the legend). */
export const COMPARE_SERIES_MAX = SERIES_COLOURS.length;
/** Up to this many swept numbers, each gets its own tick on the x axis; more would crowd it. */
const SWEPT_TICKS_MAX = 12;
/**
 * Legend layout: Vega's text estimate (render-svg.ts forces it) gives a 10 px label 8 px a
 * character, and each entry takes about 26 px more (symbol and padding). Entries that do
 * not fit in one row under the plot go in two columns.
 */
const LEGEND_CHAR_PX = 8;
const LEGEND_ENTRY_PX = 26;

interface SeriesRow {
  /** Dotted path into a summary; `*` expands to every key of the record there. */
  path: string;
  /** Legend label; a `*` in it becomes the key `*` stood for. */
  label: string;
}

interface Comparison {
  /** File stem of `<name>.svg` and `<name>.vl.json`. */
  name: string;
  title: string;
  /** The y axis title, unit last. */
  axis: string;
  /** A count in the summary: the plot is drawn when it is above zero at some point. */
  when: string;
  /** Shares: the y axis runs from 0 to 1 so sweeps compare with each other. */
  fraction?: true;
  series: SeriesRow[];
}

/** The comparison plots, in report order. */
export const COMPARISONS: readonly Comparison[] = [
  {
    name: 'compare-delivery-ratio',
    title: 'Delivery ratio',
    axis: 'delivered / measured messages (fraction)',
    when: 'delivery.measured',
    fraction: true,
    series: [
      { path: 'delivery.ratio', label: 'delivered (retries allowed)' },
      { path: 'delivery.ratioNoRetry', label: 'delivered without any retry' },
    ],
  },
  {
    name: 'compare-delivery-latency',
    title: 'End-to-end latency',
    axis: 'send → first delivery (ms)',
    when: 'delivery.delivered',
    series: [
      { path: 'delivery.latencyMsP50', label: 'median' },
      { path: 'delivery.latencyMsP95', label: '95th percentile' },
      { path: 'delivery.latencyMsP99', label: '99th percentile' },
    ],
  },
  {
    name: 'compare-delivery-cost',
    title: 'Bandwidth per delivered message',
    axis: 'onion frames per delivered message (frames)',
    when: 'delivery.delivered',
    series: [{ path: 'delivery.onionFramesPerDelivered', label: 'onion frames' }],
  },
  {
    name: 'compare-broadcast-coverage',
    title: 'Broadcast coverage',
    axis: 'mean coverage (fraction of live nodes reached)',
    when: 'broadcast.sent',
    fraction: true,
    series: [
      { path: 'broadcast.coverageMean', label: 'all measured probes' },
      { path: 'broadcast.windows.*.coverageMean', label: 'probes sent in window *' },
    ],
  },
  {
    name: 'compare-broadcast-redundancy',
    title: 'Broadcast redundancy',
    axis: 'payload copies per node per probe (copies)',
    when: 'broadcast.sent',
    series: [{ path: 'broadcast.redundancy', label: 'redundancy' }],
  },
  {
    name: 'compare-broadcast-latency',
    title: 'Broadcast latency',
    axis: 'send → delivery at a node (ms)',
    when: 'broadcast.sent',
    series: [
      { path: 'broadcast.latencyMsP50', label: 'median' },
      { path: 'broadcast.latencyMsP99', label: '99th percentile' },
    ],
  },
  {
    name: 'compare-overlay-degree',
    title: 'Active-view degree at the end of the run',
    axis: 'active-view degree (neighbours)',
    when: 'overlay.liveNodes',
    series: [
      { path: 'overlay.degreeMin', label: 'smallest' },
      { path: 'overlay.degreeMean', label: 'mean' },
      { path: 'overlay.degreeMax', label: 'largest' },
    ],
  },
];

/** Every comparison plot a sweep report may hold (file stems). */
export const SWEEP_PLOT_NAMES: readonly string[] = COMPARISONS.map((c) => c.name);

/** What the x axis says for keys whose meaning is known; any other key is named as it is. */
const SWEPT_KEY_TITLES: readonly [RegExp, string][] = [
  [/^events\.\d+\.crash\.fraction$/, 'nodes crashed at once (fraction)'],
  [/^events\.\d+\.leave\.fraction$/, 'nodes leaving at once (fraction)'],
  [/^workload\.shards$/, 'shards per message (n/k; none = one packet)'],
  [/^broadcast\.mode$/, 'broadcast mode (flood or tree)'],
  [/^nodes$/, 'initial nodes (count)'],
];

/** The points of a sweep (sim/sweep.ts SweepResult, without importing it: no cycle). */
export interface SweepPoints {
  key: string;
  points: readonly { value: number | string; summary: Summary }[];
}

export function sweepPlotSpecs(
  sweep: SweepPoints,
  scenario: { name: string; seed: number },
): NamedPlot[] {
  const subtitle = `${scenario.name}, seed ${scenario.seed}: one full run per value of ${sweep.key}`;
  const plots: NamedPlot[] = [];
  for (const comparison of COMPARISONS) {
    if (!sweep.points.some((p) => (numberAt(p.summary, comparison.when) ?? 0) > 0)) continue;
    const series = expandSeries(comparison.series, sweep).filter(({ values }) =>
      values.some((v) => v !== null),
    );
    if (series.length === 0) continue;
    const shown = series.slice(0, COMPARE_SERIES_MAX);
    const cut = series.length - shown.length;
    plots.push({
      name: comparison.name,
      title: comparison.title,
      spec: {
        $schema: SCHEMA,
        title: {
          text: comparison.title,
          subtitle:
            cut === 0 ? subtitle : `${subtitle} (first ${shown.length} of ${series.length} series)`,
        },
        width: PLOT_WIDTH_PX,
        height: PLOT_HEIGHT_PX,
        ...body(comparison, shown, sweep),
      } as TopLevelSpec,
    });
  }
  return plots;
}

interface Series {
  label: string;
  /** One value per sweep point, in the sweep's order; null where the point has none. */
  values: (number | null)[];
}

function expandSeries(rows: readonly SeriesRow[], sweep: SweepPoints): Series[] {
  const out: Series[] = [];
  for (const row of rows) {
    const parts = row.path.split('.');
    const star = parts.indexOf('*');
    if (star < 0) {
      out.push({
        label: row.label,
        values: sweep.points.map((p) => numberAt(p.summary, row.path)),
      });
      continue;
    }
    const keys = new Set<string>();
    for (const p of sweep.points) {
      const record = valueAt(p.summary, parts.slice(0, star).join('.'));
      if (isRecord(record)) for (const key of Object.keys(record)) keys.add(key);
    }
    for (const key of keys) {
      const path = [...parts.slice(0, star), key, ...parts.slice(star + 1)].join('.');
      out.push({
        label: row.label.replace('*', key),
        values: sweep.points.map((p) => numberAt(p.summary, path)),
      });
    }
  }
  return out;
}

/** Data, marks and encodings: lines over numbers, grouped bars over anything else. */
function body(comparison: Comparison, series: readonly Series[], sweep: SweepPoints): Body {
  const swept = sweep.points.map((p) => p.value);
  const numeric = swept.every((v) => typeof v === 'number');
  const values = series.flatMap(({ label, values: ys }) =>
    ys.map((y, i) => ({
      point: numeric ? swept[i] : String(swept[i]),
      series: label,
      value: y === null ? null : roundMetric(y),
    })),
  );
  const xTitle = sweptKeyTitle(sweep.key);
  const y = comparison.fraction
    ? fractionAxis('value', comparison.axis)
    : { field: 'value', type: 'quantitative', title: comparison.axis };
  const labels = series.map((s) => s.label);
  // One series needs no legend: the axis title names it.
  const colour = labels.length > 1 ? { color: legendColour(labels) } : {};
  if (numeric) {
    const ticks = swept.length <= SWEPT_TICKS_MAX ? { axis: { values: swept } } : {};
    return {
      data: { values },
      transform: [validOnly('value')],
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'point', type: 'quantitative', title: xTitle, ...ticks },
        y,
        ...colour,
      },
    };
  }
  return {
    data: { values },
    transform: [validOnly('value')],
    mark: 'bar',
    encoding: {
      x: {
        field: 'point',
        type: 'nominal',
        title: xTitle,
        sort: swept.map(String),
        axis: { labelAngle: 0 },
      },
      ...(labels.length > 1 ? { xOffset: { field: 'series', sort: labels } } : {}),
      y,
      ...colour,
    },
  };
}

/** Colour by series, the legend in one row under the plot if it fits, else two columns. */
function legendColour(labels: readonly string[]): Body {
  const colour = seriesColour(labels);
  const rowPx = labels.reduce((px, l) => px + l.length * LEGEND_CHAR_PX + LEGEND_ENTRY_PX, 0);
  if (rowPx <= PLOT_WIDTH_PX) return colour;
  return { ...colour, legend: { ...(colour['legend'] as Body), columns: 2 } };
}

function sweptKeyTitle(key: string): string {
  const known = SWEPT_KEY_TITLES.find(([pattern]) => pattern.test(key));
  return known === undefined ? `${key} (swept value)` : `${key}: ${known[1]}`;
}

function valueAt(summary: Summary, path: string): unknown {
  let node: unknown = summary;
  for (const part of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** The number at `path`, or null where the summary has none (or not a finite number). */
function numberAt(summary: Summary, path: string): number | null {
  const value = valueAt(summary, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
