/**
 * Plots as files beside a report, for both kinds of report: one run's (write-run-report.ts)
 * and a sweep's (sim/sweep.ts). Each plot is `<name>.svg` with its Vega-Lite spec
 * `<name>.vl.json` beside it, and a section of report.md that shows it.
 *
 * Rules:
 * 1. A plot that fails to render never fails the report: its spec is still written, the
 *    section says in its place why it is missing, and the reason is one line of `problems`
 *    (for the terminal). Renderer warnings are lines of `problems` too.
 * 2. Rendering writes nothing, so a caller renders every plot before it writes any file.
 * 3. Plot files an earlier report left in the folder that this one did not write are
 *    removed, so the folder holds exactly this report.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeAtomically } from '../summary.js';
import type { RenderedSvg } from './render-svg.js';

/** A plot to write: file stem, title (report.md) and the self-contained spec. */
export interface NamedPlot {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** Spec → SVG (render-svg.ts renderSvg; tests inject failures). */
export type PlotRenderer = (spec: TopLevelSpec) => Promise<RenderedSvg>;

export interface RenderedPlot {
  plot: NamedPlot;
  specJson: string;
  /** null when rendering failed (Rule 1). */
  svg: string | null;
  error: string | null;
}

/** Renders every plot in order; problems (Rule 1) are appended to `problems`. */
export async function renderPlots(
  plots: readonly NamedPlot[],
  render: PlotRenderer,
  problems: string[],
): Promise<RenderedPlot[]> {
  const rendered: RenderedPlot[] = [];
  for (const plot of plots) {
    const specJson = `${JSON.stringify(plot.spec, null, 2)}\n`;
    try {
      const { svg, warnings } = await render(plot.spec);
      for (const warning of warnings)
        problems.push(`plot ${plot.name}: renderer warning: ${warning}`);
      rendered.push({ plot, specJson, svg, error: null });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      problems.push(`plot ${plot.name} not rendered: ${error}`);
      rendered.push({ plot, specJson, svg: null, error });
    }
  }
  return rendered;
}

/** The `## Plots` section of report.md (nothing without plots). */
export function plotsSection(rendered: readonly RenderedPlot[]): string[] {
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

/** Writes each plot's spec, then its SVG if it has one; returns the file names in order. */
export function writePlotFiles(dir: string, rendered: readonly RenderedPlot[]): string[] {
  const files: string[] = [];
  for (const { plot, specJson, svg } of rendered) {
    writeAtomically(join(dir, `${plot.name}.vl.json`), specJson);
    files.push(`${plot.name}.vl.json`);
    if (svg !== null) {
      writeAtomically(join(dir, `${plot.name}.svg`), svg);
      files.push(`${plot.name}.svg`);
    }
  }
  return files;
}

/** Removes the files of the plots `names` that are not among `written` (Rule 3). */
export function removeStalePlots(
  dir: string,
  names: readonly string[],
  written: ReadonlySet<string>,
): void {
  for (const name of names) {
    for (const file of [`${name}.svg`, `${name}.vl.json`]) {
      if (!written.has(file)) rmSync(join(dir, file), { force: true });
    }
  }
}

function oneLine(text: string): string {
  return text.replaceAll('\n', ' ').replaceAll('|', '\\|');
}
