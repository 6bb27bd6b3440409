/**
 * What the routing modules need from the node around them (node.ts implements it), and the
 * one helper they share: wrapping a payload in an onion for a path and handing the packet
 * to the first hop.
 *
 * Rules:
 * 1. The routing modules never touch links, the directory's internals or the output list
 *    directly: everything goes through `RoutingHost`, so they are tested on a real node
 *    and stay small.
 * 2. A packet handed to `sendPacket` is exactly PACKET_BYTES (buildPacket and peelPacket
 *    only make such packets; node.ts checks every frame it emits).
 */
import { base32Decode } from '../base32.js';
import type { CryptoSuite } from '../crypto/suite.js';
import type { Descriptor } from '../directory/records.js';
import type { Identity } from '../identity.js';
import type { SendOutcome } from '../links.js';
import { buildPacket, OnionError, type OnionHop } from '../onion/packet.js';
import type { Random } from '../random.js';
import type { DeliveredMessage, EngineEvent, Millis, NodeId } from '../types.js';

/** A node the routing layer can put on a path: its ID, X25519 key and address. */
export type PathNode = Pick<Descriptor, 'id' | 'dhKey' | 'address'>;

/** What became of a packet handed to the link layer. */
export type PacketOutcome = SendOutcome | 'no-address';

export interface RoutingHost {
  readonly identity: Identity;
  /** The address this node advertises ('' when none): told to targets in envelopes. */
  readonly address: string;
  readonly crypto: CryptoSuite;
  /** The unexpired descriptor of `id`, if the directory holds one. */
  descriptor(id: NodeId, now: Millis): Descriptor | undefined;
  /** Whether the directory holds a revocation of `id` (the node left the network). */
  revoked(id: NodeId): boolean;
  /** Unexpired descriptors of the relays we know. */
  relays(now: Millis): Descriptor[];
  /**
   * Sends an onion packet to `id`: on a ready link if there is one, else over a link opened
   * on demand to `address` (undefined: we know no address, so the packet cannot go).
   */
  sendPacket(id: NodeId, address: string | undefined, packet: Uint8Array): PacketOutcome;
  event(event: EngineEvent): void;
  /** Hands a message to the node's owner (before anything that follows it goes out). */
  deliver(message: DeliveredMessage): void;
  /**
   * A message to `id` is pending (once per message): keep its descriptor, which a sampled
   * directory could otherwise evict mid-message and leave the sender nowhere to send.
   */
  holdTarget(id: NodeId): void;
  /** A message to `id` was answered (acked or failed): one hold fewer. */
  releaseTarget(id: NodeId): void;
}

export { hexOf } from '../hex.js';

function hopOf(node: PathNode): OnionHop {
  const id = base32Decode(node.id);
  if (id === null) throw new OnionError(`not a node ID: ${node.id}`);
  return { id, dhPublic: node.dhKey, address: node.address }; // '' travels as none
}

/**
 * Wraps `payload` for `relays` then `final` and sends it to the first node of that path.
 * Returns what the link layer did with the packet, or 'bad-key' (and no packet) when a
 * node's X25519 key is of low order (a bad descriptor: remote input, so not an exception).
 */
export function sendOnion(
  host: RoutingHost,
  random: Random,
  relays: readonly PathNode[],
  final: PathNode,
  payload: Uint8Array,
): { outcome: PacketOutcome | 'bad-key'; packet: Uint8Array | undefined } {
  const path = [...relays, final];
  let packet: Uint8Array;
  try {
    packet = buildPacket(host.crypto, random, path.map(hopOf), payload).packet;
  } catch (error) {
    if (error instanceof OnionError && /low-order/.test(error.message)) {
      return { outcome: 'bad-key', packet: undefined };
    }
    throw error;
  }
  const first = path[0] as PathNode;
  const address = first.address === '' ? undefined : first.address;
  return { outcome: host.sendPacket(first.id, address, packet), packet };
}
