/**
 * The two `p2pmsg sim` modes that run a scenario more than once into one report:
 * a sweep (the file's `sweep:` or `--sweep key=v1,v2,...`: one run per value, in this
 * process, sim/sweep.ts) and seeds (`--seeds 1..20`: one run per seed on worker threads,
 * sim/seed-pool.ts, with mean and confidence interval per metric, sim/seeds.ts).
 */

import { humanDuration } from '../../sim/duration.js';
import { runSweep } from '../../sim/sweep.js';
import { SeedRunError, runSeeds } from '../../sim/seed-pool.js';
import { aggregateSeeds, writeSeedsReport } from '../../sim/seeds.js';
import { shellQuote, type Summary } from '../../sim/summary.js';
import type { CliIo } from '../context.js';
import { EXIT_FAILED, EXIT_INTERNAL, EXIT_OK } from '../errors.js';
import { reportInternalError, reportNeverFired } from './sim-output.js';
import { type SimPlan, seedCommand } from './sim-plan.js';

export async function runSweepMode(
  io: CliIo,
  plan: SimPlan,
  reproduce: string,
  started: number,
): Promise<number> {
  const { scenario } = plan;
  const key = scenario.sweep?.key ?? '';
  try {
    // A point of a --sweep is the same command with --set key=value instead; a point of a
    // file's own sweep cannot be singled out from the command line.
    const reproducePoint =
      plan.sweep === null
        ? undefined
        : (value: number | string): string =>
            `${seedCommand(plan, scenario.seed)} --set ${shellQuote(`${key}=${value}`)}`;
    const result = await runSweep(plan.text, plan.file, scenario, plan.outDir, {
      reproduce,
      ...(reproducePoint === undefined ? {} : { reproducePoint }),
    });
    // A plot that failed leaves the runs and the table whole: say so, but do not fail.
    for (const problem of result.problems) io.err(`warning: ${problem}`);
    if (!plan.quiet) {
      const plots = `${result.plots.length} plot${result.plots.length === 1 ? '' : 's'}`;
      io.out(
        `sweep ${result.key}: ${result.points.length} runs; wrote ${plan.outDir}/ ` +
          `(sweep.json, report.md, ${plots}) in ${humanDuration(io.clock() - started)} wall time`,
      );
    }
    let unfired = false;
    for (const point of result.points) {
      const label = `sweep point ${key}=${point.value}: `;
      const again = reproducePoint?.(point.value) ?? reproduce;
      unfired = reportNeverFired(io, point.summary, scenario.seed, again, label) || unfired;
    }
    if (unfired) return EXIT_FAILED;
  } catch (err) {
    reportInternalError(io, err, scenario.seed, reproduce);
    return EXIT_INTERNAL;
  }
  return EXIT_OK;
}

export async function runSeedsMode(
  io: CliIo,
  plan: SimPlan,
  reproduce: string,
  started: number,
  workers: number,
): Promise<number> {
  const seeds = plan.seeds ?? [];
  let summaries: Summary[];
  try {
    summaries = await runSeeds(plan.scenario, seeds, {
      workers,
      ...(plan.quiet
        ? {}
        : {
            onDone: (seed: number, done: number, total: number) =>
              io.err(`seed ${seed} done (${done}/${total})`),
          }),
    });
  } catch (err) {
    if (err instanceof SeedRunError) {
      const message = `seed ${err.seed}: ${err.message}`;
      reportInternalError(
        io,
        new Error(message),
        err.seed,
        seedCommand(plan, err.seed),
        err.detail,
      );
    } else {
      reportInternalError(io, err, seeds[0] ?? plan.scenario.seed, reproduce);
    }
    return EXIT_INTERNAL;
  }
  try {
    const result = aggregateSeeds(plan.scenario.name, seeds, summaries);
    writeSeedsReport(plan.outDir, result, summaries, {
      scenario: plan.scenario,
      reproduce,
      reproduceSeed: (seed) => seedCommand(plan, seed),
    });
  } catch (err) {
    reportInternalError(io, err, seeds[0] ?? plan.scenario.seed, reproduce);
    return EXIT_INTERNAL;
  }
  if (!plan.quiet) {
    io.out(
      `wrote ${plan.outDir}/ (seeds.json, report.md, seed-<n>/summary.json for ${seeds.length} seeds) ` +
        `in ${humanDuration(io.clock() - started)} wall time`,
    );
  }
  let unfired = false;
  summaries.forEach((summary, i) => {
    const seed = seeds[i] as number;
    const again = seedCommand(plan, seed);
    unfired = reportNeverFired(io, summary, seed, again, `seed ${seed}: `) || unfired;
  });
  return unfired ? EXIT_FAILED : EXIT_OK;
}
