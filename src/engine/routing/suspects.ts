/**
 * Relays this node believes are down: a soft, local, short-lived memory that path choice
 * consults (path.ts, preference 2), so that what one message learned spares the next.
 *
 * Theory of operation. Under churn a directory holds descriptors of nodes that crashed
 * minutes ago (descriptors live until they expire), and a relay that drops a packet tells
 * no one. What this node does see:
 * - its own dial to a node failing (as a sender's first hop, as a relay's next hop, or for
 *   the overlay): strong evidence the node is down;
 * - an attempt of its own timing out: one of the attempt's relays is probably down;
 * - a link to a node becoming ready, or an ack over a path: the nodes on it are up.
 * Suspicion lasts `ttlMs` (a crashed node's descriptor may still linger much longer; a node
 * that comes back is cleared the moment we reach it again).
 *
 * Rules:
 * 1. Bounded: at capacity the oldest suspicion is forgotten (counted in `evictions`).
 * 2. Never a hard exclusion: path choice still uses a suspect when nothing better remains.
 */
import type { Millis, NodeId } from '../types.js';

export class RelaySuspicion {
  /** Node → when its suspicion ends; Map order is age order (re-inserted on refresh). */
  private readonly until = new Map<NodeId, Millis>();
  evictions = 0;

  constructor(
    readonly capacity: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.until.size;
  }

  suspect(id: NodeId, now: Millis): void {
    this.until.delete(id);
    if (this.until.size >= this.capacity) {
      const oldest = this.until.keys().next();
      if (oldest.done !== true) this.until.delete(oldest.value);
      this.evictions += 1;
    }
    this.until.set(id, now + this.ttlMs);
  }

  clear(id: NodeId): void {
    this.until.delete(id);
  }

  /** Whether `id` is suspected at `now` (an expired suspicion is dropped here). */
  has(id: NodeId, now: Millis): boolean {
    const end = this.until.get(id);
    if (end === undefined) return false;
    if (end > now) return true;
    this.until.delete(id);
    return false;
  }
}
