/**
 * Writes the whole report folder of one run: summary.json and report.md (summary.ts), the
 * time series metrics.csv, and one `<name>.svg` plot with its `<name>.vl.json` Vega-Lite
 * spec per thing the run measured (plot-specs.ts), embedded in report.md.
 *
 * Rules:
 * 1. A plot that fails to render never fails the run: its spec is still written, report.md
 *    says in its place why it is missing, and the reason is returned for the terminal. The
 *    tables and metrics.csv are written whatever the plots do.
 * 2. Everything is rendered before anything is written, and every file is written through
 *    a temporary file, so a bad value leaves no half-written report.
 * 3. Same summary and measurements ⇒ the same bytes in every file (no clock, no paths).
 *    Plot files of an earlier run in the same folder that this run did not make are
 *    removed, so the folder holds exactly this run's report.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../duration.js';
import type { Measurements } from '../measurements.js';
import { type ReportExtra, type Summary, writeAtomically, writeReport } from '../summary.js';
import { METRICS_CSV_COLUMNS, formatMetricsCsv } from './metrics-csv.js';
import { PLOT_NAMES, type PlotSpec, plotSpecs } from './plot-specs.js';
import { type RenderedSvg, renderSvg } from './render-svg.js';

export const METRICS_CSV_FILE = 'metrics.csv';

export interface RunReportResult {
  /** Files written, by name within the folder, in writing order. */
  files: string[];
  /** Plots named in report.md and rendered. */
  plots: string[];
  /** Plots that could not be rendered, and renderer warnings: one line each, for stderr. */
  problems: string[];
}

interface RenderedPlot {
  plot: PlotSpec;
  specJson: string;
  svg: string | null;
  error: string | null;
}

export interface RunReportOptions {
  /** The SVG renderer (default: Vega's, render-svg.ts); tests inject failures here. */
  render?: (spec: PlotSpec['spec']) => Promise<RenderedSvg>;
}

/**
 * The report folder of a run. Without `measurements` (a caller that has only a summary)
 * it is summary.json and report.md alone.
 */
export async function writeRunReport(
  dir: string,
  summary: Summary,
  measurements: Measurements | undefined,
  extra: ReportExtra = {},
  options: RunReportOptions = {},
): Promise<RunReportResult> {
  if (measurements === undefined) {
    writeReport(dir, summary, extra);
    return { files: ['summary.json', 'report.md'], plots: [], problems: [] };
  }
  const csv = formatMetricsCsv(measurements.series);
  const problems: string[] = [];
  const rendered: RenderedPlot[] = [];
  for (const plot of plotSpecs(summary, measurements)) {
    rendered.push(await renderPlot(plot, options.render ?? renderSvg, problems));
  }

  const sections = [
    ...plotsSection(rendered),
    ...metricsCsvSection(measurements),
    ...(extra.sections ?? []),
  ];
  writeReport(dir, summary, { ...extra, sections });
  mkdirSync(dir, { recursive: true });
  const files = ['summary.json', 'report.md', METRICS_CSV_FILE];
  writeAtomically(join(dir, METRICS_CSV_FILE), csv);
  for (const { plot, specJson, svg } of rendered) {
    writeAtomically(join(dir, `${plot.name}.vl.json`), specJson);
    files.push(`${plot.name}.vl.json`);
    if (svg !== null) {
      writeAtomically(join(dir, `${plot.name}.svg`), svg);
      files.push(`${plot.name}.svg`);
    }
  }
  removeStalePlots(dir, new Set(files));
  return {
    files,
    plots: rendered.filter((r) => r.svg !== null).map((r) => r.plot.name),
    problems,
  };
}

async function renderPlot(
  plot: PlotSpec,
  render: NonNullable<RunReportOptions['render']>,
  problems: string[],
): Promise<RenderedPlot> {
  const specJson = `${JSON.stringify(plot.spec, null, 2)}\n`;
  try {
    const { svg, warnings } = await render(plot.spec);
    for (const warning of warnings)
      problems.push(`plot ${plot.name}: renderer warning: ${warning}`);
    return { plot, specJson, svg, error: null };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    problems.push(`plot ${plot.name} not rendered: ${error}`);
    return { plot, specJson, svg: null, error };
  }
}

function plotsSection(rendered: readonly RenderedPlot[]): string[] {
  if (rendered.length === 0) return [];
  const out = [
    '## Plots',
    '',
    'Each plot has its Vega-Lite spec beside it (`<name>.vl.json`, data inline).',
    '',
  ];
  for (const { plot, svg, error } of rendered) {
    out.push(`### ${plot.title}`, '');
    if (svg !== null) out.push(`![${plot.title}](${plot.name}.svg)`, '');
    else {
      out.push(
        `Not rendered: ${oneLine(error ?? 'unknown error')}. ` +
          `The spec is in [${plot.name}.vl.json](${plot.name}.vl.json).`,
        '',
      );
    }
  }
  return out;
}

function metricsCsvSection(measurements: Measurements): string[] {
  const out = [
    '## Time series',
    '',
    `[${METRICS_CSV_FILE}](${METRICS_CSV_FILE}): ${measurements.series.length} rows, one per ` +
      `${formatDuration(measurements.intervalMs)} of simulated time (the last row ends with the ` +
      'run); an empty cell is "no value".',
    '',
    '| column | meaning |',
    '|---|---|',
  ];
  for (const column of METRICS_CSV_COLUMNS) out.push(`| ${column.name} | ${column.meaning} |`);
  return [...out, ''];
}

/** Plot files an earlier run left in `dir` that this run did not write. */
function removeStalePlots(dir: string, written: ReadonlySet<string>): void {
  for (const name of PLOT_NAMES) {
    for (const file of [`${name}.svg`, `${name}.vl.json`]) {
      if (!written.has(file)) rmSync(join(dir, file), { force: true });
    }
  }
}

function oneLine(text: string): string {
  return text.replaceAll('\n', ' ').replaceAll('|', '\\|');
}
