/**
 * `p2pmsg sim --swarm N [--seed S]`: N random scenarios from seeds S, S+1, …, each run with
 * the swarm's safety and liveness checks (sim/swarm/), as TigerBeetle's VOPR does.
 *
 * Without --seed the first seed is random (and printed): a swarm's worth is in the seeds
 * nobody tried yet. The first failing case ends the command with exit 1: its violations,
 * its seed and the command that replays it go to stderr, and its scenario is written to the
 * report folder as YAML (with the failure as a comment on top), so `p2pmsg sim <file>` runs
 * it as an ordinary scenario — the same events, without the checks.
 *
 * Only --seed, --out and --quiet go with --swarm: the other options shape one scenario or
 * many runs of one scenario, and a swarm makes its own.
 */

import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { humanDuration } from '../../sim/duration.js';
import { SEED_MAX } from '../../sim/limits.js';
import { SWARM_RUNS_MAX } from '../../sim/swarm/limits.js';
import {
  type SwarmCaseResult,
  describeSwarmFailure,
  runSwarmCase,
  swarmReplayCommand,
} from '../../sim/swarm/run.js';
import type { CliIo } from '../context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { createProgressBar } from '../progress.js';
import { flagOption, stringOption } from '../options.js';
import { type SimOptions, parseSeedOption } from './sim-plan.js';

export interface SwarmPlan {
  count: number;
  /** The first seed; undefined: draw one. */
  seed: number | undefined;
  out: string | undefined;
  quiet: boolean;
}

/** Options that cannot go with --swarm, and why (shown in the error). */
const INCOMPATIBLE: readonly [keyof SimOptions, string, string][] = [
  ['seeds', '--seeds', 'use --seed S: the swarm runs seeds S..S+N-1'],
  ['set', '--set', 'the swarm generates every scenario key itself'],
  ['sweep', '--sweep', 'the swarm generates every scenario key itself'],
  ['trace', '--trace', 'run the failing scenario file with --trace'],
  [
    'checkDeterminism',
    '--check-determinism',
    'run a scenario file with it (test/sim/determinism-shipped.test.ts covers the shipped ones)',
  ],
];

export function parseSwarmOptions(file: string | undefined, options: SimOptions): SwarmPlan {
  const count = parseSwarmCount(options.swarm);
  if (file !== undefined) {
    throw new UsageError(
      `--swarm generates its own scenarios: drop the scenario file ${JSON.stringify(String(file))}`,
    );
  }
  for (const [key, flag, why] of INCOMPATIBLE) {
    if (options[key] !== undefined && options[key] !== false) {
      throw new UsageError(`${flag} cannot be combined with --swarm: ${why}`);
    }
  }
  const seed = parseSeedOption(options.seed);
  if (seed !== undefined && seed + count - 1 > SEED_MAX) {
    throw new UsageError(
      `--swarm ${count} --seed ${seed} runs seeds up to ${seed + count - 1}, past ${SEED_MAX}`,
    );
  }
  return {
    count,
    seed,
    out: stringOption(options.out, '--out'),
    quiet: flagOption(options.quiet, '--quiet'),
  };
}

function parseSwarmCount(value: unknown): number {
  if (Array.isArray(value)) throw new UsageError('--swarm given more than once');
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= SWARM_RUNS_MAX
  ) {
    return value;
  }
  const found = value === true || value === '' ? 'nothing' : JSON.stringify(value);
  throw new UsageError(
    `--swarm: expected a number of scenarios from 1 to ${SWARM_RUNS_MAX}, found ${found}`,
  );
}

export function runSwarmMode(io: CliIo, plan: SwarmPlan): number {
  const first = plan.seed ?? randomInt(0, SEED_MAX - plan.count + 2);
  const last = first + plan.count - 1;
  const started = io.clock();
  if (!plan.quiet) {
    const seeds = plan.count === 1 ? `seed ${first}` : `seeds ${first}..${last}`;
    io.err(`sim --swarm: ${plan.count} random scenario${plan.count === 1 ? '' : 's'}, ${seeds}`);
    io.err(`reproduce: p2pmsg sim --swarm ${plan.count} --seed ${first}`);
  }
  for (let seed = first; seed <= last; seed++) {
    const bar = plan.quiet ? null : createProgressBar(io.progress, 1);
    const result = runSwarmCase(
      seed,
      bar === null ? {} : { onProgress: (now, total) => bar.update(now, total) },
    );
    bar?.finish();
    if (result.violations.length > 0) return reportFailure(io, plan, result);
    if (!plan.quiet) io.err(caseLine(result));
  }
  if (!plan.quiet) {
    io.out(
      `swarm: ${plan.count} scenario${plan.count === 1 ? '' : 's'} passed every check ` +
        `(seeds ${first}..${last}) in ${humanDuration(io.clock() - started)} wall time`,
    );
  }
  return EXIT_OK;
}

/** `seed 7: ok (35 nodes, 9m 21s simulated, 6 scripted faults, 18 messages judged)` */
function caseLine(result: SwarmCaseResult): string {
  const { scenario, tally } = result;
  return (
    `seed ${result.seed}: ok (${scenario.nodes} nodes, ${humanDuration(scenario.durationMs)} ` +
    `simulated, ${scenario.events.length} scripted faults, ${tally?.messagesJudged ?? 0} ` +
    'messages judged)'
  );
}

/** Prints the failure and writes the scenario where `p2pmsg sim` can run it. */
function reportFailure(io: CliIo, plan: SwarmPlan, result: SwarmCaseResult): number {
  const lines = describeSwarmFailure(result);
  const dir = plan.out ?? join('reports', `swarm-${result.seed}`);
  const file = join(dir, `swarm-${result.seed}.yaml`);
  lines.forEach((line, i) => io.err(i === 0 ? `error: ${line}` : line));
  try {
    mkdirSync(dir, { recursive: true });
    const header = [
      ...lines.map((line) => `# ${line}`),
      `# Run as an ordinary scenario (same events, no checks): p2pmsg sim ${file}`,
      '#',
    ];
    writeFileSync(file, `${header.join('\n')}\n${result.generated.text}`);
    io.err(`  scenario: ${file} (p2pmsg sim ${file})`);
  } catch (err) {
    io.err(`  could not write ${file}: ${err instanceof Error ? err.message : String(err)}`);
    io.err(`  the scenario is regenerated by: ${swarmReplayCommand(result.seed)}`);
  }
  return EXIT_FAILED;
}
