/**
 * The node daemon (DESIGN.md §4, issue 5 item 3): the store, the engine on real sockets and
 * the client socket, composed.
 *
 * Theory of operation. `Daemon.start` takes the data directory's lock, opens the store,
 * loads (or creates) the identity, binds the link listener, builds the engine with the
 * bound address, opens the client socket, and only then starts the engine (join) and the
 * outbox (re-issuing what a previous life left pending). Any failure on the way undoes
 * what was done and throws one clear error. The engine is built with the directory and the
 * relay's replay tags saved by the previous life (engine-state.ts), which it checks as
 * network input when it starts; they are saved again every STATE_SAVE_INTERVAL_MS.
 *
 *   client ── PUSH ──▶ DaemonHandler ──▶ Outbox.accept (commit) ──▶ SUCCESS
 *                                             └─ next turn ─▶ engine `send`
 *   engine ── deliver ──▶ Inbox.deliver (commit) ──▶ watchers; then the ack goes out
 *   engine ── messageAttempt / Acked / Failed ──▶ Outbox ──▶ store (trace, state)
 *
 * `stop` is the graceful leave: PUSH answers FAIL from then on, the engine's `leave`
 * (revocation, goodbyes to the neighbours) is carried out and given LEAVE_FLUSH_MAX_MS to
 * reach the wire, then the sockets and the client server close, the engine's state is
 * saved one last time, the store closes, the pid file and the lock go. `done` resolves
 * with the exit code.
 *
 * Rule 1: a failure to store a delivered message stops the engine at once, inside the
 *         delivery, so the acknowledgement that follows it is never sent: the sender keeps
 *         the message and retries after we restart. The daemon then exits with code 1.
 * Rule 2: the daemon reads the clock (clock.ts: the wall clock at start, advanced by the
 *         monotonic clock, so a step of the wall clock neither stalls nor bursts the
 *         engine's timers) and node:crypto randomness; the engine receives both through its
 *         inputs and options, never directly.
 */
import type { JsonObject } from '../client/protocol.js';
import { ClientServer, defaultSocketPath, parseHostPort } from '../client/index.js';
import type { ClientServerEvent } from '../client/server.js';
import { nodeSuite } from '../engine/crypto/index.js';
import { DEFAULT_DIRECTORY } from '../engine/directory/config.js';
import { Node } from '../engine/node.js';
import { DEFAULT_ROUTING } from '../engine/routing/index.js';
import type { DeliveredMessage, Engine, EngineEvent } from '../engine/types.js';
import { Store, StoreError, storePath } from '../store/index.js';
import { TcpRuntime, type TcpLogEntry } from '../transports/tcp/runtime.js';
import type { TcpLimits } from '../transports/tcp/limits.js';
import type { ClientServerLimits } from '../client/handler.js';
import type { DaemonSettings } from './config.js';
import { DaemonClock } from './clock.js';
import { acquireLock, ensureDataDir, writePidFile, type DataDirLock } from './data-dir.js';
import { EngineStateSaver, loadEngineState } from './engine-state.js';
import { DaemonHandler } from './handler.js';
import { loadIdentity } from './identity.js';
import { Inbox } from './inbox.js';
import {
  CLOCK_CHECK_INTERVAL_MS,
  LEAVE_FLUSH_MAX_MS,
  OUTBOX_SWEEP_INTERVAL_MS,
  POLL_INTERVAL_MS,
  READY_WAIT_MAX_MS,
  STATE_SAVE_INTERVAL_MS,
} from './limits.js';
import type { Logger } from './log.js';
import { Outbox } from './outbox.js';
import { CryptoRandomSource } from './random.js';

export interface DaemonOptions {
  dataDir: string;
  settings: DaemonSettings;
  log: Logger;
  /** The daemon's clock (clock.ts); default one on Date.now and performance.now. */
  clock?: DaemonClock;
  /** Transport and client-socket limits over the defaults (tests shrink them). */
  tcpLimits?: Partial<TcpLimits>;
  clientLimits?: Partial<ClientServerLimits>;
  /** Shown by `status`. */
  version?: string;
}

/** Exit codes a daemon ends with. */
export const DAEMON_EXIT_OK = 0;
export const DAEMON_EXIT_FAILED = 1;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Daemon {
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private exitCode = DAEMON_EXIT_OK;
  private resolveDone: (code: number) => void = () => {};
  /** Resolves with the exit code once the daemon has stopped (asked to, or failed). */
  readonly done: Promise<number>;
  private sweepTimer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  private clock: DaemonClock | null = null;
  private saver: EngineStateSaver | null = null;
  private readonly startedAt: number;
  private client: ClientServer | null = null;
  private removePid: (() => void) | null = null;
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly handler: DaemonHandler;

  private constructor(
    private readonly o: DaemonOptions,
    private readonly now: () => number,
    private readonly lock: DataDirLock,
    private readonly store: Store,
    readonly node: Node,
    private readonly runtime: TcpRuntime,
    /** The address peers dial (our descriptor's). */
    readonly address: string,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.startedAt = now();
    const log = o.log;
    this.inbox = new Inbox(store);
    this.outbox = new Outbox({
      store,
      log,
      now,
      messageTtlMs: o.settings.messageTtlMs,
      shards: o.settings.shards,
      engine: {
        command: (command) => runtime.command(command),
        hasNeighbour: () => node.snapshot().active.length > 0,
        knows: (peer, at) => node.resolve(peer, at) !== undefined,
      },
    });
    this.handler = new DaemonHandler({
      store,
      node: {
        id: node.identity.id,
        resolve: (destination, at) => node.resolve(destination, at),
        snapshot: () => node.snapshot(),
      },
      outbox: this.outbox,
      inbox: this.inbox,
      now,
      status: () => this.status(),
      stopping: () => this.stopping,
    });
  }

  get id(): string {
    return this.node.identity.id;
  }

  get socketPath(): string | null {
    return this.client?.socketPath ?? null;
  }

  get clientTcpAddress(): { host: string; port: number } | null {
    return this.client?.tcpAddress ?? null;
  }

  /** Starts a daemon in `dataDir`; throws DataDirError, StoreError, ClientServerError, … */
  static async start(o: DaemonOptions): Promise<Daemon> {
    const clock = o.clock ?? new DaemonClock();
    const now = clock.now;
    ensureDataDir(o.dataDir);
    const lock = acquireLock(o.dataDir);
    const undo: (() => void | Promise<void>)[] = [() => lock.release()];
    const unwind = async () => {
      for (const step of undo.reverse()) await step();
    };
    try {
      // The store prunes descriptors and replay tags against the times the engine gave
      // them: one clock for both, or a step of the wall clock would prune live ones.
      const store = Store.open({ path: storePath(o.dataDir), now });
      undo.push(() => store.close());
      const { identity, created } = loadIdentity(store, nodeSuite);
      if (created) o.log.info('created a new identity', { id: identity.id });
      const routing = { ...DEFAULT_ROUTING, hops: o.settings.hops };
      const saved = loadEngineState(store, routing.replayMaxAgeMs, routing.replayCacheMax, o.log);
      const listen = parseHostPort(o.settings.listen) as { host: string; port: number };
      // The engine needs its address, known only once the listener is bound (port 0): the
      // runtime gets a stand-in that forwards to the node built right after listen().
      let node: Node | null = null;
      const engine: Engine = {
        handle: (input, at) => (node as Node).handle(input, at),
        snapshot: () => (node as Node).snapshot(),
      };
      let daemon: Daemon | null = null;
      const runtime = new TcpRuntime({
        engine,
        listenHost: listen.host,
        listenPort: listen.port,
        staticSecret: identity.dhSecret,
        staticPublic: identity.dhPublic,
        suite: nodeSuite,
        now,
        log: (entry) => logTcp(o.log, entry),
        onEvent: (event, at) => daemon?.onEvent(event, at),
        onDeliver: (message, at) => daemon?.onDeliver(message, at),
        ...(o.tcpLimits === undefined ? {} : { limits: o.tcpLimits }),
      });
      undo.push(() => runtime.stop());
      const bound = await runtime.listen();
      const address = o.settings.advertise === o.settings.listen ? bound : o.settings.advertise;
      node = new Node({
        identity,
        crypto: nodeSuite,
        random: new CryptoRandomSource(),
        address,
        bootstrap: o.settings.bootstrap,
        directory: { ...DEFAULT_DIRECTORY, relay: o.settings.relay },
        routing,
        restore: saved.restore,
      });
      daemon = new Daemon(o, now, lock, store, node, runtime, address);
      daemon.saver = new EngineStateSaver(store, node, routing.replayMaxAgeMs, o.log, saved, now());
      const clientTcp =
        o.settings.clientListen === null ? undefined : parseHostPort(o.settings.clientListen);
      daemon.client = await ClientServer.start({
        handler: daemon.handler,
        socketPath: defaultSocketPath(o.dataDir),
        ...(clientTcp === undefined || clientTcp === null ? {} : { tcp: clientTcp }),
        ...(o.clientLimits === undefined ? {} : { limits: o.clientLimits }),
        onEvent: (event) => logClient(o.log, event),
      });
      await runtime.start();
      daemon.outbox.start();
      daemon.sweepTimer = setInterval(() => daemon?.sweep(), OUTBOX_SWEEP_INTERVAL_MS);
      daemon.sweepTimer.unref();
      daemon.saveTimer = setInterval(() => daemon?.saveState(), STATE_SAVE_INTERVAL_MS);
      daemon.saveTimer.unref();
      daemon.clock = clock;
      daemon.clockTimer = setInterval(() => daemon?.checkClock(), CLOCK_CHECK_INTERVAL_MS);
      daemon.clockTimer.unref();
      // Whatever is still held when the startup wait ends goes to the engine then.
      setTimeout(() => daemon?.outbox.releaseHeld(), READY_WAIT_MAX_MS).unref();
      daemon.removePid = writePidFile(o.dataDir);
      o.log.info('node started', {
        id: identity.id,
        address,
        socket: daemon.socketPath,
        clientTcp:
          daemon.clientTcpAddress === null ? undefined : formatClientTcp(daemon.clientTcpAddress),
        bootstrap: o.settings.bootstrap.join(',') || undefined,
        relay: o.settings.relay,
        pending: store.pendingCount(),
      });
      return daemon;
    } catch (err) {
      await unwind();
      throw err;
    }
  }

  /** Graceful stop (see the theory of operation); idempotent. */
  stop(reason = 'asked to stop'): Promise<void> {
    this.stopPromise ??= this.shutdown(reason);
    return this.stopPromise;
  }

  status(): JsonObject {
    const snapshot = this.node.snapshot();
    const counters = this.node.counters();
    return {
      id: this.id,
      address: this.address,
      version: this.o.version ?? 'unknown',
      pid: process.pid,
      dataDir: this.o.dataDir,
      socket: this.socketPath,
      clientTcp: this.clientTcpAddress === null ? null : formatClientTcp(this.clientTcpAddress),
      uptimeMs: this.now() - this.startedAt,
      /** Wall clock minus the daemon's: how far the wall clock stepped since the start. */
      clockSkewMs: this.clock?.skewMs() ?? 0,
      relay: this.o.settings.relay,
      hops: this.o.settings.hops,
      neighbours: snapshot.active.length,
      active: snapshot.active,
      passive: snapshot.passive.length,
      directory: counters['directorySize'] ?? 0,
      relays: snapshot.relays.length,
      links: this.runtime.linkCount,
      pendingHandshakes: this.runtime.pendingCount,
      /** The transport's counters (frames, refusals, closes by reason), for diagnosis. */
      transport: {
        ...this.runtime.stats,
        closedByReason: { ...this.runtime.stats.closedByReason },
      },
      outbox: {
        pending: this.store.pendingCount(),
        inFlight: this.outbox.inFlightCount,
        held: this.outbox.heldCount,
        ...this.outbox.counters,
      },
      inbox: {
        unread: this.store.unreadCount(),
        received: this.inbox.received,
        duplicates: this.inbox.duplicates,
        watchers: this.inbox.watcherCount,
      },
      stopping: this.stopping,
      /** The engine's counters (drop list, directory, routing), for diagnosis. */
      engine: counters,
    };
  }

  private sweep(): void {
    if (!this.stopping) this.outbox.sweep(this.now());
  }

  /** A step of the wall clock is logged once (clock.ts: the daemon keeps its own time). */
  private checkClock(): void {
    const skew = this.clock?.skewChange();
    if (skew === null || skew === undefined) return;
    this.o.log.warn(
      'the wall clock stepped; the daemon keeps its own time (monotonic since start) — ' +
        'restart it if the wall clock was wrong and is now right',
      { skewMs: skew },
    );
  }

  /** Saves what changed in the directory and the replay tags (engine-state.ts). */
  private saveState(): void {
    if (!this.store.isOpen || this.saver === null) return;
    const saved = this.saver.flush(this.now());
    if (saved.descriptorsWritten + saved.descriptorsRemoved + saved.replayTagsWritten > 0)
      this.o.log.debug('saved engine state', { ...saved });
  }

  private onEvent(event: EngineEvent, now: number): void {
    this.outbox.onEvent(event, now);
    const log = this.o.log;
    switch (event.type) {
      case 'neighbourUp':
        return log.info('neighbour up', { peer: event.peer, neighbours: event.activeSize });
      case 'neighbourDown':
        return log.info('neighbour down', {
          peer: event.peer,
          reason: event.reason,
          neighbours: event.activeSize,
        });
      case 'joined':
        return log.info('joined the network');
      case 'restored':
        return log.info('restored the saved directory and replay tags', {
          ...event,
          type: undefined,
        });
      case 'left':
        return log.info('left the network');
      case 'islandCheck':
        return log.debug('island check through a bootstrap address', { address: event.address });
      case 'islandBridge':
        // The check's walk ended among nodes our directory never heard of: a split network.
        return log.info('island check: asking a node our directory never heard of to connect', {
          peer: event.peer,
        });
      case 'messageAttempt':
        return log.debug('message attempt', {
          id: event.messageId,
          attempt: event.attempt,
          hops: event.path.length,
          reason: event.reason,
        });
      case 'messageAcked':
        return log.info('message delivered', { id: event.messageId, attempts: event.attempts });
      case 'linkRejected':
      case 'packetDropped':
      case 'drop':
        return log.debug(event.type, { ...event, type: undefined });
      default:
        return;
    }
  }

  private onDeliver(message: DeliveredMessage, now: number): void {
    if (this.stopping) return;
    try {
      const outcome = this.inbox.deliver(message, now);
      this.o.log.debug('message received', { from: message.from, outcome });
    } catch (err) {
      // Rule 1: stop before the acknowledgement that follows this output is carried out.
      this.o.log.error('cannot store a received message; stopping before acknowledging it', {
        error: err instanceof Error ? err.message : String(err),
        code: err instanceof StoreError ? err.code : undefined,
      });
      this.exitCode = DAEMON_EXIT_FAILED;
      void this.runtime.stop();
      void this.stop('store failure');
    }
  }

  private async shutdown(reason: string): Promise<void> {
    this.stopping = true;
    this.outbox.stop();
    this.o.log.info('stopping', { reason });
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    if (this.saveTimer !== null) clearInterval(this.saveTimer);
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    this.runtime.command({ type: 'leave' });
    const deadline = this.now() + LEAVE_FLUSH_MAX_MS;
    while (this.runtime.closingCount > 0 && this.now() < deadline) await sleep(POLL_INTERVAL_MS);
    await this.runtime.stop();
    await this.client?.close();
    try {
      this.saveState();
    } catch (err) {
      // A bug in saving must not keep the store open and the lock held.
      this.o.log.error('saving the engine state failed', { error: String(err) });
    }
    try {
      this.store.close();
    } catch (err) {
      this.o.log.error('closing the store failed', { error: String(err) });
    }
    this.removePid?.();
    this.lock.release();
    this.o.log.info('stopped');
    this.resolveDone(this.exitCode);
  }
}

function formatClientTcp(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function logTcp(log: Logger, entry: TcpLogEntry): void {
  // The runtime's info lines (listening) and debug chatter (links) pass through as they are.
  log.log({ ...entry, msg: `tcp: ${entry.msg}` });
}

function logClient(log: Logger, event: ClientServerEvent): void {
  switch (event.type) {
    case 'handler-error':
    case 'commit-error':
    case 'server-error':
      return log.error(`client: ${event.type}`, { error: String(event.error) });
    case 'bad-request':
      return log.debug('client: bad request', { code: event.code, detail: event.detail });
    default:
      return log.debug(`client: ${event.type}`);
  }
}
