/**
 * Flood benchmark (issue 8 #3, "Measured: RSS under a one-peer flood"): one real daemon
 * (`p2pmsg node`, its own process, default limits, on 127.0.19.2), and one hostile peer —
 * one node identity, over Noise-authenticated links made with the transport's own code
 * (test/integration/raw-node.ts) — sending as fast as the socket takes it, in three phases:
 *
 * 1. control: valid-looking control frames of every kind (pings, shuffles, forward-joins
 *    naming made-up nodes, IHAVEs, GRAFTs, PRUNEs, probe broadcasts with fresh IDs, directory
 *    requests and chunks of junk), after joining as a neighbour so the daemon processes them
 *    rather than drop them at the door. The control rate cuts the link; the peer reconnects.
 * 2. onion: 2 KiB packets of random bytes (data frames: no rate limit; each costs the daemon
 *    an X25519 before the MAC check rejects it).
 * 3. garbage: a link at a time ended by a frame that fails to decode, a transport message
 *    over the frame limit, or bytes that are not Noise at all; the peer reconnects each time.
 *
 * The daemon's RSS (VmRSS from /proc/<pid>/status) is sampled every RSS_SAMPLE_MS: idle
 * before, peak during, and after a quiet spell. Frames sent are counted here; what the
 * daemon dropped comes from its status counters. Everything is bounded in time; the daemon
 * is SIGKILLed at the end if it does not stop.
 *
 * Run: `npx tsx bench/flood.ts` (writes reports/bench/flood.json) or `npm run bench -- flood`.
 * test/integration/flood.test.ts runs it for a few seconds in CI and checks the RSS bound.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { base32Encode } from '../src/engine/base32.js';
import { PACKET_BYTES } from '../src/engine/onion/limits.js';
import { encodeMessage } from '../src/engine/wire/codec.js';
import { BROADCAST_ID_BYTES, FRAME_MAX_BYTES, NODE_ID_BYTES } from '../src/engine/wire/limits.js';
import type { Message, PeerEntry } from '../src/engine/wire/messages.js';
import { withLengthPrefix } from '../src/transports/tcp/framing.js';
import { sleep, Testbed, type DaemonProc } from '../test/integration/harness.js';
import { RawNode } from '../test/integration/raw-node.js';
import { rssMiB } from './daemon.js';

/** Defaults of the benchmark run; the CI test passes a shorter duration. */
const DURATION_MS = 20_000;
const IDLE_SETTLE_MS = 3_000;
const AFTER_SETTLE_MS = 5_000;
const RSS_SAMPLE_MS = 250;
/** Share of the duration per phase. */
const PHASES = { control: 0.45, onion: 0.3, garbage: 0.25 } as const;
/** Frames written per batch, and how much our socket may hold unsent before we wait. */
const BATCH = 256;
const WRITE_BACKLOG_MAX_BYTES = 1024 * 1024;
/** Distinct frames pre-encoded per kind (each broadcast ID is new until the pool wraps). */
const POOL = 4_096;
/** A link that should close (after garbage) must do so within this. */
const CLOSE_WAIT_MS = 3_000;

export interface FloodOptions {
  durationMs?: number;
  /** 127.0.<block>.2 for the daemon. */
  block?: number;
}

type Phase = keyof typeof PHASES;

const randomId = (): string => base32Encode(randomBytes(NODE_ID_BYTES));
const entry = (i: number): PeerEntry => ({
  id: randomId(),
  address: `127.0.19.${200 + (i % 50)}:1`,
});

/** A pool of valid-looking control frames of every kind, fresh IDs in each. */
function controlPool(now: number): Uint8Array[] {
  const make = (i: number): Message => {
    switch (i % 10) {
      case 0:
        return { type: 'ping' };
      case 1:
        return { type: 'shuffle', origin: entry(i), ttl: 3, entries: [entry(i + 1), entry(i + 2)] };
      case 2:
        return { type: 'forwardJoin', newcomer: entry(i), ttl: 2 };
      case 3:
        return {
          type: 'ihave',
          ids: Array.from({ length: 8 }, () => randomBytes(BROADCAST_ID_BYTES)),
        };
      case 4:
        return { type: 'graft', id: randomBytes(BROADCAST_ID_BYTES) };
      case 5:
        return { type: 'prune' };
      case 6:
      case 7:
        return {
          type: 'broadcast',
          id: randomBytes(BROADCAST_ID_BYTES),
          origin: randomId(),
          expiresAt: now + 30_000,
          hops: 8,
          kind: 'probe',
          body: randomBytes(256),
        };
      case 8:
        return { type: 'directoryRequest' };
      default:
        return { type: 'directoryChunk', descriptors: [randomBytes(120), randomBytes(120)] };
    }
  };
  return Array.from({ length: POOL }, (_, i) => encodeMessage(make(i)));
}

function onionPool(): Uint8Array[] {
  return Array.from({ length: 256 }, () =>
    encodeMessage({ type: 'onion', packet: randomBytes(PACKET_BYTES) }),
  );
}

class Flooder {
  readonly sent: Record<string, number> = {
    control: 0,
    onion: 0,
    decodeGarbage: 0,
    oversize: 0,
    transportGarbage: 0,
  };
  reconnects = 0;
  private node: RawNode | null = null;

  constructor(private readonly daemon: DaemonProc) {}

  /** The open link, made anew (same identity) when the daemon closed the last one. */
  async link(join: boolean): Promise<RawNode> {
    if (this.node !== null && !this.node.closed) return this.node;
    if (this.node !== null) this.reconnects += 1;
    this.node?.destroy();
    const node = await RawNode.connect(this.daemon.address, 'flooder');
    node.peer.socket.on('data', () => node.peer.received.splice(0)); // read, ignore
    if (join) node.send(encodeMessage({ type: 'join' }));
    this.node = node;
    return node;
  }

  /** Writes `pool` round and round until `deadline`, reconnecting whenever cut off. */
  async pour(kind: 'control' | 'onion', pool: Uint8Array[], deadline: number): Promise<void> {
    let at = 0;
    while (Date.now() < deadline) {
      const node = await this.link(kind === 'control');
      for (let i = 0; i < BATCH && !node.closed; i++) {
        node.send(pool[at % pool.length] as Uint8Array);
        at += 1;
        this.sent[kind] = (this.sent[kind] as number) + 1;
      }
      while (!node.closed && node.peer.socket.writableLength > WRITE_BACKLOG_MAX_BYTES)
        await sleep(1);
      await sleep(0);
    }
  }

  /** Links ended by bad bytes, one after the other, until `deadline`. */
  async garbage(deadline: number): Promise<void> {
    for (let round = 0; Date.now() < deadline; round++) {
      const node = await this.link(false);
      const kind = (['decodeGarbage', 'oversize', 'transportGarbage'] as const)[round % 3]!;
      if (kind === 'decodeGarbage') node.send(randomBytes(64 + (round % 900)));
      else if (kind === 'oversize') node.send(randomBytes(FRAME_MAX_BYTES + 1 + (round % 1000)));
      else node.peer.socket.write(withLengthPrefix(randomBytes(64 + (round % 900))));
      this.sent[kind] = (this.sent[kind] as number) + 1;
      const until = Date.now() + CLOSE_WAIT_MS;
      while (!node.closed && Date.now() < until) await sleep(1);
    }
  }

  close(): void {
    this.node?.destroy();
  }
}

interface Counters {
  engine: Record<string, number>;
  transport: { framesReceived: number; closedByReason: Record<string, number> };
}

async function countersOf(daemon: DaemonProc): Promise<Counters> {
  const { status } = await daemon.ask({ op: 'status' });
  return status as unknown as Counters;
}

export async function runFlood(options: FloodOptions = {}): Promise<Record<string, unknown>> {
  const durationMs = options.durationMs ?? DURATION_MS;
  const bed = new Testbed(options.block ?? 19);
  try {
    const daemon = bed.add();
    await daemon.start();
    const pid = daemon.child?.pid as number;
    await sleep(IDLE_SETTLE_MS);
    const idle = rssMiB(pid) ?? 0;
    const before = await countersOf(daemon);
    const samples: { tMs: number; phase: Phase | 'after'; rssMiB: number }[] = [];
    let phase: Phase | 'after' = 'control';
    const started = Date.now();
    const sampler = setInterval(() => {
      const rss = rssMiB(pid);
      if (rss !== null) samples.push({ tMs: Date.now() - started, phase, rssMiB: rss });
    }, RSS_SAMPLE_MS);

    const flooder = new Flooder(daemon);
    let end = started + durationMs * PHASES.control;
    await flooder.pour('control', controlPool(Date.now()), end);
    phase = 'onion';
    end += durationMs * PHASES.onion;
    flooder.close();
    await flooder.pour('onion', onionPool(), end);
    phase = 'garbage';
    end += durationMs * PHASES.garbage;
    await flooder.garbage(end);
    flooder.close();
    const floodMs = Date.now() - started;
    phase = 'after';
    await sleep(AFTER_SETTLE_MS);
    clearInterval(sampler);
    const after = rssMiB(pid) ?? 0;
    const counters = await countersOf(daemon);
    const delta = (name: string) => (counters.engine[name] ?? 0) - (before.engine[name] ?? 0);
    const received = counters.transport.framesReceived - before.transport.framesReceived;
    const closedByTransport = { ...counters.transport.closedByReason };
    for (const [reason, n] of Object.entries(before.transport.closedByReason))
      closedByTransport[reason] = (closedByTransport[reason] ?? 0) - n;
    const peak = Math.max(idle, ...samples.map((s) => s.rssMiB));
    const sentTotal = Object.values(flooder.sent).reduce((a, b) => a + b, 0);
    const boundMiB = 2 * idle + 100;
    await daemon.stop();
    return {
      benchmark: 'flood',
      method:
        'one hostile identity floods a default-limits daemon over Noise links (control, onion, garbage phases); RSS = VmRSS of the daemon process',
      durationMs: floodMs,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      rssMiB: { idle, peak, after, boundMiB, withinBound: peak < boundMiB },
      frames: {
        sent: {
          ...flooder.sent,
          total: sentTotal,
          perSecond: Math.round(sentTotal / (floodMs / 1000)),
        },
        reconnects: flooder.reconnects,
        // Sent minus received: still in socket buffers when the peer hung up (lost with it).
        daemon: {
          received,
          accepted: received - delta('controlRateDrops'),
          droppedOverControlRate: delta('controlRateDrops'),
          closedForControlRate: delta('controlRateCloses'),
          closedByTransport,
          onionRejected: delta('packetsDropped'),
          directoryRecordsMalformed: delta('directoryMalformed'),
          dropListSize: counters.engine['dropListSize'],
        },
      },
      rssSamples: samples,
    };
  } finally {
    await bed.cleanup();
  }
}

export const runFloodBench = () => runFlood();

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const report = await runFloodBench();
  mkdirSync('reports/bench', { recursive: true });
  writeFileSync('reports/bench/flood.json', JSON.stringify(report, null, 2) + '\n');
  const { rssSamples: _samples, ...summary } = report;
  console.log(JSON.stringify(summary, null, 2));
}
