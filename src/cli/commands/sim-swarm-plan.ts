/**
 * `p2pmsg sim --swarm N`'s options, checked before anything runs (sim-swarm.ts runs the
 * swarm): a module of its own so that the checks do not load the simulator.
 */
import { SEED_MAX } from '../../sim/limits.js';
import { SWARM_RUNS_MAX } from '../../sim/swarm/limits.js';
import { UsageError } from '../errors.js';
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
