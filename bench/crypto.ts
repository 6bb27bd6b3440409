/**
 * Crypto suite benchmark: operations per second for every primitive in every suite.
 *
 * Each case runs for ~0.3 s three times after a short warm-up; the median of the three runs
 * is reported. "fresh" cases rotate through 4,096 keys, more than the node suite's key cache
 * holds, so every call pays the key import; "static" cases reuse one key, the pattern of a
 * relay peeling onions with its own X25519 key or a node signing with its own Ed25519 key.
 *
 * Run from the repository root: `npx tsx bench/crypto.ts` (writes reports/bench/crypto.json,
 * relative to the working directory), or import
 * `runCryptoBench` and get the same record without writing anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelledSuite } from '../src/engine/crypto/modelled.js';
import { nobleSuite } from '../src/engine/crypto/noble.js';
import { nodeSuite } from '../src/engine/crypto/node.js';
import type { CryptoSuite, SuiteName } from '../src/engine/crypto/suite.js';

const RUN_SECONDS = 0.3;
const WARMUP_SECONDS = 0.05;
const RUNS = 3;
const POOL = 4096;
const PAYLOAD_BYTES = 1024;

/** Deterministic filler bytes, so runs are comparable (the engine forbids ambient randomness). */
function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Calls per second of `op` over about `seconds` of wall time, checking the clock every `batch`
 * calls. Two rates: per CPU second of this thread (user + system), which holds steady when
 * other jobs share the machine, and per wall second.
 */
function rate(op: (i: number) => unknown, seconds: number): { cpu: number; wall: number } {
  let calls = 0;
  let batch = 1;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let j = 0; j < batch; j++) op(calls++);
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

interface Fixtures {
  secrets: Uint8Array[];
  x25519Publics: Uint8Array[];
  edPublics: Uint8Array[];
  signatures: Uint8Array[];
  message: Uint8Array;
  key: Uint8Array;
  nonce: Uint8Array;
  payload: Uint8Array;
  sealed: Uint8Array;
}

/** Keys for one suite, made with that suite (modelled keys are not real keys). */
function fixtures(suite: CryptoSuite): Fixtures {
  // Publics for noble come from the node suite: equal by test/crypto/equivalence.test.ts,
  // and 4,096 noble key generations would take longer than the benchmark itself.
  const maker = suite.name === 'modelled' ? suite : nodeSuite;
  const secrets = Array.from({ length: POOL }, (_, i) => filled(32, i + 1));
  const message = filled(100, 7);
  const key = filled(32, 8);
  const nonce = filled(12, 9);
  const payload = filled(PAYLOAD_BYTES, 10);
  return {
    secrets,
    x25519Publics: secrets.map((s) => maker.x25519PublicKey(s)),
    edPublics: secrets.map((s) => maker.ed25519PublicKey(s)),
    signatures: secrets.map((s) => maker.ed25519Sign(s, message)),
    message,
    key,
    nonce,
    payload,
    sealed: suite.aeadSeal(key, nonce, payload),
  };
}

type Case = [name: string, op: (i: number) => unknown];

function cases(suite: CryptoSuite, f: Fixtures): Case[] {
  const at = <T>(list: T[], i: number): T => list[i % POOL] as T;
  return [
    ['x25519PublicKey', (i) => suite.x25519PublicKey(at(f.secrets, i))],
    ['x25519 fresh keys', (i) => suite.x25519(at(f.secrets, i), at(f.x25519Publics, i + 1))],
    ['x25519 static secret', (i) => suite.x25519(at(f.secrets, 0), at(f.x25519Publics, i + 1))],
    ['ed25519PublicKey', (i) => suite.ed25519PublicKey(at(f.secrets, i))],
    ['ed25519Sign fresh key', (i) => suite.ed25519Sign(at(f.secrets, i), f.message)],
    ['ed25519Sign static key', () => suite.ed25519Sign(at(f.secrets, 0), f.message)],
    [
      'ed25519Verify fresh key',
      (i) => suite.ed25519Verify(at(f.edPublics, i), f.message, at(f.signatures, i)),
    ],
    [
      'ed25519Verify static key',
      () => suite.ed25519Verify(at(f.edPublics, 0), f.message, at(f.signatures, 0)),
    ],
    ['aeadSeal 1 KiB', () => suite.aeadSeal(f.key, f.nonce, f.payload)],
    ['aeadOpen 1 KiB', () => suite.aeadOpen(f.key, f.nonce, f.sealed)],
    ['sha256 1 KiB', () => suite.sha256(f.payload)],
    ['hmacSha256 1 KiB', () => suite.hmacSha256(f.key, f.payload)],
    ['hkdf 64 B', () => suite.hkdf(f.key, f.nonce, f.message, 64)],
  ];
}

export async function runCryptoBench(): Promise<Record<string, unknown>> {
  const suites: CryptoSuite[] = [nobleSuite, nodeSuite, modelledSuite];
  const opsPerSecond: Record<string, Partial<Record<SuiteName, number>>> = {};
  const opsPerWallSecond: Record<string, Partial<Record<SuiteName, number>>> = {};
  const started = performance.now();
  for (const suite of suites) {
    const f = fixtures(suite);
    for (const [name, op] of cases(suite, f)) {
      rate(op, WARMUP_SECONDS);
      const runs = Array.from({ length: RUNS }, () => rate(op, RUN_SECONDS));
      (opsPerSecond[name] ??= {})[suite.name] = Math.round(median(runs.map((r) => r.cpu)));
      (opsPerWallSecond[name] ??= {})[suite.name] = Math.round(median(runs.map((r) => r.wall)));
      // Let other work (and the caller's event loop) run between cases.
      await Promise.resolve();
    }
  }
  return {
    benchmark: 'crypto',
    node: process.version,
    method:
      `median of ${RUNS} runs of ~${RUN_SECONDS} s each after a ${WARMUP_SECONDS} s warm-up; ` +
      'opsPerSecond per CPU second of the benchmark thread, opsPerWallSecond per wall second',
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    payloadBytes: PAYLOAD_BYTES,
    keyPool: POOL,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    opsPerSecond,
    opsPerWallSecond,
  };
}

function printTable(report: Record<string, unknown>): void {
  const table = report['opsPerSecond'] as Record<string, Record<string, number>>;
  const names: SuiteName[] = ['noble', 'node', 'modelled'];
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(26) : c.padStart(10))).join(' ');
  console.log(line(['ops/s', ...names]));
  for (const [name, row] of Object.entries(table)) {
    console.log(line([name, ...names.map((n) => String(row[n] ?? '-'))]));
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (invokedDirectly) {
  const report = await runCryptoBench();
  const out = resolve('reports/bench/crypto.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  printTable(report);
  console.log(`wrote ${out} (${String(report['seconds'])} s)`);
}
