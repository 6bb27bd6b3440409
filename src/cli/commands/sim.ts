/**
 * `p2pmsg sim <scenario.yaml> [--seed N] [--out DIR] [--quiet]` (DESIGN.md §5, issue 2 #6).
 *
 * Loads and validates the scenario, prints the seed and the command that reproduces the run,
 * runs it on the simulated network (runner.ts), writes summary.json and report.md, and prints
 * where they went with the wall time. Wall time and paths go to the terminal only.
 *
 * Failures: a bad option or scenario is one `error:` line and exit 2; anything that goes wrong
 * once the run has started is an internal error: message, seed and reproduce command, exit 1.
 */

import type { CAC } from 'cac';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { humanDuration } from '../../sim/duration.js';
import { SEED_MAX } from '../../sim/limits.js';
import { runScenario } from '../../sim/runner.js';
import { runSweep } from '../../sim/sweep.js';
import { type Scenario, ScenarioError, loadScenarioFile } from '../../sim/scenario.js';
import { type Summary, reproduceCommand, writeReport } from '../../sim/summary.js';
import type { CliCommand, CliIo } from '../context.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { createProgressBar } from '../progress.js';

interface SimOptions {
  seed?: unknown;
  out?: unknown;
  quiet?: unknown;
}

export const simCommand: CliCommand = {
  name: 'sim',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('sim <scenario>', 'Run a scenario on the simulated network and write a report')
      .usage('sim <scenario.yaml> [--seed N] [--out DIR] [--quiet]')
      .option(
        '--seed <n>',
        `Seed for all randomness, 0..${SEED_MAX}; overrides the scenario's seed`,
      )
      .option(
        '--out <dir>',
        'Directory for summary.json and report.md (default: reports/<name>-<seed>/)',
      )
      .option('--quiet', 'Print only errors: no seed line, no progress bar, no summary line')
      .example('  $ p2pmsg sim sim/scenarios/overlay.yaml')
      .example('  $ p2pmsg sim sim/scenarios/overlay.yaml --seed 7 --out /tmp/overlay-7')
      .action((file: string, options: SimOptions) => runSim(io, file, options));
  },
  helpSections: [
    {
      title: 'Scenario files',
      body:
        '  YAML with keys name, seed, nodes, duration, crypto, join, overlay, network, events\n' +
        '  and settle (see src/sim/scenario.ts and sim/scenarios/*.yaml). Durations need a\n' +
        '  unit: 250ms, 90s, 10m, 1.5h. Unknown keys are errors.',
    },
    {
      title: 'Output',
      body:
        '  summary.json: every metric, byte-identical for the same scenario and seed.\n' +
        '  report.md: the scenario, metric tables and the command that reproduces the run.',
    },
    {
      title: 'Exit codes',
      body:
        '  0 done; 2 bad option or scenario (one error line naming the file, line and key);\n' +
        '  1 internal error (message, seed and reproduce command on stderr)',
    },
  ],
};

async function runSim(io: CliIo, file: string, options: SimOptions): Promise<number> {
  const seedOverride = parseSeedOption(options.seed);
  const out = stringOption(options.out, '--out');
  const quiet = options.quiet === true;

  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(String(file));
  } catch (err) {
    if (err instanceof ScenarioError) {
      io.err(`error: ${err.format()}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (seedOverride !== undefined) scenario = { ...scenario, seed: seedOverride };
  const seed = scenario.seed;
  const reproduce = reproduceCommand(String(file), seed);
  const outDir = out ?? join('reports', `${scenario.name}-${seed}`);

  if (!quiet) {
    io.out(
      `sim ${scenario.name}: seed ${seed}, ${scenario.nodes} nodes, ` +
        `${humanDuration(scenario.durationMs)} simulated, ${scenario.crypto} crypto`,
    );
    io.out(`reproduce: ${reproduce}`);
  }

  const started = io.clock();
  if (scenario.sweep !== null) {
    try {
      const result = runSweep(readFileSync(String(file), 'utf8'), String(file), scenario, outDir);
      if (!quiet) {
        io.out(
          `sweep ${result.key}: ${result.points.length} runs; wrote ${outDir}/ (sweep.json, report.md) ` +
            `in ${humanDuration(io.clock() - started)} wall time`,
        );
      }
    } catch (err) {
      reportInternalError(io, err, seed, reproduce);
      return EXIT_INTERNAL;
    }
    return EXIT_OK;
  }
  const bar = quiet ? null : createProgressBar(io.progress, scenario.durationMs);
  let summary: Summary;
  try {
    const result = await runScenario(
      scenario,
      bar === null ? {} : { onProgress: (now, total) => bar.update(now, total) },
    );
    bar?.finish();
    summary = result.summary;
    writeReport(outDir, summary, { scenarioFile: String(file), scenario });
  } catch (err) {
    bar?.finish();
    reportInternalError(io, err, seed, reproduce);
    return EXIT_INTERNAL;
  }
  const wallMs = io.clock() - started;

  if (!quiet) {
    const headline = overlayHeadline(summary);
    if (headline !== '') io.out(headline);
    io.out(`wrote ${outDir}/ (summary.json, report.md) in ${humanDuration(wallMs)} wall time`);
  }
  return EXIT_OK;
}

/** `--seed`: mri has already turned digit strings into numbers. */
function parseSeedOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError('--seed given more than once');
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= SEED_MAX) {
    return value;
  }
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new UsageError(`--seed: expected an integer from 0 to ${SEED_MAX}, found ${shown}`);
}

function stringOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`${flag} given more than once`);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new UsageError(`${flag}: expected a value`);
}

function reportInternalError(io: CliIo, err: unknown, seed: number, reproduce: string): void {
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: internal error: ${message}`);
  io.err(`  seed: ${seed}`);
  io.err(`  reproduce: ${reproduce}`);
  const debug = io.env['P2PMSG_DEBUG'];
  if (debug !== undefined && debug !== '' && debug !== '0' && err instanceof Error && err.stack) {
    io.err(err.stack);
  } else {
    io.err('  (set P2PMSG_DEBUG=1 to see the stack trace)');
  }
}

/** One line of the overlay's health for the terminal; '' if the runner did not fill it in. */
function overlayHeadline(summary: Summary): string {
  const o = summary.overlay as Partial<Summary['overlay']> | undefined;
  if (o === undefined || typeof o.liveNodes !== 'number') return '';
  const degree =
    typeof o.degreeMin === 'number' &&
    typeof o.degreeMax === 'number' &&
    typeof o.degreeMean === 'number'
      ? `degree ${o.degreeMin}..${o.degreeMax} (mean ${o.degreeMean.toFixed(2)})`
      : 'degree n/a';
  const component =
    typeof o.largestComponent === 'number'
      ? `largest component ${(o.largestComponent * 100).toFixed(1)}%`
      : '';
  const repair =
    typeof o.repairMsP50 === 'number' && typeof o.repairMsP99 === 'number'
      ? `repair p50 ${humanDuration(o.repairMsP50)}, p99 ${humanDuration(o.repairMsP99)}`
      : 'no repairs';
  return `overlay: ${o.liveNodes} live, ${[degree, component, repair].filter((s) => s !== '').join(', ')}`;
}
