/**
 * The sending side of messaging: the store's outbox and the engine's `send` command, kept
 * in step.
 *
 * Theory of operation (DESIGN.md §4, engine/types.ts `send`):
 *   accept  → `enqueueOutgoing` commits the message to disk; only then may PUSH answer
 *             SUCCESS. The engine hears of it right after (`issue`, on the next turn).
 *   issue   → `send {messageId, to, body, expiresAt}` to the engine, once per engine life.
 *   attempt → every `messageAttempt` event becomes an attempt row (its path and time); the
 *             attempt it replaces is closed with the engine's reason (`p2pmsg trace`).
 *   acked   → `messageAcked`: the message is delivered. `messageFailed`: it failed.
 *   restart → every message still pending is issued again (the engine retries until
 *             `expiresAt`; the target's store drops a second copy).
 *
 * Rule 1: a message is issued at most once per engine life (`inFlight`), and at most
 *         OUTBOX_IN_FLIGHT_MAX are in flight: past that `accept` refuses ('busy').
 * Rule 2: right after a start the directory is still empty, so issued messages would only
 *         fail. Until the node has a neighbour and knows the target — or READY_WAIT_MAX_MS
 *         after the start — messages are held and issued as soon as that holds.
 * Rule 3: attempt numbers are the store's (they count across restarts); the engine's
 *         restart at 1 in every life.
 * Rule 4: a store failure while recording an event is logged and skipped: the message
 *         stays pending and is issued again after a restart (the target deduplicates).
 * Rule 5: once the daemon is stopping, failures are not recorded: the engine fails every
 *         pending message when it leaves, but for us they are still pending — the next
 *         life issues them again.
 * Rule 6: shards (issue 7). A message is split into shards as its PUSH asked, else as the
 *         node's default (`--shards`). The choice lives in memory only (the store has no
 *         column for it): a message issued again after a restart takes the node's default.
 *         That is safe — the target dedups by message ID however the message travels.
 *         Every packet of a sharded message is an attempt row. The store keeps one row
 *         in flight, so each shard's row closes the one before it with reason
 *         SIBLING_SHARD ('timeout' is the store's only word for an end without an ack):
 *         a sharded message's trace lists its packets and paths, not which of them arrived.
 */
import type { ShardSpec } from '../engine/routing/shard-spec.js';
import type { Command, EngineEvent, NodeId } from '../engine/types.js';
import {
  StoreError,
  StoreInputError,
  storeLimits,
  type OutgoingMessage,
  type Store,
} from '../store/index.js';
import { OUTBOX_IN_FLIGHT_MAX, READY_WAIT_MAX_MS } from './limits.js';
import type { Logger } from './log.js';

/** What the outbox needs of the engine and its runtime. */
export interface OutboxEngine {
  command(command: Command): void;
  /** The node has at least one neighbour. */
  hasNeighbour(): boolean;
  /** The directory knows `peer` (unexpired). */
  knows(peer: NodeId, now: number): boolean;
}

export interface OutboxOptions {
  store: Store;
  engine: OutboxEngine;
  log: Logger;
  now: () => number;
  /** How long a new message is retried. */
  messageTtlMs: number;
  /** The node's default shard setting (Rule 6); absent or null: one packet per message. */
  shards?: ShardSpec | null;
  /** Defer work to the next turn (default setImmediate); tests run it synchronously. */
  defer?: (fn: () => void) => void;
}

interface InFlight {
  /** The store's number of the latest attempt (0: none yet in any life). */
  lastAttempt: number;
  /** accepted: on its way to `issueOrHold`; held: waiting (Rule 2); issued: the engine has it. */
  phase: 'accepted' | 'held' | 'issued';
  /** How the engine should split it (Rule 6); null: one packet. */
  shards: ShardSpec | null;
  /** Attempts recorded in this engine life (Rule 6). */
  attemptsThisLife: number;
}

/** Why a shard's attempt row ended: the next shard's row took its place (Rule 6). */
const SIBLING_SHARD = 'another shard of the message left after it';

export type AcceptResult =
  { ok: true; message: OutgoingMessage } | { ok: false; reason: string; message: string };

export class Outbox {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly held: OutgoingMessage[] = [];
  /** When the engine started; null before (messages accepted then are held). */
  private startedAt: number | null = null;
  private stopping = false;
  private readonly defer: (fn: () => void) => void;
  private readonly defaultShards: ShardSpec | null;
  readonly counters = { accepted: 0, issued: 0, acked: 0, failed: 0, refusedBusy: 0 };

  constructor(private readonly o: OutboxOptions) {
    this.defer = o.defer ?? ((fn) => void setImmediate(fn));
    this.defaultShards = o.shards ?? null;
  }

  /** Messages in flight in this engine life (issued or held). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Makes a message durable (then issues it on the next turn). `shards`: how to split it;
   * undefined for the node's default (Rule 6).
   */
  accept(destination: string, peer: NodeId, body: string, shards?: ShardSpec | null): AcceptResult {
    if (this.inFlight.size >= OUTBOX_IN_FLIGHT_MAX) {
      this.counters.refusedBusy++;
      return {
        ok: false,
        reason: 'busy',
        message: `${OUTBOX_IN_FLIGHT_MAX} messages are in flight; try again later`,
      };
    }
    const now = this.o.now();
    const message = this.o.store.enqueueOutgoing({
      destination,
      peer,
      body,
      expiresAt: now + this.o.messageTtlMs,
    });
    this.counters.accepted++;
    this.inFlight.set(message.id, {
      lastAttempt: 0,
      phase: 'accepted',
      shards: shards === undefined ? this.defaultShards : shards,
      attemptsThisLife: 0,
    });
    this.defer(() => this.issueOrHold(message));
    return { ok: true, message };
  }

  /** The daemon is stopping (Rule 5). */
  stop(): void {
    this.stopping = true;
  }

  /** The engine has started: issue every message still pending (restart). */
  start(): void {
    const now = this.o.now();
    this.startedAt = now;
    this.sweep(now);
  }

  /**
   * Fails expired messages and issues pending ones not in flight (after a restart, and any
   * left over when the in-flight table was full). Pages by DUE_PAGE_MAX; rows issued in this
   * life are skipped.
   */
  sweep(now: number): void {
    try {
      for (const id of this.o.store.expireOutgoing(now)) this.inFlight.delete(id);
      for (const row of this.o.store.dueOutgoing(now, storeLimits.DUE_PAGE_MAX)) {
        if (this.inFlight.has(row.id) || this.inFlight.size >= OUTBOX_IN_FLIGHT_MAX) continue;
        this.inFlight.set(row.id, {
          lastAttempt: row.attempts,
          phase: 'accepted',
          shards: this.defaultShards,
          attemptsThisLife: 0,
        });
        this.issueOrHold(row);
      }
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      this.o.log.error('outbox sweep failed', { error: err.message, code: err.code });
    }
    this.releaseHeld(now);
  }

  /** Issues held messages whose path can now be built (Rule 2). */
  releaseHeld(now = this.o.now()): void {
    if (this.held.length === 0 || this.startedAt === null) return;
    for (let i = 0; i < this.held.length;) {
      const message = this.held[i] as OutgoingMessage;
      if (this.isReady(message.peer, now)) {
        this.held.splice(i, 1);
        this.issue(message);
      } else {
        i++;
      }
    }
  }

  /** Engine events about our messages; others are ignored. */
  onEvent(event: EngineEvent, now: number): void {
    switch (event.type) {
      case 'messageAttempt':
        return this.onAttempt(event, now);
      case 'messageAcked':
        return this.record('acked', event.messageId, () => {
          const state = this.inFlight.get(event.messageId);
          this.inFlight.delete(event.messageId);
          this.counters.acked++;
          this.o.store.markDelivered(event.messageId, now, state?.lastAttempt || undefined);
        });
      case 'messageFailed':
        if (this.stopping) return; // Rule 5.
        return this.record('failed', event.messageId, () => {
          const state = this.inFlight.get(event.messageId);
          this.inFlight.delete(event.messageId);
          this.counters.failed++;
          if (state !== undefined && state.lastAttempt > 0) {
            this.o.store.finishAttempt(event.messageId, state.lastAttempt, 'failed', event.reason);
          }
          this.o.store.markFailed(event.messageId, event.reason);
          this.o.log.info('message failed', { id: event.messageId, reason: event.reason });
        });
      case 'joined':
      case 'neighbourUp':
      case 'broadcastDelivered':
        return this.releaseHeld(now);
      default:
        return;
    }
  }

  private onAttempt(event: Extract<EngineEvent, { type: 'messageAttempt' }>, now: number) {
    const { messageId: id, attempt, path, reason } = event;
    this.record('attempt', id, () => {
      const state = this.inFlight.get(id);
      const previous = state?.lastAttempt ?? 0;
      const sibling = event.shard !== undefined && (state?.attemptsThisLife ?? 0) > 0;
      if (state !== undefined) state.attemptsThisLife += 1;
      if (previous > 0) {
        // Rule 3: the attempt this one replaces ends with the engine's reason; the first
        // attempt of a new engine life replaces one from before the restart (Rule 6).
        const why = sibling ? SIBLING_SHARD : attempt <= 1 ? 'the daemon restarted' : reason;
        this.o.store.finishAttempt(id, previous, 'timeout', why);
      }
      const n = this.o.store.recordAttempt(id, {
        path: path.slice(0, storeLimits.PATH_MAX_NODES),
        sentAt: now,
        // The engine owns retry timing; "due" in the store means "left at": a restart
        // issues every pending message again whatever this says.
        nextAttemptAt: now,
      });
      if (state !== undefined && n !== null) state.lastAttempt = n;
    });
  }

  private issueOrHold(message: OutgoingMessage): void {
    const state = this.inFlight.get(message.id);
    if (state === undefined || state.phase !== 'accepted') return; // Expired meanwhile.
    if (this.isReady(message.peer, this.o.now())) {
      this.issue(message);
    } else {
      state.phase = 'held';
      this.held.push(message);
    }
  }

  /** Rule 2: may a message to `peer` go to the engine now? */
  private isReady(peer: NodeId, now: number): boolean {
    if (this.startedAt === null) return false;
    if (now - this.startedAt >= READY_WAIT_MAX_MS) return true;
    return this.o.engine.hasNeighbour() && this.o.engine.knows(peer, now);
  }

  private issue(message: OutgoingMessage): void {
    const state = this.inFlight.get(message.id);
    if (state === undefined || state.phase === 'issued') return;
    state.phase = 'issued';
    this.counters.issued++;
    this.o.engine.command({
      type: 'send',
      messageId: new Uint8Array(Buffer.from(message.id, 'hex')),
      to: message.peer,
      body: new TextEncoder().encode(message.body),
      expiresAt: message.expiresAt,
      ...(state.shards === null ? {} : { shards: state.shards }),
    });
  }

  /** Rule 4: store failures (and impossible values) are logged, never thrown at the engine. */
  private record(what: string, id: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof StoreError) && !(err instanceof StoreInputError)) throw err;
      this.o.log.error(`cannot record message ${what}`, { id, error: err.message });
    }
  }
}
