/**
 * The comparison plots of a sweep report (src/sim/report/sweep-plots.ts, written by
 * src/sim/sweep.ts): which plots a sweep gets, valid Vega-Lite specs whose SVGs show their
 * titles, bars for named values and lines for numbers, a failing plot that leaves the
 * report whole, and the same bytes in every file for the same seed.
 *
 * One small scenario with messages, probes and two measuring windows, swept two ways:
 * over `workload.shards` (named values, run twice for the bytes) and over a crash fraction
 * (numbers).
 */
import { Ajv } from 'ajv';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../src/sim/report/render-svg.js';
import {
  COMPARE_SERIES_MAX,
  SWEEP_PLOT_NAMES,
  sweepPlotSpecs,
} from '../../src/sim/report/sweep-plots.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { roundMetric } from '../../src/sim/summary.js';
import { runSweep, type SweepRun } from '../../src/sim/sweep.js';

const BASE = `
name: sweep-check
seed: 3
nodes: 20
duration: 80s
join: { over: 2s }
events:
  - { at: 30s, crash: { fraction: 0.2 } }
broadcast: { mode: flood, interval: 2s, from: 5s }
workload: { interval: 1s, from: 10s, until: 45s, expiry: 15s }
measure:
  - { name: beforeCrash, from: 5s, to: 30s }
  - { name: afterCrash, from: 31s, to: 45s }
`;
const SHARDS = `${BASE}sweep: { key: workload.shards, values: [none, 3/2] }\n`;
const CRASH = `${BASE}sweep: { key: events.0.crash.fraction, values: [0.1, 0.4] }\n`;
const FILE = 'sweep-check.yaml';

/** Every plot the scenario measures something for, in report order. */
const ALL_PLOTS = [
  'compare-delivery-ratio',
  'compare-delivery-latency',
  'compare-delivery-cost',
  'compare-broadcast-coverage',
  'compare-broadcast-redundancy',
  'compare-broadcast-latency',
  'compare-overlay-degree',
];

let root: string;
let shardsA: SweepRun;
let dirA: string;
let dirB: string;
let dirCrash: string;
let crash: SweepRun;

async function sweep(text: string, dir: string): Promise<SweepRun> {
  return runSweep(text, FILE, parseScenario(text, FILE), dir);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'p2pmsg-sweep-report-'));
  dirA = join(root, 'a');
  dirB = join(root, 'b');
  dirCrash = join(root, 'crash');
  shardsA = await sweep(SHARDS, dirA);
  await sweep(SHARDS, dirB);
  crash = await sweep(CRASH, dirCrash);
}, 120_000);

function spec(dir: string, name: string): TopLevelSpec {
  return JSON.parse(readFileSync(join(dir, `${name}.vl.json`), 'utf8')) as TopLevelSpec;
}

/** The spec's encoding (every comparison plot is a single view). */
function encoding(s: TopLevelSpec): Record<string, Record<string, unknown>> {
  return (s as unknown as { encoding: Record<string, Record<string, unknown>> }).encoding;
}

describe('sweep report plots', () => {
  const schema = createRequire(import.meta.url)('vega-lite/vega-lite-schema.json') as object;
  const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

  it('a sweep that measured messages and probes gets every comparison, SVG beside spec', () => {
    expect(shardsA.problems).toEqual([]);
    expect(shardsA.plots).toEqual(ALL_PLOTS);
    expect(SWEEP_PLOT_NAMES).toEqual(ALL_PLOTS);
    const files = readdirSync(dirA);
    const report = readFileSync(join(dirA, 'report.md'), 'utf8');
    for (const plot of sweepPlotSpecs(shardsA, { name: 'sweep-check', seed: 3 })) {
      expect(files).toContain(`${plot.name}.svg`);
      expect(files).toContain(`${plot.name}.vl.json`);
      expect(report).toContain(`![${plot.title}](${plot.name}.svg)`);
    }
    expect(report).toContain('## Metrics that vary'); // the table is still there
    expect(report.indexOf('## Plots')).toBeLessThan(report.indexOf('## Metrics that vary'));
  });

  it('every spec is valid Vega-Lite, renders without warnings, and its SVG shows its titles', async () => {
    for (const dir of [dirA, dirCrash]) {
      for (const name of ALL_PLOTS) {
        const s = spec(dir, name);
        const valid = validate(s);
        expect(valid, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
        const { svg, warnings } = await renderSvg(s);
        expect(warnings, name).toEqual([]);
        expect(readFileSync(join(dir, `${name}.svg`), 'utf8')).toBe(svg);
        const x = encoding(s)['x']?.['title'] as string;
        const y = encoding(s)['y']?.['title'] as string;
        const title = (s as { title: { text: string } }).title.text;
        for (const text of [x, y, title]) {
          expect(svg, `${name}: "${text}"`).toContain(`>${escapeXml(text)}</text>`);
        }
        expect(y, `${name}: a unit in the y axis title`).toMatch(/\(.+\)$/);
      }
    }
  });

  it('named values are grouped bars in sweep order; numbers are lines over a numeric axis', () => {
    const bars = spec(dirA, 'compare-delivery-latency');
    expect((bars as { mark: unknown }).mark).toBe('bar');
    expect(encoding(bars)['x']).toMatchObject({
      type: 'nominal',
      sort: ['none', '3/2'],
      title: 'workload.shards: shards per message (n/k; none = one packet)',
    });
    expect(encoding(bars)['xOffset']).toBeDefined(); // three percentiles side by side
    const lines = spec(dirCrash, 'compare-delivery-latency');
    expect((lines as { mark: unknown }).mark).toEqual({ type: 'line', point: true });
    expect(encoding(lines)['x']).toMatchObject({
      type: 'quantitative',
      axis: { values: [0.1, 0.4] },
      title: 'events.0.crash.fraction: nodes crashed at once (fraction)',
    });
  });

  it('the data are the summaries’ numbers: one row per point and series, windows expanded', () => {
    const coverage = spec(dirCrash, 'compare-broadcast-coverage') as unknown as {
      data: { values: { point: number; series: string; value: number | null }[] };
    };
    const series = [...new Set(coverage.data.values.map((v) => v.series))];
    expect(series).toEqual([
      'all measured probes',
      'probes sent in window beforeCrash',
      'probes sent in window afterCrash',
    ]);
    const after = coverage.data.values.filter((v) => v.series === series[2]);
    expect(after.map((v) => v.point)).toEqual([0.1, 0.4]);
    expect(after.map((v) => v.value)).toEqual(
      crash.points.map((p) => rounded(p.summary.broadcast.windows['afterCrash']?.coverageMean)),
    );
    const ratio = spec(dirA, 'compare-delivery-ratio') as unknown as {
      data: { values: { series: string; value: number | null }[] };
    };
    const noRetry = ratio.data.values.filter((v) => v.series === 'delivered without any retry');
    expect(noRetry.map((v) => v.value)).toEqual(
      shardsA.points.map((p) => rounded(p.summary.delivery.ratioNoRetry)),
    );
  });

  it('plots only what the sweep measured: no messages and no probes leave the overlay plot', () => {
    const quiet = {
      key: shardsA.key,
      points: shardsA.points.map((p) => ({
        value: p.value,
        summary: {
          ...p.summary,
          delivery: { ...p.summary.delivery, measured: 0, delivered: 0 },
          broadcast: { ...p.summary.broadcast, sent: 0 },
        },
      })),
    };
    const names = sweepPlotSpecs(quiet, { name: 'q', seed: 1 }).map((p) => p.name);
    expect(names).toEqual(['compare-overlay-degree']);
  });

  it(`more windows than colours: the first ${COMPARE_SERIES_MAX} series, and the subtitle says so`, () => {
    const windows = Object.fromEntries(
      Array.from({ length: COMPARE_SERIES_MAX + 2 }, (_, i) => [
        `w${i}`,
        { sent: 1, coverageMean: 0.5, coverageMin: 0.5 },
      ]),
    );
    const many = {
      key: shardsA.key,
      points: shardsA.points.map((p) => ({
        value: p.value,
        summary: { ...p.summary, broadcast: { ...p.summary.broadcast, windows } },
      })),
    };
    const plot = sweepPlotSpecs(many, { name: 'm', seed: 1 }).find(
      (p) => p.name === 'compare-broadcast-coverage',
    );
    const s = plot?.spec as unknown as {
      title: { subtitle: string };
      data: { values: { series: string }[] };
    };
    expect(new Set(s.data.values.map((v) => v.series)).size).toBe(COMPARE_SERIES_MAX);
    expect(s.title.subtitle).toContain(`(first ${COMPARE_SERIES_MAX} of ${COMPARE_SERIES_MAX + 3}`);
    expect(validate(s)).toBe(true);
  });

  it('a plot that fails to render is a warning: the spec, the table and the rest are written', async () => {
    const dir = join(root, 'failing');
    const text = SHARDS.replace('values: [none, 3/2]', 'values: [none]');
    const result = await runSweep(text, FILE, parseScenario(text, FILE), dir, {
      render: async (s) => {
        if (JSON.stringify(s).includes('Broadcast redundancy'))
          throw new Error('renderer exploded');
        return renderSvg(s);
      },
    });
    expect(result.problems).toEqual([
      'plot compare-broadcast-redundancy not rendered: renderer exploded',
    ]);
    expect(result.plots).not.toContain('compare-broadcast-redundancy');
    const files = readdirSync(dir);
    expect(files).toContain('compare-broadcast-redundancy.vl.json');
    expect(files).not.toContain('compare-broadcast-redundancy.svg');
    expect(files).toContain('compare-broadcast-coverage.svg');
    expect(files).toContain('sweep.json');
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('Not rendered: renderer exploded.');
    expect(report).toContain('## Metrics that vary');
  });
});

describe('determinism', () => {
  it('the same seed writes the same files with the same bytes, points included', () => {
    const files = listFiles(dirA);
    expect(listFiles(dirB)).toEqual(files);
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(ALL_PLOTS.length);
    expect(files.filter((f) => f.endsWith('summary.json'))).toHaveLength(2);
    for (const file of files) {
      expect(readFileSync(join(dirB, file)).equals(readFileSync(join(dirA, file))), file).toBe(
        true,
      );
    }
  });

  it('no date, clock or path in a plot', () => {
    for (const file of listFiles(dirA).filter((f) => /\.(svg|vl\.json)$/.test(f))) {
      const text = readFileSync(join(dirA, file), 'utf8');
      expect(text, file).not.toMatch(/\d{4}-\d\d-\d\dT|p2pmsg-sweep-report-/);
    }
  });
});

/** Every file below `dir`, as paths relative to it, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else out.push(relative(dir, path));
    }
  };
  visit(dir);
  return out.sort();
}

function rounded(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : roundMetric(value);
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
