/**
 * The report's plots as Vega-Lite specs, built from a run's summary and measurements.
 *
 * Rules:
 * 1. Only what the run measured: a plot whose data would be empty (no messages, no probes,
 *    no repairs) is left out, and so is a series within a plot.
 * 2. Every spec is self-contained (its data inline), so `<name>.vl.json` beside the SVG
 *    opens as it is in the Vega editor or any Vega-Lite tool.
 * 3. Axes say their unit, several series get a legend, every plot has a title and names
 *    the scenario and seed in its subtitle.
 * 4. Numbers are rounded like summary.json (roundMetric), so specs are byte-identical for
 *    the same seed.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Measurements } from '../measurements.js';
import type { CdfPoint } from '../stats.js';
import { roundMetric, type Summary } from '../summary.js';

/** Plot size in pixels (the data area; axes and legend come on top): fits a README column. */
export const PLOT_WIDTH_PX = 600;
export const PLOT_HEIGHT_PX = 260;
/** Legend labels are cut beyond this width (Vega's default 160 px cuts ours). */
const LEGEND_LABEL_MAX_PX = 320;
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Series colours (Tableau 10, Vega's default): fixed, so a series keeps its colour. */
export const SERIES_COLOURS = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
] as const;

/** Every plot a report may hold (file stems), in report order. */
export const PLOT_NAMES = [
  'live-delivery',
  'live-nodes',
  'latency-cdf',
  'degree-distribution',
  'repair-cdf',
  'broadcast-coverage',
  'overhead',
] as const;
export type PlotName = (typeof PLOT_NAMES)[number];

export interface PlotSpec {
  /** File stem: `<name>.svg` and `<name>.vl.json`. */
  name: PlotName;
  title: string;
  spec: TopLevelSpec;
}

export function plotSpecs(summary: Summary, measurements: Measurements): PlotSpec[] {
  const subtitle = `${summary.scenario}, seed ${summary.seed}, ${summary.nodes} nodes`;
  const plots = [
    liveAndDelivery(summary, measurements),
    latencyCdf(measurements),
    degreeDistribution(summary),
    repairCdf(measurements),
    broadcastCoverage(summary, measurements),
    overhead(summary, measurements),
  ];
  return plots
    .filter((plot): plot is Omit<PlotSpec, 'spec'> & { body: Body } => plot !== null)
    .map(({ name, title, body }) => ({
      name,
      title,
      spec: {
        $schema: SCHEMA,
        title: { text: title, subtitle },
        width: PLOT_WIDTH_PX,
        height: PLOT_HEIGHT_PX,
        ...body,
      } as TopLevelSpec,
    }));
}

/** The part of a spec that differs between plots (data, marks, encodings). */
export type Body = Record<string, unknown>;
type Plot = { name: PlotName; title: string; body: Body } | null;

/** The x axis of every plot over time: the whole run, so plots of one report line up. */
function timeAxis(durationMs: number, title = 'simulated time (s)'): Body {
  const domain = [0, roundMetric(durationMs / 1000)];
  return { field: 'time_s', type: 'quantitative', title, scale: { domain, nice: false } };
}

/** Keeps rows whose `field` has a value: a line must not dive to 0 where nothing was measured. */
export function validOnly(field: string): { filter: string } {
  return { filter: `isValid(datum.${field})` };
}

/**
 * Colour by the `series` field, one fixed colour per label (at most SERIES_COLOURS.length
 * labels), with a legend below the plot.
 */
export function seriesColour(labels: readonly string[]): Body {
  return {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: labels, range: SERIES_COLOURS.slice(0, labels.length) },
    legend: { orient: 'bottom', labelLimit: LEGEND_LABEL_MAX_PX },
  };
}

/** Names a layer's series (a layer of its own data has no `series` field). */
function seriesName(label: string): { calculate: string; as: string } {
  return { calculate: JSON.stringify(label), as: 'series' };
}

function liveAndDelivery(summary: Summary, m: Measurements): Plot {
  if (m.series.length === 0) return null;
  const hasMessages = m.series.some((row) => row.deliveryRatio !== null);
  const values = m.series.map((row) => ({
    time_s: roundMetric(row.timeS),
    live_nodes: row.liveNodes,
    delivery_ratio: roundOrNull(row.deliveryRatio),
  }));
  // A sample is the state at its time, held until the next sample.
  const live = {
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: timeAxis(summary.durationMs),
      y: { field: 'live_nodes', type: 'quantitative', title: 'live nodes (count)' },
    },
  };
  // One series needs no legend: the axis title names it.
  if (!hasMessages) {
    return {
      name: 'live-nodes',
      title: 'Live nodes over time',
      body: { data: { values }, ...live },
    };
  }
  const colour = seriesColour(['live nodes', 'delivery ratio']);
  const liveLayer = {
    ...live,
    transform: [seriesName('live nodes')],
    encoding: { ...live.encoding, color: colour },
  };
  const ratio = {
    transform: [validOnly('delivery_ratio'), seriesName('delivery ratio')],
    mark: { type: 'line', point: true },
    encoding: {
      x: timeAxis(summary.durationMs),
      y: {
        field: 'delivery_ratio',
        type: 'quantitative',
        title: 'delivery ratio (delivered / sent so far)',
        scale: { domain: [0, 1] },
      },
      color: colour,
    },
  };
  return {
    name: 'live-delivery',
    title: 'Live nodes and delivery ratio over time',
    body: {
      data: { values },
      layer: [liveLayer, ratio],
      resolve: { scale: { y: 'independent' } },
    },
  };
}

function latencyCdf(m: Measurements): Plot {
  const series: [string, CdfPoint[]][] = [
    ['end-to-end message', m.messageLatencyMs],
    ['broadcast probe (each node reached)', m.broadcastLatencyMs],
  ];
  const present = series.filter(([, points]) => points.length > 0);
  if (present.length === 0) return null;
  const values = present.flatMap(([label, points]) =>
    points.map((p) => ({
      latency_ms: roundMetric(p.value),
      fraction: roundMetric(p.fraction),
      series: label,
    })),
  );
  // A log axis shows both the one-way bulk and the retry tail; it cannot show 0 ms.
  const logScale = values.every((v) => v.latency_ms > 0);
  return {
    name: 'latency-cdf',
    title: 'Latency CDF',
    body: {
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: {
          field: 'latency_ms',
          type: 'quantitative',
          title: `latency (ms${logScale ? ', log scale' : ''})`,
          scale: { type: logScale ? 'log' : 'linear' },
        },
        y: fractionAxis('fraction', 'fraction of deliveries ≤ latency'),
        color: seriesColour(present.map(([label]) => label)),
      },
    },
  };
}

function degreeDistribution(summary: Summary): Plot {
  const counts = new Map(
    Object.entries(summary.overlay.degreeHistogram).map(([degree, nodes]) => [
      Number(degree),
      nodes,
    ]),
  );
  if (counts.size === 0) return null;
  // Every degree from the smallest to the largest, so a gap shows as an empty bar.
  const values: { degree: number; nodes: number }[] = [];
  for (let degree = Math.min(...counts.keys()); degree <= Math.max(...counts.keys()); degree++) {
    values.push({ degree, nodes: counts.get(degree) ?? 0 });
  }
  return {
    name: 'degree-distribution',
    title: 'Active-view degree at the end of the run',
    body: {
      data: { values },
      mark: 'bar',
      encoding: {
        x: {
          field: 'degree',
          type: 'ordinal',
          title: 'active-view degree (neighbours)',
          axis: { labelAngle: 0 },
        },
        y: { field: 'nodes', type: 'quantitative', title: 'live nodes (count)' },
      },
    },
  };
}

function repairCdf(m: Measurements): Plot {
  if (m.repairMs.length === 0) return null;
  const values = m.repairMs.map((p) => ({
    repair_s: roundMetric(p.value / 1000),
    fraction: roundMetric(p.fraction),
  }));
  return {
    name: 'repair-cdf',
    title: 'Active-view repair time CDF',
    body: {
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: {
          field: 'repair_s',
          type: 'quantitative',
          title: 'repair time: neighbour lost → view refilled (s)',
        },
        y: fractionAxis('fraction', 'fraction of repairs ≤ time'),
      },
    },
  };
}

function broadcastCoverage(summary: Summary, m: Measurements): Plot {
  const values = m.series
    .filter((row) => row.broadcastCoverage !== null)
    .map((row) => ({
      time_s: roundMetric(row.timeS),
      coverage: roundOrNull(row.broadcastCoverage),
      probes: row.broadcastsSent,
    }));
  if (values.length === 0) return null;
  return {
    name: 'broadcast-coverage',
    title: `Broadcast coverage over time (${summary.broadcast.mode})`,
    body: {
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: timeAxis(summary.durationMs, 'probe send time (s of simulated time)'),
        y: fractionAxis('coverage', 'coverage (share of live nodes reached)'),
      },
    },
  };
}

function overhead(summary: Summary, m: Measurements): Plot {
  // A row is a rate over the interval ending at its time: drawn back to the interval's start.
  const values: { time_s: number; bytes: number }[] = [];
  let start = 0;
  for (const row of m.series) {
    if (row.bytesPerNodePerS !== null) {
      const bytes = roundMetric(row.bytesPerNodePerS);
      if (values.length === 0) values.push({ time_s: roundMetric(start), bytes });
      values.push({ time_s: roundMetric(row.timeS), bytes });
    }
    start = row.timeS;
  }
  if (values.length === 0) return null;
  return {
    name: 'overhead',
    title: 'Traffic per live node over time',
    body: {
      data: { values },
      mark: { type: 'line', interpolate: 'step-before' },
      encoding: {
        x: timeAxis(summary.durationMs),
        y: { field: 'bytes', type: 'quantitative', title: 'bytes sent per live node (B/s)' },
      },
    },
  };
}

/** A y axis of shares, always drawn from 0 to 1 so plots of different runs compare. */
export function fractionAxis(field: string, title: string): Body {
  return { field, type: 'quantitative', title, scale: { domain: [0, 1] } };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : roundMetric(value);
}
