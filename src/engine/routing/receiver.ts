/**
 * The target's side of a message (DESIGN.md §3 "End to end"): open, verify, deduplicate,
 * deliver, acknowledge.
 *
 * Theory of operation. The last layer of an onion peels to an envelope (e2e.ts):
 * - an acknowledgement of a message of ours: handed to the sender (sender.ts);
 * - a message: its signature checked and its sender's ID derived from the keys inside. If
 *   (sender, message ID) is new, the message is delivered — the `deliver` output comes
 *   before anything else this input causes, so the runtime has stored it before the ack
 *   leaves — and remembered. A repeat (the sender retried because our ack was lost or
 *   slow) is not delivered again but acknowledged again: the sender stops only when an
 *   ack reaches it.
 * - The ack travels in a fresh onion that we build: over the reply relays the sender chose
 *   (so the sender's path choice covers both directions), or over relays of our own
 *   choosing when we do not know one of them, then to the sender's X25519 key from the
 *   envelope.
 *
 * - a shard of a sharded message (signed like a message): buffered per (sender, message
 *   ID) in ShardBuffers (bounded, expiring); when k shards of one split are held the
 *   message is rebuilt (shards/split.ts `combineShards`), delivered once and remembered in
 *   the same seen set as whole messages. Every shard that is kept is acknowledged on its own, with
 *   the set of shards held and whether the message is complete: see "Acks of shards".
 * - a shard ack: handed to the shard sender (shard-sender.ts).
 *
 * Acks of shards. The target acknowledges every shard, and the ack that follows the k-th
 * says "complete". The sender stops at that ack: k arrivals are all it needs, and waiting
 * for the n − k others would throw away what the redundancy bought (a message that
 * survives dropped paths without waiting for them). Per-shard acks are what let a timeout
 * resend only the shards that did not arrive; carrying the whole held set, not just the
 * shard's own index, lets the sender see a target that lost a buffer (expiry, eviction, a
 * restart) and resend what it had counted as arrived. A shard of a message already
 * delivered is acknowledged "complete" again, like a repeated whole message.
 *
 * Why a forged or corrupted shard never yields a wrong message. A relay cannot change a
 * shard (onion MAC per hop, then the envelope's AEAD); a shard is signed by its sender and
 * buffered under the sender's ID, so no one else can add shards to its message. Within one
 * sender's shards: a shard whose contents do not match its own entry of its tag list is
 * refused on arrival (never kept, never acknowledged); shards are grouped by the tag list
 * they commit to (split.ts `commitsTo`), so shards of another split — a restarted sender's
 * fresh one, or a forgery made with the sender's key — neither count towards k nor block an
 * honest shard of the same index; and `combineShards` rebuilds only from k shards of one
 * list and only if the ciphertext's AEAD tag verifies, refusing two lists that both do.
 *
 * Rules:
 * 1. Exactly-once within this engine's life: the seen set holds (sender, ID) for
 *    seenMaxAgeMs, and a message sent longer ago than that (minus the clock skew) is
 *    refused rather than risk a second delivery; the sender never retries that long
 *    (config.ts). Across restarts the daemon's inbox dedups by message ID.
 * 2. The seen set is bounded; at capacity its oldest entry is evicted and counted
 *    (ReplayCache): a flood of valid messages could make an old one deliverable again, and
 *    the count says so.
 * 3. Nothing from the envelope is trusted before the signature verified.
 */
import { base32Decode } from '../base32.js';
import { equalBytes } from '../crypto/check.js';
import { ReplayCache } from '../onion/replay-cache.js';
import type { Random } from '../random.js';
import { decodeShard } from '../shards/codec.js';
import { combineShards, commitsTo } from '../shards/split.js';
import type { Millis, NodeId } from '../types.js';
import { ROUTING_BODY_MAX, SHARDS_PER_MESSAGE_MAX, type RoutingConfig } from './config.js';
import {
  openEnvelope,
  sealAck,
  sealShardAck,
  MESSAGE_ID_BYTES,
  type OpenedSigned,
  type ShardAck,
} from './e2e.js';
import { hexOf, sendOnion, type PathNode, type RoutingHost } from './host.js';
import { choosePath } from './path.js';
import { indexMask, maskSize, ShardBuffers } from './shard-buffers.js';

export class Receiver {
  /** (sender, message ID) of messages delivered, with when (a ReplayCache of those keys). */
  readonly seen: ReplayCache;
  /** Sharded messages partly received. */
  readonly shardBuffers: ShardBuffers;
  delivered = 0;
  /** Repeats of delivered messages (acknowledged again, not delivered). */
  duplicates = 0;
  /** Acks we could not send (no relays and no address for the sender). */
  acksUnsent = 0;
  /** Shards kept in a buffer (first copies). */
  shardsReceived = 0;
  /** Shards `combineShards` rejected as corrupt or forged. */
  shardsRejected = 0;

  constructor(
    private readonly host: RoutingHost,
    private readonly config: RoutingConfig,
    /** Draws for fallback reply paths. */
    private readonly pathRandom: Random,
    /** Draws for the ack's envelope and onion. */
    private readonly cryptoRandom: Random,
    private readonly onAck: (messageId: Uint8Array, now: Millis) => void,
    private readonly onShardAck: (ack: ShardAck, now: Millis) => void,
  ) {
    this.seen = new ReplayCache(config.seenMax, config.seenMaxAgeMs);
    this.shardBuffers = new ShardBuffers(config.shardBuffersMax, config.shardBufferMaxAgeMs);
  }

  onPayload(payload: Uint8Array, now: Millis): void {
    const opened = openEnvelope(this.host.crypto, this.host.identity, payload);
    switch (opened.kind) {
      case 'reject':
        return this.drop(opened.reason);
      case 'ack':
        return this.onAck(opened.messageId, now);
      case 'shardAck':
        return this.onShardAck(opened, now);
      case 'message':
        return this.onMessage(opened, now);
      case 'shard':
        return this.onShard(opened, now);
    }
  }

  private onMessage(message: OpenedSigned, now: Millis): void {
    if (!this.timely(message, now)) return;
    this.deliverOnce(message, message.body, now);
    this.acknowledge(message, now, (sender) =>
      sealAck(this.host.crypto, this.cryptoRandom, sender, message.messageId),
    );
  }

  private onShard(envelope: OpenedSigned, now: Millis): void {
    if (!this.timely(envelope, now)) return;
    const decoded = decodeShard(envelope.body);
    if (!decoded.ok) return this.drop(`shard-${decoded.error.reason}`);
    const shard = decoded.shard;
    const suite = this.host.crypto;
    if (!equalBytes(shard.messageId, envelope.messageId)) return this.drop('shard-id-mismatch');
    if (shard.n > SHARDS_PER_MESSAGE_MAX) return this.drop('shard-too-many');
    if (shard.messageBytes > ROUTING_BODY_MAX) return this.drop('shard-too-large');
    if (!commitsTo(suite, shard, shard)) {
      // Its contents do not match its own tag: corrupted before it was signed. Not kept,
      // not acknowledged, so an intact copy is sent again.
      this.shardsRejected += 1;
      return this.drop('shard-corrupt');
    }
    const seen = seenKey(envelope.from, envelope.messageId);
    if (this.seen.has(seen, now)) {
      this.duplicates += 1;
      return this.acknowledgeShard(envelope, shard.index, 0, true, now);
    }
    const key = hexOf(seen);
    const { verdict, buffer } = this.shardBuffers.add(key, shard, now);
    if (verdict === 'full') return this.drop('shard-buffer-full');
    if (verdict === 'added') this.shardsReceived += 1;
    // What the target holds of this shard's split (a restarted sender splits anew).
    const held = indexMask(buffer.shards.filter((s) => commitsTo(suite, shard, s)));
    if (maskSize(held) < shard.k) {
      return this.acknowledgeShard(envelope, shard.index, held, false, now);
    }
    const combined = combineShards(suite, buffer.shards);
    this.shardBuffers.remove(key);
    if (!combined.ok) {
      // k shards of one split that do not decrypt, or two splits that both do: only the
      // sender's key makes such shards. Nothing is delivered; nothing is acknowledged.
      return this.drop(`shard-${combined.reason}`);
    }
    this.deliverOnce(envelope, combined.plaintext, now);
    this.acknowledgeShard(envelope, shard.index, 0, true, now);
  }

  /** Judges a message's `sentAt` (Rule 1); false (and a drop) when it is not acceptable. */
  private timely(message: OpenedSigned, now: Millis): boolean {
    const { clockSkewMs, seenMaxAgeMs } = this.config;
    if (message.sentAt > now + clockSkewMs) this.drop('message-from-the-future');
    else if (message.sentAt < now - seenMaxAgeMs + clockSkewMs) this.drop('message-too-old');
    else return true;
    return false;
  }

  /** Delivers `body` unless (sender, ID) was delivered already (Rule 1). */
  private deliverOnce(message: OpenedSigned, body: Uint8Array, now: Millis): void {
    if (this.seen.check(seenKey(message.from, message.messageId), now) === 'fresh') {
      this.delivered += 1;
      this.host.deliver({
        messageId: message.messageId,
        from: message.from,
        fromAddress: this.host.descriptor(message.from, now)?.address ?? message.fromAddress,
        body,
        sentAt: message.sentAt,
      });
    } else {
      this.duplicates += 1;
    }
  }

  private acknowledgeShard(
    envelope: OpenedSigned,
    index: number,
    held: number,
    complete: boolean,
    now: Millis,
  ): void {
    const ack: ShardAck = { messageId: envelope.messageId, index, held, complete };
    this.acknowledge(envelope, now, (sender) =>
      sealShardAck(this.host.crypto, this.cryptoRandom, sender, ack),
    );
  }

  /** Seals an ack to the message's sender (`seal`) and sends it back over the reply relays. */
  private acknowledge(
    message: OpenedSigned,
    now: Millis,
    seal: (sender: PathNode) => Uint8Array | null,
  ): void {
    const host = this.host;
    const sender: PathNode = {
      id: message.from,
      dhKey: message.dhKey,
      // Our directory's (a sample may lack the sender), else the one the sender signed.
      address: host.descriptor(message.from, now)?.address ?? message.fromAddress,
    };
    const sealed = seal(sender);
    if (sealed === null) return this.drop('ack-bad-sender-key');
    const relays = this.replyRelays(message, now);
    const { outcome } = sendOnion(host, this.cryptoRandom, relays, sender, sealed);
    if (outcome === 'no-address' || outcome === 'dropped' || outcome === 'bad-key') {
      this.acksUnsent += 1;
      this.drop(`ack-${outcome}`);
    }
  }

  /**
   * The sender's reply relays if we know every one of them and they make a sane path
   * (distinct, neither us nor the sender); otherwise relays of our own choosing.
   */
  private replyRelays(message: OpenedSigned, now: Millis): PathNode[] {
    const self = this.host.identity.id;
    const ids = message.replyPath;
    const distinct = new Set(ids);
    if (ids.length > 0 && distinct.size === ids.length && !distinct.has(self)) {
      if (!distinct.has(message.from)) {
        const found = ids.map((id) => this.host.descriptor(id, now));
        if (found.every((d) => d !== undefined)) return found as PathNode[];
      }
    }
    const { hops, hopsMin, relayStaleAfterMs } = this.config;
    const exclude = new Set<NodeId>([self, message.from]);
    const staleBefore = now - relayStaleAfterMs;
    const relays = this.host.relays(now);
    return choosePath(this.pathRandom, relays, { hops, hopsMin, exclude, staleBefore }) ?? [];
  }

  private drop(reason: string): void {
    this.host.event({ type: 'packetDropped', reason });
  }
}

/** The seen-set key: sender ID bytes then message ID (20 + 16 bytes). */
function seenKey(from: NodeId, messageId: Uint8Array): Uint8Array {
  const id = base32Decode(from) as Uint8Array;
  const key = new Uint8Array(id.length + MESSAGE_ID_BYTES);
  key.set(id, 0);
  key.set(messageId, id.length);
  return key;
}
