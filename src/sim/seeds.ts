/**
 * Many seeds of one scenario (`p2pmsg sim --seeds 1..20`): the seed list, the statistics over
 * the runs, and the report (`seeds.json`, `report.md`, one `seed-<n>/summary.json` per seed).
 *
 * One seed is one sample of the scenario's randomness; a metric of one run says little about
 * the next. Over n seeds every numeric metric of summary.json gets its mean and a two-sided
 * confidence interval of the mean from Student's t with n − 1 degrees of freedom:
 * mean ± t(1 − (1 − SEEDS_CONFIDENCE)/2, n − 1) · s / √n, s the sample standard deviation.
 *
 * Rules:
 * 1. Seeds are sorted and distinct, and every output lists them in that order, so the report
 *    is byte-identical whichever worker finished first (seed-pool.ts returns results by index).
 * 2. A metric that is null in some runs (no repairs, no probes) is summarized over the runs
 *    that have it; `n` says how many. Fewer than two values: no interval (null).
 * 3. Numbers are rounded like summary.json (canonicalize), so the files are stable.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from './duration.js';
import { SEED_MAX, SEEDS_CONFIDENCE, SEEDS_MAX } from './limits.js';
import type { Scenario } from './scenario.js';
import { studentTQuantile } from './student-t.js';
import { canonicalize, formatSummaryJson, type Summary, writeAtomically } from './summary.js';
import { flatten } from './sweep-points.js';

/** A malformed `--seeds` value (exit 2 in the CLI). */
export class SeedListError extends Error {
  override name = 'SeedListError';
}

/** Directory names longer than this use the seeds' bounds and count instead of the list. */
const LABEL_MAX_CHARS = 48;

/** `1..20`, `1,2,5` or a mix (`1..3,7`) → sorted distinct seeds; at least two, at most SEEDS_MAX. */
export function parseSeedList(text: string): number[] {
  const shape = 'a seed range such as 1..20 or a list such as 1,2,5';
  const seeds: number[] = [];
  for (const item of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(item);
    if (match === null) {
      throw new SeedListError(`--seeds: expected ${shape}, found ${JSON.stringify(text)}`);
    }
    const first = seedValue(match[1] as string);
    const last = match[2] === undefined ? first : seedValue(match[2]);
    if (last < first) {
      throw new SeedListError(
        `--seeds: range ${first}..${last} goes backwards (write ${last}..${first})`,
      );
    }
    if (seeds.length + (last - first + 1) > SEEDS_MAX) {
      throw new SeedListError(`--seeds: at most ${SEEDS_MAX} seeds (SEEDS_MAX) in one run`);
    }
    for (let seed = first; seed <= last; seed++) seeds.push(seed);
  }
  seeds.sort((a, b) => a - b);
  for (let i = 1; i < seeds.length; i++) {
    if (seeds[i] === seeds[i - 1])
      throw new SeedListError(`--seeds: seed ${seeds[i]} is listed twice`);
  }
  if (seeds.length < 2) {
    throw new SeedListError(
      `--seeds: needs at least 2 seeds for a confidence interval (for one run use --seed ${seeds[0]})`,
    );
  }
  return seeds;
}

function seedValue(digits: string): number {
  const seed = Number(digits);
  if (seed > SEED_MAX) throw new SeedListError(`--seeds: seed ${digits} is above ${SEED_MAX}`);
  return seed;
}

/** The shortest spec of sorted distinct seeds: `1..3,7`. */
export function formatSeedList(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length;) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === (seeds[j] as number) + 1) j += 1;
    parts.push(j > i + 1 ? `${seeds[i]}..${seeds[j]}` : seeds.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** The default report directory name: `<name>-seeds-1-20`. */
export function seedsDirName(name: string, seeds: readonly number[]): string {
  const label = formatSeedList(seeds).replaceAll('..', '-').replaceAll(',', '_');
  const short =
    label.length <= LABEL_MAX_CHARS
      ? label
      : `${seeds[0]}-${seeds[seeds.length - 1]}-n${seeds.length}`;
  return `${name}-seeds-${short}`;
}

export interface Interval {
  /** Values summarized (non-null ones). */
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1 in the denominator). */
  sd: number | null;
  /** t · s / √n. */
  halfWidth: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

/** Mean and Student-t confidence interval of the mean of `values`. */
export function meanInterval(values: readonly number[], confidence = SEEDS_CONFIDENCE): Interval {
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, halfWidth: null, ciLow: null, ciHigh: null };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, sd: null, halfWidth: null, ciLow: null, ciHigh: null };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  const halfWidth = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, halfWidth, ciLow: mean - halfWidth, ciHigh: mean + halfWidth };
}

export interface SeedMetric extends Interval {
  /** One value per seed, in seed order (null where that run had none). */
  values: (number | null)[];
}

export interface SeedsResult {
  scenario: string;
  seeds: number[];
  confidence: number;
  /** By dotted path in summary.json, in the order the paths first appear. */
  metrics: Record<string, SeedMetric>;
}

/** Every numeric metric of the summaries (`summaries[i]` is the run of `seeds[i]`). */
export function aggregateSeeds(
  scenario: string,
  seeds: readonly number[],
  summaries: readonly Summary[],
): SeedsResult {
  if (summaries.length !== seeds.length) throw new Error('aggregateSeeds: one summary per seed');
  const rows = summaries.map((summary) => flatten(canonicalize(summary)));
  const paths: string[] = [];
  const known = new Set<string>(['seed']); // the seed is the variable, not a metric
  for (const row of rows) {
    for (const path of Object.keys(row)) {
      if (!known.has(path)) {
        known.add(path);
        paths.push(path);
      }
    }
  }
  const metrics: Record<string, SeedMetric> = {};
  for (const path of paths) {
    const values = rows.map((row) => row[path] ?? null);
    const present = values.filter((v): v is number => v !== null);
    metrics[path] = { ...meanInterval(present), values };
  }
  return { scenario, seeds: [...seeds], confidence: SEEDS_CONFIDENCE, metrics };
}

/** The exact text of seeds.json. */
export function formatSeedsJson(result: SeedsResult): string {
  return `${JSON.stringify(canonicalize(result, 'seeds'), null, 2)}\n`;
}

export interface SeedsReportExtra {
  scenario: Scenario;
  /** The command that reruns the whole set. */
  reproduce: string;
  /** The command that reruns one seed. */
  reproduceSeed(seed: number): string;
}

/** Writes seeds.json, report.md and seed-<n>/summary.json into `dir`. */
export function writeSeedsReport(
  dir: string,
  result: SeedsResult,
  summaries: readonly Summary[],
  extra: SeedsReportExtra,
): void {
  const json = formatSeedsJson(result);
  const markdown = renderSeedsReport(result, extra);
  const perSeed = summaries.map(formatSummaryJson);
  mkdirSync(dir, { recursive: true });
  result.seeds.forEach((seed, i) => {
    mkdirSync(join(dir, `seed-${seed}`), { recursive: true });
    writeAtomically(join(dir, `seed-${seed}`, 'summary.json'), perSeed[i] as string);
  });
  writeAtomically(join(dir, 'seeds.json'), json);
  writeAtomically(join(dir, 'report.md'), markdown);
}

function renderSeedsReport(result: SeedsResult, extra: SeedsReportExtra): string {
  const { scenario } = extra;
  const percent = `${Math.round(result.confidence * 100)}%`;
  const show = (v: number | null): string =>
    v === null ? '—' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  const entries = Object.entries(result.metrics);
  const varying = entries.filter(([, m]) => new Set(m.values).size > 1).map(([path]) => path);
  return [
    `# Seeds report: ${result.scenario}`,
    '',
    `${result.seeds.length} runs, seeds ${formatSeedList(result.seeds)}; ${scenario.nodes} nodes, ` +
      `${formatDuration(scenario.durationMs)} simulated, ${scenario.crypto} crypto. Every numeric ` +
      `metric of summary.json: its mean over the seeds and the ${percent} confidence interval of ` +
      'the mean (Student t, n − 1 degrees of freedom; n counts the runs that have the metric). ' +
      'Each run’s own summary is in `seed-<n>/summary.json`; all values are in `seeds.json`.',
    '',
    'Reproduce the set, or one seed:',
    '',
    '```sh',
    extra.reproduce,
    extra.reproduceSeed(result.seeds[0] as number),
    '```',
    '',
    '## Mean and confidence interval',
    '',
    `| metric | n | mean | ± (${percent}) | low | high | sd |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...entries.map(
      ([path, m]) =>
        `| ${path} | ${m.n} | ${show(m.mean)} | ${show(m.halfWidth)} | ${show(m.ciLow)} | ` +
        `${show(m.ciHigh)} | ${show(m.sd)} |`,
    ),
    '',
    '## Per seed (metrics that vary)',
    '',
    `| seed | ${varying.join(' | ')} |`,
    `|---:|${varying.map(() => '---:').join('|')}|`,
    ...result.seeds.map(
      (seed, i) =>
        `| ${seed} | ${varying.map((p) => show(result.metrics[p]?.values[i] ?? null)).join(' | ')} |`,
    ),
    '',
  ].join('\n');
}
