/**
 * Every configured fault is shown to fire (issue 6 #2): the counters in summary.json, the
 * never-fired list and the CLI's exit 1 naming each fault; and a small scenario that uses
 * every key of the scenario language is deterministic (two runs, the same summary bytes).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/app.js';
import type { CliIo } from '../../src/cli/context.js';
import { runScenario } from '../../src/sim/runner.js';
import { loadScenarioFile, parseScenario } from '../../src/sim/scenario.js';
import { formatSummaryJson } from '../../src/sim/summary.js';

const dir = mkdtempSync(join(tmpdir(), 'p2pmsg-faults-'));
writeFileSync(join(dir, 'lat.csv'), '0,20,45,30\n22,0,35,60\n44,36,0,25\n31,58,24,0\n');

/** 24 nodes, 150 simulated seconds, every key issue 6 added (and the faults it counts). */
const EVERY_KEY = `
name: every-key
seed: 7
nodes: 24
duration: 150s
network:
  latency: { kind: matrix, file: lat.csv }
  loss: 0.01
  duplicate: 0.01
  reorder: { probability: 0.02, delay: 40ms }
churn:
  session: { truncatedNormal: { mean: 40s, sd: 20s, min: 5s } }
  offline: { exponential: { mean: 20s } }
  from: 20s
  until: 100s
  heterogeneity: { factor: { lognormal: { sigma: 0.5 } }, applies: both }
workload:
  interval: 1s
  from: 20s
  until: 100s
  pairs: { zipf: { s: 1.1 } }
  size: { lognormal: { median: 100, sigma: 0.7 } }
events:
  - { at: 25s, crash: { nodes: [1, "3..4"] } }
  - { at: 30s, restart: { nodes: ["0..23"] } }
  - { at: 32s, join: { count: 6, over: 10s } }
  - { at: 45s, partition: { isolate: { count: 3 }, oneWay: true } }
  - { at: 50s, partition: { groups: 2, oneWay: true } }
  - { at: 55s, heal: }
  - { at: 60s, partition: { groups: [["0..7"], ["8..15"]] } }
  - { at: 70s, heal: }
  - { at: 75s, latency: { kind: coordinates, size: 80ms, base: 5ms } }
  - { at: 80s, leave: { fraction: 0.1 } }
  - { at: 85s, loss: 0.02 }
settle: 40s
`;
writeFileSync(join(dir, 'every-key.yaml'), EVERY_KEY);

describe('a scenario with every new key', () => {
  it('runs twice to the same summary bytes, and every fault kind fired', () => {
    const scenario = loadScenarioFile(join(dir, 'every-key.yaml'));
    const first = formatSummaryJson(runScenario(scenario).summary);
    const second = formatSummaryJson(
      runScenario(loadScenarioFile(join(dir, 'every-key.yaml'))).summary,
    );
    expect(second).toBe(first);
    const { faults, delivery } = JSON.parse(first);
    expect(faults).toMatchObject({
      crash: 1,
      restart: 1,
      join: 1,
      partition: 3,
      heal: 2,
      latency: 1,
      leave: 1,
      loss: 1,
      neverFired: [],
    });
    for (const kind of ['lossDrops', 'partitionCuts', 'duplicates', 'reorders', 'churnSessions']) {
      expect(faults[kind], kind).toBeGreaterThan(0);
    }
    // Faults never make a message arrive twice at one engine life.
    expect(delivery.sent).toBeGreaterThan(50);
    expect(delivery.duplicates).toBe(0);
  });
});

describe('configured faults that never fired', () => {
  const run = (yaml: string) =>
    runScenario(parseScenario(`name: t\nnodes: 1\nduration: 1m\n${yaml}`, 'test.yaml')).summary
      .faults;

  it('a scripted action with nothing to act on is named with its index, line and time', () => {
    const faults = run('events:\n  - at: 10s\n    restart: { count: 1 }\n  - at: 20s\n    heal:\n');
    expect(faults.restart).toBe(0);
    expect(faults.neverFired).toEqual([
      'events[0] (line 5, at 10s: restart 1 of the crashed nodes) never fired: no crashed node was selected',
      'events[1] (line 7, at 20s: heal the partition) never fired: no partition was in force',
    ]);
  });

  it('loss, duplication and reordering on a network that carried nothing', () => {
    const faults = run(
      'network:\n  loss: 0.5\n  duplicate: 0.1\n  reorder: { probability: 0.5, delay: 10ms }\n',
    );
    expect(faults).toMatchObject({ lossDrops: 0, duplicates: 0, reorders: 0 });
    expect(faults.neverFired).toEqual([
      'network.loss (0.5): no frame was lost to it',
      'network.duplicate (0.1): no frame was duplicated',
      'network.reorder (probability 0.5): no frame was reordered',
    ]);
    // Loss set by an event is named by the event.
    expect(run('events:\n  - at: 10s\n    loss: 0.2\n').neverFired).toEqual([
      'events[0] (line 5, at 10s: set loss to 0.2): no frame was lost to it',
    ]);
  });

  it('a partition that cut nothing, and a churn model whose sessions outlast the window', () => {
    const faults = run(
      'events:\n  - at: 10s\n    partition: { isolate: { nodes: [0] } }\n' +
        'churn:\n  session: { exponential: { mean: 700h } }\n  offline: { exponential: { mean: 1m } }\n',
    );
    expect(faults.partition).toBe(1);
    expect(faults.neverFired).toEqual([
      'events[0] (line 5, at 10s: isolate nodes 0): no frame, FIN or dial crossed the cut',
      'churn: no online session ended between from (0s) and until (1m)',
    ]);
  });

  it('nothing configured, nothing missing: loss 0 and no events are not faults', () => {
    expect(run('network: { loss: 0 }\n').neverFired).toEqual([]);
  });

  it('p2pmsg sim exits 1 naming each fault, after writing the report', async () => {
    const file = join(dir, 'idle.yaml');
    writeFileSync(
      file,
      'name: idle\nnodes: 1\nduration: 1m\nnetwork: { loss: 0.3 }\nevents:\n  - at: 5s\n    leave: { nodes: [0] }\n  - at: 6s\n    leave: { nodes: [0] }\n',
    );
    const err: string[] = [];
    const io: CliIo = {
      out: () => undefined,
      err: (line) => err.push(line),
      progress: { isTTY: false, write: () => true },
      clock: () => 0,
      env: {},
    };
    const out = join(dir, 'idle-report');
    expect(await runCli(['sim', file, '--out', out], io)).toBe(1);
    expect(err.slice(2)).toEqual([
      'error: 2 configured faults never fired, so the run did not test them (report written):',
      '  events[1] (line 8, at 6s: leave nodes 0 of the live nodes) never fired: no live node was selected',
      '  network.loss (0.3): no frame was lost to it',
      '  seed: 1',
      `  reproduce: p2pmsg sim ${file} --seed 1`,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.faults.neverFired).toHaveLength(2);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('faults that never fired');
  });
});
