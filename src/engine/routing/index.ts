/**
 * The data plane of one node (DESIGN.md §3 "Data plane", "End to end"): the relay, the
 * receiver and the sender composed behind what node.ts calls.
 *
 *   onion frame ─▶ Relay ──forward──▶ next hop
 *                    └─deliver─▶ Receiver ──message─▶ deliver + ack (fresh onion)
 *                                   └─ack─▶ Sender (pending message answered)
 *   send command ─▶ Sender ──attempt─▶ onion to the first relay; retries on timer ticks
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
import { RelaySuspicion } from './suspects.js';

export { DEFAULT_ROUTING, TEST_ROUTING, ROUTING_BODY_MAX, type RoutingConfig } from './config.js';
export type { RoutingHost } from './host.js';

export class Routing {
  readonly sender: Sender;
  readonly relay: Relay;
  readonly receiver: Receiver;
  /** Nodes this node believes are down (suspects.ts). */
  readonly suspects: RelaySuspicion;

  constructor(host: RoutingHost, config: RoutingConfig, random: RandomSource) {
    const valid = validateRoutingConfig(config);
    this.suspects = new RelaySuspicion(valid.suspectsMax, valid.suspectMs);
    this.sender = new Sender(
      host,
      valid,
      random.fork('routing-paths'),
      random.fork('routing-backoff'),
      random.fork('routing-crypto'),
      this.suspects,
    );
    this.receiver = new Receiver(
      host,
      valid,
      random.fork('routing-reply-paths'),
      random.fork('routing-ack-crypto'),
      (messageId, now) => this.sender.onAck(messageId, now),
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
    this.sender.send(command, now);
  }

  tick(now: Millis): void {
    this.sender.tick(now);
  }

  nextDeadline(): Millis | undefined {
    return this.sender.nextDeadline();
  }

  counters(): Record<string, number> {
    const replay = this.relay.replay.stats();
    return {
      messagesPending: this.sender.size,
      messageAttempts: this.sender.attempts,
      acksLate: this.sender.acksLate,
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
    };
  }

  checkInvariants(): void {
    this.sender.checkInvariants();
    if (this.relay.replay.size > this.relay.replay.capacity)
      throw new Error('replay cache over capacity');
    if (this.receiver.seen.size > this.receiver.seen.capacity)
      throw new Error('seen set over capacity');
    if (this.suspects.size > this.suspects.capacity) throw new Error('suspects over capacity');
  }
}
