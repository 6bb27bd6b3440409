/**
 * Helpers for real-socket tests: deterministic static keys, bounded waits, a free address
 * nobody listens on, and `RawPeer` — a hand-driven socket that can speak our Noise link
 * protocol, or garbage, or nothing, to play an adversarial peer.
 */
import { connect as netConnect, createServer, type Socket } from 'node:net';
import { nodeSuite } from '../../../src/engine/crypto/node.js';
import type { Engine, Input, NodeSnapshot, Output } from '../../../src/engine/types.js';
import { NoiseFrameReader, withLengthPrefix } from '../../../src/transports/tcp/framing.js';
import { NoiseHandshake, type NoiseSession } from '../../../src/transports/tcp/noise.js';
import {
  DEFAULT_PROLOGUE,
  TcpRuntime,
  type TcpRuntimeOptions,
} from '../../../src/transports/tcp/runtime.js';

export interface KeyPair {
  secret: Uint8Array;
  public: Uint8Array;
}

/** A static X25519 key pair derived from a label (never generateKeyPairSync: TOOLCHAIN.md). */
export function keyPair(label: string): KeyPair {
  const secret = nodeSuite.sha256(new TextEncoder().encode(`p2pmsg test key ${label}`));
  return { secret, public: nodeSuite.x25519PublicKey(secret) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every few ms; throws after `maxMs` (every wait in these tests is bounded). */
export async function waitFor(
  condition: () => boolean,
  what: string,
  maxMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** "host:port" where nothing listens (a port just bound and released). */
export async function deadAddress(host = '127.0.0.1'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `${host}:${port}`;
}

/** An engine that records inputs and answers with `script`. */
export class RecordingEngine implements Engine {
  readonly inputs: { now: number; input: Input }[] = [];
  constructor(private readonly script: (input: Input, now: number) => Output[] = () => []) {}
  handle(input: Input, now: number): Output[] {
    this.inputs.push({ now, input });
    return this.script(input, now);
  }
  snapshot(): NodeSnapshot {
    return { id: 'recording', active: [], passive: [], relays: [] };
  }
  of<T extends Input['type']>(type: T): Extract<Input, { type: T }>[] {
    return this.inputs.map((r) => r.input).filter((i) => i.type === type) as Extract<
      Input,
      { type: T }
    >[];
  }
}

/** A raw socket under the test's control. */
export class RawPeer {
  readonly received: Uint8Array[] = [];
  closed = false;
  private readonly reader = new NoiseFrameReader(65535);
  private session: NoiseSession | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let r = this.reader.next(); r.kind === 'message'; r = this.reader.next()) {
        this.received.push(r.bytes);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(address: string, localAddress?: string): Promise<RawPeer> {
    const [host, port] = address.split(':') as [string, string];
    return new Promise((resolve, reject) => {
      const socket = netConnect({
        host,
        port: Number(port),
        ...(localAddress ? { localAddress } : {}),
      });
      socket.once('connect', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `condition` holds (re-checked on every read or close), or rejects. */
  until(condition: () => boolean, what: string, maxMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`raw peer: no ${what} in ${maxMs} ms`)),
        maxMs,
      );
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  /** Runs XX as initiator with `keys`; resolves to the proven responder key. */
  async handshake(keys: KeyPair, prologue: Uint8Array = DEFAULT_PROLOGUE): Promise<Uint8Array> {
    const hs = new NoiseHandshake({
      suite: nodeSuite,
      initiator: true,
      staticSecret: keys.secret,
      prologue,
      ephemeralSecret: () => keyPair(`ephemeral ${Math.random()}`).secret,
    });
    const first = hs.writeMessage();
    if (!first.ok) throw new Error('raw peer: write 1');
    this.socket.write(withLengthPrefix(first.value));
    await this.until(() => this.received.length >= 1 || this.closed, 'handshake message 2');
    const second = this.received.shift();
    if (second === undefined) throw new Error('raw peer: closed during handshake');
    const read = hs.readMessage(second);
    if (!read.ok) throw new Error(`raw peer: ${read.error.kind}`);
    const third = hs.writeMessage();
    if (!third.ok) throw new Error('raw peer: write 3');
    this.socket.write(withLengthPrefix(third.value));
    this.session = hs.finish();
    return this.session.remoteStaticKey;
  }

  /** One engine frame as a transport message. */
  sendFrame(frame: Uint8Array): void {
    if (this.session === null) throw new Error('raw peer: no session');
    this.socket.write(withLengthPrefix(this.session.send.encrypt(frame)));
  }

  /** Decrypts what arrived since the handshake. */
  frames(): Uint8Array[] {
    if (this.session === null) throw new Error('raw peer: no session');
    const out: Uint8Array[] = [];
    for (const message of this.received.splice(0)) {
      const r = this.session.receive.decrypt(message);
      if (!r.ok) throw new Error(`raw peer: ${r.error.kind}`);
      out.push(r.value);
    }
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Runtimes and raw peers made by a test, torn down in its afterEach. */
export class Harness {
  private readonly runtimes: TcpRuntime[] = [];
  private readonly peers: RawPeer[] = [];

  runtime(
    label: string,
    host: string,
    engine: Engine,
    options: Partial<TcpRuntimeOptions> = {},
  ): { runtime: TcpRuntime; keys: KeyPair } {
    const keys = keyPair(label);
    const runtime = new TcpRuntime({
      engine,
      listenHost: host,
      listenPort: 0,
      staticSecret: keys.secret,
      staticPublic: keys.public,
      suite: nodeSuite,
      ...options,
    });
    this.runtimes.push(runtime);
    return { runtime, keys };
  }

  async peer(address: string): Promise<RawPeer> {
    const peer = await RawPeer.connect(address);
    this.peers.push(peer);
    return peer;
  }

  async cleanup(): Promise<void> {
    for (const peer of this.peers.splice(0)) peer.destroy();
    await Promise.all(this.runtimes.splice(0).map((r) => r.stop()));
  }
}
