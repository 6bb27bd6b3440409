/**
 * Which part of a node holds its memory (docs/engine-state-layout.md): runs a scenario to a
 * simulated minute, takes a heap snapshot, and for every instance of the engine's classes
 * adds up the object's own size and that of the arrays, backing stores and Maps it holds
 * (not other class instances, not shared descriptors or strings). Per node = the class's
 * total over the live engines.
 *
 * Options: `--file F` (default sim/scenarios/churn.yaml), `--minute M` (default 15),
 * `--out FILE` (default reports/bench/heap-owners.json).
 *
 * Run: `npx tsx bench/heap-owners.ts` (~2 min for churn.yaml: the run, a 100 MB snapshot,
 * its walk).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { runScenario } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';

/** The classes whose holdings are counted: one row each in the result. */
const OWNERS = [
  'DescriptorTable',
  'BottomK',
  'Directory',
  'DirectoryService',
  'Pins',
  'LinkTable',
  'HyParView',
  'PassiveView',
  'SuspectList',
  'Broadcaster',
  'DropList',
  'OriginQuota',
  'TimerTable',
  'Routing',
  'Sender',
  'Receiver',
  'ReplayCache',
  'Node',
];
/** Objects counted as part of their holder: containers, never other class instances. */
const CONTAINERS = new Set([
  'Map',
  'Set',
  'Array',
  'ArrayBuffer',
  'Int32Array',
  'Float64Array',
  'system / JSArrayBufferData',
]);
/** How deep a holder's containers are followed (a Map → its table → its backing store). */
const DEPTH_MAX = 4;

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[]];
      edge_fields: string[];
      edge_types: [string[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface OwnerRow {
  owner: string;
  instances: number;
  kibEach: number;
  totalMiB: number;
}

/** The rows of OWNERS for a parsed heap snapshot, largest first. */
export function heapOwners(snap: Snapshot): OwnerRow[] {
  const { meta } = snap.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map(
    (f) => meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const toNodeAt = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nodeFields;
  const firstEdge = new Int32Array(count + 1);
  for (let n = 0, at = 0; n < count; n++) {
    firstEdge[n] = at;
    at += (nodes[n * nodeFields + edgeCountAt] as number) * edgeFields;
    firstEdge[n + 1] = at;
  }
  const typeOf = (n: number): string => nodeTypes[nodes[n * nodeFields + typeAt] as number] ?? '';
  const nameOf = (n: number): string => strings[nodes[n * nodeFields + nameAt] as number] ?? '';
  const sizeOf = (n: number): number => nodes[n * nodeFields + sizeAt] as number;
  const isContainer = (n: number, depth: number): boolean => {
    const type = typeOf(n);
    if (type === 'array' || type === 'native' || type === 'number') return depth < DEPTH_MAX - 1;
    return CONTAINERS.has(nameOf(n));
  };
  const held = (n: number, depth: number, seen: Set<number>): number => {
    let total = sizeOf(n);
    if (depth >= DEPTH_MAX) return total;
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += edgeFields) {
      const edgeType = edgeTypes[edges[e + edgeTypeAt] as number];
      if (edgeType === 'weak' || edgeType === 'shortcut') continue;
      const child = (edges[e + toNodeAt] as number) / nodeFields;
      if (seen.has(child) || !isContainer(child, depth)) continue;
      seen.add(child);
      total += held(child, depth + 1, seen);
    }
    return total;
  };
  const owners = new Set(OWNERS);
  const totals = new Map<string, { bytes: number; instances: number }>();
  for (let n = 0; n < count; n++) {
    if (typeOf(n) !== 'object' || !owners.has(nameOf(n))) continue;
    const row = totals.get(nameOf(n)) ?? { bytes: 0, instances: 0 };
    row.bytes += held(n, 0, new Set([n]));
    row.instances += 1;
    totals.set(nameOf(n), row);
  }
  return [...totals]
    .map(([owner, { bytes, instances }]) => ({
      owner,
      instances,
      kibEach: Math.round((bytes / instances / 1024) * 10) / 10,
      totalMiB: Math.round((bytes / 2 ** 20) * 10) / 10,
    }))
    .sort((a, b) => b.totalMiB - a.totalMiB);
}

/** Runs `file` to `minute` and returns the owners' table (npm run bench: churn.yaml, 15). */
export async function runHeapOwnersBench(
  file = 'sim/scenarios/churn.yaml',
  minute = 15,
): Promise<Record<string, unknown>> {
  const scenario = parseScenario(readFileSync(file, 'utf8'), file);
  if (!Number.isFinite(minute) || minute <= 0 || minute * 60_000 > scenario.durationMs) {
    throw new Error(`--minute must be within the scenario's ${scenario.durationMs / 60_000} min`);
  }
  const path = join(tmpdir(), `heap-owners-${process.pid}.heapsnapshot`);
  let taken = false;
  const stop = new Error('snapshot taken');
  try {
    runScenario(scenario, {
      onProgress: (now) => {
        if (taken || now < minute * 60_000) return;
        taken = true;
        writeHeapSnapshot(path);
        throw stop; // the rest of the run is not needed
      },
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  if (!taken) throw new Error('the run ended before the snapshot minute');
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  rmSync(path);
  return {
    benchmark: 'heap-owners',
    node: process.version,
    scenario: file,
    minute,
    method:
      'heap snapshot at the minute; per engine class, its instances and the arrays, Maps, Sets and backing stores they hold (no other class instances, no shared descriptors or strings)',
    owners: heapOwners(snap),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: 'sim/scenarios/churn.yaml' },
      minute: { type: 'string', default: '15' },
      out: { type: 'string', default: 'reports/bench/heap-owners.json' },
    },
  });
  const result = (await runHeapOwnersBench(values.file, Number(values.minute))) as {
    owners: OwnerRow[];
  };
  const out = resolve(values.out as string);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  for (const row of result.owners)
    console.log(
      `${row.owner.padEnd(18)} ${String(row.instances).padStart(6)} × ${row.kibEach} KiB`,
    );
  console.log(`wrote ${out}`);
}

if (process.argv[1]?.endsWith('heap-owners.ts')) await main();
