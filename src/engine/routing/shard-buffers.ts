/**
 * The target's buffers of sharded messages not yet rebuilt (DESIGN.md §3 "Shards"): the
 * shards that arrived per (sender, message ID), until k of one split rebuild the message
 * (receiver.ts does the checking, rebuilding, delivering and acknowledging).
 *
 * One message ID may arrive as shards of more than one split: a sender that restarted
 * splits the message again, under a fresh key, and sends the new shards with the same ID.
 * So a buffer keeps every distinct shard, not one per index, and the receiver groups them
 * by the tag list they commit to (shards/split.ts `commitsTo`).
 *
 * Rules:
 * 1. Bounded (STYLE.md #5): at most `capacity` messages; a new one at capacity evicts the
 *    oldest, counted in `evictions`. A buffer holds at most SHARD_BUFFER_SHARDS_MAX
 *    distinct shards ('full' beyond); the receiver admits only n ≤ SHARDS_PER_MESSAGE_MAX
 *    and bodies ≤ ROUTING_BODY_MAX, so a shard is at most SHARD_BODY_MAX bytes.
 * 2. Expiry: a buffer lives `maxAgeMs` from its first shard, counted in `expired`. Map order
 *    is creation order, and a clock that steps back counts as standing still, so a flush
 *    stops at the first young buffer.
 * 3. A shard equal to one held (a resend) is a 'duplicate' and is not kept twice.
 * 4. Losing a buffer (eviction, expiry) is safe: the acks tell the sender what the target
 *    holds, and it resends the rest (shard-sender.ts).
 */
import { equalBytes } from '../crypto/check.js';
import type { Shard } from '../shards/codec.js';
import type { Millis } from '../types.js';
import { SHARDS_PER_MESSAGE_MAX } from './config.js';

/** Distinct shards one buffer keeps: two whole splits (a sender that restarted once). */
export const SHARD_BUFFER_SHARDS_MAX = 2 * SHARDS_PER_MESSAGE_MAX;

export interface ShardBuffer {
  /** Distinct shards, in arrival order. */
  readonly shards: Shard[];
  readonly createdAt: Millis;
}

export type AddVerdict = 'added' | 'duplicate' | 'full';

export class ShardBuffers {
  /** Buffer key → buffer; Map order is creation order (Rule 2). */
  private readonly buffers = new Map<string, ShardBuffer>();
  private latest = -Infinity;
  evictions = 0;
  expired = 0;

  constructor(
    readonly capacity: number,
    readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.buffers.size;
  }

  /** Adds `shard` to the buffer of `key`, creating it (Rule 1) if needed. */
  add(key: string, shard: Shard, now: Millis): { verdict: AddVerdict; buffer: ShardBuffer } {
    this.flush(now);
    let buffer = this.buffers.get(key);
    if (buffer === undefined) {
      if (this.buffers.size >= this.capacity) {
        const oldest = this.buffers.keys().next();
        if (oldest.done !== true) this.buffers.delete(oldest.value);
        this.evictions += 1;
      }
      buffer = { shards: [], createdAt: this.latest };
      this.buffers.set(key, buffer);
    }
    if (buffer.shards.some((held) => sameShard(held, shard)))
      return { verdict: 'duplicate', buffer };
    if (buffer.shards.length >= SHARD_BUFFER_SHARDS_MAX) return { verdict: 'full', buffer };
    buffer.shards.push(shard);
    return { verdict: 'added', buffer };
  }

  /** Forgets the buffer of `key` (its message was delivered, or its sender is broken). */
  remove(key: string): void {
    this.buffers.delete(key);
  }

  /** Buffers aged maxAgeMs or more at `now` are dropped (Rule 2). */
  flush(now: Millis): void {
    if (now > this.latest) this.latest = now;
    for (const [key, buffer] of this.buffers) {
      if (this.latest - buffer.createdAt < this.maxAgeMs) break;
      this.buffers.delete(key);
      this.expired += 1;
    }
  }
}

/** The set of shard indexes among `shards`, as a bit mask (bit i: shard i). */
export function indexMask(shards: readonly Shard[]): number {
  let mask = 0;
  for (const shard of shards) mask |= 1 << shard.index;
  return mask;
}

/** How many distinct indexes a mask holds. */
export function maskSize(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count += 1;
  return count;
}

function sameShard(a: Shard, b: Shard): boolean {
  return (
    a.index === b.index &&
    a.n === b.n &&
    a.k === b.k &&
    a.messageBytes === b.messageBytes &&
    equalBytes(a.keyShare, b.keyShare) &&
    equalBytes(a.fragment, b.fragment) &&
    equalBytes(a.tags, b.tags)
  );
}
