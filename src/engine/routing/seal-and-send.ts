/**
 * One packet of an attempt, as both senders build it (sender.ts: the whole message;
 * shard-sender.ts: one shard): choose the relays the ack takes back, seal a signed envelope
 * to the target naming them (e2e.ts), wrap it in an onion for the path and hand it to the
 * first relay (host.ts sendOnion).
 *
 * Rules:
 * 1. Draws, in this order: the reply path from `pathRandom` (none with replyPath
 *    'reverse'), then the envelope and the onion from `cryptoRandom` (sender.ts Rule 4).
 * 2. A key on the way that cannot be used (a bad descriptor: remote input) is the outcome
 *    'bad-key' with no packet, never an exception.
 */
import type { Descriptor } from '../directory/records.js';
import type { Random } from '../random.js';
import type { Millis, NodeId } from '../types.js';
import type { RoutingConfig } from './config.js';
import type { MessageFields, sealMessage } from './e2e.js';
import { sendOnion, type PacketOutcome, type RoutingHost } from './host.js';
import { choosePath } from './path.js';

export interface SealedPacket {
  /** e2e.ts sealMessage or sealShard: which kind of envelope. */
  seal: typeof sealMessage;
  /** The envelope's fields but the reply path, chosen here, and our address (the host's). */
  fields: Omit<MessageFields, 'replyPath' | 'fromAddress'>;
  /** The relays of this packet, in path order. */
  path: readonly Descriptor[];
  /** Every relay the directory offers (reply paths are drawn from them). */
  relays: readonly Descriptor[];
  /** The target's ID and its descriptor. */
  to: NodeId;
  target: Descriptor;
}

/** What the link layer did with the packet, or 'bad-key' and no packet (Rule 2). */
export interface SealedOutcome {
  outcome: PacketOutcome | 'bad-key';
  packet: Uint8Array | undefined;
}

export function sealAndSend(
  host: RoutingHost,
  config: RoutingConfig,
  pathRandom: Random,
  cryptoRandom: Random,
  packet: SealedPacket,
  now: Millis,
): SealedOutcome {
  const { path, relays, to, target } = packet;
  const reply = replyRelaysFor(path, relays, to, host, config, pathRandom, now);
  const sealed = packet.seal(host.crypto, cryptoRandom, host.identity, target, {
    ...packet.fields,
    replyPath: reply.map((r) => r.id),
    fromAddress: host.address,
  });
  return sealed === null
    ? { outcome: 'bad-key', packet: undefined }
    : sendOnion(host, cryptoRandom, path, target, sealed);
}

/** The relays an ack of a packet sent over `path` should take back (config.ts replyPath). */
function replyRelaysFor(
  path: readonly Descriptor[],
  relays: readonly Descriptor[],
  to: NodeId,
  host: RoutingHost,
  config: RoutingConfig,
  random: Random,
  now: Millis,
): Descriptor[] {
  if (config.replyPath === 'reverse') return [...path].reverse();
  return (
    choosePath(random, relays, {
      hops: config.hops,
      hopsMin: config.hopsMin,
      exclude: new Set([host.identity.id, to]),
      avoid: new Set(path.map((r) => r.id)),
      staleBefore: now - config.relayStaleAfterMs,
    }) ?? []
  );
}
