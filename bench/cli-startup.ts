/**
 * How long the `p2pmsg` executable takes before it does anything: what a user waits for on
 * every `send`, `pull` or `status`, and what `p2pmsg sim`'s restart under its own V8 flags
 * (sim-heap.ts) costs. Fresh processes of the compiled tree (bench/sim-runs.ts buildOnce),
 * run in turn so that a drift of the shared host hits every case alike; medians, next to a
 * bare `node -e 0` measured in the same rounds.
 *
 *   npx tsx bench/cli-startup.ts [--runs N] [--baseline DIR]   → reports/bench/cli-startup.json
 *
 * --baseline DIR: another checkout, built (`npm run build` there), whose cases run in the same
 * rounds, interleaved with this tree's: a before/after on one host at one time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SIM_HEAP_ENV, simHeapFlags } from '../src/cli/commands/sim-heap.js';
import { ROOT, buildOnce, builtVersion, median } from './sim-runs.js';

/** Rounds of every case; each process takes well under a few seconds. */
const RUNS_DEFAULT = 7;
const RUNS_MAX = 50;
/** A case that takes this long is broken, not slow. */
const CASE_TIMEOUT_MS = 120_000;

interface Case {
  name: string;
  what: string;
  args: string[];
  env?: Record<string, string>;
  /** The exit code the case ends with when it works. */
  code: number;
}

function cases(root: string, scratch: string, prefix = ''): Case[] {
  const main = resolve(root, 'dist/src/cli/main.js');
  const smoke = ['sim', resolve(ROOT, 'sim/scenarios/smoke.yaml'), '--quiet'];
  const heap = simHeapFlags(undefined);
  const all: Case[] = [
    { name: 'bare-node', what: 'node -e 0 (the floor)', args: ['-e', '0'], code: 0 },
    { name: 'version', what: 'p2pmsg --version', args: [main, '--version'], code: 0 },
    {
      name: 'status-no-daemon',
      what: 'p2pmsg status with no daemon (a client command up to its connect)',
      args: [main, '--data-dir', join(scratch, 'none'), 'status'],
      code: 1,
    },
    {
      name: 'sim-smoke',
      what: 'p2pmsg sim smoke.yaml as users run it: checks, restart, run, report',
      args: [main, ...smoke, '--out', join(scratch, 'a')],
      code: 0,
    },
    {
      name: 'sim-smoke-no-restart',
      what: 'the same already under the flags (what the restart adds is the difference)',
      args: [...heap, main, ...smoke, '--out', join(scratch, 'b')],
      env: { [SIM_HEAP_ENV]: heap.join(' ') },
      code: 0,
    },
  ];
  return all.map((c) => ({ ...c, name: prefix + c.name }));
}

function timeOnce(c: Case): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, c.args, {
    cwd: ROOT,
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: CASE_TIMEOUT_MS,
  });
  const ms = performance.now() - started;
  if (result.status !== c.code) {
    throw new Error(`${c.name}: exit ${result.status}, expected ${c.code}\n${result.stderr}`);
  }
  return ms;
}

export async function runCliStartupBench(
  runs = RUNS_DEFAULT,
  baseline?: string,
): Promise<Record<string, unknown>> {
  buildOnce();
  if (baseline !== undefined && !existsSync(resolve(baseline, 'dist/src/cli/main.js'))) {
    throw new Error(`--baseline ${baseline}: no dist/src/cli/main.js there (npm run build)`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'p2pmsg-cli-startup-'));
  try {
    const all = cases(ROOT, scratch);
    // The bare node case is the same in both trees: measured once a round.
    if (baseline !== undefined)
      all.push(
        ...cases(baseline, scratch, 'baseline:').filter((c) => !c.name.endsWith('bare-node')),
      );
    const times = new Map(all.map((c) => [c.name, [] as number[]]));
    for (let round = 0; round < runs; round++) {
      for (const c of all) times.get(c.name)?.push(timeOnce(c));
    }
    const ms = (name: string) => median(times.get(name) ?? []);
    return {
      benchmark: 'cli-startup',
      code: builtVersion(),
      runs,
      medianMs: Object.fromEntries(all.map((c) => [c.name, Math.round(ms(c.name))])),
      simRestartMs: Math.round(ms('sim-smoke') - ms('sim-smoke-no-restart')),
      ...(baseline === undefined
        ? {}
        : {
            baseline: resolve(baseline),
            baselineSimRestartMs: Math.round(
              ms('baseline:sim-smoke') - ms('baseline:sim-smoke-no-restart'),
            ),
          }),
      cases: all.map((c) => ({
        name: c.name,
        what: c.what,
        ms: (times.get(c.name) ?? []).map((t) => Math.round(t)),
      })),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const runs = Number(option('--runs') ?? RUNS_DEFAULT);
  if (!Number.isInteger(runs) || runs < 1 || runs > RUNS_MAX) {
    console.error(`error: --runs: expected an integer from 1 to ${RUNS_MAX}`);
    process.exit(2);
  }
  const report = await runCliStartupBench(runs, option('--baseline'));
  const dir = resolve(ROOT, 'reports/bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cli-startup.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}
