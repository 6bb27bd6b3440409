/**
 * What the two senders (sender.ts: one packet per attempt; shard-sender.ts: n shards per
 * message) share about their pending messages: who may become pending, when a message is
 * due, and how it leaves the table.
 *
 * Theory of operation. A send is admitted (`admit`) or answered at once; an admitted
 * message sits in its sender's PendingTable under the hex of its ID until exactly one
 * `messageAcked` or `messageFailed` answers it (sender.ts Rule 1), and that answer is what
 * removes it. Each message says when it wants to act next (`nextAt`, never after its
 * `deadline`); a tick hands every message due to its sender, or fails it once its deadline
 * has come.
 *
 * Rules:
 * 1. The table only holds, finds and answers messages; what an attempt or a round does is
 *    the sender's.
 * 2. Messages due at one tick are collected before any of them acts, so a message an action
 *    adds or answers does not change which others act at that tick.
 */
import type { Descriptor } from '../directory/records.js';
import type { Command, Millis, NodeId } from '../types.js';
import { ROUTING_BODY_MAX, type RoutingConfig } from './config.js';
import { MESSAGE_ID_BYTES } from './e2e.js';
import { hexOf, type RoutingHost } from './host.js';

type SendCommand = Extract<Command, { type: 'send' }>;

/** Local misuse of the send command (not a remote condition): a bug in the runtime. */
export class RoutingError extends Error {
  override name = 'RoutingError';
}

/** Messages pending in another sender (index.ts): one pending limit, one ID space. */
export interface PendingElsewhere {
  readonly size: number;
  has(key: string): boolean;
}

/** What the table needs of a pending message. */
export interface PendingEntry {
  /** Lowercase hex of the message ID. */
  readonly key: string;
  /** The target, whose descriptor the host holds while the message is pending. */
  readonly to: NodeId;
  /** When the message fails if nothing answered it. */
  readonly deadline: Millis;
  /** When it acts next (a retry, a round's end, another look at the directory). */
  nextAt: Millis;
  /** The target's descriptor as the directory last held it while pending (`target`). */
  lastTarget: Descriptor | undefined;
}

/**
 * The checks every send passes before it is pending (sender.ts Rules 1 and 3): the hex key
 * of the accepted message, or undefined when it was refused (a `messageFailed` event) or is
 * pending already (a `drop` event). Throws RoutingError on a message ID of the wrong size.
 */
export function admit(
  command: SendCommand,
  now: Millis,
  host: RoutingHost,
  config: RoutingConfig,
  here: PendingElsewhere,
  elsewhere: PendingElsewhere,
): string | undefined {
  const { messageId } = command;
  if (!(messageId instanceof Uint8Array) || messageId.length !== MESSAGE_ID_BYTES) {
    throw new RoutingError(`send: messageId must be ${MESSAGE_ID_BYTES} bytes`);
  }
  const key = hexOf(messageId);
  if (here.has(key) || elsewhere.has(key)) {
    host.event({ type: 'drop', what: 'send-already-pending' });
    return undefined;
  }
  const refusal =
    command.body.length > ROUTING_BODY_MAX
      ? 'too-large'
      : command.to === host.identity.id
        ? 'self'
        : command.expiresAt <= now
          ? 'expired'
          : here.size + elsewhere.size >= config.pendingMax
            ? 'too-many-pending'
            : undefined;
  if (refusal === undefined) return key;
  host.event({ type: 'messageFailed', messageId: key, reason: refusal });
  return undefined;
}

/**
 * Why a message failed: what kept its first packet from leaving when none ever left,
 * 'expired' otherwise.
 */
export function failureReason<P extends string>(
  packetsSent: number,
  problem: P | undefined,
): P | 'expired' {
  return packetsSent === 0 && problem !== undefined ? problem : 'expired';
}

/** One sender's pending messages by key (the sender bounds it through `admit`). */
export class PendingTable<T extends PendingEntry> implements PendingElsewhere {
  private readonly messages = new Map<string, T>();

  constructor(private readonly host: RoutingHost) {}

  get size(): number {
    return this.messages.size;
  }

  has(key: string): boolean {
    return this.messages.has(key);
  }

  get(key: string): T | undefined {
    return this.messages.get(key);
  }

  add(message: T): void {
    this.messages.set(message.key, message);
    this.host.holdTarget(message.to);
  }

  /**
   * The target's descriptor for an attempt: the directory's while it holds one, else the
   * last one this message found there. A descriptor that expired mid-message still names
   * the target's keys (a node ID is the hash of its keys, identity.ts) and the last address
   * it announced; dropping it left a sender whose announcements come from a short radius
   * waiting as unknown-destination until the message expired (swarm seed 214: 1-hop
   * announcements, descriptors living 210 s, a sync every 177 s). A revocation ends it: the
   * target left the network.
   */
  target(message: T, now: Millis): Descriptor | undefined {
    const found = this.host.descriptor(message.to, now);
    if (found !== undefined) message.lastTarget = found;
    else if (this.host.revoked(message.to)) message.lastTarget = undefined;
    return message.lastTarget;
  }

  values(): IterableIterator<T> {
    return this.messages.values();
  }

  /** Every message due at `now` (Rule 2): past its deadline it fails, else it acts. */
  runDue(now: Millis, expire: (message: T) => void, act: (message: T) => void): void {
    const due: T[] = [];
    for (const message of this.messages.values()) if (message.nextAt <= now) due.push(message);
    for (const message of due) {
      if (now >= message.deadline) expire(message);
      else act(message);
    }
  }

  /** The earliest time something is due, or undefined with nothing pending. */
  nextDeadline(): Millis | undefined {
    // Asked after every input of the node; most nodes have nothing pending.
    if (this.messages.size === 0) return undefined;
    let next: Millis | undefined;
    for (const message of this.messages.values()) {
      if (next === undefined || message.nextAt < next) next = message.nextAt;
    }
    return next;
  }

  /** Answers the message as delivered; `attempts` counts the packets it took. */
  acked(message: T, attempts: number): void {
    this.messages.delete(message.key);
    this.host.releaseTarget(message.to);
    this.host.event({ type: 'messageAcked', messageId: message.key, attempts });
  }

  failed(message: T, reason: string): void {
    this.messages.delete(message.key);
    this.host.releaseTarget(message.to);
    this.host.event({ type: 'messageFailed', messageId: message.key, reason });
  }

  /** Answers every pending message with a failure (the node is leaving the network). */
  failAll(reason: string): void {
    for (const message of [...this.messages.values()]) this.failed(message, reason);
  }
}
