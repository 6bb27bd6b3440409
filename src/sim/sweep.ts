/**
 * Parameter sweeps: the same scenario run once per value of one key (the scenario's
 * `sweep: { key, values }`), each run a full, deterministic simulation of its own.
 *
 * The key is a dotted path into the scenario *file* (`events.0.crash.fraction`), set with
 * the YAML document API and re-validated, so a sweep can only produce scenarios the file
 * could have said itself. Results: one summary per point (in `<out>/<key>=<value>/`), and a
 * `sweep.json` + `report.md` table of the metrics that vary, with comparison plots across
 * the points (report/sweep-plots.ts; files and failures as a run's plots, report/plot-files.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type PlotRenderer,
  plotsSection,
  removeStalePlots,
  renderPlots,
  writePlotFiles,
} from './report/plot-files.js';
import { renderSvg } from './report/render-svg.js';
import { SWEEP_PLOT_NAMES, sweepPlotSpecs } from './report/sweep-plots.js';
import { runScenario, type RunOptions } from './runner.js';
import type { Scenario } from './scenario.js';
import { canonicalize, type Summary, writeAtomically, writeReport } from './summary.js';
import { flatten, sweepVariant } from './sweep-points.js';

export interface SweepPoint {
  value: number | string;
  summary: Summary;
}

export interface SweepResult {
  key: string;
  points: SweepPoint[];
}

export interface SweepOptions extends RunOptions {
  /** The command that reruns the sweep, when it is more than file and seed (`--sweep …`). */
  reproduce?: string;
  /** The command that reruns one point (`--set key=value`). */
  reproducePoint?: (value: number | string) => string;
  /** The SVG renderer of the comparison plots (default: Vega's); tests inject failures. */
  render?: PlotRenderer;
}

/** A finished sweep: its points, and what became of its comparison plots. */
export interface SweepRun extends SweepResult {
  /** Plots rendered into report.md (file stems). */
  plots: string[];
  /** Plots not rendered, and renderer warnings: one line each, for stderr. */
  problems: string[];
}

export async function runSweep(
  text: string,
  sourceName: string,
  scenario: Scenario,
  outDir: string,
  options: SweepOptions = {},
): Promise<SweepRun> {
  const sweep = scenario.sweep;
  if (sweep === null) throw new Error('runSweep: the scenario has no sweep');
  const points: SweepPoint[] = [];
  for (const value of sweep.values) {
    const variant = sweepVariant(text, sourceName, sweep.key, value, scenario.seed);
    const { summary } = runScenario(variant, options);
    // A value may hold a slash (`workload.shards: 3/2`): it names one directory, not two.
    writeReport(join(outDir, `${sweep.key}=${String(value).replaceAll('/', '-')}`), summary, {
      scenarioFile: sourceName,
      scenario: variant,
      reproduce: options.reproducePoint?.(value),
    });
    points.push({ value, summary });
  }
  const result: SweepResult = { key: sweep.key, points };
  // Everything is rendered before anything is written (a plot that fails is only a problem).
  const problems: string[] = [];
  const plots = sweepPlotSpecs(result, scenario);
  const rendered = await renderPlots(plots, options.render ?? renderSvg, problems);
  const json = `${JSON.stringify(canonicalize(result), null, 2)}\n`;
  const reproduce = options.reproduce ?? `p2pmsg sim ${sourceName} --seed ${scenario.seed}`;
  const markdown = renderSweep(scenario, reproduce, result, plotsSection(rendered));
  mkdirSync(outDir, { recursive: true });
  writeAtomically(join(outDir, 'sweep.json'), json);
  writeAtomically(join(outDir, 'report.md'), markdown);
  const files = ['sweep.json', 'report.md', ...writePlotFiles(outDir, rendered)];
  removeStalePlots(outDir, SWEEP_PLOT_NAMES, new Set(files));
  return {
    ...result,
    plots: rendered.filter((r) => r.svg !== null).map((r) => r.plot.name),
    problems,
  };
}

function renderSweep(
  scenario: Scenario,
  reproduce: string,
  result: SweepResult,
  sections: readonly string[],
): string {
  const rows = result.points.map((p) => flatten(p.summary));
  // Only the metrics that differ between points, minus bookkeeping.
  const skip = /^(seed|nodes|durationMs|events|traceHash|faults\.|network\.)/;
  const columns = Object.keys(rows[0] ?? {}).filter(
    (k) => !skip.test(k) && new Set(rows.map((r) => JSON.stringify(r[k] ?? null))).size > 1,
  );
  const show = (v: number | null | undefined): string =>
    v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(4);
  const out = [
    `# Sweep report: ${scenario.name}`,
    '',
    `Seed ${scenario.seed}; \`${result.key}\` over ${result.points.length} values. ` +
      'Each point is a full run; its own report is in the subdirectory named after it.',
    '',
    'Reproduce:',
    '',
    '```sh',
    reproduce,
    '```',
    '',
    ...sections,
    '## Metrics that vary',
    '',
    `| ${result.key} | ${columns.join(' | ')} |`,
    `|---:|${columns.map(() => '---:').join('|')}|`,
    ...result.points.map(
      (p, i) => `| ${p.value} | ${columns.map((c) => show(rows[i]?.[c])).join(' | ')} |`,
    ),
    '',
  ];
  return out.join('\n');
}
