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
import { ReplayCache } from '../onion/replay-cache.js';
import type { Random } from '../random.js';
import type { Millis, NodeId } from '../types.js';
import type { RoutingConfig } from './config.js';
import { openEnvelope, sealAck, MESSAGE_ID_BYTES, type Opened } from './e2e.js';
import { sendOnion, type PathNode, type RoutingHost } from './host.js';
import { choosePath } from './path.js';

type OpenedMessage = Extract<Opened, { kind: 'message' }>;

export class Receiver {
  /** (sender, message ID) of messages delivered, with when (a ReplayCache of those keys). */
  readonly seen: ReplayCache;
  delivered = 0;
  /** Repeats of delivered messages (acknowledged again, not delivered). */
  duplicates = 0;
  /** Acks we could not send (no relays and no address for the sender). */
  acksUnsent = 0;

  constructor(
    private readonly host: RoutingHost,
    private readonly config: RoutingConfig,
    /** Draws for fallback reply paths. */
    private readonly pathRandom: Random,
    /** Draws for the ack's envelope and onion. */
    private readonly cryptoRandom: Random,
    private readonly onAck: (messageId: Uint8Array, now: Millis) => void,
  ) {
    this.seen = new ReplayCache(config.seenMax, config.seenMaxAgeMs);
  }

  onPayload(payload: Uint8Array, now: Millis): void {
    const opened = openEnvelope(this.host.crypto, this.host.identity, payload);
    switch (opened.kind) {
      case 'reject':
        return this.drop(opened.reason);
      case 'ack':
        return this.onAck(opened.messageId, now);
      case 'message':
        return this.onMessage(opened, now);
    }
  }

  private onMessage(message: OpenedMessage, now: Millis): void {
    const { clockSkewMs, seenMaxAgeMs } = this.config;
    if (message.sentAt > now + clockSkewMs) return this.drop('message-from-the-future');
    if (message.sentAt < now - seenMaxAgeMs + clockSkewMs) return this.drop('message-too-old');
    if (this.seen.check(seenKey(message.from, message.messageId), now) === 'fresh') {
      this.delivered += 1;
      this.host.deliver({
        messageId: message.messageId,
        from: message.from,
        fromAddress: this.host.descriptor(message.from, now)?.address ?? '',
        body: message.body,
        sentAt: message.sentAt,
      });
    } else {
      this.duplicates += 1;
    }
    this.acknowledge(message, now);
  }

  private acknowledge(message: OpenedMessage, now: Millis): void {
    const host = this.host;
    const sender: PathNode = {
      id: message.from,
      dhKey: message.dhKey,
      address: host.descriptor(message.from, now)?.address ?? '',
    };
    const sealed = sealAck(host.crypto, this.cryptoRandom, sender, message.messageId);
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
  private replyRelays(message: OpenedMessage, now: Millis): PathNode[] {
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
