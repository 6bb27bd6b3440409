/**
 * What one `p2pmsg sim` command line asks for, checked before anything runs: the scenario
 * with its `--set` overrides, the seed or seeds, the mode, the output directory and the
 * command that reproduces it.
 *
 * Rules:
 * 1. Every problem with the command line is a UsageError (one line, exit 2): malformed
 *    values, bad ranges, options that cannot go together. Problems in the scenario are
 *    ScenarioErrors naming the file, line and key path (`--set` values included).
 * 2. Overrides are applied to the file's YAML before validation (sim/overrides.ts), and every
 *    point of a sweep is validated before the first one runs.
 * 3. The reproduce command repeats exactly the options that change the result (seed, --set,
 *    --sweep) plus the mode flags; never --out or --quiet.
 */

import { join } from 'node:path';
import { SEED_MAX, SIM_HEAP_MIB_MAX, SIM_HEAP_MIB_MIN } from '../../sim/limits.js';
import {
  type Assignment,
  OverrideError,
  type SweepOption,
  applyOverrides,
  explainScenarioError,
  overrideSources,
  parseAssignment,
  parseSweepOption,
} from '../../sim/overrides.js';
import {
  type Scenario,
  ScenarioError,
  parseScenario,
  readScenarioText,
} from '../../sim/scenario.js';
import { SeedListError, formatSeedList, parseSeedList, seedsDirName } from '../../sim/seeds.js';
import { sweepVariant, sweepVariantText } from '../../sim/sweep-points.js';
import { reproduceCommand, shellQuote } from '../../sim/summary.js';
import { UsageError } from '../errors.js';
import { flagOption, intOption, showOption, stringOption } from '../options.js';

/** The options as cac hands them over (mri has turned digit strings into numbers). */
export interface SimOptions {
  seed?: unknown;
  seeds?: unknown;
  set?: unknown;
  sweep?: unknown;
  trace?: unknown;
  checkDeterminism?: unknown;
  out?: unknown;
  quiet?: unknown;
  /** `--swarm N` (sim-swarm.ts). */
  swarm?: unknown;
  /** `--max-heap MiB` (sim-heap.ts). */
  maxHeap?: unknown;
}

export type SimMode = 'single' | 'sweep' | 'seeds';

/** The command-line options alone, before the file is read (rule 1). */
export interface ParsedOptions {
  seed: number | undefined;
  seeds: number[] | null;
  sets: Assignment[];
  sweep: SweepOption | null;
  trace: boolean;
  checkDeterminism: boolean;
  quiet: boolean;
  out: string | undefined;
}

/** What runs: the options, the scenario they make, the mode and where the report goes. */
export interface SimPlan extends Omit<ParsedOptions, 'seed' | 'out'> {
  file: string;
  /** The scenario file's text with the overrides (and --sweep) applied. */
  text: string;
  /** Validated, with the seed of --seed (the first seed for --seeds). */
  scenario: Scenario;
  mode: SimMode;
  outDir: string;
}

export function parseSimOptions(options: SimOptions): ParsedOptions {
  const seed = parseSeedOption(options.seed);
  const seeds = parseSeedsOption(options.seeds);
  const sets = listOption(options.set, '--set').map((text) =>
    fromOverride(() => parseAssignment(text)),
  );
  const sweeps = listOption(options.sweep, '--sweep');
  if (sweeps.length > 1) throw new UsageError('--sweep given more than once (one key per sweep)');
  const sweep =
    sweeps[0] === undefined ? null : fromOverride(() => parseSweepOption(sweeps[0] as string));
  const trace = flagOption(options.trace, '--trace');
  const checkDeterminism = flagOption(options.checkDeterminism, '--check-determinism');

  if (seeds !== null && seed !== undefined) {
    throw new UsageError(
      '--seeds and --seed cannot be combined: --seeds runs every seed in its list',
    );
  }
  const many = seeds !== null ? '--seeds' : sweep !== null ? '--sweep' : null;
  if (many !== null && (trace || checkDeterminism)) {
    const flag = trace ? '--trace' : '--check-determinism';
    throw new UsageError(
      `${flag} works on a single run, not with ${many} (pick one with --seed N)`,
    );
  }
  if (seeds !== null && sweep !== null) {
    throw new UsageError(
      '--seeds and --sweep cannot be combined: run one sweep per seed with --seed',
    );
  }
  const clash = sweep === null ? undefined : sets.find((set) => set.key === sweep.key);
  if (clash !== undefined) {
    throw new UsageError(`--set ${clash.text} and --sweep ${sweep?.text} set the same key`);
  }
  return {
    seed,
    seeds,
    sets,
    sweep,
    trace,
    checkDeterminism,
    quiet: flagOption(options.quiet, '--quiet'),
    out: stringOption(options.out, '--out'),
  };
}

/** `--max-heap MiB`, for every mode (swarm included). */
export function parseMaxHeapOption(value: unknown): number | undefined {
  return intOption(value, '--max-heap', SIM_HEAP_MIB_MIN, SIM_HEAP_MIB_MAX, undefined);
}

/** Reads and validates the scenario with the overrides (throws ScenarioError or UsageError). */
export function planSim(file: string, parsed: ParsedOptions): SimPlan {
  const sources = overrideSources(parsed.sets, parsed.sweep);
  const original = readScenarioText(file);
  /** Errors in an edited text, told in terms of the user's file (sim/overrides.ts). */
  const explain = <T>(edited: string, read: () => T): T => {
    try {
      return read();
    } catch (err) {
      throw err instanceof ScenarioError
        ? explainScenarioError(err, sources, original, edited)
        : err;
    }
  };
  const text = fromOverride(() => applyOverrides(original, parsed.sets, parsed.sweep));
  let scenario = explain(text, () => parseScenario(text, file));
  const seeds = parsed.seeds;
  const seed = parsed.seed ?? seeds?.[0] ?? scenario.seed;
  scenario = { ...scenario, seed };
  const mode: SimMode = seeds !== null ? 'seeds' : scenario.sweep !== null ? 'sweep' : 'single';
  if (
    scenario.sweep !== null &&
    parsed.sweep === null &&
    (seeds !== null || parsed.trace || parsed.checkDeterminism)
  ) {
    const flag = seeds !== null ? '--seeds' : parsed.trace ? '--trace' : '--check-determinism';
    throw new UsageError(
      `${flag} needs a single run, but ${file} sweeps ${scenario.sweep.key} ` +
        `(${scenario.sweep.values.length} runs); remove its sweep: key`,
    );
  }
  if (scenario.sweep !== null) {
    // Every point must be valid before the first one runs (rule 2).
    const { key, values } = scenario.sweep;
    for (const value of values) {
      const variant = sweepVariantText(text, key, value, seed);
      explain(variant, () => sweepVariant(text, file, key, value, seed));
    }
  }
  const outDir =
    parsed.out ??
    join(
      'reports',
      seeds !== null ? seedsDirName(scenario.name, seeds) : `${scenario.name}-${seed}`,
    );
  const { seed: _seed, out: _out, ...options } = parsed;
  return { ...options, file, text, scenario, mode, outDir };
}

/** `--set a=1 --set b=2` as a command-line tail. */
function setFlags(sets: readonly Assignment[]): string {
  return sets.map((set) => ` --set ${shellQuote(set.text)}`).join('');
}

/** The command that reruns one seed with the same overrides (what report.md shows). */
export function seedCommand(plan: SimPlan, seed: number): string {
  return reproduceCommand(plan.file, seed) + setFlags(plan.sets);
}

/** The command that reruns this whole command line (rule 3). */
export function planCommand(plan: SimPlan): string {
  if (plan.seeds !== null) {
    return `p2pmsg sim ${shellQuote(plan.file)} --seeds ${formatSeedList(plan.seeds)}${setFlags(plan.sets)}`;
  }
  return (
    seedCommand(plan, plan.scenario.seed) +
    (plan.sweep === null ? '' : ` --sweep ${shellQuote(plan.sweep.text)}`) +
    (plan.trace ? ' --trace' : '') +
    (plan.checkDeterminism ? ' --check-determinism' : '')
  );
}

function fromOverride<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw err instanceof OverrideError ? new UsageError(err.message) : err;
  }
}

/** `--seed`: mri has already turned digit strings into numbers. */
export function parseSeedOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError('--seed given more than once');
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= SEED_MAX) {
    return value;
  }
  throw new UsageError(
    `--seed: expected an integer from 0 to ${SEED_MAX}, found ${showOption(value)}`,
  );
}

function parseSeedsOption(value: unknown): number[] | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) throw new UsageError('--seeds given more than once (write 1..5,9)');
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new UsageError(`--seeds: expected a range such as 1..20 or a list such as 1,2,5`);
  }
  try {
    return parseSeedList(String(value));
  } catch (err) {
    throw err instanceof SeedListError ? new UsageError(err.message) : err;
  }
}

/** A repeatable option: mri gives a value, or an array when it was given more than once. */
function listOption(value: unknown, flag: string): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  return values.map((v) => {
    if (typeof v === 'string') return v;
    throw new UsageError(
      `${flag}: expected ${flag === '--set' ? 'key=value' : 'key=v1,v2,...'}, found ${showOption(v)}`,
    );
  });
}
