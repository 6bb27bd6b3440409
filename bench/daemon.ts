/**
 * Daemon benchmark (issue 5, "Measured"): a 10-daemon testnet on loopback, each daemon a
 * real `p2pmsg node` process (127.0.9.2 … 127.0.9.11, one random port), messages through
 * 3 relays end to end.
 *
 * - Latency at light load: LIGHT_MESSAGES messages one after the other (random sender and
 *   target), each timed from the PUSH to the moment the target's `watch` stream shows it:
 *   the client socket, the sender's fsync, 4 link hops with onion peels, the target's
 *   fsync, and the watch line back. p50 / p99.
 * - Throughput: LOAD_MESSAGES messages pushed as fast as a window of LOAD_WINDOW
 *   outstanding PUSHes allows, random pairs; messages per second from the first PUSH to the
 *   last arrival, and the latency distribution under that load.
 * - The cost bound from the crypto primitives, measured in this run and process: one
 *   message's whole crypto pipeline (seal + sign the envelope, build a 4-hop onion, 4 peels,
 *   verify + open; the acknowledgement's envelope, onion and 4 peels; and the link AEAD,
 *   seal + open of one 2 KiB frame per link crossed, 8 crossings), as CPU ms per message;
 *   the bound is what every core of this machine could do if it did nothing else.
 * - Noise_XX handshakes per second (in memory, both sides, as bench/noise.ts counts them).
 * - Daemon RSS (VmRSS from /proc) idle after the network settled, and the peak under load.
 *
 * Everything is bounded (each phase has a deadline; a phase that runs out reports what it
 * got and says so); every daemon is stopped at the end, SIGKILL if it does not go.
 *
 * Run: `npx tsx bench/daemon.ts` (writes reports/bench/daemon.json), or
 * `npm run bench -- daemon`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  defaultSocketPath,
  openWatch,
  sendRequest,
  type WatchHandle,
} from '../src/client/index.js';
import { readPidFile } from '../src/daemon/data-dir.js';
import { CryptoRandom } from '../src/daemon/random.js';
import { nodeSuite } from '../src/engine/crypto/node.js';
import { identityFromSecrets, type Identity } from '../src/engine/identity.js';
import { base32Decode } from '../src/engine/base32.js';
import { buildPacket, peelPacket, type OnionHop } from '../src/engine/onion/index.js';
import { openEnvelope, sealAck, sealMessage } from '../src/engine/routing/e2e.js';
import { handshakeOnce } from './noise.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')];
const DAEMONS = 10;
const HOPS = 3;
const BODY_BYTES = 64;
const LIGHT_MESSAGES = 100;
const LOAD_MESSAGES = 600;
const LOAD_WINDOW = 32;
/** Phase deadlines. */
const START_MAX_MS = 60_000;
const SETTLE_MAX_MS = 90_000;
const PHASE_MAX_MS = 180_000;
const STOP_MAX_MS = 15_000;
const IDLE_SETTLE_MS = 3_000;
const RSS_SAMPLE_MS = 250;
/** CPU time spent measuring the crypto pipeline and the handshakes. */
const CRYPTO_SECONDS = 2;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, i)] as number) * 10) / 10;
}

function stats(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? null : Math.round((sorted[sorted.length - 1] as number) * 10) / 10,
  };
}

/** CPU milliseconds of this process. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// ---- the crypto bound ----------------------------------------------------------------------

function identity(): Identity {
  return identityFromSecrets(nodeSuite, randomBytes(32), randomBytes(32));
}

const recipient = (id: Identity) => ({ id: id.id, dhKey: id.dhPublic });

const hop = (id: Identity): OnionHop => ({
  id: base32Decode(id.id) as Uint8Array,
  dhPublic: id.dhPublic,
});

/** Peels `packet` along `path`; returns the final payload. */
function peelAll(path: Identity[], packet: Uint8Array): Uint8Array {
  let current = packet;
  for (const node of path) {
    const result = peelPacket(nodeSuite, node.dhSecret, current);
    if (result.kind === 'forward') current = result.packet;
    else if (result.kind === 'deliver') return result.payload;
    else throw new Error(`bench: peel rejected: ${result.reason}`);
  }
  throw new Error('bench: the packet was not delivered');
}

/** CPU ms of one message's whole crypto pipeline (module header), and the primitives. */
function cryptoBound() {
  const random = new CryptoRandom();
  const sender = identity();
  const target = identity();
  const relays = [identity(), identity(), identity()];
  const reply = [identity(), identity(), identity()];
  const body = randomBytes(BODY_BYTES);
  const linkKey = randomBytes(32);
  const nonce = new Uint8Array(12);
  const frame = randomBytes(2048 + 8);
  const once = (): void => {
    const messageId = randomBytes(16);
    const envelope = sealMessage(nodeSuite, random, sender, recipient(target), {
      messageId,
      sentAt: Date.now(),
      replyPath: reply.map((r) => r.id),
      fromAddress: '10.0.0.1:7000',
      body,
    });
    if (envelope === null) throw new Error('bench: seal failed');
    const forward = buildPacket(nodeSuite, random, [...relays, target].map(hop), envelope);
    const opened = openEnvelope(nodeSuite, target, peelAll([...relays, target], forward.packet));
    if (opened.kind !== 'message') throw new Error('bench: open failed');
    const ack = sealAck(nodeSuite, random, recipient(sender), messageId);
    if (ack === null) throw new Error('bench: ack seal failed');
    const back = buildPacket(nodeSuite, random, [...reply, sender].map(hop), ack);
    if (openEnvelope(nodeSuite, sender, peelAll([...reply, sender], back.packet)).kind !== 'ack') {
      throw new Error('bench: ack open failed');
    }
    for (let link = 0; link < 2 * (HOPS + 1); link++) {
      nodeSuite.aeadOpen(linkKey, nonce, nodeSuite.aeadSeal(linkKey, nonce, frame));
    }
  };
  once();
  let n = 0;
  const start = cpuMs();
  while (cpuMs() - start < CRYPTO_SECONDS * 1000) {
    once();
    n++;
  }
  const msPerMessage = (cpuMs() - start) / n;
  const rate = (op: () => void): number => {
    let k = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < 200) {
      op();
      k++;
    }
    return Math.round(k / ((cpuMs() - t0) / 1000));
  };
  const secret = randomBytes(32);
  const sig = nodeSuite.ed25519Sign(sender.signSecret, body);
  const cores = os.availableParallelism();
  return {
    msPerMessage: Math.round(msPerMessage * 1000) / 1000,
    boundPerCorePerSecond: Math.round(1000 / msPerMessage),
    cores,
    boundAllCoresPerSecond: Math.round((1000 / msPerMessage) * cores),
    primitivesPerSecond: {
      x25519: rate(() => nodeSuite.x25519(secret, nodeSuite.x25519PublicKey(randomBytes(32)))),
      ed25519Sign: rate(() => nodeSuite.ed25519Sign(sender.signSecret, body)),
      ed25519Verify: rate(() => nodeSuite.ed25519Verify(sender.signPublic, body, sig)),
      aeadSealOpen2KiB: rate(() =>
        nodeSuite.aeadOpen(linkKey, nonce, nodeSuite.aeadSeal(linkKey, nonce, frame)),
      ),
      onionBuild4Hops: rate(() =>
        buildPacket(nodeSuite, random, [...relays, target].map(hop), body),
      ),
    },
  };
}

/** Complete in-memory Noise_XX handshakes (both sides, three messages, split) per CPU second. */
function handshakesPerSecond(): number {
  const a = randomBytes(32);
  const b = randomBytes(32);
  const once = () => handshakeOnce(nodeSuite, a, b);
  once();
  let n = 0;
  const start = cpuMs();
  while (cpuMs() - start < 1000) {
    once();
    n++;
  }
  return Math.round(n / ((cpuMs() - start) / 1000));
}

// ---- the testnet ---------------------------------------------------------------------------

interface Daemon {
  address: string;
  dataDir: string;
  child: ChildProcess;
  id: string;
}

export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Math.round((Number(m[1]) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

async function until<T>(check: () => Promise<T | false> | T | false, what: string, maxMs: number) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function startTestnet(base: string, port: number): Promise<Daemon[]> {
  const daemons: Daemon[] = [];
  const launch = (i: number): Daemon => {
    const address = `127.0.9.${i + 2}:${port}`;
    const dataDir = path.join(base, `n${i + 1}`);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(path.join(dataDir, 'bench.log'), 'a');
    const bootstrap = i === 0 ? [] : ['--bootstrap', `127.0.9.2:${port}`];
    const child = spawn(
      process.execPath,
      [
        ...CLI,
        '--data-dir',
        dataDir,
        'node',
        '--listen',
        address,
        ...bootstrap,
        '--log-level',
        'warn',
      ],
      { cwd: ROOT, stdio: ['ignore', fd, fd] },
    );
    fs.closeSync(fd);
    const d: Daemon = { address, dataDir, child, id: '' };
    daemons.push(d);
    return d;
  };
  const ready = (d: Daemon) =>
    until(
      () => readPidFile(path.join(d.dataDir, 'daemon.pid')) === d.child.pid,
      `${d.address} to start`,
      START_MAX_MS,
    );
  await ready(launch(0));
  for (let i = 1; i < DAEMONS; i++) launch(i);
  await Promise.all(daemons.slice(1).map(ready));
  for (const d of daemons) d.id = String((await status(d))['id']);
  return daemons;
}

async function status(d: Daemon): Promise<Record<string, unknown>> {
  const r = await sendRequest(
    { path: defaultSocketPath(d.dataDir) },
    { kind: 'json', request: { op: 'status' } },
  );
  if (!r.ok) throw new Error(`bench: status failed: ${r.error.message}`);
  return r.status;
}

async function stopAll(daemons: Daemon[]): Promise<void> {
  for (const d of daemons) d.child.kill('SIGTERM');
  const deadline = Date.now() + STOP_MAX_MS;
  while (
    daemons.some((d) => d.child.exitCode === null && d.child.signalCode === null) &&
    Date.now() < deadline
  ) {
    await sleep(50);
  }
  for (const d of daemons)
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
}

/** Sends `count` messages, `window` outstanding PUSHes at a time; resolves with latencies. */
async function traffic(
  daemons: Daemon[],
  arrivals: Map<string, (at: number) => void>,
  count: number,
  window: number,
  tag: string,
) {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  let lastArrival = started;
  const one = async (n: number): Promise<void> => {
    const from = daemons[Math.floor(Math.random() * daemons.length)] as Daemon;
    let to = from;
    while (to === from) to = daemons[Math.floor(Math.random() * daemons.length)] as Daemon;
    const token = `${tag}-${n}-${randomBytes(4).toString('hex')}`;
    const body = `${token} ${'x'.repeat(Math.max(0, BODY_BYTES - token.length - 1))}`;
    const arrived = new Promise<number>((resolve) => arrivals.set(token, resolve));
    const t0 = performance.now();
    const r = await sendRequest(
      { path: defaultSocketPath(from.dataDir) },
      { kind: 'json', request: { op: 'push', to: to.id, body } },
    );
    if (!r.ok) {
      failed++;
      arrivals.delete(token);
      return;
    }
    const timeout = sleep(PHASE_MAX_MS).then(() => -1);
    const at = await Promise.race([arrived, timeout]);
    if (at < 0) return;
    latencies.push(at - t0);
    lastArrival = Math.max(lastArrival, at);
  };
  const worker = async () => {
    while (next < count) await one(next++);
  };
  for (let w = 0; w < window; w++) pending.push(worker());
  await Promise.all(pending);
  const seconds = (lastArrival - started) / 1000;
  return { latencies, failed, seconds, delivered: latencies.length };
}

export async function runDaemonBench(): Promise<Record<string, unknown>> {
  const crypto = cryptoBound();
  const handshakes = handshakesPerSecond();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'p2b-'));
  const port = 20_000 + Math.floor(Math.random() * 40_000);
  let daemons: Daemon[] = [];
  const watches: WatchHandle[] = [];
  try {
    daemons = await startTestnet(base, port);
    await until(
      async () => {
        for (const d of daemons) {
          const s = await status(d);
          if (Number(s['directory']) < DAEMONS || Number(s['neighbours']) < 1) return false;
        }
        return true;
      },
      'the testnet to settle',
      SETTLE_MAX_MS,
    );
    await sleep(IDLE_SETTLE_MS);
    const idleRss = daemons.map((d) => rssMiB(d.child.pid as number) ?? 0);

    const arrivals = new Map<string, (at: number) => void>();
    for (const d of daemons) {
      watches.push(
        await openWatch({ path: defaultSocketPath(d.dataDir) }, (m) => {
          const token = m.body.split(' ')[0] as string;
          const resolve = arrivals.get(token);
          if (resolve !== undefined) {
            arrivals.delete(token);
            resolve(performance.now());
          }
        }),
      );
    }
    const light = await traffic(daemons, arrivals, LIGHT_MESSAGES, 1, 'light');

    const peakRss = daemons.map(() => 0);
    const sampler = setInterval(() => {
      daemons.forEach(
        (d, i) => (peakRss[i] = Math.max(peakRss[i] as number, rssMiB(d.child.pid as number) ?? 0)),
      );
    }, RSS_SAMPLE_MS);
    const load = await traffic(daemons, arrivals, LOAD_MESSAGES, LOAD_WINDOW, 'load');
    clearInterval(sampler);
    const engine = await Promise.all(
      daemons.map(async (d) => (await status(d))['engine'] as Record<string, number>),
    );
    const sum = (key: string) => engine.reduce((s, e) => s + (e[key] ?? 0), 0);

    const rate = load.seconds > 0 ? Math.round((load.delivered / load.seconds) * 10) / 10 : null;
    return {
      benchmark: 'daemon',
      node: process.version,
      cores: os.availableParallelism(),
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      testnet: `${DAEMONS} daemons (separate processes, from source through tsx) on 127.0.9.x, ${HOPS} relays per path, ${BODY_BYTES}-byte bodies`,
      method:
        'latency: PUSH on the sender socket → the line on the target watch stream; light = one message at a time; ' +
        `load = ${LOAD_MESSAGES} messages with ${LOAD_WINDOW} PUSHes outstanding, random pairs; ` +
        "messages/s = delivered / (last arrival − first PUSH); crypto bound = CPU ms of one message's whole crypto pipeline " +
        "(envelope seal+sign, 4-hop onion build, 4 peels, verify+open; the ack's envelope, build and 4 peels; 8 link AEAD seal+open of 2 KiB) measured in this process; " +
        'RSS = VmRSS of each daemon, idle after settling and peak during the load phase',
      latencyLight: stats(light.latencies),
      latencyUnderLoad: stats(load.latencies),
      throughput: {
        messagesPerSecond: rate,
        delivered: load.delivered,
        sent: LOAD_MESSAGES - load.failed,
        refused: load.failed,
        seconds: Math.round(load.seconds * 100) / 100,
        retries: sum('messageAttempts') - (light.delivered + load.delivered),
      },
      cryptoBound: crypto,
      throughputOverCryptoBound:
        rate === null ? null : Math.round((rate / crypto.boundAllCoresPerSecond) * 1000) / 1000,
      noiseHandshakesPerSecond: handshakes,
      rssMiB: {
        idle: {
          mean: Math.round((idleRss.reduce((a, b) => a + b, 0) / idleRss.length) * 10) / 10,
          max: Math.max(...idleRss),
        },
        underLoad: {
          mean: Math.round((peakRss.reduce((a, b) => a + b, 0) / peakRss.length) * 10) / 10,
          max: Math.max(...peakRss),
        },
      },
    };
  } finally {
    for (const w of watches) w.close();
    await stopAll(daemons);
    fs.rmSync(base, { recursive: true, force: true });
  }
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
) {
  const report = await runDaemonBench();
  const out = path.resolve('reports/bench/daemon.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}
