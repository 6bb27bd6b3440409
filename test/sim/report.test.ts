/**
 * The report folder of a run (src/sim/report/): metrics.csv against the summary it must
 * agree with, every plot spec valid Vega-Lite whose SVG shows its titles, a failing plot
 * that leaves the report whole, and the same bytes in every file for the same seed.
 *
 * One small scenario with every measured thing (joins, a crash, restarts, probes, messages)
 * runs once; the report is written from it twice.
 */
import { Ajv } from 'ajv';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { METRICS_CSV_COLUMNS } from '../../src/sim/report/metrics-csv.js';
import { PLOT_NAMES, plotSpecs } from '../../src/sim/report/plot-specs.js';
import { renderSvg } from '../../src/sim/report/render-svg.js';
import { writeRunReport } from '../../src/sim/report/write-run-report.js';
import { type RunResult, runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const SCENARIO = `
name: report-check
seed: 5
nodes: 24
duration: 75s
join: { over: 2s }
events:
  - { at: 30s, crash: { fraction: 0.25 } }
  - { at: 50s, restart: { fraction: 1 } }
broadcast: { mode: flood, interval: 2s, from: 5s }
workload: { interval: 1s, from: 10s, until: 60s, expiry: 20s }
`;
const DURATION_S = 75;

let run: RunResult;
let dirA: string;
let dirB: string;

beforeAll(async () => {
  const scenario = parseScenario(SCENARIO, 'report-check.yaml');
  run = runScenario(scenario);
  const root = mkdtempSync(join(tmpdir(), 'p2pmsg-run-report-'));
  dirA = join(root, 'a');
  dirB = join(root, 'b');
  const extra = { scenarioFile: 'report-check.yaml', scenario };
  await writeRunReport(dirA, run.summary, run.measurements, extra);
  // The same run again, through a fresh runner: every byte must match.
  const again = runScenario(scenario);
  await writeRunReport(dirB, again.summary, again.measurements, extra);
});

function csvRows(dir: string): { header: string[]; rows: (number | null)[][] } {
  const lines = readFileSync(join(dir, 'metrics.csv'), 'utf8').split('\n');
  expect(lines.pop()).toBe(''); // a final newline
  const header = (lines.shift() ?? '').split(',');
  const rows = lines.map((line) =>
    line.split(',').map((cell) => (cell === '' ? null : Number(cell))),
  );
  return { header, rows };
}

function column(dir: string, name: string): (number | null)[] {
  const { header, rows } = csvRows(dir);
  const index = header.indexOf(name);
  expect(index).toBeGreaterThanOrEqual(0);
  return rows.map((row) => row[index] ?? null);
}

const sum = (values: (number | null)[]): number => values.reduce<number>((a, b) => a + (b ?? 0), 0);

describe('metrics.csv', () => {
  it('has the documented columns and one row per 10 s, the last ending with the run', () => {
    const { header, rows } = csvRows(dirA);
    expect(header).toEqual(METRICS_CSV_COLUMNS.map((c) => c.name));
    expect(rows).toHaveLength(Math.ceil(DURATION_S / 10));
    expect(column(dirA, 'time_s')).toEqual([10, 20, 30, 40, 50, 60, 70, 75]);
    for (const row of rows) {
      expect(row).toHaveLength(header.length);
      for (const cell of row) expect(cell === null || Number.isFinite(cell)).toBe(true);
    }
  });

  it('adds up to the summary: messages, deliveries, probes, and the end state', () => {
    const s = run.summary;
    expect(sum(column(dirA, 'messages_sent'))).toBe(s.delivery.sent);
    expect(sum(column(dirA, 'messages_delivered'))).toBe(s.delivery.delivered);
    expect(sum(column(dirA, 'broadcasts_sent'))).toBe(s.broadcast.sent);
    expect(column(dirA, 'live_nodes').at(-1)).toBe(s.overlay.liveNodes);
    // Degrees tracked from neighbourUp/Down events agree with the final snapshots.
    expect(column(dirA, 'degree_mean').at(-1)).toBeCloseTo(s.overlay.degreeMean as number, 6);
    expect(column(dirA, 'delivery_ratio').at(-1)).toBeCloseTo(
      s.delivery.delivered / s.delivery.sent,
      6,
    );
  });

  it('shows the scripted crash at 30 s and the restart at 50 s in live_nodes', () => {
    const live = column(dirA, 'live_nodes');
    expect(live[1]).toBe(24); // (10 s, 20 s]
    expect(live[2]).toBe(18); // the crash at exactly 30 s belongs to (20 s, 30 s]
    expect(live[4]).toBe(24); // restarted by 50 s
  });

  it('leaves a cell empty where nothing was measured, never 0 or NaN', () => {
    const ratio = column(dirA, 'delivery_ratio');
    expect(ratio[0]).toBeNull(); // no message before 10 s
    const coverage = column(dirA, 'broadcast_coverage');
    expect(coverage.at(-1)).toBeNull(); // probes of the last 30 s are not measured
    expect(readFileSync(join(dirA, 'metrics.csv'), 'utf8')).not.toMatch(/NaN|Infinity|null/);
  });
});

describe('plots', () => {
  const schema = createRequire(import.meta.url)('vega-lite/vega-lite-schema.json') as object;
  const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

  it('are all there for a run that measured everything, each SVG beside its spec', () => {
    const files = readdirSync(dirA);
    const names = plotSpecs(run.summary, run.measurements).map((p) => p.name);
    expect(names).toEqual([
      'live-delivery',
      'latency-cdf',
      'degree-distribution',
      'repair-cdf',
      'broadcast-coverage',
      'overhead',
    ]);
    for (const name of names) {
      expect(files).toContain(`${name}.svg`);
      expect(files).toContain(`${name}.vl.json`);
    }
    const report = readFileSync(join(dirA, 'report.md'), 'utf8');
    for (const plot of plotSpecs(run.summary, run.measurements)) {
      expect(report).toContain(`![${plot.title}](${plot.name}.svg)`);
    }
    expect(report).toContain('[metrics.csv](metrics.csv)');
    expect(report).toContain('## Run'); // the tables too
  });

  it('every spec is valid Vega-Lite, compiles without warnings and its SVG shows its titles', async () => {
    for (const name of plotSpecs(run.summary, run.measurements).map((p) => p.name)) {
      const spec = JSON.parse(readFileSync(join(dirA, `${name}.vl.json`), 'utf8')) as TopLevelSpec;
      const valid = validate(spec);
      expect(valid, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      const { svg, warnings } = await renderSvg(spec);
      expect(warnings, name).toEqual([]);
      expect(readFileSync(join(dirA, `${name}.svg`), 'utf8')).toBe(svg);
      const titles = axisTitles(spec);
      expect(titles.length, name).toBeGreaterThanOrEqual(2);
      for (const title of [...titles, plotTitle(spec)]) {
        expect(svg, `${name}: "${title}"`).toContain(`>${escapeXml(title)}</text>`);
      }
      expect(
        titles.some((t) => /\(.*\)/.test(t)),
        `${name}: a unit in an axis title`,
      ).toBe(true);
    }
  });

  it('plot only what was measured: no latency, coverage or delivery without their workloads', () => {
    const m = run.measurements;
    const quiet = {
      ...m,
      series: m.series.map((row) => ({
        ...row,
        messagesSent: 0,
        messagesDelivered: 0,
        deliveryRatio: null,
        broadcastsSent: 0,
        broadcastCoverage: null,
      })),
      messageLatencyMs: [],
      broadcastLatencyMs: [],
      repairMs: [],
    };
    const names = plotSpecs(run.summary, quiet).map((p) => p.name);
    expect(names).toEqual(['live-nodes', 'degree-distribution', 'overhead']);
    for (const name of names) expect(PLOT_NAMES).toContain(name);
  });

  it('a plot that fails to render leaves the report whole and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2pmsg-run-report-fail-'));
    const result = await writeRunReport(
      dir,
      run.summary,
      run.measurements,
      {},
      {
        render: async (spec) => {
          if (JSON.stringify(spec).includes('Latency CDF')) throw new Error('renderer exploded');
          return renderSvg(spec);
        },
      },
    );
    expect(result.problems).toEqual(['plot latency-cdf not rendered: renderer exploded']);
    expect(result.plots).not.toContain('latency-cdf');
    const files = readdirSync(dir);
    expect(files).toContain('latency-cdf.vl.json');
    expect(files).not.toContain('latency-cdf.svg');
    expect(files).toContain('overhead.svg');
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('Not rendered: renderer exploded.');
    expect(report).toContain('## Delivery');
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe(
      readFileSync(join(dirA, 'summary.json'), 'utf8'),
    );
  });

  it('a spec Vega-Lite cannot compile is a clear error, not a crash', async () => {
    const bad = { mark: 'no-such-mark', data: { values: [] } } as unknown as TopLevelSpec;
    await expect(renderSvg(bad)).rejects.toThrow(/^Vega-Lite could not compile the spec: \S/);
  });
});

describe('determinism', () => {
  it('the same seed writes the same files with the same bytes', () => {
    const files = readdirSync(dirA).sort();
    expect(readdirSync(dirB).sort()).toEqual(files);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBe(6);
    for (const file of files) {
      expect(readFileSync(join(dirB, file)).equals(readFileSync(join(dirA, file))), file).toBe(
        true,
      );
    }
  });

  it('no date, clock or path in any file', () => {
    for (const file of readdirSync(dirA)) {
      const text = readFileSync(join(dirA, file), 'utf8');
      expect(text, file).not.toMatch(/\d{4}-\d\d-\d\dT|p2pmsg-run-report-/);
    }
  });
});

/** Axis titles of a spec and of its layers. */
function axisTitles(spec: TopLevelSpec): string[] {
  const out: string[] = [];
  const visit = (node: Record<string, unknown>): void => {
    const encoding = node['encoding'] as Record<string, { title?: unknown }> | undefined;
    for (const channel of ['x', 'y']) {
      const title = encoding?.[channel]?.title;
      if (typeof title === 'string' && !out.includes(title)) out.push(title);
    }
    for (const layer of (node['layer'] as Record<string, unknown>[] | undefined) ?? [])
      visit(layer);
  };
  visit(spec as unknown as Record<string, unknown>);
  return out;
}

function plotTitle(spec: TopLevelSpec): string {
  const title = (spec as { title?: { text?: unknown } }).title?.text;
  if (typeof title !== 'string') throw new Error('a plot without a title');
  return title;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
