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

export class Routing {
  readonly sender: Sender;
  /** Sharded messages (sends with `shards`). */
  readonly shardSender: ShardSender;
  readonly relay: Relay;
  readonly receiver: Receiver;
  /** Nodes this node believes are down (suspects.ts). */
  readonly suspects: RelaySuspicion;

  private readonly config: RoutingConfig;

  constructor(host: RoutingHost, config: RoutingConfig, random: RandomSource) {
    const valid = validateRoutingConfig(config);
    this.config = valid;
    this.suspects = new RelaySuspicion(valid.suspectsMax, valid.suspectMs);
    // Each sender counts the other's messages against the one pending limit.
    const shardsPending = {
      get size(): number {
        return shardSender.size;
      },
      has: (key: string): boolean => shardSender.has(key),
    };
    this.sender = new Sender(
      host,
      valid,
      random.fork('routing-paths'),
      random.fork('routing-backoff'),
      random.fork('routing-crypto'),
      this.suspects,
      shardsPending,
    );
    const shardSender = new ShardSender(
      host,
      valid,
      random.fork('routing-shard-paths'),
      random.fork('routing-shard-backoff'),
      random.fork('routing-shard-crypto'),
      this.suspects,
      this.sender.rtt,
      this.sender,
    );
    this.shardSender = shardSender;
    this.receiver = new Receiver(
      host,
      valid,
      random.fork('routing-reply-paths'),
      random.fork('routing-ack-crypto'),
      (messageId, now) => this.sender.onAck(messageId, now),
      (ack, now) => this.shardSender.onShardAck(ack, now),
    );
    this.relay = new Relay(host, valid, (payload, now) => this.receiver.onPayload(payload, now));
  }

  /** An onion packet from any authenticated link. */
  onPacket(packet: Uint8Array, now: Millis): void {
    this.relay.onPacket(packet, now);
  }

  /** An onion packet the link layer could not deliver to its next hop. */
  onPacketLost(packet: Uint8Array, now: Millis): void {
    this.sender.onPacketLost(packet, now);
    this.shardSender.onPacketLost(packet, now);
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
    this.sender.tick(now);
    this.shardSender.tick(now);
  }

  nextDeadline(): Millis | undefined {
    const a = this.sender.nextDeadline();
    const b = this.shardSender.nextDeadline();
    return a === undefined ? b : b === undefined ? a : Math.min(a, b);
  }

  /** Answers every pending message with a failure (the node is leaving the network). */
  failAll(reason: string): void {
    this.sender.failAll(reason);
    this.shardSender.failAll(reason);
  }

  counters(): Record<string, number> {
    const replay = this.relay.replay.stats();
    return {
      messagesPending: this.sender.size + this.shardSender.size,
      messageAttempts: this.sender.attempts + this.shardSender.attempts,
      acksLate: this.sender.acksLate + this.shardSender.acksLate,
      shardedPending: this.shardSender.size,
      ackTimeoutMs: this.sender.rtt.timeoutMs(),
      suspects: this.suspects.size,
      suspectEvictions: this.suspects.evictions,
      packetsForwarded: this.relay.forwarded,
      packetsDropped: this.relay.dropped,
      replayCacheSize: replay.size,
      replays: replay.replays,
      replayEvictions: replay.evictions,
      messagesDelivered: this.receiver.delivered,
      messageDuplicates: this.receiver.duplicates,
      seenEvictions: this.receiver.seen.stats().evictions,
      acksUnsent: this.receiver.acksUnsent,
      shardsReceived: this.receiver.shardsReceived,
      shardsRejected: this.receiver.shardsRejected,
      shardBuffers: this.receiver.shardBuffers.size,
      shardBufferEvictions: this.receiver.shardBuffers.evictions,
      shardBufferExpired: this.receiver.shardBuffers.expired,
    };
  }

  checkInvariants(): void {
    this.sender.checkInvariants();
    this.shardSender.checkInvariants();
    if (this.sender.size + this.shardSender.size > this.config.pendingMax)
      throw new Error('pending messages over capacity');
    if (this.receiver.shardBuffers.size > this.receiver.shardBuffers.capacity)
      throw new Error('shard buffers over capacity');
    if (this.relay.replay.size > this.relay.replay.capacity)
      throw new Error('replay cache over capacity');
    if (this.receiver.seen.size > this.receiver.seen.capacity)
      throw new Error('seen set over capacity');
    if (this.suspects.size > this.suspects.capacity) throw new Error('suspects over capacity');
  }
}
