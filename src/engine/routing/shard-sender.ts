/**
 * The sender's side of a sharded message (DESIGN.md §3 "Shards", issue 7): split it, send
 * every shard along its own node-disjoint path, resend only what did not arrive.
 *
 * Theory of operation. A `send` with `shards: {n, k}` is split (shards/split.ts: encrypted
 * under a fresh key, the ciphertext erasure-coded, the key Shamir-shared) into n shards,
 * each signed and sealed to the target in an envelope of its own (e2e.ts) and sent in a
 * fixed-size onion of its own. The first *round* sends all n; the paths of a round share no
 * relay (path.ts chooseDisjointPaths), and across rounds a relay only ever carries shards of
 * one index (Rule 3), so no relay sees two different shards of a message: with k ≥ 2 no
 * relay, and no coalition of relays on fewer than k paths, holds enough to learn anything.
 *
 * The target acknowledges every shard with the set of shards it holds (receiver.ts "Acks of
 * shards"). The first ack saying "complete" — k shards arrived and the message was
 * delivered — answers the message (messageAcked). An ack that is not complete replaces what
 * the sender believes the target holds: the latest ack wins, so a target that lost a
 * buffer says so and its shards are sent again. A round waits for "complete" as sender.ts
 * waits for an ack (the learned timeout, ×backoffFactor per round, jitter). When it times
 * out, the relays of the shards still unaccounted for are suspected and the next round
 * sends the shards the target does not hold — only those — on fresh paths.
 *
 * Inside a round, a shard that could not leave (our own link to its first relay failed, or
 * no room for a link) is sent again at once only when the shards held and still in flight
 * can no longer make k; otherwise the redundancy covers the loss, which is the point. At
 * once up to firstHopRetriesAtOnce losses in a row (config.ts); after that the missing
 * shards go every directoryPollMs, until an ack comes or a round times out.
 *
 * Too few relays. n paths of `hops` relays need n·hops distinct relays besides the two
 * ends. With fewer, the paths of a round get shorter alike, down to hopsMin (path.ts); with
 * fewer still no shard leaves. The first round then waits for the directory to grow
 * (looking every directoryPollMs) for at most unknownDestinationWaitMs and fails with
 * reason 'too-few-relays' — a small network fails such a send clearly instead of sending
 * shards that share relays. Later rounds wait the same way until the deadline.
 *
 * Rules:
 * 1. Exactly one `messageAcked` or `messageFailed` per accepted send (sender.ts Rule 1; the
 *    pending limit and the message IDs are shared with sender.ts through `elsewhere`).
 *    `messageAcked.attempts` counts packets sent, every shard and round.
 * 2. Deadline as sender.ts Rule 2.
 * 3. A relay carries shards of at most one index per message (`owner`). Each index claims at
 *    most SHARD_RELAYS_MAX relays (one path more may cross the limit); past it, that index's
 *    paths use only its own relays. So a message holds at most n·(SHARD_RELAYS_MAX +
 *    REPLY_PATH_MAX) relay IDs however many rounds it takes.
 * 4. Draws: paths from `pathRandom`, jitter from `backoffRandom`, the split, envelopes and
 *    onions from `cryptoRandom`; the number of draws does not depend on the crypto suite.
 * 5. Every packet sent is a `messageAttempt` event naming its shard (`shard`, 0..n−1) and
 *    that shard's send count (`attempt`; 1 = its first send). Reasons: 'first', 'timeout'
 *    (its round ended without it), 'first-hop-unreachable', and 'lost-at-target' (an ack
 *    had said the target held it, a later one did not).
 */
import type { Descriptor } from '../directory/records.js';
import type { Random } from '../random.js';
import { encodeShard } from '../shards/codec.js';
import { splitMessage } from '../shards/split.js';
import type { Command, Millis, NodeId } from '../types.js';
import { messageLifetimeMaxMs, REPLY_PATH_MAX, type RoutingConfig } from './config.js';
import { sealShard, type ShardAck } from './e2e.js';
import { hexOf, type RoutingHost } from './host.js';
import { chooseDisjointPaths, type DisjointRequest } from './path.js';
import {
  admit,
  failureReason,
  PendingTable,
  RoutingError,
  type PendingElsewhere,
} from './pending.js';
import { jitteredMs, type RttEstimator } from './rtt.js';
import { sealAndSend } from './seal-and-send.js';
import { shardSpecProblem } from './shard-spec.js';
import type { RelaySuspicion } from './suspects.js';

type SendCommand = Extract<Command, { type: 'send' }>;

/** Relays one shard index may claim per message: four paths' worth, as sender.ts avoids. */
const SHARD_RELAYS_MAX = 4 * REPLY_PATH_MAX;

/** Why no shard of a message has left yet, for the failure reason. */
type Problem = 'unknown-destination' | 'too-few-relays' | 'bad-key';

interface ShardState {
  readonly index: number;
  /** The encoded shard (shards/codec.ts): the same bytes on every send. */
  readonly bytes: Uint8Array;
  sends: number;
  /** The latest ack says the target holds it. */
  held: boolean;
  /** Sent in the round in progress, neither lost at our first hop nor held yet. */
  inFlight: boolean;
  /** Its latest send never got past our own link to its first relay. */
  firstHopLost: boolean;
  /** An ack said the target held it, and a later one did not (the target lost it). */
  lostAtTarget: boolean;
  /** An ack named it (Karn's rule: only a first ack of a shard sent once is a sample). */
  acked: boolean;
  lastPath: NodeId[];
  lastPacket: Uint8Array | undefined;
  lastSentAt: Millis;
  /** Relays it has used (Rule 3), avoided by its next paths while others exist. */
  readonly relays: Set<NodeId>;
}

interface ShardedMessage {
  readonly key: string;
  readonly messageId: Uint8Array;
  readonly to: NodeId;
  readonly k: number;
  readonly sentAt: Millis;
  readonly deadline: Millis;
  readonly shards: ShardState[];
  /** Relay → the one shard index that may use it (Rule 3). */
  readonly owner: Map<NodeId, number>;
  /** Packets sent, every shard and round. */
  sends: number;
  /** When the round in progress times out; undefined when none is. */
  roundEndsAt: Millis | undefined;
  nextAt: Millis;
  /** Nominal wait of the next round, before jitter. */
  waitMs: number;
  problem: Problem | undefined;
  /** Shards lost at our first hop since the last ack or round timeout. */
  firstHopLossesInARow: number;
  lastTarget: Descriptor | undefined;
}

export class ShardSender {
  private readonly pending: PendingTable<ShardedMessage>;
  /** Which shard of which message each packet we built carries. */
  private readonly byPacket = new WeakMap<
    Uint8Array,
    { message: ShardedMessage; shard: ShardState }
  >();
  private readonly lifetimeMaxMs: number;
  /** Packets sent (first sends and resends). */
  attempts = 0;
  /** Shard acks for messages no longer pending (stragglers after "complete"). */
  acksLate = 0;

  constructor(
    private readonly host: RoutingHost,
    private readonly config: RoutingConfig,
    private readonly pathRandom: Random,
    private readonly backoffRandom: Random,
    private readonly cryptoRandom: Random,
    private readonly suspects: RelaySuspicion,
    /** Learns the ack timeout; shared with sender.ts (a round trip is a round trip). */
    private readonly rtt: RttEstimator,
    private readonly elsewhere: PendingElsewhere,
  ) {
    this.pending = new PendingTable(host);
    this.lifetimeMaxMs = messageLifetimeMaxMs(config);
  }

  get size(): number {
    return this.pending.size;
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  send(command: SendCommand, now: Millis): void {
    const spec = command.shards;
    if (spec === undefined) throw new RoutingError('ShardSender.send: the send has no shards');
    const problem = shardSpecProblem(spec.n, spec.k);
    if (problem !== null) throw new RoutingError(`send: shards: ${problem}`);
    const key = admit(command, now, this.host, this.config, this.pending, this.elsewhere);
    if (key === undefined) return;
    const split = splitMessage(
      this.host.crypto,
      this.cryptoRandom,
      command.messageId,
      command.body,
      spec.n,
      spec.k,
    );
    const message: ShardedMessage = {
      key,
      messageId: command.messageId.slice(),
      to: command.to,
      k: spec.k,
      sentAt: now,
      deadline: Math.min(command.expiresAt, now + this.lifetimeMaxMs),
      shards: split.map((shard) => ({
        index: shard.index,
        bytes: encodeShard(shard),
        sends: 0,
        held: false,
        inFlight: false,
        firstHopLost: false,
        lostAtTarget: false,
        acked: false,
        lastPath: [],
        lastPacket: undefined,
        lastSentAt: now,
        relays: new Set(),
      })),
      owner: new Map(),
      sends: 0,
      roundEndsAt: undefined,
      nextAt: now,
      waitMs: this.rtt.timeoutMs(),
      firstHopLossesInARow: 0,
      lastTarget: undefined,
      problem: undefined,
    };
    this.pending.add(message);
    this.advance(message, now);
  }

  onShardAck(ack: ShardAck, now: Millis): void {
    const message = this.pending.get(hexOf(ack.messageId));
    if (message === undefined) {
      this.acksLate += 1;
      return;
    }
    const shard = message.shards[ack.index];
    if (shard === undefined) return this.host.event({ type: 'drop', what: 'shard-ack-index' });
    if (!shard.acked && shard.sends === 1) this.rtt.sample(now - shard.lastSentAt);
    shard.acked = true;
    message.firstHopLossesInARow = 0;
    for (const id of shard.lastPath) this.suspects.clear(id);
    if (ack.complete) return this.pending.acked(message, message.sends);
    for (const s of message.shards) {
      const held = s.index === ack.index || (ack.held & (1 << s.index)) !== 0;
      if (s.held && !held) s.lostAtTarget = true;
      s.held = held;
      if (held) s.inFlight = false;
    }
    // A target that lost shards it had acknowledged: send them again if k is now out of reach.
    if (this.short(message)) this.sendMissing(message, now);
    this.schedule(message, now);
  }

  /** A packet of ours that never got past our own link to its first relay. */
  onPacketLost(packet: Uint8Array, now: Millis): void {
    const found = this.byPacket.get(packet);
    if (found === undefined) return;
    const { message, shard } = found;
    if (this.pending.get(message.key) !== message || shard.lastPacket !== packet) return;
    if (!shard.inFlight) return;
    shard.inFlight = false;
    shard.firstHopLost = true;
    const first = shard.lastPath[0];
    if (first !== undefined) this.suspects.suspect(first, now);
    message.firstHopLossesInARow += 1;
    // Past the limit, schedule() polls: a message short of k wakes every directoryPollMs.
    const atOnce = message.firstHopLossesInARow <= this.config.firstHopRetriesAtOnce;
    if (atOnce && this.short(message)) this.sendMissing(message, now);
    this.schedule(message, now);
  }

  /** Rounds, resends and expiries due at `now`. */
  tick(now: Millis): void {
    this.pending.runDue(
      now,
      (m) => this.fail(m),
      (m) => this.advance(m, now),
    );
  }

  nextDeadline(): Millis | undefined {
    return this.pending.nextDeadline();
  }

  failAll(reason: string): void {
    this.pending.failAll(reason);
  }

  checkInvariants(): void {
    for (const message of this.pending.values()) {
      if (message.nextAt > message.deadline) throw new Error('sharded message wakes too late');
      for (const shard of message.shards) {
        if (shard.held && shard.inFlight) throw new Error('a shard both held and in flight');
        if (shard.relays.size >= SHARD_RELAYS_MAX + REPLY_PATH_MAX)
          throw new Error('relays of one shard over capacity');
        for (const id of shard.relays) {
          if (message.owner.get(id) !== shard.index)
            throw new Error('a relay carries shards of two indexes (paths not disjoint)');
        }
      }
    }
  }

  // ---- rounds -----------------------------------------------------------------------------

  private advance(message: ShardedMessage, now: Millis): void {
    if (message.roundEndsAt !== undefined && now >= message.roundEndsAt) {
      this.endRound(message, now);
    }
    if (message.roundEndsAt === undefined || this.short(message)) this.sendMissing(message, now);
    this.schedule(message, now);
  }

  /** The round timed out: what is unaccounted for is lost, and the next round waits longer. */
  private endRound(message: ShardedMessage, now: Millis): void {
    message.roundEndsAt = undefined;
    message.firstHopLossesInARow = 0;
    for (const shard of message.shards) {
      if (!shard.inFlight) continue;
      shard.inFlight = false;
      for (const id of shard.lastPath) this.suspects.suspect(id, now);
    }
    const { backoffFactor, ackTimeoutMaxMs } = this.config;
    message.waitMs = Math.min(message.waitMs * backoffFactor, ackTimeoutMaxMs);
    // A target holding k shards has rebuilt the message; acks that say otherwise (a broken
    // target) are no guide to what is missing, so every shard goes again.
    if (this.heldCount(message) >= message.k) for (const s of message.shards) s.held = false;
  }

  /** Sends every shard neither held nor in flight, on node-disjoint paths (Rule 3). */
  private sendMissing(message: ShardedMessage, now: Millis): void {
    const host = this.host;
    const config = this.config;
    const target = this.pending.target(message, now);
    if (target === undefined) {
      message.problem = 'unknown-destination';
      return;
    }
    const missing = message.shards.filter((s) => !s.held && !s.inFlight);
    if (missing.length === 0) return;
    const relays = host.relays(now);
    const paths = chooseDisjointPaths(
      this.pathRandom,
      relays,
      missing.map((shard) => this.request(message, shard)),
      {
        hops: config.hops,
        hopsMin: config.hopsMin,
        exclude: new Set([host.identity.id, message.to]),
        suspected: (id) => this.suspects.has(id, now),
        staleBefore: now - config.relayStaleAfterMs,
      },
    );
    if (paths === null) {
      message.problem = 'too-few-relays';
      return;
    }
    let sent = false;
    missing.forEach((shard, i) => {
      if (this.sendShard(message, shard, paths[i] as Descriptor[], relays, target, now))
        sent = true;
    });
    if (sent)
      message.roundEndsAt =
        now + jitteredMs(message.waitMs, config.jitterPercent, this.backoffRandom);
  }

  /** Which relays a shard's next path may use and prefers to avoid (Rule 3). */
  private request(message: ShardedMessage, shard: ShardState): DisjointRequest {
    const { owner } = message;
    const index = shard.index;
    const allowed =
      shard.relays.size >= SHARD_RELAYS_MAX
        ? (id: NodeId) => owner.get(id) === index
        : (id: NodeId) => {
            const o = owner.get(id);
            return o === undefined || o === index;
          };
    return { allowed, avoid: shard.relays };
  }

  /** One shard on one path; true when its packet left (it is in flight). */
  private sendShard(
    message: ShardedMessage,
    shard: ShardState,
    path: Descriptor[],
    relays: readonly Descriptor[],
    target: Descriptor,
    now: Millis,
  ): boolean {
    const host = this.host;
    const { outcome, packet } = sealAndSend(
      host,
      this.config,
      this.pathRandom,
      this.cryptoRandom,
      {
        seal: sealShard,
        fields: { messageId: message.messageId, sentAt: message.sentAt, body: shard.bytes },
        path,
        relays,
        to: message.to,
        target,
      },
      now,
    );
    const ids = path.map((r) => r.id);
    for (const id of ids) {
      message.owner.set(id, shard.index);
      shard.relays.add(id);
    }
    if (outcome === 'bad-key') {
      // A relay's or the target's descriptor holds an unusable key: other relays next time.
      message.problem = 'bad-key';
      return false;
    }
    const reason =
      shard.sends === 0
        ? 'first'
        : shard.firstHopLost
          ? 'first-hop-unreachable'
          : shard.lostAtTarget
            ? 'lost-at-target'
            : 'timeout';
    shard.sends += 1;
    message.sends += 1;
    this.attempts += 1;
    shard.firstHopLost = false;
    shard.lostAtTarget = false;
    shard.lastPath = ids;
    shard.lastPacket = packet;
    shard.lastSentAt = now;
    if (packet !== undefined) this.byPacket.set(packet, { message, shard });
    host.event({
      type: 'messageAttempt',
      messageId: message.key,
      attempt: shard.sends,
      path: [...ids, message.to],
      reason,
      shard: shard.index,
    });
    if (outcome === 'dropped' || outcome === 'no-address') {
      shard.firstHopLost = true;
      return false;
    }
    shard.inFlight = true;
    message.problem = undefined;
    return true;
  }

  /** When to wake next: the round's end, or soon when k is out of reach (module header). */
  private schedule(message: ShardedMessage, now: Millis): void {
    const config = this.config;
    let pollAt = this.short(message) ? now + config.directoryPollMs : Infinity;
    if (message.sends === 0 && message.problem !== undefined) {
      const giveUpAt = message.sentAt + config.unknownDestinationWaitMs;
      if (now >= giveUpAt) return this.fail(message);
      pollAt = Math.min(pollAt, giveUpAt);
    }
    message.nextAt = Math.min(message.roundEndsAt ?? Infinity, pollAt, message.deadline);
  }

  /** The shards held and in flight cannot make k any more. */
  private short(message: ShardedMessage): boolean {
    let alive = 0;
    for (const shard of message.shards) if (shard.held || shard.inFlight) alive += 1;
    return alive < message.k;
  }

  private heldCount(message: ShardedMessage): number {
    let held = 0;
    for (const shard of message.shards) if (shard.held) held += 1;
    return held;
  }

  private fail(message: ShardedMessage): void {
    this.pending.failed(message, failureReason(message.sends, message.problem));
  }
}
