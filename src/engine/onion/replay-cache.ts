/**
 * A relay's replay cache: the onion replay tags it has seen recently (STYLE.md #16, "a replay
 * window is its own tiny module"; in spirit wireguard-go's replay/replay.go).
 *
 * Theory of operation. A replayed onion packet yields the same shared secret at a relay and
 * so the same replay tag (packet.ts). The routing layer calls `check(tag, now)` after a
 * successful peel and forwards only on 'fresh'. Entries live `maxAgeMs`; more than
 * `capacity` of them are never held.
 *
 * Rules:
 * 1. Bounded (STYLE.md #5): at capacity, the oldest entry is evicted to admit a new one and
 *    the eviction is counted. Capacity is reached from remote input (a flood of packets), so
 *    it is a counted event, not an error; a rising `evictions` count says the window is
 *    shorter than maxAgeMs and the cache should grow.
 * 2. Age: an entry recorded at t is forgotten once now − t ≥ maxAgeMs (counted as `expired`).
 *    `check` flushes first, so an expired tag counts as fresh again: a packet replayed after
 *    maxAgeMs is accepted once more (relays do not rotate their X25519 keys yet — README,
 *    "Not done"). `clear()` is for a future rotation: tags made under an old key can never
 *    recur under a new one.
 * 3. Pure: time comes in as `now` (ms of the caller's world). A clock that steps back is
 *    treated as not moving, so entries stay in insertion order, which is age order, and a
 *    flush stops at the first young entry.
 * 4. The first sighting of a tag fixes its time: replays do not extend its life.
 * 5. Restarts: `entries(since)` hands a runtime what to save, with each tag's first-sighting
 *    time; `restore` puts saved entries back into an empty cache under Rules 1–4 (aged ones
 *    are not taken, at most `capacity` of the newest are), so a tag outlives a restart for
 *    exactly the age it would have lived without one.
 */

/** Local misuse of the cache (bad parameters or arguments): a bug in the caller. */
export class ReplayCacheError extends Error {
  override name = 'ReplayCacheError';
}

export type ReplayVerdict = 'fresh' | 'replay';

/** A tag and the time it was first seen, as a runtime saves it across a restart. */
export interface ReplayEntry {
  readonly tag: Uint8Array;
  readonly seenAt: number;
}

/** What `restore` did with the entries it was given. */
export interface ReplayRestoreResult {
  /** Entries now in the cache. */
  restored: number;
  /** Entries not taken: aged maxAgeMs or more, duplicates, or beyond capacity (oldest). */
  dropped: number;
}

export interface ReplayCacheStats {
  readonly size: number;
  readonly replays: number;
  readonly evictions: number;
  readonly expired: number;
}

export class ReplayCache {
  /** tag (as a binary string) → time first seen; Map order is insertion order (Rule 3). */
  private readonly seenAt = new Map<string, number>();
  private latest = -Infinity;
  private replays = 0;
  private evictions = 0;
  private expired = 0;

  constructor(
    readonly capacity: number,
    readonly maxAgeMs: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ReplayCacheError(`capacity: expected a positive integer, got ${capacity}`);
    }
    if (!(maxAgeMs > 0 && Number.isFinite(maxAgeMs))) {
      throw new ReplayCacheError(`maxAgeMs: expected a positive number, got ${maxAgeMs}`);
    }
  }

  get size(): number {
    return this.seenAt.size;
  }

  stats(): ReplayCacheStats {
    const { replays, evictions, expired } = this;
    return { size: this.seenAt.size, replays, evictions, expired };
  }

  /** 'replay' if `tag` was seen within maxAgeMs, else 'fresh' (and it is now remembered). */
  check(tag: Uint8Array, now: number): ReplayVerdict {
    if (!(tag instanceof Uint8Array) || tag.length === 0) {
      throw new ReplayCacheError('tag: expected a non-empty Uint8Array');
    }
    this.flush(now);
    const key = String.fromCharCode(...tag);
    if (this.seenAt.has(key)) {
      this.replays++;
      return 'replay';
    }
    if (this.seenAt.size >= this.capacity) {
      const oldest = this.seenAt.keys().next();
      if (oldest.done !== true) this.seenAt.delete(oldest.value);
      this.evictions++;
    }
    this.seenAt.set(key, this.latest);
    return 'fresh';
  }

  /** Whether `tag` was seen within maxAgeMs; unlike `check`, records and counts nothing. */
  has(tag: Uint8Array, now: number): boolean {
    if (!(tag instanceof Uint8Array) || tag.length === 0) {
      throw new ReplayCacheError('tag: expected a non-empty Uint8Array');
    }
    this.flush(now);
    return this.seenAt.has(String.fromCharCode(...tag));
  }

  /** Forgets every entry aged maxAgeMs or more at `now`; returns how many. */
  flush(now: number): number {
    if (!Number.isFinite(now)) throw new ReplayCacheError(`now: expected a finite number`);
    if (now > this.latest) this.latest = now;
    let dropped = 0;
    for (const [key, seen] of this.seenAt) {
      if (this.latest - seen < this.maxAgeMs) break;
      this.seenAt.delete(key);
      dropped++;
    }
    this.expired += dropped;
    return dropped;
  }

  /** Entries first seen at `since` or later, oldest first (Rule 5). */
  entries(since = -Infinity): ReplayEntry[] {
    const out: ReplayEntry[] = [];
    for (const [key, seenAt] of this.seenAt) {
      if (seenAt < since) continue;
      const tag = new Uint8Array(key.length);
      for (let i = 0; i < key.length; i++) tag[i] = key.charCodeAt(i);
      out.push({ tag, seenAt });
    }
    return out;
  }

  /**
   * Puts saved entries back into an empty cache (Rule 5). A time after `now` counts as `now`
   * (Rule 3: the clock stepped back across the restart); a tag given twice keeps its first
   * sighting (Rule 4). Entries are values from disk, so bad ones are dropped, not thrown on.
   */
  restore(entries: readonly ReplayEntry[], now: number): ReplayRestoreResult {
    if (this.seenAt.size > 0) throw new ReplayCacheError('restore: the cache is not empty');
    this.flush(now);
    const live = entries
      .filter((e) => e.tag instanceof Uint8Array && e.tag.length > 0 && Number.isFinite(e.seenAt))
      .map((e) => ({ tag: e.tag, seenAt: Math.min(e.seenAt, this.latest) }))
      .filter((e) => this.latest - e.seenAt < this.maxAgeMs)
      .sort((a, b) => a.seenAt - b.seenAt);
    const unique = new Map<string, number>();
    for (const { tag, seenAt } of live) {
      const key = String.fromCharCode(...tag);
      if (!unique.has(key)) unique.set(key, seenAt);
    }
    // Map order is insertion order, which is ascending seenAt: keep the newest `capacity`.
    let skip = unique.size - this.capacity;
    for (const [key, seenAt] of unique) {
      if (skip-- > 0) continue;
      this.seenAt.set(key, seenAt);
    }
    return { restored: this.seenAt.size, dropped: entries.length - this.seenAt.size };
  }

  /** Forgets everything: for a rotation of the relay's X25519 key (Rule 2; not done yet). */
  clear(): void {
    this.seenAt.clear();
  }
}
