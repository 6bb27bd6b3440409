/**
 * The receiving side of messaging: what the engine delivers goes to the store, then to the
 * clients watching.
 *
 * Theory of operation. The TCP runtime calls `deliver` synchronously, before it carries out
 * the outputs that follow the delivery — the acknowledgement among them (runtime.ts). So a
 * message is acknowledged only after `recordIncoming` committed it: a crash before the
 * commit means no acknowledgement, and the sender retries. The store's unique message id
 * makes the second copy of a retried message a no-op ('duplicate'), across restarts too.
 *
 * Rule 1: the engine has verified the sender; the *contents* still come from the network.
 *         They are made storable here (invalid UTF-8 and control characters replaced, an
 *         over-long body cut, an address that is not a printable token replaced by the
 *         sender's node ID), never refused: refusing would make the sender retry forever.
 * Rule 2: a store failure is not caught here: the composition stops the node before the
 *         acknowledgement leaves (daemon.ts).
 * Rule 3: watchers are bounded (WATCHERS_MAX) and a watcher that throws is removed.
 */
import type { MessageInfo } from '../client/protocol.js';
import type { DeliveredMessage } from '../engine/types.js';
import { storeLimits, type Store } from '../store/index.js';
import { WATCHERS_MAX } from './limits.js';

export type DeliverOutcome = 'new' | 'duplicate' | 'malformed';

interface Watcher {
  onMessage: (message: MessageInfo) => void;
  /** Only this peer's messages, if set. */
  peer: string | undefined;
}

/** Thrown by `watch` when WATCHERS_MAX watchers are open. */
export class TooManyWatchersError extends Error {
  override name = 'TooManyWatchersError';
}

const FORBIDDEN_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class Inbox {
  private readonly watchers = new Set<Watcher>();
  /** Deliveries whose id or sender were unusable (an engine bug if ever non-zero). */
  malformed = 0;
  received = 0;
  duplicates = 0;

  constructor(private readonly store: Store) {}

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Stores a delivered message (Rule 1) and, if new, tells the watchers. */
  deliver(message: DeliveredMessage, now: number): DeliverOutcome {
    if (message.messageId.length !== storeLimits.MESSAGE_ID_BYTES) {
      this.malformed++;
      return 'malformed';
    }
    const id = Buffer.from(message.messageId).toString('hex');
    const info: MessageInfo = {
      id,
      from: message.from,
      address: storableAddress(message.fromAddress, message.from),
      body: storableBody(message.body),
      sentAt: storableTime(message.sentAt),
      receivedAt: now,
    };
    const outcome = this.store.recordIncoming({
      id,
      from: info.from,
      address: info.address,
      body: info.body,
      sentAt: info.sentAt,
    });
    if (outcome === 'duplicate') {
      this.duplicates++;
      return outcome;
    }
    this.received++;
    for (const watcher of this.watchers) {
      if (watcher.peer !== undefined && watcher.peer !== info.from) continue;
      try {
        watcher.onMessage(info);
      } catch {
        this.watchers.delete(watcher); // Rule 3.
      }
    }
    return outcome;
  }

  /** Subscribes to new messages (of `peer` only, if given); returns the unsubscribe. */
  watch(onMessage: (message: MessageInfo) => void, peer?: string): () => void {
    if (this.watchers.size >= WATCHERS_MAX) {
      throw new TooManyWatchersError(`${WATCHERS_MAX} watchers are open already`);
    }
    const watcher: Watcher = { onMessage, peer };
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }
}

/** UTF-8 (invalid sequences → U+FFFD), no forbidden controls, at most BODY_MAX_BYTES. */
export function storableBody(bytes: Uint8Array): string {
  let text = utf8.decode(bytes).replace(FORBIDDEN_CONTROL, '\ufffd');
  if (text.length === 0) text = '\ufffd';
  if (Buffer.byteLength(text, 'utf8') <= storeLimits.BODY_MAX_BYTES) return text;
  // Cut at a code point boundary: drop whole code points until it fits.
  const points = [...text];
  let size = Buffer.byteLength(text, 'utf8');
  while (size > storeLimits.BODY_MAX_BYTES) size -= Buffer.byteLength(points.pop() ?? '', 'utf8');
  return points.join('');
}

/** The sender's address if it is a printable token that fits, else its node ID. */
export function storableAddress(address: string, from: string): string {
  const ok = address.length <= storeLimits.ADDRESS_MAX_CHARS && /^[\x21-\x7e]+$/.test(address);
  return ok ? address : from;
}

function storableTime(ms: number): number {
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : 0;
}
