/**
 * `p2pmsg sim <scenario>` in its one-run mode (sim-run.ts chose it): the run, twice with
 * --check-determinism, its report and, with --trace, its trace.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkScenarioDeterminism,
  type DeterminismResult,
  describeDifference,
  type RunOutput,
} from '../../sim/determinism.js';
import { humanDuration } from '../../sim/duration.js';
import { type RunReportResult, writeRunReport } from '../../sim/report/write-run-report.js';
import { type RunOptions, runScenario } from '../../sim/runner.js';
import { TRACE_FILE, type TraceResult, TraceWriter } from '../../sim/trace.js';
import type { CliIo } from '../context.js';
import { EXIT_FAILED, EXIT_INTERNAL, EXIT_OK } from '../errors.js';
import { createProgressBar } from '../progress.js';
import {
  describeFiles,
  overlayHeadline,
  reportInternalError,
  reportNeverFired,
} from './sim-output.js';
import { type SimPlan, seedCommand } from './sim-plan.js';

/** One run (twice with --check-determinism), its report and, with --trace, its trace. */
export async function runOne(
  io: CliIo,
  plan: SimPlan,
  reproduce: string,
  started: number,
): Promise<number> {
  const { scenario } = plan;
  const total = scenario.durationMs;
  const runs = plan.checkDeterminism ? 2 : 1;
  const bar = plan.quiet ? null : createProgressBar(io.progress, runs * total);
  let trace: TraceWriter | null = null;
  let traced: TraceResult | null = null;
  let verdict: DeterminismResult | null = null;
  let written: RunReportResult;
  let output: RunOutput;
  try {
    if (plan.trace) trace = new TraceWriter(plan.outDir);
    else rmSync(join(plan.outDir, TRACE_FILE), { force: true }); // not an older run's trace
    if (plan.checkDeterminism) {
      const checked = checkScenarioDeterminism(scenario, {
        ...(trace === null ? {} : { onFirstTrace: trace.record }),
        ...(bar === null
          ? {}
          : {
              onProgress: (run: number, now: number) =>
                bar.update((run - 1) * total + now, runs * total),
            }),
      });
      verdict = checked.verdict;
      output = checked.firstRun;
    } else {
      const runOptions: RunOptions = {};
      if (bar !== null) runOptions.onProgress = (now, all) => bar.update(now, all);
      if (trace !== null) runOptions.onTrace = trace.record;
      output = await runScenario(scenario, runOptions);
    }
    bar?.finish();
    traced = trace?.close() ?? null;
    if (verdict !== null && !verdict.deterministic) {
      describeDifference(verdict).forEach((line, i) => io.err(i === 0 ? `error: ${line}` : line));
      io.err(`  seed: ${scenario.seed}`);
      io.err(`  reproduce: ${reproduce}`);
      if (traced !== null) io.err(`  trace of the first run: ${traced.path}`);
      return EXIT_FAILED;
    }
    written = await writeRunReport(plan.outDir, output.summary, output.measurements, {
      scenarioFile: plan.file,
      scenario,
      ...(plan.sets.length === 0 ? {} : { reproduce: seedCommand(plan, scenario.seed) }),
    });
  } catch (err) {
    bar?.finish();
    const partial = traced ?? closeAfterFailure(trace);
    reportInternalError(io, err, scenario.seed, reproduce);
    if (partial !== null) io.err(`  trace up to the failure: ${partial.path}`);
    return EXIT_INTERNAL;
  }
  // A plot that failed leaves the run and the tables whole: say so, but exit 0.
  for (const problem of written.problems) io.err(`warning: ${problem}`);
  if (reportNeverFired(io, output.summary, scenario.seed, reproduce)) return EXIT_FAILED;
  if (plan.quiet) return EXIT_OK;
  if (traced?.truncatedBy != null) {
    const limit = traced.truncatedBy === 'lines' ? 'TRACE_LINES_MAX' : 'TRACE_BYTES_MAX';
    io.err(
      `note: ${TRACE_FILE} holds the first ${traced.lines} of ${traced.events} engine events ` +
        `(${limit}); its last line says so`,
    );
  }
  if (verdict?.deterministic === true) {
    io.out(
      `deterministic: 2 runs agree on all ${verdict.events} engine events and on summary.json ` +
        `(trace hash ${verdict.traceHash})`,
    );
  }
  const headline = overlayHeadline(output.summary);
  if (headline !== '') io.out(headline);
  const files = describeFiles(written) + (traced === null ? '' : `, ${TRACE_FILE}`);
  io.out(`wrote ${plan.outDir}/ (${files}) in ${humanDuration(io.clock() - started)} wall time`);
  return EXIT_OK;
}

/** Closes the trace after a failed run so it can be read; null if that fails too. */
function closeAfterFailure(trace: TraceWriter | null): TraceResult | null {
  if (trace === null) return null;
  try {
    return trace.close();
  } catch {
    return null;
  }
}
