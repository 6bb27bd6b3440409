/**
 * Broadcast and directory benchmark (issue 3, "Measured"):
 * 1. redundancy, latency and coverage of flood against tree mode on 1,000 nodes;
 * 2. coverage under 30% churn per hour (tree mode);
 * 3. directory control bytes per node per second on 1,000 nodes (no probes): whole run and
 *    steady state (after the joins and their 5 minutes of fast anti-entropy);
 * 4. memory of a drop list at its capacity.
 * One run per configuration (each is a deterministic simulation: the numbers are exact for
 * the seed; wall time is what varies). Run: `npx tsx bench/broadcast.ts` → reports/bench/broadcast.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BROADCAST } from '../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../src/engine/directory/config.js';
import { DropList } from '../src/engine/broadcast/drop-list.js';
import { directoryConfigOf, overlayConfigOf, runScenario } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';
import { SimWorld } from '../src/sim/world.js';

const NODES = 1_000;

function modeRun(mode: 'flood' | 'tree'): Record<string, unknown> {
  const scenario = parseScenario(
    [
      `name: bench-broadcast-${mode}`,
      `nodes: ${NODES}`,
      'duration: 6m',
      `broadcast: { mode: ${mode}, interval: 2s, from: 2m, until: 6m }`,
    ].join('\n'),
    'bench/broadcast.ts',
  );
  const started = performance.now();
  const { summary } = runScenario(scenario);
  return { ...summary.broadcast, wallSeconds: Math.round(performance.now() - started) / 1000 };
}

/** Churn runs from minute 3 to this one (the rate, not the length, is what is measured). */
const CHURN_UNTIL_MINUTE = 11;

/** 30% of the nodes churn per hour: each minute 0.5% crash, and last minute's crashed return. */
function churnRun(): Record<string, unknown> {
  const events: string[] = [];
  for (let minute = 3; minute < CHURN_UNTIL_MINUTE; minute++) {
    events.push(`  - at: ${minute}m`, '    crash: { fraction: 0.005 }');
    events.push(`  - at: ${minute * 60 + 30}s`, '    restart: { fraction: 1 }');
  }
  const scenario = parseScenario(
    [
      'name: bench-broadcast-churn',
      `nodes: ${NODES}`,
      `duration: ${CHURN_UNTIL_MINUTE + 1}m`,
      `broadcast: { mode: tree, interval: 5s, from: 2m, until: ${CHURN_UNTIL_MINUTE + 1}m }`,
      'events:',
      ...events,
    ].join('\n'),
    'bench/broadcast.ts',
  );
  const started = performance.now();
  const { summary } = runScenario(scenario);
  return {
    churn: '0.5% of nodes crash every minute and come back 30 s later (30%/hour)',
    coverageMean: summary.broadcast.coverageMean,
    coverageMin: summary.broadcast.coverageMin,
    redundancy: summary.broadcast.redundancy,
    sent: summary.broadcast.sent,
    directoryConvergence: summary.directory.convergence,
    wallSeconds: Math.round(performance.now() - started) / 1000,
  };
}

/**
 * Directory traffic on 1,000 nodes. Announcing every 30 minutes (the default), a run short
 * enough to measure sees no periodic announcement at all; so nodes announce every
 * DIRECTORY_BENCH_ANNOUNCE_MINUTES here, the steady-state cost is measured over whole
 * periods, and it is scaled to the default period (announcement traffic is linear in the
 * announce rate; the sync on join is not part of the steady state). Directory bytes are the
 * announcements — broadcast and tree-repair frames (broadcast, ihave, graft, prune) — and
 * the directory sync (directoryRequest, directoryChunk: the join sync, then anti-entropy
 * every minute, whose cost does not depend on the announce period and is not scaled); no
 * probes run, so all broadcasts are descriptors.
 */
const DIRECTORY_BENCH_ANNOUNCE_MINUTES = 5;
const ANNOUNCE_CODES = ['broadcast', 'ihave', 'graft', 'prune'] as const;
const SYNC_CODES = ['directoryRequest', 'directoryChunk'] as const;

function directoryRun(): Record<string, unknown> {
  const period = DIRECTORY_BENCH_ANNOUNCE_MINUTES;
  const scenario = parseScenario(
    `name: bench-directory\nnodes: ${NODES}\nduration: ${5 + 2 * period}m\ndirectory: { announceInterval: ${period}m }\n`,
    'bench/broadcast.ts',
  );
  const world = new SimWorld({
    seed: '1',
    crypto: 'modelled',
    overlay: overlayConfigOf(scenario),
    broadcast: DEFAULT_BROADCAST,
    directory: directoryConfigOf(scenario),
    latency: scenario.network.latency,
    loss: 0,
  });
  for (let i = 0; i < NODES; i++) world.net.at(i * 20, () => world.addNode());
  const bytes = (): { announce: number; sync: number; directory: number; all: number } => {
    let announce = 0;
    let sync = 0;
    let all = 0;
    for (const i of world.net.liveNodes()) {
      const sent = world.nodeOf(i)?.bytesSent() ?? {};
      for (const code of ANNOUNCE_CODES) announce += sent[code] ?? 0;
      for (const code of SYNC_CODES) sync += sent[code] ?? 0;
      all += Object.values(sent).reduce((a, b) => a + (b ?? 0), 0);
    }
    return { announce, sync, directory: announce + sync, all };
  };
  const steadyFromMs = 5 * 60_000;
  const endMs = steadyFromMs + 2 * period * 60_000;
  world.net.runUntil(steadyFromMs);
  const atSteady = bytes();
  world.net.runUntil(endMs);
  const atEnd = bytes();
  const perNodePerSecond = (b: number, ms: number) =>
    Math.round((b / NODES / (ms / 1000)) * 10) / 10;
  const steadyDirectory = perNodePerSecond(
    atEnd.directory - atSteady.directory,
    endMs - steadyFromMs,
  );
  const steadyAll = perNodePerSecond(atEnd.all - atSteady.all, endMs - steadyFromMs);
  const steadyAnnounce = perNodePerSecond(atEnd.announce - atSteady.announce, endMs - steadyFromMs);
  const steadySync = perNodePerSecond(atEnd.sync - atSteady.sync, endMs - steadyFromMs);
  const defaultMinutes = DEFAULT_DIRECTORY.announceIntervalMs / 60_000;
  return {
    nodes: NODES,
    announceIntervalMinutes: period,
    steadyWindowMinutes: [5, 5 + 2 * period],
    directoryBytesPerNodePerSecond: steadyDirectory,
    announceBytesPerNodePerSecond: steadyAnnounce,
    antiEntropyBytesPerNodePerSecond: steadySync,
    allBytesPerNodePerSecond: steadyAll,
    directorySizeMean:
      world.net
        .liveNodes()
        .reduce((a, i) => a + (world.nodeOf(i)?.counters()['directorySize'] ?? 0), 0) / NODES,
    scaledToDefaultAnnounceInterval: {
      announceIntervalMinutes: defaultMinutes,
      directoryBytesPerNodePerSecond:
        Math.round(((steadyAnnounce * period) / defaultMinutes + steadySync) * 10) / 10,
    },
    joinPhaseDirectoryBytesPerNode: Math.round(atSteady.directory / NODES),
  };
}

function dropListMemory(): Record<string, unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const capacity = DEFAULT_BROADCAST.dropListMax;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const list = new DropList(capacity);
  for (let i = 0; i < capacity; i++) list.add(i.toString(16).padStart(32, '0'), i);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return {
    capacity,
    bytesPerEntry: Math.round((after - before) / capacity),
    mebibytesAtCapacity: Math.round(((after - before) / 2 ** 20) * 100) / 100,
    measuredWithGc: gc !== undefined,
    entries: list.size,
  };
}

/** The parts of this benchmark, each runnable alone (they are long: minutes each). */
const PARTS: Record<string, () => Record<string, unknown>> = {
  flood: () => modeRun('flood'),
  tree: () => modeRun('tree'),
  churn: churnRun,
  directory: directoryRun,
  dropList: dropListMemory,
};

function runPart(name: string): Record<string, unknown> {
  const part = PARTS[name];
  if (part === undefined)
    throw new Error(`unknown part ${name}: expected one of ${Object.keys(PARTS).join(', ')}`);
  const loadAverage = loadavg().map((x) => Math.round(x * 100) / 100);
  return { ...part(), loadAverageAtStart: loadAverage };
}

export async function runBroadcastBench(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const parts = Object.fromEntries(Object.keys(PARTS).map((name) => [name, runPart(name)]));
  return {
    benchmark: 'broadcast',
    node: process.version,
    ...parts,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

/**
 * Run alone: `npx tsx bench/broadcast.ts [part …]` runs the named parts (all by default),
 * each written to reports/bench/broadcast/<part>.json as soon as it ends, so parts can run
 * in parallel processes and a long run keeps what it finished.
 */
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PARTS);
  for (const name of names) {
    const result = { benchmark: `broadcast/${name}`, node: process.version, ...runPart(name) };
    const out = resolve(`reports/bench/broadcast/${name}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  }
}
