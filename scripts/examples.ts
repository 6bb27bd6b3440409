/**
 * `npm run examples [-- name …]`: regenerates the example reports in reports/examples/, one
 * per shipped scenario (sim/scenarios/*.yaml), each from the scenario shortened to a small
 * network and a short run (src/sim/shorten.ts) so the whole set takes minutes, not hours.
 *
 * Each example is the CLI's own output (`p2pmsg sim <file> --set … --out …`), so its
 * report.md carries the exact command that reproduces it. The seed is the scenario's; the
 * simulator is deterministic, so regenerating on any machine gives the same bytes.
 *
 * The scenario list is read from sim/scenarios/, so a new scenario gets an example the day
 * it is added; EXAMPLE_SIZES gives one its own size where the default does not suit it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SECOND_MS } from '../src/sim/limits.js';
import { type Shortening, shorteningAssignments } from '../src/sim/shorten.js';

const SCENARIOS_DIR = 'sim/scenarios';
const EXAMPLES_DIR = 'reports/examples';
/** Big enough for every fault to bite and for plots with a shape; small enough for minutes. */
const DEFAULT_SIZE: Shortening = { nodes: 200, durationMs: 5 * 60 * SECOND_MS };
/** Scenarios that need another size, by file name without `.yaml`. */
const EXAMPLE_SIZES: Record<string, Shortening> = {
  // Churn needs time for sessions to end and nodes to come back.
  churn: { nodes: 150, durationMs: 20 * 60 * SECOND_MS },
  // As shipped (500 nodes, 4 minutes): the README's table of the HyParView result is this report.
  'massive-failure': { nodes: 500, durationMs: 4 * 60 * SECOND_MS },
  // The scale scenarios' example is a sample of their timeline at a modest size.
  'scale-10k': { nodes: 500, durationMs: 5 * 60 * SECOND_MS },
  'scale-100k': { nodes: 500, durationMs: 5 * 60 * SECOND_MS },
};
/** One example may not run longer than this (a runaway is a bug, not a slow example). */
const EXAMPLE_TIMEOUT_MS = 20 * 60 * SECOND_MS;

function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => basename(file, '.yaml'))
    .sort();
}

/** Runs one example through the CLI; returns its exit status (1 = a fault never fired). */
function regenerate(name: string): number {
  const file = join(SCENARIOS_DIR, `${name}.yaml`);
  const size = EXAMPLE_SIZES[name] ?? DEFAULT_SIZE;
  const sets = shorteningAssignments(readFileSync(file, 'utf8'), size);
  const out = join(EXAMPLES_DIR, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const args = ['sim', file, ...sets.flatMap((a) => ['--set', a.text]), '--out', out, '--quiet'];
  console.log(`example ${name}: p2pmsg ${args.join(' ')}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    stdio: 'inherit',
    timeout: EXAMPLE_TIMEOUT_MS,
  });
  const seconds = Math.round(performance.now() - started) / 1000;
  const status = run.status ?? 1;
  console.log(`example ${name}: exit ${status} in ${seconds} s → ${out}/`);
  return status;
}

const known = scenarioNames();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`error: no scenario ${unknown.join(', ')} in ${resolve(SCENARIOS_DIR)}`);
  console.error(`known: ${known.join(', ')}`);
  process.exit(2);
}
const failed = (wanted.length > 0 ? wanted : known).filter((name) => regenerate(name) !== 0);
if (failed.length > 0) {
  console.error(`examples failed: ${failed.join(', ')}`);
  process.exit(1);
}
