/**
 * One swarm case: generate the scenario of a seed, run it with every engine's invariant
 * checks on and the swarm checker watching, and say what went wrong, if anything, with the
 * command that replays exactly that case.
 *
 * Rules:
 * 1. The run is the scenario's ordinary run: the checker only watches (RunObserver), so
 *    `p2pmsg sim <the generated file>` reproduces the same events, trace and summary.
 * 2. Anything thrown inside the run is a failure of the case, never of the swarm: an
 *    engine's invariant check (SimEngineError), a checker's safety violation, a simulator
 *    bug. The first failure ends the case.
 * 3. `inject` exists for the tests of the checker alone: it feeds the checker a duplicate
 *    delivery (through the delivery tracker, which counts it) or a wrong-sized frame, to
 *    show each is caught. The engines and the network never see it.
 */

import { formatSummaryJson } from '../summary.js';
import { type RunObserver, runScenario } from '../runner.js';
import { type Scenario, parseScenario } from '../scenario.js';
import { SimEngineError } from '../../transports/sim/errors.js';
import {
  SwarmChecker,
  SwarmViolationError,
  type LivenessTally,
  type Violation,
} from './checker.js';
import { type SwarmScenario, generateSwarmScenario } from './generate.js';

/** Test-only sabotage of the checker's input (rule 3). */
export type SwarmInjection = 'duplicate-delivery' | 'frame-size';

export interface SwarmCaseOptions {
  inject?: SwarmInjection;
  onProgress?: (nowMs: number, totalMs: number) => void;
}

export interface SwarmCaseResult {
  seed: number;
  generated: SwarmScenario;
  scenario: Scenario;
  /** Empty when every check held. Safety: at most one (it ends the run). */
  violations: Violation[];
  /** Set when the run reached its end. */
  tally: LivenessTally | null;
}

/** The command that replays one case with its checks. */
export function swarmReplayCommand(seed: number): string {
  return `p2pmsg sim --swarm 1 --seed ${seed}`;
}

export function runSwarmCase(seed: number, options: SwarmCaseOptions = {}): SwarmCaseResult {
  const generated = generateSwarmScenario(seed);
  const scenario = parseScenario(generated.text, `swarm-${seed}.yaml`);
  const checker = new SwarmChecker(scenario);
  const result: SwarmCaseResult = {
    seed,
    generated,
    scenario,
    violations: [],
    tally: null,
  };
  try {
    const { summary } = runScenario(scenario, {
      checkInvariants: true,
      onTrace: checker.onTrace,
      observe: sabotaged(checker, options.inject),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    // summary.json must be writable too: a NaN or a cycle in it is a failure like any other.
    formatSummaryJson(summary);
    const { violations, tally } = checker.finish();
    // A fault that never fired is the generator's bug: the case did not test what it says.
    for (const line of summary.faults.neverFired) {
      violations.push({ kind: 'never-fired', atMs: scenario.durationMs, message: line });
    }
    result.violations = violations;
    result.tally = tally;
  } catch (err) {
    result.violations = [violationOf(err)];
  }
  return result;
}

/** The lines that explain a failed case, ending with how to replay it. */
export function describeSwarmFailure(result: SwarmCaseResult): string[] {
  const lines = [`swarm seed ${result.seed} failed:`];
  for (const v of result.violations) {
    const node = v.node === undefined ? '' : `, node ${v.node}`;
    lines.push(`  ${v.kind} at t=${v.atMs} ms${node}: ${v.message}`);
  }
  lines.push(`  seed: ${result.seed}`);
  lines.push(`  replay: ${swarmReplayCommand(result.seed)}`);
  return lines;
}

function violationOf(err: unknown): Violation {
  if (err instanceof SwarmViolationError) return err.violation;
  if (err instanceof SimEngineError) {
    return { kind: 'engine-invariant', atMs: err.time, node: err.nodeIndex, message: err.message };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: 'exception', atMs: -1, message: `the run threw ${message}` };
}

/** The checker as the run sees it, with the test-only sabotage of rule 3 wired in. */
function sabotaged(checker: SwarmChecker, inject: SwarmInjection | undefined): RunObserver {
  if (inject === undefined) return checker;
  let deliveries: Parameters<NonNullable<RunObserver['attach']>>[1] | undefined;
  let done = false;
  return {
    attach: (world, tracker) => {
      deliveries = tracker;
      checker.attach(world, tracker);
    },
    onSend: (node, bytes, now) => {
      const onion = inject === 'frame-size' && !done && checker.isOnionFrame(bytes);
      if (onion) done = true;
      checker.onSend(node, onion ? new Uint8Array([...bytes, 0]) : bytes, now);
    },
    onDeliver: (node, life, id, now) => {
      if (inject === 'duplicate-delivery' && !done) {
        done = true;
        deliveries?.onDelivered(id, node, life, now); // the same delivery, a second time
      }
      checker.onDeliver(node, life, id, now);
    },
    onDown: (node, now) => checker.onDown(node, now),
    onRestart: (node, now) => checker.onRestart(node, now),
  };
}
