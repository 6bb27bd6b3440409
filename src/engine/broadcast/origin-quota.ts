/**
 * The broadcast quota per origin (issue 8 #3): a node passes on at most `quota` broadcasts
 * of one origin per window of `periodMs`, so one flooding origin cannot make the whole
 * network carry its traffic. What is over the quota stops at the first honest node: neither
 * delivered nor forwarded, and counted.
 *
 * Theory of operation. Windows are fixed slices of time, numbered by the broadcast's own
 * expiry (⌊expiresAt / periodMs⌋), not by when a node happened to see it: every node then
 * puts a broadcast in the same window and, seeing an origin's broadcasts in about the same
 * order, passes the same ones. (Windows that began at each node's first sighting disagreed
 * from node to node; Plumtree then saw a broadcast stop at some nodes and not at their
 * neighbours, and kept grafting and pruning links: honest broadcasts cost 3× the copies.)
 * An origin chooses its expiries, but only within now … now + lifetime + skew (the
 * broadcaster refuses others), so it reaches at most the two windows that range overlaps:
 * at most 2 × quota broadcasts pass in any period.
 *
 * Only broadcasts that passed every other check are counted (`record`), so invalid ones
 * naming someone else's origin cannot use up that origin's quota; `over` is asked first, so
 * a flood over the quota costs no validation (a signature check for directory records).
 *
 * Rules:
 * 1. Per origin, the counts of its two latest windows; an older window's broadcast counts
 *    as over (a copy that old has had its chance).
 * 2. Bounded: at most `trackedMax` origins; a new one evicts the origin seen least
 *    recently (it then starts afresh, which errs on the side of passing honest traffic).
 * 3. Pure: times are passed in.
 */
import type { Millis, NodeId } from '../types.js';

export interface OriginQuotaLimits {
  /** Broadcasts of one origin passed on per window. */
  quota: number;
  periodMs: number;
  /** Origins whose windows are kept at once. */
  trackedMax: number;
}

/** An origin's latest window and the one before it, with their counts. */
interface Windows {
  latest: number;
  latestCount: number;
  previousCount: number;
}

export class OriginQuota {
  /** By origin, least recently seen first. */
  private readonly origins = new Map<NodeId, Windows>();
  /** Broadcasts refused for being over their origin's quota. */
  exceeded = 0;
  /**
   * What the last flush saw, so that the next one can tell without reading the map that it
   * has nothing to do: the window it ran in, the origin it stopped at (the first kept), and
   * whether that origin has left the front since (re-recorded or evicted) or an entry older
   * than that window came in. Runs at every broadcast timer, and the window changes once a
   * minute.
   */
  private flushedWindow = -Infinity;
  private keptFirst: NodeId | undefined;
  private frontMoved = true;

  constructor(private readonly limits: OriginQuotaLimits) {}

  get tracked(): number {
    return this.origins.size;
  }

  /** True (and counted) when `origin` used up the quota of the window of `expiresAt`. */
  over(origin: NodeId, expiresAt: Millis): boolean {
    const w = this.origins.get(origin);
    const window = this.windowOf(expiresAt);
    if (w === undefined || window > w.latest) return false;
    const count =
      window === w.latest ? w.latestCount : window === w.latest - 1 ? w.previousCount : Infinity;
    if (count < this.limits.quota) return false;
    this.exceeded += 1;
    return true;
  }

  /** Counts a broadcast of `origin` that is passed on. */
  record(origin: NodeId, expiresAt: Millis): void {
    const window = this.windowOf(expiresAt);
    const w = this.origins.get(origin);
    this.origins.delete(origin); // re-inserted last: the map stays least recently seen first
    if (origin === this.keptFirst || window < this.flushedWindow) this.frontMoved = true;
    if (w === undefined && this.origins.size >= this.limits.trackedMax) {
      this.origins.delete(this.origins.keys().next().value as NodeId);
      this.frontMoved = true;
    }
    if (w === undefined || window > w.latest) {
      const previousCount = w !== undefined && window === w.latest + 1 ? w.latestCount : 0;
      this.origins.set(origin, { latest: window, latestCount: 1, previousCount });
      return;
    }
    if (window === w.latest) w.latestCount += 1;
    else if (window === w.latest - 1) w.previousCount += 1;
    this.origins.set(origin, w);
  }

  /**
   * Forgets origins whose latest window ended before `now`'s, least recently seen first,
   * stopping at the first that has not. The broadcaster refuses expired broadcasts before it
   * asks, so no window before `now`'s is asked about again (nor counted: a new window's
   * `previousCount` is then never read). Memory only: one that lingers behind the first kept
   * costs nothing but its slot. (Keeping the previous window too held 2–3 minutes of origins,
   * the largest part of a simulated node's heap at a join's peak.)
   */
  flush(now: Millis): void {
    const current = this.windowOf(now);
    if (current === this.flushedWindow && !this.frontMoved) return;
    this.flushedWindow = current;
    this.frontMoved = false;
    this.keptFirst = undefined;
    for (const [origin, w] of this.origins) {
      if (w.latest >= current) {
        this.keptFirst = origin;
        return;
      }
      this.origins.delete(origin);
    }
  }

  private windowOf(time: Millis): number {
    return Math.floor(time / this.limits.periodMs);
  }
}
