/**
 * The sender's side of a message (DESIGN.md §3 "End to end"): attempts, acknowledgements,
 * retries on new paths, expiry.
 *
 * Theory of operation. A `send` command becomes a pending message. Each attempt draws a
 * fresh path (path.ts) that avoids the previous attempt's relays when the directory allows,
 * and a fresh reply path for the ack, seals a signed envelope to the target (e2e.ts) and
 * sends it as an onion to the first relay. Then it waits for the ack:
 *
 *   wait_n = min(ackTimeoutMs · backoffFactor^n, ackTimeoutMaxMs) · (1 ± jitterPercent %)
 *
 * A timeout is the only failure signal (a relay that drops a packet tells nobody), so a
 * timeout means "try another path": that is path repair for a relay that crashed in
 * flight. Retries go on until the message's deadline, then it fails. Until the target's
 * descriptor is known the message waits (looking again every directoryPollMs) for at most
 * unknownDestinationWaitMs; with too few relays an attempt cannot start and the message
 * waits the same way.
 *
 * Rules:
 * 1. Exactly one `messageAcked` or `messageFailed` per accepted send, and none for a send
 *    whose message is already pending (the runtime re-issuing it after a restart of its
 *    own bookkeeping); a pending message leaves the table exactly when it is answered.
 * 2. A message's deadline is min(expiresAt, first send + messageLifetimeMaxMs): the target
 *    refuses messages older than its dedup window (receiver.ts Rule 1).
 * 3. Bounded: at most pendingMax messages; a send beyond that fails at once.
 * 4. Draws: paths from `pathRandom`, jitter from `backoffRandom`, keys from
 *    `cryptoRandom`; the number of draws does not depend on the crypto suite.
 */
import type { Descriptor } from '../directory/records.js';
import type { Random } from '../random.js';
import type { Command, Millis, NodeId } from '../types.js';
import { messageLifetimeMaxMs, ROUTING_BODY_MAX, type RoutingConfig } from './config.js';
import { MESSAGE_ID_BYTES, sealMessage } from './e2e.js';
import { hexOf, sendOnion, type RoutingHost } from './host.js';
import { choosePath, pathKey } from './path.js';

type SendCommand = Extract<Command, { type: 'send' }>;

/** Paths of earlier attempts remembered per message, to draw a different one next time. */
const PATHS_REMEMBERED = 8;
/** Redraws when a drawn path equals an earlier one (only in tiny networks). */
const PATH_REDRAWS_MAX = 4;

/** Why a message is not moving, for the failure reason. */
type Problem = 'unknown-destination' | 'no-relays' | 'bad-key';

interface Pending {
  readonly key: string;
  readonly messageId: Uint8Array;
  readonly to: NodeId;
  readonly body: Uint8Array;
  readonly sentAt: Millis;
  readonly deadline: Millis;
  attempts: number;
  /** When to act next: a retry after a timeout, or another look at the directory. */
  nextAt: Millis;
  /** Nominal wait after the next attempt, before jitter. */
  waitMs: number;
  /** Relays of the last attempt, avoided by the next one. */
  lastRelays: Set<NodeId>;
  /** Keys of earlier paths, newest last (PATHS_REMEMBERED at most). */
  paths: string[];
  problem: Problem | undefined;
}

/** Local misuse of the send command (not a remote condition): a bug in the runtime. */
export class RoutingError extends Error {
  override name = 'RoutingError';
}

export class Sender {
  private readonly pending = new Map<string, Pending>();
  private readonly lifetimeMaxMs: number;
  /** Attempts made (first ones and retries). */
  attempts = 0;
  /** Acks for messages no longer pending (an earlier attempt's, arriving late). */
  acksLate = 0;

  constructor(
    private readonly host: RoutingHost,
    private readonly config: RoutingConfig,
    private readonly pathRandom: Random,
    private readonly backoffRandom: Random,
    private readonly cryptoRandom: Random,
  ) {
    this.lifetimeMaxMs = messageLifetimeMaxMs(config);
  }

  get size(): number {
    return this.pending.size;
  }

  send(command: SendCommand, now: Millis): void {
    const { messageId } = command;
    if (!(messageId instanceof Uint8Array) || messageId.length !== MESSAGE_ID_BYTES) {
      throw new RoutingError(`send: messageId must be ${MESSAGE_ID_BYTES} bytes`);
    }
    const key = hexOf(messageId);
    if (this.pending.has(key)) {
      this.host.event({ type: 'drop', what: 'send-already-pending' });
      return;
    }
    const refusal =
      command.body.length > ROUTING_BODY_MAX
        ? 'too-large'
        : command.shards !== undefined
          ? 'shards-unsupported'
          : command.to === this.host.identity.id
            ? 'self'
            : command.expiresAt <= now
              ? 'expired'
              : this.pending.size >= this.config.pendingMax
                ? 'too-many-pending'
                : undefined;
    if (refusal !== undefined) {
      this.host.event({ type: 'messageFailed', messageId: key, reason: refusal });
      return;
    }
    const message: Pending = {
      key,
      messageId: messageId.slice(),
      to: command.to,
      body: command.body.slice(),
      sentAt: now,
      deadline: Math.min(command.expiresAt, now + this.lifetimeMaxMs),
      attempts: 0,
      nextAt: now,
      waitMs: this.config.ackTimeoutMs,
      lastRelays: new Set(),
      paths: [],
      problem: undefined,
    };
    this.pending.set(key, message);
    this.attempt(message, now);
  }

  onAck(messageId: Uint8Array, _now: Millis): void {
    const key = hexOf(messageId);
    const message = this.pending.get(key);
    if (message === undefined) {
      this.acksLate += 1;
      return;
    }
    this.pending.delete(key);
    this.host.event({ type: 'messageAcked', messageId: key, attempts: message.attempts });
  }

  /** Answers every pending message with a failure (the node is leaving the network). */
  failAll(reason: string): void {
    for (const message of [...this.pending.values()]) {
      this.pending.delete(message.key);
      this.host.event({ type: 'messageFailed', messageId: message.key, reason });
    }
  }

  /** Retries and expiries due at `now`. */
  tick(now: Millis): void {
    const due: Pending[] = [];
    for (const message of this.pending.values()) if (message.nextAt <= now) due.push(message);
    for (const message of due) {
      if (now >= message.deadline) this.fail(message);
      else this.attempt(message, now);
    }
  }

  /** The earliest time something is due, or undefined with nothing pending. */
  nextDeadline(): Millis | undefined {
    let next: Millis | undefined;
    for (const message of this.pending.values()) {
      if (next === undefined || message.nextAt < next) next = message.nextAt;
    }
    return next;
  }

  checkInvariants(): void {
    if (this.pending.size > this.config.pendingMax) throw new Error('pending over capacity');
    for (const message of this.pending.values()) {
      if (message.nextAt > message.deadline)
        throw new Error('pending message wakes after its deadline');
      if (message.paths.length > PATHS_REMEMBERED)
        throw new Error('remembered paths over capacity');
    }
  }

  // ---- attempts ---------------------------------------------------------------------------

  private attempt(message: Pending, now: Millis): void {
    const host = this.host;
    const config = this.config;
    const target = host.descriptor(message.to, now);
    if (target === undefined) {
      message.problem = 'unknown-destination';
      if (message.attempts === 0) {
        const giveUpAt = message.sentAt + config.unknownDestinationWaitMs;
        if (now >= giveUpAt) return this.fail(message);
        return this.waitUntil(message, Math.min(now + config.directoryPollMs, giveUpAt));
      }
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    const relays = host.relays(now);
    const path = this.drawPath(message, relays);
    if (path === null) {
      message.problem = 'no-relays';
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    const onPath = new Set(path.map((r) => r.id));
    const reply =
      choosePath(this.pathRandom, relays, {
        hops: config.hops,
        hopsMin: config.hopsMin,
        exclude: new Set([host.identity.id, message.to]),
        avoid: onPath,
      }) ?? [];
    const sealed = sealMessage(host.crypto, this.cryptoRandom, host.identity, target, {
      messageId: message.messageId,
      sentAt: message.sentAt,
      replyPath: reply.map((r) => r.id),
      body: message.body,
    });
    const outcome =
      sealed === null ? 'bad-key' : sendOnion(host, this.cryptoRandom, path, target, sealed);
    if (outcome === 'bad-key') {
      // A relay's or the target's descriptor holds an unusable key: try other relays later.
      message.problem = 'bad-key';
      message.lastRelays = onPath;
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    const reason = message.attempts === 0 ? 'first' : 'timeout';
    message.attempts += 1;
    message.problem = undefined;
    message.lastRelays = onPath;
    message.paths.push(pathKey(path));
    if (message.paths.length > PATHS_REMEMBERED) message.paths.shift();
    this.attempts += 1;
    host.event({
      type: 'messageAttempt',
      messageId: message.key,
      attempt: message.attempts,
      path: [...path.map((r) => r.id), message.to],
      reason,
    });
    const wait = this.jittered(message.waitMs);
    message.waitMs = Math.min(message.waitMs * config.backoffFactor, config.ackTimeoutMaxMs);
    this.waitUntil(message, now + wait);
  }

  /** A path unlike the last few attempts' when the directory allows (module header). */
  private drawPath(message: Pending, relays: readonly Descriptor[]): Descriptor[] | null {
    const options = {
      hops: this.config.hops,
      hopsMin: this.config.hopsMin,
      exclude: new Set([this.host.identity.id, message.to]),
      avoid: message.lastRelays,
    };
    let path = choosePath(this.pathRandom, relays, options);
    for (let redraw = 0; redraw < PATH_REDRAWS_MAX; redraw++) {
      if (path === null || !message.paths.includes(pathKey(path))) break;
      path = choosePath(this.pathRandom, relays, options);
    }
    return path;
  }

  private waitUntil(message: Pending, at: Millis): void {
    message.nextAt = Math.min(at, message.deadline);
  }

  /** A wait drawn uniformly from ±jitterPercent % of `ms`. */
  private jittered(ms: number): number {
    const spread = this.config.jitterPercent / 100;
    return Math.max(1, Math.round(ms * (1 - spread + 2 * spread * this.backoffRandom.next())));
  }

  private fail(message: Pending): void {
    this.pending.delete(message.key);
    const reason =
      message.attempts === 0 && message.problem !== undefined ? message.problem : 'expired';
    this.host.event({ type: 'messageFailed', messageId: message.key, reason });
  }
}
