/**
 * The data plane of one node (DESIGN.md §3 "Data plane", "End to end"): the relay, the
 * receiver and the sender composed behind what node.ts calls.
 *
 *   onion frame ─▶ Relay ──forward──▶ next hop
 *                    └─deliver─▶ Receiver ──message─▶ deliver + ack (fresh onion)
 *                                   └─ack─▶ Sender (pending message answered)
 *   send command ─▶ Sender ──attempt─▶ onion to the first relay; retries on timer ticks
 *   send command with shards ─▶ ShardSender ──n shards─▶ n onions on node-disjoint paths
 *                    Receiver ──shard ack─▶ ShardSender (held shards; "complete" answers it)
 *
 * Randomness: one stream per purpose (paths, backoff jitter, the sender's keys, the
 * receiver's), forked from the node's source, so that no module's draws shift another's
 * and both crypto modes of the simulator draw the same numbers.
 */
import type { ReplayEntry, ReplayRestoreResult } from '../onion/replay-cache.js';
import type { RandomSource } from '../random.js';
import type { Command, Millis, NodeId } from '../types.js';
import { validateRoutingConfig, type RoutingConfig } from './config.js';
import type { RoutingHost } from './host.js';
import { Receiver } from './receiver.js';
import { Relay } from './relay.js';
import { Sender } from './sender.js';
import { ShardSender } from './shard-sender.js';
import { RelaySuspicion } from './suspects.js';

export {
  DEFAULT_ROUTING,
  TEST_ROUTING,
  ROUTING_BODY_MAX,
  SHARDS_PER_MESSAGE_MAX,
  type RoutingConfig,
} from './config.js';
export {
  formatShardSpec,
  parseShardSpec,
  SHARD_SPEC_NONE,
  type ShardSpec,
  type ShardSpecResult,
} from './shard-spec.js';
export type { RoutingHost } from './host.js';

/** The parts that carry messages, built when the node first sends or relays one. */
interface DataPlane {
  sender: Sender;
  shardSender: ShardSender;
  relay: Relay;
  receiver: Receiver;
}

export class Routing {
  /** Nodes this node believes are down (suspects.ts): kept from the start, used or not. */
  readonly suspects: RelaySuspicion;

  private readonly config: RoutingConfig;
  /**
   * Built on first use: most simulated nodes (and every node of an overlay-only scenario)
   * never send or relay a message, and the parts' tables cost ~4 KiB a node (issue 6:
   * 100,000 nodes in 6 GiB). Building them later changes nothing: their random streams
   * are forked by name, and a fresh part is the state an unused one would have.
   */
  private plane: DataPlane | undefined;
  /**
   * nextDeadline()'s answer, kept until a call that can change a pending message: the node
   * asks after every input, and the answer lies four objects deep in each sender (cold
   * cache lines in a large simulation, for an answer that rarely changes).
   */
  private deadlineKnown = false;
  private deadline: Millis | undefined;

  constructor(
    private readonly host: RoutingHost,
    config: RoutingConfig,
    private readonly random: RandomSource,
  ) {
    const valid = validateRoutingConfig(config);
    this.config = valid;
    this.suspects = new RelaySuspicion(valid.suspectsMax, valid.suspectMs);
  }

  get sender(): Sender {
    return this.dataPlane().sender;
  }

  /** Sharded messages (sends with `shards`). */
  get shardSender(): ShardSender {
    return this.dataPlane().shardSender;
  }

  get relay(): Relay {
    return this.dataPlane().relay;
  }

  get receiver(): Receiver {
    return this.dataPlane().receiver;
  }

  /** The data plane, to be used (so the kept deadline is forgotten: any use may change it). */
  private dataPlane(): DataPlane {
    this.deadlineKnown = false;
    return (this.plane ??= this.buildDataPlane());
  }

  private buildDataPlane(): DataPlane {
    const { host, config, random, suspects } = this;
    // Each sender counts the other's messages against the one pending limit.
    const shardsPending = {
      get size(): number {
        return shardSender.size;
      },
      has: (key: string): boolean => shardSender.has(key),
    };
    const sender = new Sender(
      host,
      config,
      random.fork('routing-paths'),
      random.fork('routing-backoff'),
      random.fork('routing-crypto'),
      suspects,
      shardsPending,
    );
    const shardSender = new ShardSender(
      host,
      config,
      random.fork('routing-shard-paths'),
      random.fork('routing-shard-backoff'),
      random.fork('routing-shard-crypto'),
      suspects,
      sender.rtt,
      sender,
    );
    const receiver = new Receiver(
      host,
      config,
      random.fork('routing-reply-paths'),
      random.fork('routing-ack-crypto'),
      (messageId, now) => sender.onAck(messageId, now),
      (ack, now) => shardSender.onShardAck(ack, now),
    );
    const relay = new Relay(host, config, (payload, now) => receiver.onPayload(payload, now));
    return { sender, shardSender, relay, receiver };
  }

  /** An onion packet from any authenticated link. */
  onPacket(packet: Uint8Array, now: Millis): void {
    this.relay.onPacket(packet, now);
  }

  /** An onion packet the link layer could not deliver to its next hop. */
  onPacketLost(packet: Uint8Array, now: Millis): void {
    const plane = this.plane;
    if (plane === undefined) return; // nothing sent yet, so nothing of ours was lost
    this.deadlineKnown = false;
    plane.sender.onPacketLost(packet, now);
    plane.shardSender.onPacketLost(packet, now);
  }

  /** We could not reach `id` (a dial failed, a neighbour stopped answering). */
  onUnreachable(id: NodeId, now: Millis): void {
    this.suspects.suspect(id, now);
  }

  /** A link to `id` is up: it is alive. */
  onReachable(id: NodeId): void {
    this.suspects.clear(id);
  }

  send(command: Extract<Command, { type: 'send' }>, now: Millis): void {
    if (command.shards === undefined) this.sender.send(command, now);
    else this.shardSender.send(command, now);
  }

  tick(now: Millis): void {
    const plane = this.plane;
    if (plane === undefined) return;
    this.deadlineKnown = false;
    plane.sender.tick(now);
    plane.shardSender.tick(now);
  }

  nextDeadline(): Millis | undefined {
    if (this.deadlineKnown) return this.deadline;
    const plane = this.plane;
    let next: Millis | undefined;
    if (plane !== undefined) {
      const a = plane.sender.nextDeadline();
      const b = plane.shardSender.nextDeadline();
      next = a === undefined ? b : b === undefined ? a : Math.min(a, b);
    }
    this.deadline = next;
    this.deadlineKnown = true;
    return next;
  }

  /** Answers every pending message with a failure (the node is leaving the network). */
  failAll(reason: string): void {
    const plane = this.plane;
    if (plane === undefined) return;
    this.deadlineKnown = false;
    plane.sender.failAll(reason);
    plane.shardSender.failAll(reason);
  }

  /** The relay's replay tags first seen at `since` or later, oldest first (for saving). */
  replayTags(since: Millis): ReplayEntry[] {
    return this.plane?.relay.replay.entries(since) ?? [];
  }

  /** Puts saved replay tags back (a restart); none to put back builds nothing. */
  restoreReplayTags(tags: readonly ReplayEntry[], now: Millis): ReplayRestoreResult {
    if (tags.length === 0 && this.plane === undefined) return { restored: 0, dropped: 0 };
    return this.relay.replay.restore(tags, now);
  }

  /** An unbuilt data plane reads as a fresh one (built for the reading, not kept). */
  counters(): Record<string, number> {
    const { sender, shardSender, relay, receiver } = this.plane ?? this.buildDataPlane();
    const replay = relay.replay.stats();
    return {
      messagesPending: sender.size + shardSender.size,
      messageAttempts: sender.attempts + shardSender.attempts,
      acksLate: sender.acksLate + shardSender.acksLate,
      shardedPending: shardSender.size,
      ackTimeoutMs: sender.rtt.timeoutMs(),
      suspects: this.suspects.size,
      suspectEvictions: this.suspects.evictions,
      packetsForwarded: relay.forwarded,
      packetsDropped: relay.dropped,
      replayCacheSize: replay.size,
      replays: replay.replays,
      replayEvictions: replay.evictions,
      messagesDelivered: receiver.delivered,
      messageDuplicates: receiver.duplicates,
      seenEvictions: receiver.seen.stats().evictions,
      acksUnsent: receiver.acksUnsent,
      shardsReceived: receiver.shardsReceived,
      shardsRejected: receiver.shardsRejected,
      shardBuffers: receiver.shardBuffers.size,
      shardBufferEvictions: receiver.shardBuffers.evictions,
      shardBufferExpired: receiver.shardBuffers.expired,
    };
  }

  checkInvariants(): void {
    if (this.suspects.size > this.suspects.capacity) throw new Error('suspects over capacity');
    if (this.plane === undefined) return;
    const { sender, shardSender, relay, receiver } = this.plane;
    sender.checkInvariants();
    shardSender.checkInvariants();
    if (sender.size + shardSender.size > this.config.pendingMax)
      throw new Error('pending messages over capacity');
    if (receiver.shardBuffers.size > receiver.shardBuffers.capacity)
      throw new Error('shard buffers over capacity');
    if (relay.replay.size > relay.replay.capacity) throw new Error('replay cache over capacity');
    if (receiver.seen.size > receiver.seen.capacity) throw new Error('seen set over capacity');
  }
}
