/**
 * Noise link benchmark: what the TCP transport costs.
 *
 * - In memory: complete Noise_XX handshakes per second (both sides, three messages, split),
 *   and 1 KiB transport messages sealed + opened per second, with the node:crypto suite and
 *   the noble reference suite.
 * - On loopback TCP (two `TcpRuntime`s on 127.0.0.2 and 127.0.0.3, node suite): full
 *   connect + handshake + close per second, one dial at a time and eight in flight; and 1 KiB
 *   frames per second through one link, with a window of frames in flight acknowledged by
 *   the receiver (the runtime never buffers without bound, so the sender must be paced).
 *   Both ends share this one process and its one event loop: the rates are for both sides'
 *   work together.
 *
 * Every figure is the median of 3 runs. Run from the repository root:
 * `npx tsx bench/noise.ts` (writes reports/bench/noise.json relative to the working directory),
 * or import `runNoiseBench` and get the same record without writing anything.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nobleSuite } from '../src/engine/crypto/noble.js';
import { nodeSuite } from '../src/engine/crypto/node.js';
import type { CryptoSuite } from '../src/engine/crypto/suite.js';
import type { Engine, Input, NodeSnapshot, Output } from '../src/engine/types.js';
import { NoiseHandshake, type NoiseResult } from '../src/transports/tcp/noise.js';
import { TcpRuntime } from '../src/transports/tcp/runtime.js';

const RUNS = 3;
const PAYLOAD_BYTES = 1024;
/** Frames in flight on the throughput link: 256 × ~1 KiB, well under the send buffer. */
const WINDOW_FRAMES = 256;
const ACK_EVERY = 64;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function unwrap<T>(result: NoiseResult<T>): T {
  if (!result.ok) throw new Error(`bench: noise failed: ${result.error.kind}`);
  return result.value;
}

/** Calls of `op` per wall second over about `seconds`. */
function rate(op: () => void, seconds: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    op();
    calls++;
    elapsed = performance.now() - start;
  }
  return calls / (elapsed / 1000);
}

function secretOf(suite: CryptoSuite, label: string): { secret: Uint8Array; pub: Uint8Array } {
  const secret = nodeSuite.sha256(new TextEncoder().encode(label));
  return { secret, pub: suite.x25519PublicKey(secret) };
}

/** One complete in-memory XX handshake plus split (also timed by bench/daemon.ts). */
export function handshakeOnce(suite: CryptoSuite, a: Uint8Array, b: Uint8Array): void {
  const fresh = () => new Uint8Array(randomBytes(32));
  const i = new NoiseHandshake({ suite, initiator: true, staticSecret: a, ephemeralSecret: fresh });
  const r = new NoiseHandshake({
    suite,
    initiator: false,
    staticSecret: b,
    ephemeralSecret: fresh,
  });
  unwrap(r.readMessage(unwrap(i.writeMessage())));
  unwrap(i.readMessage(unwrap(r.writeMessage())));
  unwrap(r.readMessage(unwrap(i.writeMessage())));
  i.finish();
  r.finish();
}

function memoryBench(suite: CryptoSuite, seconds: number): Record<string, number> {
  const a = secretOf(suite, 'bench a').secret;
  const b = secretOf(suite, 'bench b').secret;
  handshakeOnce(suite, a, b); // warm-up
  const handshakes = median(
    Array.from({ length: RUNS }, () => rate(() => handshakeOnce(suite, a, b), seconds)),
  );
  const i = new NoiseHandshake({
    suite,
    initiator: true,
    staticSecret: a,
    ephemeralSecret: () => new Uint8Array(randomBytes(32)),
  });
  const r = new NoiseHandshake({
    suite,
    initiator: false,
    staticSecret: b,
    ephemeralSecret: () => new Uint8Array(randomBytes(32)),
  });
  unwrap(r.readMessage(unwrap(i.writeMessage())));
  unwrap(i.readMessage(unwrap(r.writeMessage())));
  unwrap(r.readMessage(unwrap(i.writeMessage())));
  const si = i.finish();
  const sr = r.finish();
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  const transport = median(
    Array.from({ length: RUNS }, () =>
      rate(() => unwrap(sr.receive.decrypt(si.send.encrypt(payload))), 0.3),
    ),
  );
  return {
    handshakesPerSecond: Math.round(handshakes),
    transport1KiBPerSecond: Math.round(transport),
  };
}

/** A minimal engine for the TCP cases. */
class BenchEngine implements Engine {
  constructor(private readonly script: (input: Input, now: number) => Output[]) {}
  handle(input: Input, now: number): Output[] {
    return this.script(input, now);
  }
  snapshot(): NodeSnapshot {
    return { id: 'bench', active: [], passive: [], relays: [] };
  }
}

function runtimePair(dialer: Engine, listener: Engine): { a: TcpRuntime; b: TcpRuntime } {
  const ka = secretOf(nodeSuite, 'bench tcp a');
  const kb = secretOf(nodeSuite, 'bench tcp b');
  const common = { listenPort: 0, suite: nodeSuite };
  const a = new TcpRuntime({
    ...common,
    engine: dialer,
    listenHost: '127.0.0.2',
    staticSecret: ka.secret,
    staticPublic: ka.pub,
  });
  const b = new TcpRuntime({
    ...common,
    engine: listener,
    listenHost: '127.0.0.3',
    staticSecret: kb.secret,
    staticPublic: kb.pub,
  });
  return { a, b };
}

/** Connect + handshake + close per second with `inFlight` dials outstanding. */
async function connectBench(inFlight: number, seconds: number): Promise<number> {
  let target = '';
  let opened = 0;
  let failed = 0;
  let dialNo = 0;
  const dial = (): Output => ({ type: 'dial', dial: ++dialNo, address: target });
  const dialer = new BenchEngine((input) => {
    if (input.type === 'start') return Array.from({ length: inFlight }, dial);
    if (input.type === 'linkOpened') {
      opened++;
      return [{ type: 'close', link: input.link, reason: 'bench' }, dial()];
    }
    if (input.type === 'dialFailed') {
      failed++;
      return [dial()];
    }
    return [];
  });
  const { a, b } = runtimePair(dialer, new BenchEngine(() => []));
  target = await b.listen();
  await b.start();
  await a.start();
  const rates: number[] = [];
  await sleep(200); // warm-up
  for (let run = 0; run < RUNS; run++) {
    const before = opened;
    const start = performance.now();
    await sleep(seconds * 1000);
    rates.push((opened - before) / ((performance.now() - start) / 1000));
  }
  await a.stop();
  await b.stop();
  if (failed > 0) throw new Error(`bench: ${failed} dials failed`);
  return Math.round(median(rates));
}

/** 1 KiB frames per second through one link, paced by a window the receiver acknowledges. */
async function throughputBench(seconds: number): Promise<number> {
  let target = '';
  let received = 0;
  let sent = 0;
  let link = -1;
  const frame = new Uint8Array(PAYLOAD_BYTES).fill(1);
  const fill = (acked: number): Output[] => {
    const out: Output[] = [];
    while (sent < acked + WINDOW_FRAMES) {
      out.push({ type: 'send', link, bytes: frame });
      sent++;
    }
    return out;
  };
  const sender = new BenchEngine((input) => {
    if (input.type === 'start') return [{ type: 'dial', dial: 1, address: target }];
    if (input.type === 'linkOpened') {
      link = input.link;
      return fill(0);
    }
    if (input.type === 'frame')
      return fill(new DataView(input.bytes.buffer, input.bytes.byteOffset).getUint32(0));
    if (input.type === 'linkClosed') throw new Error(`bench: link closed: ${input.reason}`);
    return [];
  });
  const receiver = new BenchEngine((input) => {
    if (input.type !== 'frame') return [];
    received++;
    if (received % ACK_EVERY !== 0) return [];
    const ack = new Uint8Array(4);
    new DataView(ack.buffer).setUint32(0, received);
    return [{ type: 'send', link: input.link, bytes: ack }];
  });
  const { a, b } = runtimePair(sender, receiver);
  target = await b.listen();
  await b.start();
  await a.start();
  await sleep(300); // warm-up
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const before = received;
    const start = performance.now();
    await sleep(seconds * 1000);
    rates.push((received - before) / ((performance.now() - start) / 1000));
  }
  await a.stop();
  await b.stop();
  return Math.round(median(rates));
}

export async function runNoiseBench(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const memory = {
    node: memoryBench(nodeSuite, 0.5),
    noble: memoryBench(nobleSuite, 0.5),
  };
  const tcp = {
    connectHandshakeClosePerSecond: {
      oneAtATime: await connectBench(1, 1),
      eightInFlight: await connectBench(8, 1),
    },
    frames1KiBPerSecond: await throughputBench(1.5),
  };
  return {
    benchmark: 'noise',
    node: process.version,
    method:
      `median of ${RUNS} runs; in-memory rates per wall second of one thread; TCP rates on ` +
      'loopback with both runtimes in this process (node suite), frames paced by a window of ' +
      `${WINDOW_FRAMES} acknowledged every ${ACK_EVERY}`,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    payloadBytes: PAYLOAD_BYTES,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    memory,
    tcp,
  };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (invokedDirectly) {
  const report = await runNoiseBench();
  const out = resolve('reports/bench/noise.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify({ memory: report['memory'], tcp: report['tcp'] }, null, 2));
  console.log(`wrote ${out} (${String(report['seconds'])} s)`);
}
