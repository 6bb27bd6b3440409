/**
 * Shard benchmark: split and combine per second for 3/2, 5/3 and 5/2 on 1 KiB messages,
 * and the bandwidth they cost.
 *
 * Each case runs ~0.3 s three times after a short warm-up; the median is reported (per CPU
 * second of this thread, and per wall second). Splits draw from a seeded Alea stream (the
 * simulator's Random); the crypto is the node suite the daemon runs. Combine is measured
 * on the k systematic shards (the fragments are the ciphertext: no matrix inversion) and on
 * the last k shards (the most parity fragments: invert a k×k matrix, then multiply), both
 * after decoding the shards from bytes as the target would.
 *
 * Bandwidth: `overheadFactor` is the encoded bytes of all n shards over the message bytes,
 * next to the ideal n/k; `perShardBytes` shows where the rest goes (32-byte key share,
 * 16·n bytes of tags, 24-byte header, the AEAD tag and padding).
 *
 * Run from the repository root: `npx tsx bench/shards.ts` (writes reports/bench/shards.json
 * relative to the working directory), or import `runShardsBench` for the record alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeSuite } from '../src/engine/crypto/node.js';
import { MESSAGE_ID_BYTES } from '../src/engine/shards/limits.js';
import {
  type Shard,
  combineShards,
  decodeShard,
  encodeShard,
  splitMessage,
} from '../src/engine/shards/split.js';
import { AleaRandom } from '../src/transports/sim/rng.js';

const RUN_SECONDS = 0.3;
const WARMUP_SECONDS = 0.05;
const RUNS = 3;
const MESSAGE_BYTES = 1024;
const CONFIGS: Array<[n: number, k: number]> = [
  [3, 2],
  [5, 3],
  [5, 2],
];

/** Calls per CPU second and per wall second of `op` over about `seconds`. */
function rate(op: () => unknown, seconds: number): { cpu: number; wall: number } {
  let calls = 0;
  let batch = 1;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let j = 0; j < batch; j++, calls++) op();
    elapsed = performance.now() - start;
    if (elapsed < 10) batch *= 2;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: calls / ((cpu.user + cpu.system) / 1e6), wall: calls / (elapsed / 1000) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function measure(op: () => unknown): { cpu: number; wall: number } {
  rate(op, WARMUP_SECONDS);
  const runs = Array.from({ length: RUNS }, () => rate(op, RUN_SECONDS));
  return {
    cpu: Math.round(median(runs.map((r) => r.cpu))),
    wall: Math.round(median(runs.map((r) => r.wall))),
  };
}

function decoded(bytes: Uint8Array): Shard {
  const d = decodeShard(bytes);
  if (!d.ok) throw new Error(`bench: own shard does not decode (${d.error.reason})`);
  return d.shard;
}

export async function runShardsBench(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const random = new AleaRandom('bench/shards');
  const message = random.bytes(MESSAGE_BYTES);
  const messageId = random.bytes(MESSAGE_ID_BYTES);
  const configs: Record<string, unknown> = {};
  for (const [n, k] of CONFIGS) {
    const shards = splitMessage(nodeSuite, random, messageId, message, n, k);
    const encoded = shards.map(encodeShard);
    const first = encoded.slice(0, k).map(decoded);
    const last = encoded.slice(n - k).map(decoded);
    for (const set of [first, last]) {
      const check = combineShards(nodeSuite, set);
      if (!check.ok || Buffer.compare(check.plaintext, message) !== 0) {
        throw new Error(`bench: ${n}/${k} does not rebuild its message`);
      }
    }
    const split = measure(() => splitMessage(nodeSuite, random, messageId, message, n, k));
    await Promise.resolve();
    const combineSystematic = measure(() => combineShards(nodeSuite, first));
    await Promise.resolve();
    const combineParity = measure(() => combineShards(nodeSuite, last));
    await Promise.resolve();
    const totalBytes = encoded.reduce((sum, b) => sum + b.length, 0);
    const shardBytes = encoded[0]!.length;
    configs[`${n}/${k}`] = {
      splitPerSecond: split.cpu,
      combineSystematicPerSecond: combineSystematic.cpu,
      combineParityPerSecond: combineParity.cpu,
      perWallSecond: {
        split: split.wall,
        combineSystematic: combineSystematic.wall,
        combineParity: combineParity.wall,
      },
      perShardBytes: shardBytes,
      totalBytes,
      idealFactor: Math.round((n / k) * 1000) / 1000,
      overheadFactor: Math.round((totalBytes / MESSAGE_BYTES) * 1000) / 1000,
      /** Bytes the target needs (k shards) over the message bytes. */
      receiveFactor: Math.round(((k * shardBytes) / MESSAGE_BYTES) * 1000) / 1000,
    };
  }
  return {
    benchmark: 'shards',
    node: process.version,
    method:
      `median of ${RUNS} runs of ~${RUN_SECONDS} s each after a ${WARMUP_SECONDS} s warm-up; ` +
      'per CPU second of the benchmark thread (perWallSecond: per wall second); node suite, ' +
      'seeded Alea randomness; combine from decoded shards, systematic = shards 0..k−1, ' +
      'parity = the last k shards',
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    messageBytes: MESSAGE_BYTES,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    configs,
  };
}

function printTable(report: Record<string, unknown>): void {
  const configs = report['configs'] as Record<string, Record<string, number>>;
  const columns = [
    'splitPerSecond',
    'combineSystematicPerSecond',
    'combineParityPerSecond',
    'idealFactor',
    'overheadFactor',
  ];
  console.log(['n/k'.padEnd(5), ...columns.map((c) => c.padStart(27))].join(' '));
  for (const [name, row] of Object.entries(configs)) {
    console.log([name.padEnd(5), ...columns.map((c) => String(row[c]).padStart(27))].join(' '));
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (invokedDirectly) {
  const report = await runShardsBench();
  const out = resolve('reports/bench/shards.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  printTable(report);
  console.log(`wrote ${out} (${String(report['seconds'])} s)`);
}
