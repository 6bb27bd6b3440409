/**
 * `p2pmsg sim <scenario.yaml> [options]` (DESIGN.md §5, issue 2 #6, issue 6 #3).
 *
 * This file registers the command and its help; sim-run.ts runs it: it loads the scenario
 * with its `--set` overrides and validates it (sim-plan.ts), restarts itself under the
 * simulator's V8 flags (sim-heap.ts), prints the seed and the command that reproduces the run
 * on stderr, then runs one of four modes:
 * - one run (sim-one.ts): summary.json, report.md, metrics.csv and plots; with `--trace` also
 *   events.ndjson; with `--check-determinism` the run is made twice and compared;
 * - a sweep (the file's `sweep:` or `--sweep`): one run per value, one report (sim-many.ts);
 * - seeds (`--seeds 1..20`): one run per seed on worker threads, one report with mean and
 *   confidence interval per metric (sim-many.ts);
 * - swarm (`--swarm N`, no scenario file): N random scenarios, each checked for safety and
 *   liveness (sim-swarm.ts).
 *
 * Failures: a bad option or scenario is one `error:` line and exit 2; a run that is not
 * deterministic, or anything that goes wrong once a run has started, is exit 1 with the
 * seed and the reproduce command.
 */

import type { CAC } from 'cac';
import {
  SEED_MAX,
  SEED_WORKERS_MAX,
  SIM_HEAP_MIB_MAX,
  SIM_HEAP_MIB_MIN,
  SEEDS_MAX,
  TRACE_BYTES_MAX,
  TRACE_LINES_MAX,
} from '../../sim/limits.js';
import type { CliCommand, CliIo } from '../context.js';
import type { SimOptions } from './sim-plan.js';

const MIB = 1024 * 1024;

export const simCommand: CliCommand = {
  name: 'sim',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('sim [scenario]', 'Run a scenario on the simulated network and write a report')
      .usage(
        'sim <scenario.yaml> [--seed N | --seeds LIST] [--set key=value]... ' +
          '[--sweep key=v1,v2,...] [--trace] [--check-determinism] [--out DIR] [--quiet]\n' +
          '      [--max-heap MiB]\n' +
          '  $ p2pmsg sim --swarm N [--seed S] [--out DIR] [--quiet]',
      )
      .option(
        '--seed <n>',
        `Seed for all randomness, 0..${SEED_MAX}; overrides the scenario's seed`,
      )
      .option(
        '--seeds <list>',
        `Run every seed of a range (1..20) or list (1,2,5) in parallel; report mean and 95% CI per metric`,
      )
      .option(
        '--set <key=value>',
        'Override one scenario key before validation, e.g. overlay.maxPeers=10 (repeatable)',
      )
      .option(
        '--sweep <key=v1,v2,...>',
        "One run per value of a key into one report (replaces the file's sweep:)",
      )
      .option('--trace', 'Also write events.ndjson: one line per engine event (t, node, event)')
      .option(
        '--check-determinism',
        'Run twice in this process; exit 1 naming the first engine event that differs',
      )
      .option(
        '--out <dir>',
        'Report directory (default: reports/<name>-<seed>/, reports/<name>-seeds-<list>/)',
      )
      .option(
        '--swarm <n>',
        'Run N random scenarios (seeds S..S+N-1, S from --seed or random) with safety and liveness checks; no scenario file',
      )
      .option('--quiet', 'Print only errors: no seed line, no progress, no summary line')
      .option(
        '--max-heap <MiB>',
        `V8's heap limit for the run, ${SIM_HEAP_MIB_MIN}..${SIM_HEAP_MIB_MAX} MiB: the process restarts itself with it (see Memory)`,
      )
      .example('  $ p2pmsg sim sim/scenarios/overlay.yaml')
      .example('  $ p2pmsg sim sim/scenarios/overlay.yaml --seed 7 --out /tmp/overlay-7')
      .example(
        '  $ p2pmsg sim sim/scenarios/smoke.yaml --set nodes=100 --set events.0.crash.fraction=0.5',
      )
      .example('  $ p2pmsg sim sim/scenarios/smoke.yaml --sweep overlay.maxPeers=6,8,10')
      .example('  $ p2pmsg sim sim/scenarios/smoke.yaml --seeds 1..20')
      .example('  $ p2pmsg sim sim/scenarios/smoke.yaml --trace --check-determinism')
      .example('  $ p2pmsg sim sim/scenarios/scale-100k.yaml --max-heap 5376')
      .example('  $ p2pmsg sim --swarm 50')
      .example('  $ p2pmsg sim --swarm 1 --seed 1234     # replay one swarm scenario')
      // The simulator's modules load only when it runs: `--help` and the other commands stay quick.
      .action(async (file: string | undefined, options: SimOptions) =>
        (await import('./sim-run.js')).runSim(io, file, options),
      );
  },
  helpSections: [
    {
      title: 'Scenario files',
      body:
        '  YAML with keys name, seed, nodes, duration, crypto, join, overlay, network, events,\n' +
        '  settle, broadcast, directory, measure, sweep, workload and churn: every key with its\n' +
        '  default and an example in docs/scenarios.md; worked examples in sim/scenarios/*.yaml.\n' +
        '  Durations need a unit: 250ms, 90s, 10m, 1.5h. Unknown keys are errors. A configured\n' +
        '  fault that never fires (loss that lost nothing, a restart with nothing down) fails\n' +
        '  the run after its report is written.',
    },
    {
      title: 'Overrides',
      body:
        '  --set key=value edits the file before it is validated, so a bad value is reported\n' +
        '  with its key path. Keys are dotted paths with list indexes (events.0.at, or\n' +
        '  events[0].at); a value is one YAML scalar (8 is a number, 90s and tree are strings,\n' +
        '  "8" is a string). --sweep key=v1,v2 runs one scenario per value (at most 32).',
    },
    {
      title: 'Many seeds',
      body:
        `  --seeds 1..20, 1,2,5 or 1..5,9 (2 to ${SEEDS_MAX} seeds) runs one simulation per seed on\n` +
        `  worker threads (one per core, at most ${SEED_WORKERS_MAX}) and writes seeds.json and\n` +
        '  report.md: per numeric metric of summary.json, the mean, the 95% confidence interval\n' +
        "  of the mean (Student t, n-1 degrees of freedom) and every seed's value, plus\n" +
        '  seed-<n>/summary.json. The output does not depend on which seed finished first.',
    },
    {
      title: 'Output',
      body:
        '  summary.json: every metric, byte-identical for the same scenario and seed.\n' +
        '  report.md: the scenario, plots, metric tables and the command that reproduces the run.\n' +
        '  metrics.csv: a time series (live nodes, delivery, coverage, traffic, degree).\n' +
        '  <plot>.svg and <plot>.vl.json: each plot and its Vega-Lite spec.\n' +
        '  events.ndjson (--trace): {"t":ms,"node":index,"event":{...}} per engine event, at most\n' +
        `  ${TRACE_LINES_MAX.toLocaleString('en-US')} lines and ${TRACE_BYTES_MAX / MIB} MiB; past that, a last line {"truncated":true,...}.\n` +
        '  The seed and the command that reproduces the run go to stderr first.',
    },
    {
      title: 'Swarm mode',
      body:
        '  --swarm N generates N small random scenarios (10-60 nodes, 8-11 simulated minutes:\n' +
        '  crashes, restarts, leaves, joins, partitions that heal, loss, churn, messages and\n' +
        '  broadcasts) from seeds S..S+N-1 and runs each with every check on. Safety at every\n' +
        '  step: no message delivered twice to one engine life, no active view above maxPeers,\n' +
        "  every onion frame the same size, the engines' own invariants. Liveness once the\n" +
        '  faults are over and the network has settled: every message between nodes live since\n' +
        '  then is delivered within a bound, and the overlay is connected. The first failure\n' +
        '  stops the swarm (exit 1), prints its seed and `p2pmsg sim --swarm 1 --seed <s>`, and\n' +
        '  writes its scenario to <out>/swarm-<s>.yaml (default reports/swarm-<s>/), which\n' +
        '  `p2pmsg sim <file>` runs as an ordinary scenario. Goes with --seed, --out, --quiet.',
    },
    {
      title: 'Memory',
      body:
        '  A simulated network lives in one JavaScript heap. The command restarts itself once\n' +
        '  with V8 flags of its own: a young generation sized for a simulation (it collects\n' +
        "  ~4x less often than under Node's default), and with --max-heap MiB a limit for the\n" +
        "  run, which it prints. Node's default limit (a share of the machine, often 4 GiB) is\n" +
        '  too small for the largest scenarios, and V8 grows its heap well past the live data\n' +
        '  before it collects; under a limit V8 collects sooner, for some CPU. Too small, and\n' +
        '  V8 stops the run: exit 1 with an error saying so. Sizes that work for the shipped\n' +
        '  scenarios: README "Scale and speed".',
    },
    {
      title: 'Exit codes',
      body:
        '  0 done; 2 bad option or scenario (one error line naming the option, or the file,\n' +
        '  line and key); 1 not deterministic (the first differing event, both versions), a\n' +
        '  configured fault that never fired (each named; the report is still written), a\n' +
        '  swarm scenario that failed a check, or an internal error (message, seed and\n' +
        '  reproduce command on stderr)',
    },
  ],
};
