/**
 * What `p2pmsg sim` does once its options are parsed (sim.ts registers the command and its
 * help): checks the options and the scenario, restarts itself under the simulator's heap
 * flags (sim-heap.ts), then runs one mode. The modes (sim-one.ts, sim-many.ts, sim-swarm.ts)
 * are imported only then: the first of the two processes loads no simulator.
 */
import { SIM_HEAP_ADVICE_NODES } from '../../sim/limits.js';
import { ScenarioError } from '../../sim/scenario.js';
import { defaultSeedWorkers } from '../../sim/seed-pool.js';
import type { CliIo } from '../context.js';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { openingLine } from './sim-output.js';
import { heapAdviceLine, heapLimitLine, runUnderSimHeap } from './sim-heap.js';
import { parseSwarmOptions } from './sim-swarm-plan.js';
import {
  type SimOptions,
  type SimPlan,
  parseMaxHeapOption,
  parseSimOptions,
  planCommand,
  planSim,
} from './sim-plan.js';

export async function runSim(
  io: CliIo,
  file: string | undefined,
  options: SimOptions,
): Promise<number> {
  const maxHeapMiB = parseMaxHeapOption(options.maxHeap);
  if (options.swarm !== undefined) {
    const swarm = parseSwarmOptions(file, options);
    const elsewhere = await runUnderSimHeap(io, maxHeapMiB);
    if (elsewhere !== null) return elsewhere;
    return (await import('./sim-swarm.js')).runSwarmMode(io, swarm);
  }
  if (file === undefined) {
    throw new UsageError(
      'missing required args: a scenario file (p2pmsg sim <scenario.yaml>) or --swarm N',
    );
  }
  const parsed = parseSimOptions(options);
  let plan: SimPlan;
  try {
    plan = planSim(String(file), parsed);
  } catch (err) {
    if (err instanceof ScenarioError) {
      io.err(`error: ${err.format()}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  // After the checks, so that a mistake is reported without starting a second process.
  const elsewhere = await runUnderSimHeap(io, maxHeapMiB);
  if (elsewhere !== null) return elsewhere;
  const reproduce = planCommand(plan);
  const workers = Math.min(defaultSeedWorkers(), plan.seeds?.length ?? 1);
  if (!plan.quiet) {
    io.err(openingLine(plan, workers));
    io.err(`reproduce: ${reproduce}`);
    if (maxHeapMiB !== undefined) io.err(heapLimitLine(maxHeapMiB));
    else if (plan.scenario.nodes >= SIM_HEAP_ADVICE_NODES) io.err(heapAdviceLine());
  }
  const started = io.clock();
  if (plan.mode === 'single')
    return (await import('./sim-one.js')).runOne(io, plan, reproduce, started);
  const many = await import('./sim-many.js');
  if (plan.mode === 'seeds') return many.runSeedsMode(io, plan, reproduce, started, workers);
  return many.runSweepMode(io, plan, reproduce, started);
}
