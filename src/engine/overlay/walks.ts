/**
 * Shuffle walks' memory, so that a reply retraces its walk (hyparview.ts, header).
 *
 * A forwarding node remembers, for a while, which neighbour handed it walk `w` and which
 * one it passed `w` on to; a reply for `w` that comes back from the latter goes on to the
 * former, as it came. The origin remembers the walks it started. Both are small rings of
 * fixed capacity, searched newest first: a walk that visits a node twice left two records,
 * and its reply comes back through the later visit first.
 */
import type { Millis, NodeId } from '../types.js';
import { OWN_WALKS_MAX, WALK_RELAYS_MAX } from './config.js';

/** Where each relayed walk came from and where it went. */
export class WalkRelays {
  private readonly walk = new Float64Array(WALK_RELAYS_MAX);
  private readonly until = new Float64Array(WALK_RELAYS_MAX).fill(-Infinity);
  private readonly from: (NodeId | undefined)[] = new Array(WALK_RELAYS_MAX).fill(undefined);
  private readonly to: (NodeId | undefined)[] = new Array(WALK_RELAYS_MAX).fill(undefined);
  private next = 0;

  /** We passed walk `walk`, handed to us by `from`, on to `to`; a reply may come until `until`. */
  remember(walk: number, from: NodeId, to: NodeId, until: Millis): void {
    const slot = this.next;
    this.walk[slot] = walk;
    this.from[slot] = from;
    this.to[slot] = to;
    this.until[slot] = until;
    this.next = (slot + 1) % WALK_RELAYS_MAX;
  }

  /**
   * The node to pass a reply for `walk` back to, if it came from `replyFrom` (the node we
   * passed the walk on to) in time; the record is used up. Undefined for anything else: an
   * unknown walk, a late reply, or one from a node the walk never went to.
   */
  takeReturn(walk: number, replyFrom: NodeId, now: Millis): NodeId | undefined {
    for (let k = 1; k <= WALK_RELAYS_MAX; k++) {
      const slot = (this.next - k + WALK_RELAYS_MAX) % WALK_RELAYS_MAX;
      if (this.walk[slot] !== walk || this.to[slot] !== replyFrom) continue;
      if ((this.until[slot] as number) < now) return undefined;
      const from = this.from[slot];
      this.forget(slot);
      return from;
    }
    return undefined;
  }

  private forget(slot: number): void {
    this.until[slot] = -Infinity;
    this.from[slot] = undefined;
    this.to[slot] = undefined;
  }
}

/** The walks we started whose replies we still wait for. */
export class OwnWalks {
  private readonly walk = new Float64Array(OWN_WALKS_MAX);
  private readonly until = new Float64Array(OWN_WALKS_MAX).fill(-Infinity);
  private next = 0;

  started(walk: number, until: Millis): void {
    this.walk[this.next] = walk;
    this.until[this.next] = until;
    this.next = (this.next + 1) % OWN_WALKS_MAX;
  }

  /** Whether `walk` is ours and its reply is in time; a reply is taken once. */
  take(walk: number, now: Millis): boolean {
    for (let slot = 0; slot < OWN_WALKS_MAX; slot++) {
      if (this.walk[slot] !== walk || (this.until[slot] as number) < now) continue;
      this.until[slot] = -Infinity;
      return true;
    }
    return false;
  }
}
