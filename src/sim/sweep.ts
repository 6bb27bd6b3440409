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

export interface SweepOptions extends RunOptions {
  /** The command that reruns the sweep, when it is more than file and seed (`--sweep …`). */
  reproduce?: string;
  /** The command that reruns one point (`--set key=value`). */
  reproducePoint?: (value: number | string) => string;
}

/** The scenario of one sweep point: the file with `key` set to `value` and no sweep. */
export function sweepVariant(
  text: string,
  sourceName: string,
  key: string,
  value: number | string,
  seed: number,
): Scenario {
  return parseScenario(sweepVariantText(text, key, value, seed), `${sourceName} (${key}=${value})`);
}

/** The YAML text of one sweep point (what sweepVariant validates). */
export function sweepVariantText(
  text: string,
  key: string,
  value: number | string,
  seed: number,
): string {
  const doc = YAML.parseDocument(text);
  const path = key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  doc.setIn(path, value);
  doc.delete('sweep');
  doc.set('seed', seed);
  return doc.toString();
}

export function runSweep(
  text: string,
  sourceName: string,
  scenario: Scenario,
  outDir: string,
  options: SweepOptions = {},
): SweepResult {
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
  const result = { key: sweep.key, points };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sweep.json'), `${JSON.stringify(canonicalize(result), null, 2)}\n`);
  const reproduce = options.reproduce ?? `p2pmsg sim ${sourceName} --seed ${scenario.seed}`;
  writeFileSync(join(outDir, 'report.md'), renderSweep(scenario, reproduce, result));
  return result;
}

/** Every numeric metric, by dotted path (histograms left out: they are per-point tables). */
export function flatten(
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

function renderSweep(scenario: Scenario, reproduce: string, result: SweepResult): string {
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
