/**
 * `p2pmsg sim --swarm N` in-process: a passing swarm, a failing one (a duplicate delivery
 * slipped into the run's delivery tracker, as a broken engine would cause) with its seed,
 * replay command and scenario file, and every option that cannot go with --swarm.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/app.js';
import type { DeliveryTracker } from '../../src/sim/delivery-metrics.js';
import type { RunObserver, RunOptions } from '../../src/sim/runner.js';
import { parseScenario, type Scenario } from '../../src/sim/scenario.js';
import { generateSwarmScenario } from '../../src/sim/swarm/generate.js';
import { SWARM_RUNS_MAX } from '../../src/sim/swarm/limits.js';
import { captureIo } from '../support/capture-io.js';

/** When set, every run sees each delivery twice in its tracker (a duplicate delivery). */
const sabotage = vi.hoisted(() => ({ duplicate: false }));
vi.mock('../../src/sim/runner.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sim/runner.js')>();
  return {
    ...real,
    runScenario: (scenario: Scenario, options: RunOptions = {}) => {
      const observe = options.observe;
      if (!sabotage.duplicate || observe === undefined) return real.runScenario(scenario, options);
      let tracker: DeliveryTracker | undefined;
      const doubled: RunObserver = {
        attach: (world, deliveries) => {
          tracker = deliveries;
          observe.attach?.(world, deliveries);
        },
        onSend: (node, bytes, now) => observe.onSend?.(node, bytes, now),
        onDeliver: (node, life, id, now) => {
          tracker?.onDelivered(id, node, life, now);
          observe.onDeliver?.(node, life, id, now);
        },
        onDown: (node, now) => observe.onDown?.(node, now),
        onRestart: (node, now) => observe.onRestart?.(node, now),
      };
      return real.runScenario(scenario, { ...options, observe: doubled });
    },
  };
});

/** The first seed whose scenario has at most `maxNodes` nodes: a fast case. */
function smallSeed(maxNodes: number): number {
  for (let seed = 1; ; seed++) {
    const { nodes } = parseScenario(generateSwarmScenario(seed).text, 'swarm.yaml');
    if (nodes <= maxNodes) return seed;
  }
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'p2pmsg-swarm-'));
  sabotage.duplicate = false;
});
afterEach(() => vi.restoreAllMocks());

describe('p2pmsg sim --swarm', () => {
  it('a passing swarm: seeds and reproduce line first, one line per case, exit 0, no files', async () => {
    const seed = smallSeed(15);
    const { io, out, err } = captureIo();
    const code = await runCli(['sim', '--swarm', '1', '--seed', String(seed), '--out', tmp], io);
    expect(err.slice(0, 2)).toEqual([
      `sim --swarm: 1 random scenario, seed ${seed}`,
      `reproduce: p2pmsg sim --swarm 1 --seed ${seed}`,
    ]);
    expect(code).toBe(0);
    expect(err[2]).toMatch(
      new RegExp(
        `^seed ${seed}: ok \\(\\d+ nodes, .* simulated, \\d+ scripted faults, \\d+ messages judged\\)$`,
      ),
    );
    expect(out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^swarm: 1 scenario passed every check \\(seeds ${seed}..${seed}\\) in .* wall time$`,
        ),
      ),
    ]);
    expect(existsSync(join(tmp, `swarm-${seed}.yaml`))).toBe(false);
  });

  it('a failing case: exit 1, the violation, its seed, the replay command and a runnable scenario file', async () => {
    const seed = smallSeed(15);
    sabotage.duplicate = true;
    const { io, out, err } = captureIo();
    const code = await runCli(['sim', '--swarm', '5', '--seed', String(seed), '--out', tmp], io);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    const file = join(tmp, `swarm-${seed}.yaml`);
    expect(err.slice(2)).toEqual([
      `error: swarm seed ${seed} failed:`,
      expect.stringMatching(
        /^ {2}duplicate-delivery at t=\d+ ms, node \d+: message [0-9a-f]{32} delivered again/,
      ),
      `  seed: ${seed}`,
      `  replay: p2pmsg sim --swarm 1 --seed ${seed}`,
      `  scenario: ${file} (p2pmsg sim ${file})`,
    ]);
    // The file opens with the failure, then is the generated scenario, as `p2pmsg sim` reads it.
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`# swarm seed ${seed} failed:\n`)).toBe(true);
    expect(text.endsWith(generateSwarmScenario(seed).text)).toBe(true);
    expect(parseScenario(text, file).name).toBe(`swarm-${seed}`);

    sabotage.duplicate = false;
    const rerun = captureIo();
    const report = join(tmp, 'rerun');
    expect(await runCli(['sim', file, '--out', report, '--quiet'], rerun.io)).toBe(0);
    expect(rerun.err).toEqual([]);
    expect(existsSync(join(report, 'summary.json'))).toBe(true);
  });

  const SMOKE = resolve('sim/scenarios/smoke.yaml');
  it.each([
    [['sim'], 'missing required args: a scenario file (p2pmsg sim <scenario.yaml>) or --swarm N'],
    [
      ['sim', '--swarm', '0'],
      `--swarm: expected a number of scenarios from 1 to ${SWARM_RUNS_MAX}, found 0`,
    ],
    [
      ['sim', '--swarm', 'many'],
      '--swarm: expected a number of scenarios from 1 to 100000, found "many"',
    ],
    [['sim', '--swarm', '2.5'], 'found 2.5'],
    [['sim', '--swarm'], 'option --swarm <n> needs a value'],
    [['sim', '--swarm', '2', '--swarm', '3'], '--swarm given more than once'],
    [['sim', SMOKE, '--swarm', '2'], '--swarm generates its own scenarios: drop the scenario file'],
    [
      ['sim', '--swarm', '2', '--seeds', '1..3'],
      '--seeds cannot be combined with --swarm: use --seed S',
    ],
    [['sim', '--swarm', '2', '--set', 'nodes=5'], '--set cannot be combined with --swarm'],
    [['sim', '--swarm', '2', '--sweep', 'nodes=5,6'], '--sweep cannot be combined with --swarm'],
    [['sim', '--swarm', '2', '--trace'], '--trace cannot be combined with --swarm'],
    [['sim', '--swarm', '2', '--check-determinism'], '--check-determinism cannot be combined'],
    [
      ['sim', '--swarm', '3', '--seed', '4294967294'],
      'runs seeds up to 4294967296, past 4294967295',
    ],
    [['sim', '--swarm', '2', '--seed', '-1'], 'option --seed <n> needs a value'],
  ])('%j: one error line, exit 2, nothing run', async (args, message) => {
    const { io, out, err } = captureIo();
    expect(await runCli(args, io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^error: /);
    expect(err[0]).toContain(message);
  });

  it('--help documents swarm mode', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'info').mockImplementation((text: string) => void lines.push(text));
    const { io } = captureIo();
    expect(await runCli(['sim', '--help'], io)).toBe(0);
    const help = lines.join('\n');
    expect(help).toContain('--swarm <n>');
    expect(help).toContain('p2pmsg sim --swarm N [--seed S]');
    expect(help).toContain('Swarm mode');
    expect(help).toContain('p2pmsg sim --swarm 1 --seed <s>');
  });
});
