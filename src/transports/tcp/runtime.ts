/**
 * `TcpRuntime`: hosts one engine on real sockets — the TCP interpreter of the engine's
 * outputs (DESIGN.md §1), as `SimNetwork` is the simulated one.
 *
 * Theory of operation. The runtime owns a listener, a table of open links (`SecureLink`s
 * keyed by small integer ids), the links still in their handshake, and one wake timer.
 * Everything the outside world does becomes an `Input`; each input goes through one queue
 * to `engine.handle(input, now())`, one at a time and never re-entrantly: an input raised
 * while the engine runs (a link failing under an output, say) waits its turn. After every
 * call all outputs are carried out in order (STYLE.md #1):
 *
 * - `dial`  → connect (CONNECT timeout) + Noise as initiator → `linkOpened` with the dial
 *   number, the dialed address and the proven static key, or `dialFailed` with a reason.
 * - inbound → accept (within `linksMax` and `pendingHandshakesMax`, else the socket is closed
 *   at once and counted) + Noise as responder → `linkOpened` with the peer's ip:port.
 * - `send`  → encrypt + write; on a link that is gone, dropped and counted (as the simulator's
 *   `outputsIgnored`).
 * - `close` → queued writes flushed, then FIN; the closer gets no `linkClosed` (as in sim).
 * - peer FIN / reset / bad bytes / overflow → `linkClosed` with the reason.
 * - `wake`  → one timer (replacing the previous) delivering `tick` at `at` or later.
 * - `event` → the `onEvent` callback.
 *
 * Rules:
 * 1. Link ids start at 1 and are never reused in the runtime's life.
 * 2. Nothing a peer sends can throw out of a socket callback: links turn bad bytes into
 *    closes. An engine that throws is a bug and is not caught (assert and crash, STYLE.md #7);
 *    it is logged first.
 * 3. After `stop()` the engine gets no more inputs.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { equalBytes } from '../../engine/crypto/check.js';
import type { CryptoSuite } from '../../engine/crypto/suite.js';
import type {
  Command,
  DeliveredMessage,
  Engine,
  EngineEvent,
  Input,
  LinkId,
  Output,
} from '../../engine/types.js';
import { formatAddress, parseAddress } from './address.js';
import { SecureLink, type SecureLinkHandler } from './connection.js';
import {
  REASON_BAD_ADDRESS,
  REASON_LINKS_FULL,
  TcpConfigError,
  tcpLimits,
  type TcpLimits,
} from './limits.js';

export { formatAddress, parseAddress } from './address.js';

/** Bound into every handshake (Noise §6): peers of another protocol version cannot link. */
export const DEFAULT_PROLOGUE: Uint8Array = new TextEncoder().encode('p2pmsg link v1');

/** setTimeout's largest delay; a later wake is re-armed in steps. */
const TIMER_MAX_MS = 0x7fff_ffff;
/**
 * Inputs waiting while the engine runs. Only outputs of the running call can add to it (a
 * link failing under a send), at most a few per output, so reaching this is a bug.
 */
const INPUT_QUEUE_MAX = 1 << 20;

export interface TcpLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export interface TcpRuntimeOptions {
  engine: Engine;
  /** Address to listen on, e.g. '127.0.0.2' or '0.0.0.0'. */
  listenHost: string;
  /** Port to listen on; 0 picks a free one (see `address` after `listen()`). */
  listenPort: number;
  /** The node's static X25519 key pair (its DH key), proven to peers by the handshake. */
  staticSecret: Uint8Array;
  staticPublic: Uint8Array;
  suite: CryptoSuite;
  /** The engine's clock in ms; default Date.now. */
  now?: () => number;
  log?: (entry: TcpLogEntry) => void;
  onEvent?: (event: EngineEvent, now: number) => void;
  /**
   * A message for this node. Called synchronously, before the outputs that follow it (the
   * acknowledgement among them) are carried out: store it durably here.
   */
  onDeliver?: (message: DeliveredMessage, now: number) => void;
  limits?: Partial<TcpLimits>;
  /** Default DEFAULT_PROLOGUE. */
  prologue?: Uint8Array;
  /** Fresh 32-byte ephemeral secrets; default node:crypto randomBytes. */
  ephemeralSecret?: () => Uint8Array;
  /**
   * Local address for outbound sockets. Default: the listen host when it is a loopback
   * address (so peers on a 127.0.0.x testnet see each node at its own address), else none.
   */
  dialFrom?: string;
}

export interface TcpRuntimeStats {
  inputs: number;
  dials: number;
  dialsFailed: number;
  inboundAccepted: number;
  /** Inbound sockets closed at once: links or pending handshakes at their maximum. */
  inboundRefused: number;
  /** Inbound sockets that never completed the handshake (garbage, timeout, idle). */
  inboundFailed: number;
  linksOpened: number;
  framesSent: number;
  framesReceived: number;
  /** `send` outputs naming a link that is not open (or one that just overflowed). */
  framesDropped: number;
  /** `send` outputs over `frameMaxBytes`: an engine bug, logged and dropped. */
  framesOversize: number;
  /** Largest send buffer (socket + queue) any link held. */
  peakSendBufferBytes: number;
  /** Links and handshakes that ended without our asking, by reason. */
  closedByReason: Record<string, number>;
}

/** Local misuse of the runtime. */
export class TcpUsageError extends Error {
  override name = 'TcpUsageError';
}

interface Pending {
  dial?: number;
  /** The dialed address for dials, the peer's ip:port for inbound sockets. */
  address: string;
}

export class TcpRuntime {
  readonly limits: TcpLimits;
  readonly stats: Readonly<TcpRuntimeStats>;
  private readonly counters: TcpRuntimeStats = {
    inputs: 0,
    dials: 0,
    dialsFailed: 0,
    inboundAccepted: 0,
    inboundRefused: 0,
    inboundFailed: 0,
    linksOpened: 0,
    framesSent: 0,
    framesReceived: 0,
    framesDropped: 0,
    framesOversize: 0,
    peakSendBufferBytes: 0,
    closedByReason: {},
  };
  private readonly engine: Engine;
  private readonly options: TcpRuntimeOptions;
  private readonly clock: () => number;
  private readonly log: (entry: TcpLogEntry) => void;
  private readonly ephemeralSecret: () => Uint8Array;
  private readonly dialFrom: string | undefined;
  private readonly links = new Map<LinkId, SecureLink>();
  private readonly pending = new Map<SecureLink, Pending>();
  /** Links the engine closed whose sockets are still flushing (destroyed by stop). */
  private readonly closing = new Set<SecureLink>();
  private readonly queue: Input[] = [];
  private readonly handler: SecureLinkHandler;
  private server: Server | null = null;
  private listening: Promise<string> | null = null;
  private boundAddress: string | null = null;
  private nextLinkId = 1;
  private running = false;
  private started = false;
  private stopped = false;
  private wakeAt = Infinity;
  private wakeTimer: NodeJS.Timeout | null = null;

  constructor(options: TcpRuntimeOptions) {
    this.limits = tcpLimits(options.limits);
    if (!equalBytes(options.suite.x25519PublicKey(options.staticSecret), options.staticPublic)) {
      throw new TcpConfigError('staticPublic is not the public key of staticSecret');
    }
    this.options = options;
    this.engine = options.engine;
    this.clock = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.ephemeralSecret = options.ephemeralSecret ?? (() => new Uint8Array(randomBytes(32)));
    this.dialFrom =
      options.dialFrom ?? (/^127\./.test(options.listenHost) ? options.listenHost : undefined);
    this.stats = this.counters;
    this.handler = {
      opened: (link) => this.onOpened(link),
      frame: (link, bytes) => this.onFrame(link, bytes),
      closed: (link, reason, wasOpen) => this.onClosed(link, reason, wasOpen),
      released: (link) => this.closing.delete(link),
    };
  }

  /** "host:port" the listener is bound to (the real port when 0 was asked); after listen(). */
  get address(): string {
    if (this.boundAddress === null) throw new TcpUsageError('address: not listening yet');
    return this.boundAddress;
  }

  /** Open links. */
  get linkCount(): number {
    return this.links.size;
  }

  /** Links and dials still in their handshake. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Links the engine closed whose queued writes are still draining (a graceful stop waits). */
  get closingCount(): number {
    return this.closing.size;
  }

  /** What is known about an open link, for tests and the daemon's status. */
  linkInfo(
    id: LinkId,
  ): { remoteAddress: string; remoteStaticKey: Uint8Array; bufferedBytes: number } | undefined {
    const link = this.links.get(id);
    if (link === undefined) return undefined;
    return {
      remoteAddress: link.remoteAddress,
      remoteStaticKey: link.remoteStaticKey as Uint8Array,
      bufferedBytes: link.bufferedBytes,
    };
  }

  /** Binds the listener (idempotent); resolves to the bound "host:port". */
  listen(): Promise<string> {
    if (this.stopped) return Promise.reject(new TcpUsageError('listen: runtime stopped'));
    this.listening ??= new Promise<string>((resolve, reject) => {
      const server = createServer((socket) => this.onConnection(socket));
      this.server = server;
      server.once('error', reject);
      server.listen({ host: this.options.listenHost, port: this.options.listenPort }, () => {
        server.off('error', reject);
        server.on('error', (error) =>
          this.log({ level: 'error', msg: 'listener error', error: String(error) }),
        );
        const bound = server.address();
        if (bound === null || typeof bound === 'string') {
          reject(new TcpUsageError('listen: no TCP address'));
          return;
        }
        this.boundAddress = formatAddress(bound.address, bound.port);
        this.log({ level: 'info', msg: 'listening', address: this.boundAddress });
        resolve(this.boundAddress);
      });
    });
    return this.listening;
  }

  /** Listens (if not yet) and delivers `start`. */
  async start(): Promise<void> {
    if (this.started) throw new TcpUsageError('start: already started');
    this.started = true;
    await this.listen();
    this.deliver({ type: 'start' });
  }

  /** Delivers a command from the node's owner. */
  command(command: Command): void {
    this.deliver({ type: 'command', command });
  }

  /** Closes every link and the listener; the engine gets nothing more (Rule 3). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    for (const link of this.links.values()) link.destroy();
    for (const link of this.pending.keys()) link.destroy();
    for (const link of this.closing) link.destroy();
    this.links.clear();
    this.pending.clear();
    this.closing.clear();
    this.queue.length = 0;
    const server = this.server;
    if (server === null) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- the engine ------------------------------------------------------------------------

  private deliver(input: Input): void {
    if (this.stopped) return;
    if (this.queue.length >= INPUT_QUEUE_MAX)
      throw new Error('tcp runtime bug: input queue overflow');
    this.queue.push(input);
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const next = this.queue.shift() as Input;
        const now = this.clock();
        this.counters.inputs++;
        let outputs: Output[];
        try {
          outputs = this.engine.handle(next, now);
        } catch (error) {
          this.log({ level: 'error', msg: 'engine threw', input: next.type, error: String(error) });
          throw error;
        }
        for (const output of outputs) {
          if (this.stopped) break;
          this.perform(output, now);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private perform(output: Output, now: number): void {
    switch (output.type) {
      case 'send':
        return this.send(output.link, output.bytes);
      case 'dial':
        return this.dial(output.dial, output.address);
      case 'close': {
        const link = this.links.get(output.link);
        if (link === undefined) return;
        this.links.delete(output.link);
        this.log({
          level: 'debug',
          msg: 'link closed by engine',
          link: output.link,
          reason: output.reason,
        });
        this.closing.add(link);
        return link.close();
      }
      case 'wake':
        return this.wake(output.at);
      case 'event':
        this.options.onEvent?.(output.event, now);
        return;
      case 'deliver':
        this.options.onDeliver?.(output.message, now);
        return;
      default:
        // An output kind added to the engine contract after this runtime: say so loudly.
        this.log({
          level: 'error',
          msg: 'unhandled engine output',
          output: String((output as Output).type),
        });
    }
  }

  private send(id: LinkId, bytes: Uint8Array): void {
    const link = this.links.get(id);
    if (link === undefined) {
      this.counters.framesDropped++;
      return;
    }
    if (bytes.length > this.limits.frameMaxBytes) {
      this.counters.framesOversize++;
      this.log({
        level: 'error',
        msg: 'engine sent an oversize frame',
        link: id,
        bytes: bytes.length,
      });
      return;
    }
    if (!link.send(bytes)) {
      this.counters.framesDropped++;
      return;
    }
    this.counters.framesSent++;
    if (link.bufferedBytes > this.counters.peakSendBufferBytes) {
      this.counters.peakSendBufferBytes = link.bufferedBytes;
    }
  }

  private wake(at: number): void {
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAt = at;
    if (Number.isNaN(at)) {
      this.log({ level: 'error', msg: 'engine asked for a wake at NaN' });
      this.wakeAt = Infinity;
    }
    if (this.wakeAt !== Infinity) this.armWake();
  }

  private armWake(): void {
    const delay = Math.min(Math.max(0, this.wakeAt - this.clock()), TIMER_MAX_MS);
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = null;
        // Timers and the clock may disagree by a millisecond: never tick before `at`.
        if (this.clock() < this.wakeAt) return this.armWake();
        this.wakeAt = Infinity;
        this.deliver({ type: 'tick' });
      },
      Math.max(1, delay),
    );
  }

  // ---- links -----------------------------------------------------------------------------

  private dial(dial: number, address: string): void {
    this.counters.dials++;
    const target = parseAddress(address);
    if (target === null) return this.dialFailed(dial, REASON_BAD_ADDRESS);
    if (this.links.size + this.pending.size >= this.limits.linksMax) {
      return this.dialFailed(dial, REASON_LINKS_FULL);
    }
    const socket = createConnection({
      host: target.host,
      port: target.port,
      ...(this.dialFrom === undefined ? {} : { localAddress: this.dialFrom }),
    });
    const link = this.newLink(socket, true, address);
    this.pending.set(link, { dial, address });
  }

  private dialFailed(dial: number, reason: string): void {
    this.counters.dialsFailed++;
    this.log({ level: 'debug', msg: 'dial failed', dial, reason });
    this.deliver({ type: 'dialFailed', dial, reason });
  }

  private onConnection(socket: Socket): void {
    const refuse = (why: string) => {
      this.counters.inboundRefused++;
      this.log({ level: 'warn', msg: 'inbound refused', why, from: socket.remoteAddress });
      socket.on('error', () => {}); // a reset racing the destroy must not become an uncaught error
      socket.destroy();
    };
    if (this.stopped) return refuse('stopped');
    let inboundPending = 0;
    for (const p of this.pending.values()) if (p.dial === undefined) inboundPending++;
    if (this.links.size + this.pending.size >= this.limits.linksMax) return refuse('links full');
    if (inboundPending >= this.limits.pendingHandshakesMax) return refuse('too many handshakes');
    this.counters.inboundAccepted++;
    const link = this.newLink(socket, false);
    this.pending.set(link, { address: link.remoteAddress });
  }

  private newLink(socket: Socket, initiator: boolean, remoteAddress?: string): SecureLink {
    return new SecureLink({
      socket,
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      initiator,
      suite: this.options.suite,
      staticSecret: this.options.staticSecret,
      staticPublic: this.options.staticPublic,
      prologue: this.options.prologue ?? DEFAULT_PROLOGUE,
      ephemeralSecret: this.ephemeralSecret,
      limits: this.limits,
      handler: this.handler,
    });
  }

  private onOpened(link: SecureLink): void {
    const info = this.pending.get(link);
    if (info === undefined || this.stopped) return link.destroy();
    this.pending.delete(link);
    const id = this.nextLinkId++;
    link.id = id;
    this.links.set(id, link);
    this.counters.linksOpened++;
    this.log({
      level: 'debug',
      msg: 'link opened',
      link: id,
      address: info.address,
      dial: info.dial,
    });
    const input: Input = {
      type: 'linkOpened',
      link: id,
      remoteAddress: info.address,
      remoteStaticKey: (link.remoteStaticKey as Uint8Array).slice(),
    };
    if (info.dial !== undefined) input.dial = info.dial;
    this.deliver(input);
  }

  private onFrame(link: SecureLink, bytes: Uint8Array): void {
    this.counters.framesReceived++;
    this.deliver({ type: 'frame', link: link.id, bytes });
  }

  private onClosed(link: SecureLink, reason: string, wasOpen: boolean): void {
    const byReason = this.counters.closedByReason;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    if (wasOpen) {
      if (this.links.get(link.id) !== link) return;
      this.links.delete(link.id);
      this.log({ level: 'debug', msg: 'link closed', link: link.id, reason });
      this.deliver({ type: 'linkClosed', link: link.id, reason });
      return;
    }
    const info = this.pending.get(link);
    if (info === undefined) return;
    this.pending.delete(link);
    if (info.dial !== undefined) return this.dialFailed(info.dial, reason);
    this.counters.inboundFailed++;
    this.log({ level: 'warn', msg: 'inbound handshake failed', from: info.address, reason });
  }
}
