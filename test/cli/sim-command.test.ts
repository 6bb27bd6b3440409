/**
 * `p2pmsg sim` in-process, with the runner replaced by a stub: the CLI's own flow (seed,
 * output directory, progress, internal errors) is tested without the simulator.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/app.js';
import type { CliIo } from '../../src/cli/context.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { SIM_SEMI_SPACE_MIB } from '../../src/sim/limits.js';
import { formatSummaryJson } from '../../src/sim/summary.js';
import { sampleSummary } from '../sim/sample-summary.js';

const runner = vi.hoisted(() => ({ runScenario: vi.fn() }));
vi.mock('../../src/sim/runner.js', () => runner);

const SMOKE = resolve('sim/scenarios/smoke.yaml');

function captureIo(options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: options.tty ?? false, columns: 80, write: (s) => progress.push(s) > 0 },
    clock: () => 0,
    env: options.env ?? {},
  };
  return { io, out, err, progress };
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'p2pmsg-sim-cmd-'));
  runner.runScenario.mockReset();
});
afterEach(() => vi.restoreAllMocks());

describe('p2pmsg sim (stub runner)', () => {
  it('runs the scenario, writes the report; seed and reproduce command first, on stderr', async () => {
    runner.runScenario.mockReturnValue({ summary: sampleSummary() });
    const { io, out, err } = captureIo();
    const code = await runCli(['sim', SMOKE, '--out', tmp], io);
    expect(code).toBe(0);
    expect(err).toEqual([
      'sim smoke: seed 1, 50 nodes, 3m simulated, modelled crypto',
      `reproduce: p2pmsg sim ${SMOKE} --seed 1`,
    ]);
    expect(out.at(-1)).toMatch(
      new RegExp(`^wrote ${tmp}/ \\(summary.json, report.md\\) in .* wall time$`),
    );
    expect(readFileSync(join(tmp, 'summary.json'), 'utf8')).toBe(
      formatSummaryJson(sampleSummary()),
    );
    const scenario = runner.runScenario.mock.calls[0]?.[0] as Scenario;
    expect(scenario.name).toBe('smoke');
    expect(runner.runScenario.mock.calls[0]?.[1]).toEqual({}); // no TTY: no progress callback
  });

  it('--seed overrides the file and names the default output directory', async () => {
    runner.runScenario.mockResolvedValue({ summary: sampleSummary() }); // a Promise works too
    const { io, err } = captureIo();
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      expect(await runCli(['sim', SMOKE, '--seed', '9'], io)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect((runner.runScenario.mock.calls[0]?.[0] as Scenario).seed).toBe(9);
    expect(err[1]).toBe(`reproduce: p2pmsg sim ${SMOKE} --seed 9`);
    expect(readFileSync(join(tmp, 'reports', 'smoke-9', 'report.md'), 'utf8')).toContain(
      '# Simulation report',
    );
  });

  it('--quiet prints nothing on success', async () => {
    runner.runScenario.mockReturnValue({ summary: sampleSummary() });
    const { io, out, err, progress } = captureIo({ tty: true });
    expect(await runCli(['sim', SMOKE, '--out', tmp, '--quiet'], io)).toBe(0);
    expect([...out, ...err, ...progress]).toEqual([]);
  });

  it('draws a progress bar on a TTY and erases it at the end', async () => {
    runner.runScenario.mockImplementation(
      (_s: Scenario, options: { onProgress?: (now: number, total: number) => void }) => {
        options.onProgress?.(90_000, 180_000);
        options.onProgress?.(180_000, 180_000);
        return { summary: sampleSummary() };
      },
    );
    const { io, progress } = captureIo({ tty: true });
    expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(0);
    expect(progress.some((s) => s.includes(' 50%'))).toBe(true);
    expect(progress.at(-1)).toBe('\r\x1b[K');
  });

  it('a runner failure is an internal error: message, seed and reproduce command, exit 1, no stack', async () => {
    runner.runScenario.mockImplementation(() => {
      throw new Error('invariant broken: node 7 lists itself');
    });
    const { io, err } = captureIo();
    expect(await runCli(['sim', SMOKE, '--out', tmp, '--seed', '4'], io)).toBe(1);
    expect(err[1]).toBe(`reproduce: p2pmsg sim ${SMOKE} --seed 4`); // before the run
    expect(err[2]).toBe('error: internal error: invariant broken: node 7 lists itself');
    expect(err).toContain('  seed: 4');
    expect(err).toContain(`  reproduce: p2pmsg sim ${SMOKE} --seed 4`);
    expect(err.join('\n')).not.toMatch(/^\s+at /m);
  });

  it('P2PMSG_DEBUG=1 adds the stack trace of an internal error', async () => {
    runner.runScenario.mockImplementation(() => {
      throw new Error('boom');
    });
    const { io, err } = captureIo({ env: { P2PMSG_DEBUG: '1' } });
    expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(1);
    expect(err.join('\n')).toMatch(/^\s+at /m);
  });

  it('a summary with NaN is an internal error naming the metric', async () => {
    const bad = sampleSummary();
    bad.overlay.degreeMean = Number.NaN;
    runner.runScenario.mockReturnValue({ summary: bad });
    const { io, err } = captureIo();
    expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(1);
    expect(err[2]).toBe(
      'error: internal error: summary.overlay.degreeMean is NaN; use null for "no value"',
    );
  });

  it('--check-determinism: runs that differ are exit 1 naming the first differing event, no report', async () => {
    let call = 0;
    runner.runScenario.mockImplementation(
      (
        _s: Scenario,
        options: { onTrace?: (node: number, event: unknown, now: number) => void },
      ) => {
        call += 1;
        options.onTrace?.(2, { type: 'joined' }, 40);
        options.onTrace?.(3, call === 2 ? { type: 'left' } : { type: 'joined' }, 50);
        return { summary: sampleSummary() };
      },
    );
    const { io, out, err } = captureIo();
    expect(await runCli(['sim', SMOKE, '--out', tmp, '--check-determinism'], io)).toBe(1);
    expect(call).toBe(3); // two runs, then a replay of the first to show its side
    expect(err.slice(2)).toEqual([
      'error: not deterministic: the runs first differ at engine event 1 (t=50 ms, node 3)',
      '  first run:  {"t":50,"node":3,"event":{"type":"joined"}}',
      '  second run: {"t":50,"node":3,"event":{"type":"left"}}',
      '  seed: 1',
      `  reproduce: p2pmsg sim ${SMOKE} --seed 1 --check-determinism`,
    ]);
    expect(out).toEqual([]);
    expect(existsSync(join(tmp, 'summary.json'))).toBe(false);
  });

  it('--check-determinism: equal events but different summaries are exit 1 too', async () => {
    let call = 0;
    runner.runScenario.mockImplementation(() => {
      call += 1;
      const summary = sampleSummary();
      if (call === 2) summary.overlay.repairs += 1;
      return { summary };
    });
    const { io, err } = captureIo();
    expect(await runCli(['sim', SMOKE, '--out', tmp, '--check-determinism'], io)).toBe(1);
    expect(err[2]).toMatch(
      /^error: not deterministic: every engine event agrees, but summary\.json differs at line \d+$/,
    );
    expect(err[3]).toBe('  first run:      "repairs": 31,');
    expect(err[4]).toBe('  second run:     "repairs": 32,');
  });

  it('usage errors never reach the runner', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['sim', SMOKE, '--seed', '99999999999'], io)).toBe(2);
    expect(await runCli(['sim', SMOKE, '--out'], io)).toBe(2);
    expect(await runCli(['sim', SMOKE, '--seed', '1', '--seed', '2'], io)).toBe(2);
    expect(runner.runScenario).not.toHaveBeenCalled();
    expect(err).toHaveLength(3);
    expect(err[2]).toContain('--seed given more than once');
  });

  describe('the V8 heap flags (sim-heap.ts)', () => {
    const ENV = 'P2PMSG_SIM_HEAP_FLAGS';
    const YOUNG = [
      `--min-semi-space-size=${SIM_SEMI_SPACE_MIB}`,
      `--max-semi-space-size=${SIM_SEMI_SPACE_MIB}`,
    ];

    /** captureIo whose relaunch ends with exit code `code`. */
    function relaunching(code: number, env?: Record<string, string>) {
      const captured = captureIo(env === undefined ? {} : { env });
      const relaunch = vi.fn().mockResolvedValue({ code, signal: null });
      captured.io.relaunch = relaunch;
      return { ...captured, relaunch };
    }

    it('runs the same command line again with the V8 flags and passes its exit code on', async () => {
      const { io, relaunch } = relaunching(3);
      expect(await runCli(['sim', SMOKE, '--max-heap', '512', '--out', tmp], io)).toBe(3);
      const flags = [...YOUNG, '--max-old-space-size=512'];
      expect(relaunch).toHaveBeenCalledWith(flags, { [ENV]: flags.join(' ') });
      expect(runner.runScenario).not.toHaveBeenCalled();
    });

    it('without --max-heap: restarts for the young generation alone', async () => {
      const { io, relaunch } = relaunching(0);
      expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(0);
      expect(relaunch).toHaveBeenCalledWith(YOUNG, { [ENV]: YOUNG.join(' ') });
      expect(runner.runScenario).not.toHaveBeenCalled();
    });

    it('swarm mode restarts too', async () => {
      const { io, relaunch } = relaunching(0);
      expect(await runCli(['sim', '--swarm', '2'], io)).toBe(0);
      expect(relaunch).toHaveBeenCalledWith(YOUNG, { [ENV]: YOUNG.join(' ') });
    });

    it('a process that cannot restart itself runs here under V8 defaults', async () => {
      runner.runScenario.mockReturnValue({ summary: sampleSummary() });
      const { io } = captureIo();
      expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(0);
      expect(runner.runScenario).toHaveBeenCalledTimes(1);
    });

    it('a mistake is reported without restarting', async () => {
      const { io, err } = captureIo();
      const relaunch = vi.fn();
      io.relaunch = relaunch;
      expect(await runCli(['sim', SMOKE, '--seed', '-1'], io)).toBe(2);
      expect(await runCli(['sim', join(tmp, 'nope.yaml')], io)).toBe(2);
      expect(await runCli(['sim', '--swarm', '0'], io)).toBe(2);
      expect(relaunch).not.toHaveBeenCalled();
      expect(err).toHaveLength(3);
    });

    it('in the process that has the flags: runs here and prints the limit after the seed', async () => {
      runner.runScenario.mockReturnValue({ summary: sampleSummary() });
      const flags = [...YOUNG, '--max-old-space-size=512'];
      const { io, err } = captureIo({ env: { [ENV]: flags.join(' ') } });
      const relaunch = vi.fn();
      io.relaunch = relaunch;
      expect(await runCli(['sim', SMOKE, '--max-heap', '512', '--out', tmp], io)).toBe(0);
      expect(relaunch).not.toHaveBeenCalled();
      expect(runner.runScenario).toHaveBeenCalledTimes(1);
      expect(err[0]).toMatch(/^sim smoke: seed 1/);
      expect(err[1]).toMatch(/^reproduce: /);
      expect(err[2]).toMatch(/^heap: V8 limit \d+ MiB \(--max-heap 512 for the old space\)$/);
    });

    it('flags set for another limit are not taken for this one', async () => {
      const { io, relaunch } = relaunching(0, { [ENV]: YOUNG.join(' ') });
      expect(await runCli(['sim', SMOKE, '--max-heap', '512', '--out', tmp], io)).toBe(0);
      expect(relaunch).toHaveBeenCalledTimes(1);
    });

    it('--max-heap where the command cannot restart itself is a usage error', async () => {
      const { io, err } = captureIo();
      expect(await runCli(['sim', SMOKE, '--max-heap', '512', '--out', tmp], io)).toBe(2);
      expect(err.at(-1)).toContain('--max-heap needs the p2pmsg executable');
      expect(runner.runScenario).not.toHaveBeenCalled();
    });

    it('a run V8 stopped for memory (SIGABRT) is exit 1 with an error saying what to do', async () => {
      const { io, err } = captureIo();
      io.relaunch = vi.fn().mockResolvedValue({ code: null, signal: 'SIGABRT' });
      expect(await runCli(['sim', SMOKE, '--max-heap', '512'], io)).toBe(1);
      expect(err).toEqual([
        'error: the simulation outgrew its heap limit of 512 MiB (--max-heap) and V8 stopped it; ' +
          'give it more, or run fewer nodes',
      ]);
    });

    it('a run ended by another signal is exit 1 naming it', async () => {
      const { io, err } = captureIo();
      io.relaunch = vi.fn().mockResolvedValue({ code: null, signal: 'SIGKILL' });
      expect(await runCli(['sim', SMOKE, '--max-heap', '512'], io)).toBe(1);
      expect(err).toEqual(['error: the simulation process was ended by SIGKILL']);
    });

    it('SIGABRT without --max-heap points at --max-heap', async () => {
      const { io, err } = captureIo();
      io.relaunch = vi.fn().mockResolvedValue({ code: null, signal: 'SIGABRT' });
      expect(await runCli(['sim', SMOKE, '--out', tmp], io)).toBe(1);
      expect(err).toEqual([
        "error: V8 stopped the simulation (SIGABRT), most often because it outgrew Node's " +
          'default heap limit; give it --max-heap MiB (see --help), or run fewer nodes',
      ]);
    });

    it('a large network without --max-heap gets a note about the heap limit', async () => {
      runner.runScenario.mockReturnValue({ summary: sampleSummary() });
      const { io, err } = captureIo();
      expect(await runCli(['sim', SMOKE, '--set', 'nodes=20000', '--out', tmp], io)).toBe(0);
      expect(err[2]).toMatch(
        /^note: a large network under Node's default heap limit \(\d+ MiB here\)/,
      );
      const small = captureIo();
      expect(await runCli(['sim', SMOKE, '--set', 'nodes=19999', '--out', tmp], small.io)).toBe(0);
      expect(small.err).toHaveLength(2);
    });

    it('bad values and a CLI that cannot restart itself are usage errors', async () => {
      const { io, err } = captureIo();
      const relaunch = vi.fn();
      expect(await runCli(['sim', SMOKE, '--max-heap', '512'], io)).toBe(2);
      io.relaunch = relaunch;
      expect(await runCli(['sim', SMOKE, '--max-heap', '100'], io)).toBe(2);
      expect(await runCli(['sim', SMOKE, '--max-heap', 'lots'], io)).toBe(2);
      expect(await runCli(['sim', SMOKE, '--max-heap', '512', '--max-heap', '600'], io)).toBe(2);
      expect(relaunch).not.toHaveBeenCalled();
      expect(runner.runScenario).not.toHaveBeenCalled();
      expect(err[0]).toContain('--max-heap needs the p2pmsg executable');
      expect(err[1]).toContain('--max-heap: expected an integer from 256 to 1048576, found 100');
      expect(err[2]).toContain('found "lots"');
      expect(err[3]).toContain('--max-heap given more than once');
    });
  });
});
