/**
 * The sender's side of a message (DESIGN.md §3 "End to end"): attempts, acknowledgements,
 * retries on new paths, expiry.
 *
 * Theory of operation. A `send` command becomes a pending message. Each attempt draws a
 * fresh path (path.ts) that avoids the previous attempt's relays and stale descriptors when
 * the directory allows, names the relays the ack should take back (the same relays in
 * reverse by default, config.ts `replyPath`), seals a signed envelope to the target
 * (e2e.ts) and sends it as an onion to the first relay. Then it waits for the ack:
 *
 *   wait = min(timeout · backoffFactor^t, ackTimeoutMaxMs) · (1 ± jitterPercent %)
 *
 * where t counts the message's timeouts so far and `timeout` is learned from the round
 * trips of earlier messages (rtt.ts; ackTimeoutMs before any). A relay that drops a packet tells nobody,
 * so a timeout is the main failure signal and means "try another path": that is path
 * repair for a relay that crashed in flight. The one loss the sender sees itself is its
 * own link to the first relay failing (a dial refused or timed out): then it retries at
 * once (reason 'first-hop-unreachable'), without waiting for the timeout and without
 * lengthening the next wait — up to firstHopRetriesAtOnce times in a row, then after
 * directoryPollMs each time, as with no room for a link at all. Retries go on until the
 * message's deadline, then it fails. Until the target's descriptor is known the message
 * waits (looking again every directoryPollMs) for at most unknownDestinationWaitMs; with
 * too few relays an attempt cannot start and the message waits the same way.
 *
 * Rules:
 * 1. Exactly one `messageAcked` or `messageFailed` per accepted send, and none for a send
 *    whose message is already pending (the runtime re-issuing it after a restart of its
 *    own bookkeeping); a pending message leaves the table exactly when it is answered.
 * 2. A message's deadline is min(expiresAt, first send + messageLifetimeMaxMs): the target
 *    refuses messages older than its dedup window (receiver.ts Rule 1).
 * 3. Bounded: at most pendingMax messages, sharded ones (shard-sender.ts) included; a send
 *    beyond that fails at once. A send with `shards` is the shard sender's (index.ts).
 * 4. Draws: paths from `pathRandom`, jitter from `backoffRandom`, keys from
 *    `cryptoRandom`; the number of draws does not depend on the crypto suite.
 */
import type { Descriptor } from '../directory/records.js';
import type { Random } from '../random.js';
import type { Command, Millis, NodeId } from '../types.js';
import { messageLifetimeMaxMs, REPLY_PATH_MAX, type RoutingConfig } from './config.js';
import { sealMessage } from './e2e.js';
import { hexOf, type RoutingHost } from './host.js';
import { choosePath, pathKey } from './path.js';
import { admit, failureReason, PendingTable, type PendingElsewhere } from './pending.js';
import { jitteredMs, RttEstimator } from './rtt.js';
import { sealAndSend } from './seal-and-send.js';
import type { RelaySuspicion } from './suspects.js';

type SendCommand = Extract<Command, { type: 'send' }>;

/** Paths of earlier attempts remembered per message, to draw a different one next time. */
const PATHS_REMEMBERED = 8;
/** Redraws when a drawn path equals an earlier one (only in tiny networks). */
const PATH_REDRAWS_MAX = 4;
/** Relays of earlier attempts a message avoids: those of its last four attempts. */
const AVOID_MAX = 4 * REPLY_PATH_MAX;

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
  /** Relays of the latest attempt, in path order. */
  lastPath: NodeId[];
  /** Relays of the last few attempts (AVOID_MAX at most, oldest first), avoided by the next. */
  avoid: Set<NodeId>;
  /** The latest attempt left and its ack is still awaited. */
  awaitingAck: boolean;
  /** Keys of earlier paths, newest last (PATHS_REMEMBERED at most). */
  paths: string[];
  problem: Problem | undefined;
  /** When the latest attempt left (round-trip samples). */
  lastAttemptAt: Millis;
  /** The packet of the latest attempt (to recognise its loss at the first hop). */
  lastPacket: Uint8Array | undefined;
  /** The latest attempt's packet never got past our own link to its first relay. */
  firstHopLost: boolean;
  /** Attempts in a row lost at our first hop (config firstHopRetriesAtOnce). */
  firstHopLossesInARow: number;
  lastTarget: Descriptor | undefined;
}

const NOTHING_ELSEWHERE: PendingElsewhere = { size: 0, has: () => false };

export class Sender {
  private readonly pending: PendingTable<Pending>;
  /** Which message each packet we built belongs to (weak: packets die with their link queue). */
  private readonly byPacket = new WeakMap<Uint8Array, Pending>();
  private readonly lifetimeMaxMs: number;
  /** Learns the first wait for an ack from the round trips of earlier messages. */
  readonly rtt: RttEstimator;
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
    /** Nodes believed down, shared with the node (suspects.ts). */
    private readonly suspects: RelaySuspicion,
    /** The shard sender's messages: the same pending limit and IDs (Rules 1 and 3). */
    private readonly elsewhere: PendingElsewhere = NOTHING_ELSEWHERE,
  ) {
    this.pending = new PendingTable(host);
    this.lifetimeMaxMs = messageLifetimeMaxMs(config);
    this.rtt = new RttEstimator(
      config.ackTimeoutMs,
      config.ackTimeoutMinMs,
      config.ackTimeoutMaxMs,
    );
  }

  get size(): number {
    return this.pending.size;
  }

  /** Whether the message of hex ID `key` is pending here. */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  send(command: SendCommand, now: Millis): void {
    const key = admit(command, now, this.host, this.config, this.pending, this.elsewhere);
    if (key === undefined) return;
    const { messageId } = command;
    const message: Pending = {
      key,
      messageId: messageId.slice(),
      to: command.to,
      body: command.body.slice(),
      sentAt: now,
      deadline: Math.min(command.expiresAt, now + this.lifetimeMaxMs),
      attempts: 0,
      nextAt: now,
      waitMs: this.rtt.timeoutMs(),
      lastPath: [],
      avoid: new Set(),
      awaitingAck: false,
      paths: [],
      problem: undefined,
      lastAttemptAt: now,
      lastPacket: undefined,
      firstHopLost: false,
      firstHopLossesInARow: 0,
      lastTarget: undefined,
    };
    this.pending.add(message);
    this.attempt(message, now);
  }

  onAck(messageId: Uint8Array, now: Millis): void {
    const key = hexOf(messageId);
    const message = this.pending.get(key);
    if (message === undefined) {
      this.acksLate += 1;
      return;
    }
    // Karn's rule: only a message sent once tells which attempt its ack answers.
    if (message.attempts === 1) this.rtt.sample(now - message.lastAttemptAt);
    // The latest path most likely carried it: its relays are up.
    for (const id of message.lastPath) this.suspects.clear(id);
    this.pending.acked(message, message.attempts);
  }

  /** Answers every pending message with a failure (the node is leaving the network). */
  failAll(reason: string): void {
    this.pending.failAll(reason);
  }

  /**
   * A packet the link layer could not deliver to its first hop (a dial refused or timed
   * out). If it is the latest attempt of a pending message, that message retries at once.
   */
  onPacketLost(packet: Uint8Array, now: Millis): void {
    const message = this.byPacket.get(packet);
    if (message === undefined || this.pending.get(message.key) !== message) return;
    if (message.lastPacket !== packet) return;
    message.firstHopLost = true;
    message.awaitingAck = false;
    const first = message.lastPath[0];
    if (first !== undefined) this.suspects.suspect(first, now);
    message.firstHopLossesInARow += 1;
    const atOnce = message.firstHopLossesInARow <= this.config.firstHopRetriesAtOnce;
    this.waitUntil(message, atOnce ? now : now + this.config.directoryPollMs);
  }

  /** Retries and expiries due at `now`. */
  tick(now: Millis): void {
    this.pending.runDue(
      now,
      (m) => this.fail(m),
      (m) => this.attempt(m, now),
    );
  }

  /** The earliest time something is due, or undefined with nothing pending. */
  nextDeadline(): Millis | undefined {
    return this.pending.nextDeadline();
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
    if (message.awaitingAck) {
      // The ack did not come in time: one of the last path's relays is probably down.
      message.awaitingAck = false;
      message.firstHopLossesInARow = 0; // the packet did get past our first hop
      for (const id of message.lastPath) this.suspects.suspect(id, now);
    }
    const target = this.pending.target(message, now);
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
    const path = this.drawPath(message, relays, now);
    if (path === null) {
      message.problem = 'no-relays';
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    const { outcome, packet } = sealAndSend(
      host,
      config,
      this.pathRandom,
      this.cryptoRandom,
      {
        seal: sealMessage,
        fields: { messageId: message.messageId, sentAt: message.sentAt, body: message.body },
        path,
        relays,
        to: message.to,
        target,
      },
      now,
    );
    if (outcome === 'bad-key') {
      // A relay's or the target's descriptor holds an unusable key: try other relays later.
      message.problem = 'bad-key';
      this.remember(message, path);
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    const reason =
      message.attempts === 0 ? 'first' : message.firstHopLost ? 'first-hop-unreachable' : 'timeout';
    // Backoff: each timeout doubles the next wait; a loss we saw ourselves does not.
    if (reason === 'timeout') {
      message.waitMs = Math.min(message.waitMs * config.backoffFactor, config.ackTimeoutMaxMs);
    }
    message.attempts += 1;
    message.problem = undefined;
    message.firstHopLost = false;
    message.lastPacket = packet;
    message.lastAttemptAt = now;
    if (packet !== undefined) this.byPacket.set(packet, message);
    this.remember(message, path);
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
    if (outcome === 'dropped' || outcome === 'no-address') {
      // The packet did not even leave (no room for a link): another path, after a pause.
      message.firstHopLost = true;
      return this.waitUntil(message, now + config.directoryPollMs);
    }
    message.awaitingAck = true;
    this.waitUntil(message, now + this.jittered(message.waitMs));
  }

  /** A path unlike the last few attempts' when the directory allows (module header). */
  private drawPath(
    message: Pending,
    relays: readonly Descriptor[],
    now: Millis,
  ): Descriptor[] | null {
    const options = {
      hops: this.config.hops,
      hopsMin: this.config.hopsMin,
      exclude: new Set([this.host.identity.id, message.to]),
      avoid: message.avoid,
      suspected: (id: NodeId) => this.suspects.has(id, now),
      staleBefore: now - this.config.relayStaleAfterMs,
    };
    let path = choosePath(this.pathRandom, relays, options);
    for (let redraw = 0; redraw < PATH_REDRAWS_MAX; redraw++) {
      if (path === null || !message.paths.includes(pathKey(path))) break;
      path = choosePath(this.pathRandom, relays, options);
    }
    return path;
  }

  /** The relays of an attempt: the latest path, and avoided by the next attempts. */
  private remember(message: Pending, path: readonly Descriptor[]): void {
    message.lastPath = path.map((r) => r.id);
    for (const id of message.lastPath) {
      message.avoid.delete(id);
      message.avoid.add(id);
    }
    for (const id of message.avoid) {
      if (message.avoid.size <= AVOID_MAX) break;
      message.avoid.delete(id);
    }
  }

  private waitUntil(message: Pending, at: Millis): void {
    message.nextAt = Math.min(at, message.deadline);
  }

  /** A wait drawn uniformly from ±jitterPercent % of `ms`. */
  private jittered(ms: number): number {
    return jitteredMs(ms, this.config.jitterPercent, this.backoffRandom);
  }

  private fail(message: Pending): void {
    this.pending.failed(message, failureReason(message.attempts, message.problem));
  }
}
