/**
 * Parameter sweeps: the same scenario run once per value of one key (the scenario's
 * `sweep: { key, values }`), each run a full, deterministic simulation of its own.
 *
 * The key is a dotted path into the scenario *file* (`events.0.crash.fraction`), set with
 * the YAML document API and re-validated, so a sweep can only produce scenarios the file
 * could have said itself. Results: one summary per point (in `<out>/<key>=<value>/`), and a
 * `sweep.json` + `report.md` table of the metrics that vary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { runScenario, type RunOptions } from './runner.js';
import { parseScenario, type Scenario } from './scenario.js';
import { canonicalize, type Summary, writeReport } from './summary.js';

export interface SweepPoint {
  value: number | string;
  summary: Summary;
}

export interface SweepResult {
  key: string;
  points: SweepPoint[];
}

/** The scenario of one sweep point: the file with `key` set to `value` and no sweep. */
export function sweepVariant(
  text: string,
  sourceName: string,
  key: string,
  value: number | string,
  seed: number,
): Scenario {
  const doc = YAML.parseDocument(text);
  const path = key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  doc.setIn(path, value);
  doc.delete('sweep');
  doc.set('seed', seed);
  return parseScenario(doc.toString(), `${sourceName} (${key}=${value})`);
}

export function runSweep(
  text: string,
  sourceName: string,
  scenario: Scenario,
  outDir: string,
  options: RunOptions = {},
): SweepResult {
  const sweep = scenario.sweep;
  if (sweep === null) throw new Error('runSweep: the scenario has no sweep');
  const points: SweepPoint[] = [];
  for (const value of sweep.values) {
    const variant = sweepVariant(text, sourceName, sweep.key, value, scenario.seed);
    const { summary } = runScenario(variant, options);
    writeReport(join(outDir, `${sweep.key}=${value}`), summary, {
      scenarioFile: sourceName,
      scenario: variant,
    });
    points.push({ value, summary });
  }
  const result = { key: sweep.key, points };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sweep.json'), `${JSON.stringify(canonicalize(result), null, 2)}\n`);
  writeFileSync(join(outDir, 'report.md'), renderSweep(scenario, sourceName, result));
  return result;
}

/** Every numeric metric, by dotted path (histograms left out: they are per-point tables). */
function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, number | null> = {},
): Record<string, number | null> {
  if (value === null || typeof value === 'number') out[prefix] = value;
  else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (/histogram$/i.test(k)) continue;
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    }
  }
  return out;
}

function renderSweep(scenario: Scenario, sourceName: string, result: SweepResult): string {
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
    `p2pmsg sim ${sourceName} --seed ${scenario.seed}`,
    '```',
    '',
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
