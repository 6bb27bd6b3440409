/**
 * What `p2pmsg sim` prints on the terminal: the opening lines, internal errors with their
 * seed and reproduce command, and the one-line results. Wall time and paths live here and
 * on the terminal only, never in report files.
 */

import { humanDuration } from '../../sim/duration.js';
import type { RunReportResult } from '../../sim/report/write-run-report.js';
import { formatSeedList } from '../../sim/seeds.js';
import type { Summary } from '../../sim/summary.js';
import type { CliIo } from '../context.js';
import type { SimPlan } from './sim-plan.js';

/** `sim smoke: seed 1, 50 nodes, 3m simulated, modelled crypto` (and what else will run). */
export function openingLine(plan: SimPlan, workers: number): string {
  const { scenario } = plan;
  const runs =
    plan.seeds !== null
      ? `seeds ${formatSeedList(plan.seeds)} (${plan.seeds.length} runs on ${workers} worker thread${workers === 1 ? '' : 's'})`
      : `seed ${scenario.seed}`;
  const what =
    scenario.sweep !== null
      ? `; sweep of ${scenario.sweep.key} over ${scenario.sweep.values.length} values`
      : plan.checkDeterminism
        ? '; checking determinism (2 runs)'
        : '';
  return (
    `sim ${scenario.name}: ${runs}, ${scenario.nodes} nodes, ` +
    `${humanDuration(scenario.durationMs)} simulated, ${scenario.crypto} crypto${what}`
  );
}

/** An internal error: message, seed and reproduce command; the stack with P2PMSG_DEBUG=1. */
export function reportInternalError(
  io: CliIo,
  err: unknown,
  seed: number,
  reproduce: string,
  stack: string | undefined = err instanceof Error ? err.stack : undefined,
): void {
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: internal error: ${message}`);
  io.err(`  seed: ${seed}`);
  io.err(`  reproduce: ${reproduce}`);
  const debug = io.env['P2PMSG_DEBUG'];
  if (debug !== undefined && debug !== '' && debug !== '0' && stack) {
    io.err(stack);
  } else {
    io.err('  (set P2PMSG_DEBUG=1 to see the stack trace)');
  }
}

/**
 * Configured faults that never fired (sim/faults.ts): one `error:` line, one line per fault,
 * the seed and the reproduce command. Returns whether there were any (the run then fails).
 */
export function reportNeverFired(
  io: CliIo,
  summary: Summary,
  seed: number,
  reproduce: string,
  label = '',
): boolean {
  const unfired = summary.faults.neverFired;
  if (unfired.length === 0) return false;
  const [what, it] =
    unfired.length === 1
      ? ['a configured fault', 'it']
      : [`${unfired.length} configured faults`, 'them'];
  io.err(`error: ${label}${what} never fired, so the run did not test ${it} (report written):`);
  for (const line of unfired) io.err(`  ${line}`);
  io.err(`  seed: ${seed}`);
  io.err(`  reproduce: ${reproduce}`);
  return true;
}

/** "summary.json, report.md, metrics.csv, 6 plots": the plots' files counted, not listed. */
export function describeFiles(written: RunReportResult): string {
  const plotFile = /\.(svg|vl\.json)$/;
  const names = written.files.filter((name) => !plotFile.test(name));
  if (written.plots.length > 0) names.push(`${written.plots.length} plots`);
  return names.join(', ');
}

/** One line of the overlay's health for the terminal; '' if the runner did not fill it in. */
export function overlayHeadline(summary: Summary): string {
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
