/**
 * The drop list: broadcast IDs already seen, so a repeat is dropped (the seed's "drop list
 * when receiving a broadcast", DESIGN.md §3).
 *
 * Rules:
 * 1. An ID is kept until `keepUntil` = the broadcast's own expiry + clock skew, never
 *    counted from first sighting (the bug of go-libp2p-pubsub #502: an ID flushed while
 *    its message still circulates is accepted again). The broadcast layer refuses any
 *    broadcast past its expiry, so a flushed ID cannot come back.
 * 2. Bounded: at capacity the entry inserted first is evicted and counted. Evicting a live
 *    entry could let a duplicate through, so the capacity is sized for the broadcast rate
 *    × lifetime, and the counter shows when it is not.
 * 3. Flushing is by age, oldest first: entries are inserted in arrival order and expiries
 *    are close to arrival + lifetime, so the front of the map is (nearly) the oldest.
 */
import type { Millis } from '../types.js';

export class DropList {
  private readonly keepUntil = new Map<string, Millis>();
  /**
   * The first entry's keepUntil (Infinity when empty, -Infinity when not known): `flush`
   * runs at every broadcast timer and usually has nothing to do, which this tells without
   * reading the map.
   */
  private headUntil: Millis = Infinity;
  /** Repeats dropped because their ID was here. */
  hits = 0;
  /** Live entries evicted because the list was full. */
  evictions = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.keepUntil.size;
  }

  /** True (and counted as a hit) when `id` was seen. */
  seen(id: string): boolean {
    if (!this.keepUntil.has(id)) return false;
    this.hits += 1;
    return true;
  }

  has(id: string): boolean {
    return this.keepUntil.has(id);
  }

  add(id: string, keepUntil: Millis): void {
    if (this.keepUntil.has(id)) return;
    if (this.keepUntil.size >= this.capacity) {
      const oldest = this.keepUntil.keys().next().value as string;
      this.keepUntil.delete(oldest);
      this.evictions += 1;
      this.headUntil = -Infinity;
    }
    if (this.keepUntil.size === 0) this.headUntil = keepUntil;
    this.keepUntil.set(id, keepUntil);
  }

  /** Forgets entries whose time is up, oldest first, stopping at the first live one (rule 3). */
  flush(now: Millis): void {
    if (this.headUntil > now) return;
    for (const [id, until] of this.keepUntil) {
      if (until > now) {
        this.headUntil = until;
        return;
      }
      this.keepUntil.delete(id);
    }
    this.headUntil = Infinity;
  }
}
