/**
 * `p2pmsg sim` in-process with the real simulator: --trace, --check-determinism, --set,
 * --sweep, --seeds and bad arguments, on a 12-node scenario written to a temporary file.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/app.js';
import type { CliIo } from '../../src/cli/context.js';
import { TRACE_FILE } from '../../src/sim/trace.js';
import { TINY_YAML } from '../sim/tiny-scenario.js';

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: false, write: () => true },
    clock: () => 0,
    env: {},
  };
  return { io, out, err };
}

let tmp: string;
let file: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'p2pmsg-sim-run-'));
  file = join(tmp, 'tiny.yaml');
  writeFileSync(file, TINY_YAML);
});

const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), 'utf8'));

describe('p2pmsg sim: one run', () => {
  it('--trace writes events.ndjson beside the report: one {t, node, event} line per engine event', async () => {
    const out = join(tmp, 'out');
    const { io, out: stdout, err } = captureIo();
    expect(await runCli(['sim', file, '--trace', '--out', out], io)).toBe(0);
    expect(err[0]).toBe('sim tiny: seed 1, 12 nodes, 40s simulated, modelled crypto');
    expect(err[1]).toBe(`reproduce: p2pmsg sim ${file} --seed 1 --trace`);
    expect(stdout.at(-1)).toMatch(/^wrote .*\(summary\.json, report\.md, .*events\.ndjson\) in /);
    const lines = readFileSync(join(out, TRACE_FILE), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line))).toEqual(['t', 'node', 'event']);
    }
    // Without --trace a later run in the same folder leaves no stale trace behind.
    expect(await runCli(['sim', file, '--out', out, '--quiet'], captureIo().io)).toBe(0);
    expect(existsSync(join(out, TRACE_FILE))).toBe(false);
  });

  it('--check-determinism runs twice and says the runs agree', async () => {
    const { io, out, err } = captureIo();
    expect(await runCli(['sim', file, '--check-determinism', '--out', join(tmp, 'd')], io)).toBe(0);
    expect(err[0]).toMatch(/; checking determinism \(2 runs\)$/);
    expect(out[0]).toMatch(
      /^deterministic: 2 runs agree on all \d+ engine events and on summary\.json \(trace hash [0-9a-f]{16}\)$/,
    );
    expect(readJson(tmp, 'd', 'summary.json').scenario).toBe('tiny');
  });

  it('--set overrides a key before validation; the report’s reproduce command repeats it', async () => {
    const out = join(tmp, 'set');
    const { io, err } = captureIo();
    expect(
      await runCli(
        ['sim', file, '--set', 'nodes=9', '--set', 'overlay.maxPeers=5', '--out', out],
        io,
      ),
    ).toBe(0);
    expect(err[1]).toBe(
      `reproduce: p2pmsg sim ${file} --seed 1 --set nodes=9 --set overlay.maxPeers=5`,
    );
    const summary = readJson(out, 'summary.json');
    expect(summary.nodes).toBe(9);
    expect(summary.overlay.degreeMax).toBeLessThanOrEqual(5);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      `p2pmsg sim ${file} --seed 1 --set nodes=9 --set overlay.maxPeers=5`,
    );
  });
});

describe('p2pmsg sim: many runs', () => {
  it('--sweep runs one scenario per value into one report', async () => {
    const out = join(tmp, 'sweep');
    const { io, out: stdout } = captureIo();
    expect(await runCli(['sim', file, '--sweep', 'overlay.maxPeers=5,8', '--out', out], io)).toBe(
      0,
    );
    expect(stdout.at(-1)).toMatch(
      /^sweep overlay\.maxPeers: 2 runs; wrote .*\(sweep\.json, report\.md, 1 plot\)/,
    );
    // No messages, no probes: the one comparison is the overlay's degree.
    expect(readFileSync(join(out, 'compare-overlay-degree.svg'), 'utf8')).toContain('</svg>');
    const sweep = readJson(out, 'sweep.json');
    expect(sweep.key).toBe('overlay.maxPeers');
    expect(sweep.points.map((p: { value: number }) => p.value)).toEqual([5, 8]);
    expect(sweep.points[0].summary.overlay.degreeMax).toBeLessThanOrEqual(5);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      `p2pmsg sim ${file} --seed 1 --sweep overlay.maxPeers=5,8`,
    );
    expect(readFileSync(join(out, 'overlay.maxPeers=5', 'report.md'), 'utf8')).toContain(
      `p2pmsg sim ${file} --seed 1 --set overlay.maxPeers=5`,
    );
  });

  it('--seeds 1..3: mean and 95% Student-t interval per metric, checked by hand', async () => {
    const out = join(tmp, 'seeds');
    const { io, out: stdout, err } = captureIo();
    const code = await runCli(['sim', file, '--seeds', '1..3', '--out', out], io);
    expect({ code, errors: err.filter((line) => !/^(sim|reproduce|seed \d)/.test(line)) }).toEqual({
      code: 0,
      errors: [],
    });
    expect(err[0]).toMatch(/^sim tiny: seeds 1\.\.3 \(3 runs on [12] worker threads?\), 12 nodes/);
    expect(err[1]).toBe(`reproduce: p2pmsg sim ${file} --seeds 1..3`);
    expect(stdout.at(-1)).toMatch(
      /^wrote .*\(seeds\.json, report\.md, seed-<n>\/summary\.json for 3 seeds\)/,
    );
    const result = readJson(out, 'seeds.json');
    expect(result.seeds).toEqual([1, 2, 3]);
    for (const metric of ['events', 'network.bytesSent', 'overlay.degreeMean']) {
      const path = metric.split('.');
      const values = [1, 2, 3].map((seed) =>
        path.reduce((v, key) => v[key], readJson(out, `seed-${seed}`, 'summary.json')),
      ) as number[];
      const mean = (values[0]! + values[1]! + values[2]!) / 3;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
      const half = (4.302653 * sd) / Math.sqrt(3); // t(0.975, 2 degrees of freedom)
      const stats = result.metrics[metric];
      expect(stats.values).toEqual(values);
      expect(stats.n).toBe(3);
      // Relative: t is printed to 7 digits, and bytesSent is in the hundred thousands.
      const close = (actual: number, expected: number) =>
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(expected)),
        );
      close(stats.mean, mean);
      close(stats.halfWidth, half);
      close(stats.ciLow, mean - half);
      close(stats.ciHigh, mean + half);
    }
    expect(new Set(result.metrics.events.values).size).toBeGreaterThan(1); // seeds differ
  });
});

describe('p2pmsg sim: bad arguments are one line and exit 2, before anything runs', () => {
  it.each([
    [['--seeds', '1..3', '--seed', '2'], '--seeds and --seed cannot be combined'],
    [['--seeds', '3..1'], 'range 3..1 goes backwards'],
    [['--seeds', 'x'], 'expected a seed range such as 1..20'],
    [['--seeds', '4'], 'needs at least 2 seeds'],
    [['--set', 'nodes'], '--set: expected key=value, found "nodes"'],
    [['--set', 'nodes=[1'], 'the value is not valid YAML'],
    [['--set', 'name.x=1'], 'name is a single value'],
    [['--sweep', 'nodes=4,'], 'value 2 is empty'],
    [['--sweep', 'nodes=4', '--sweep', 'nodes=5'], '--sweep given more than once'],
    [['--seeds', '1..3', '--trace'], '--trace works on a single run, not with --seeds'],
    [['--sweep', 'nodes=4,5', '--check-determinism'], '--check-determinism works on a single run'],
    [['--seeds', '1,2', '--sweep', 'nodes=4,5'], '--seeds and --sweep cannot be combined'],
    [['--set', 'nodes=4', '--sweep', 'nodes=4,5'], 'set the same key'],
    [
      ['--set', 'overlay.maxPeers=100'],
      'overlay.maxPeers: expected an integer from 1 to 64, found 100 (from --set overlay.maxPeers=100)',
    ],
    [['--set', 'overlay.maxpeers=6'], 'overlay.maxpeers: unknown key (did you mean "maxPeers"?)'],
    [
      ['--sweep', 'overlay.maxPeers=6,100'],
      '(overlay.maxPeers=100): overlay.maxPeers: expected an integer',
    ],
  ])('%j', async (args, message) => {
    const out = join(tmp, 'never');
    const { io, out: stdout, err } = captureIo();
    expect(await runCli(['sim', file, ...args, '--out', out], io)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
    expect(err[0]).toMatch(/^error: /);
    expect(stdout).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
