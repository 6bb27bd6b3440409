/**
 * Writes the whole report folder of one run: summary.json and report.md (summary.ts), the
 * time series metrics.csv, and one `<name>.svg` plot with its `<name>.vl.json` Vega-Lite
 * spec per thing the run measured (plot-specs.ts), embedded in report.md.
 *
 * Rules:
 * 1. A plot that fails to render never fails the run (plot-files.ts Rule 1). The tables and
 *    metrics.csv are written whatever the plots do.
 * 2. Everything is rendered before anything is written, and every file is written through
 *    a temporary file, so a bad value leaves no half-written report.
 * 3. Same summary and measurements ⇒ the same bytes in every file (no clock, no paths).
 *    Plot files of an earlier run in the same folder that this run did not make are
 *    removed, so the folder holds exactly this run's report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../duration.js';
import type { Measurements } from '../measurements.js';
import { type ReportExtra, type Summary, writeAtomically, writeReport } from '../summary.js';
import { METRICS_CSV_COLUMNS, formatMetricsCsv } from './metrics-csv.js';
import {
  type PlotRenderer,
  plotsSection,
  removeStalePlots,
  renderPlots,
  writePlotFiles,
} from './plot-files.js';
import { PLOT_NAMES, plotSpecs } from './plot-specs.js';
import { renderSvg } from './render-svg.js';

export const METRICS_CSV_FILE = 'metrics.csv';

export interface RunReportResult {
  /** Files written, by name within the folder, in writing order. */
  files: string[];
  /** Plots named in report.md and rendered. */
  plots: string[];
  /** Plots that could not be rendered, and renderer warnings: one line each, for stderr. */
  problems: string[];
}

export interface RunReportOptions {
  /** The SVG renderer (default: Vega's, render-svg.ts); tests inject failures here. */
  render?: PlotRenderer;
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
  const plots = plotSpecs(summary, measurements);
  const rendered = await renderPlots(plots, options.render ?? renderSvg, problems);

  const sections = [
    ...plotsSection(rendered),
    ...metricsCsvSection(measurements),
    ...(extra.sections ?? []),
  ];
  writeReport(dir, summary, { ...extra, sections });
  mkdirSync(dir, { recursive: true });
  const files = ['summary.json', 'report.md', METRICS_CSV_FILE];
  writeAtomically(join(dir, METRICS_CSV_FILE), csv);
  files.push(...writePlotFiles(dir, rendered));
  removeStalePlots(dir, PLOT_NAMES, new Set(files));
  return {
    files,
    plots: rendered.filter((r) => r.svg !== null).map((r) => r.plot.name),
    problems,
  };
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
