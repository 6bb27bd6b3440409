/**
 * Where a simulation's time goes, input by input (issue 6: "profile and remove hot spots"):
 * one run of a scenario in a fresh process of the compiled tree (bench/sim-costs-child.ts)
 * with the engine's time per input by kind — a frame by its message type, a tick by the
 * timers it fired — and one ping frame timed in the run against the same ping handled
 * again and again on one engine after it, everything it touches then in the caches. The
 * ratio of the two is the share of a cold input's time spent waiting for memory.
 *
 * Options: `--file F` (default sim/scenarios/churn.yaml), `--set key=value` (repeatable,
 * as for `p2pmsg sim`), `--minutes M` (stop after M simulated minutes), `--out FILE`.
 *
 * Run: `npx tsx bench/sim-costs.ts` (writes reports/bench/sim-costs.json, or FILE; ~2 min
 * for churn.yaml's hour, ~7 min for scale-10k's first 15 minutes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { SimCostsRequest, SimCostsResult } from './sim-costs-child.js';
import { buildOnce, builtVersion, ROOT } from './sim-runs.js';

/** One measured run may take this long before the benchmark gives up on it. */
const CHILD_TIMEOUT_MS = 60 * 60_000;

export async function runSimCostsBench(
  request: Partial<SimCostsRequest> = {},
): Promise<Record<string, unknown>> {
  buildOnce();
  const full: SimCostsRequest = {
    file: request.file ?? 'sim/scenarios/churn.yaml',
    sets: request.sets ?? [],
    ...(request.stopMinutes === undefined ? {} : { stopMinutes: request.stopMinutes }),
  };
  const child = resolve(ROOT, 'dist/bench/sim-costs-child.js');
  const out = execFileSync(process.execPath, [child, JSON.stringify(full)], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(out.trim().split('\n').pop() as string) as SimCostsResult;
  return {
    benchmark: 'sim-costs',
    source: builtVersion(),
    node: process.version,
    scenario: full.file,
    sets: full.sets,
    method:
      "each engine input timed around Node.handle (clock cost taken off), by kind; a ping frame's mean in the run against its median on one engine in a loop afterwards",
    ...result,
  };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      set: { type: 'string', multiple: true },
      minutes: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (minutes !== undefined && !(minutes > 0)) {
    console.error(`error: --minutes expects a positive number, got '${values.minutes}'`);
    process.exit(2);
  }
  const report = await runSimCostsBench({
    ...(values.file === undefined ? {} : { file: values.file }),
    sets: values.set ?? [],
    ...(minutes === undefined ? {} : { stopMinutes: minutes }),
  });
  const out = resolve(values.out ?? 'reports/bench/sim-costs.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const { wallMs, engineMs, ping, inputs } = report as unknown as SimCostsResult;
  console.log(JSON.stringify({ wallMs, engineMs, ping, top: inputs.slice(0, 8) }, null, 2));
}
