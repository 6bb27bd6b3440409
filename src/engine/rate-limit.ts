/**
 * A token bucket (issue 8 #3: the per-link rate of control messages). Pure: the time of
 * every call is passed in, as everywhere in the engine.
 *
 * Theory of operation. The bucket holds up to `burst` tokens and gains `ratePerS` tokens a
 * second; each admitted frame takes one. So over any interval of `t` ms, starting full, it
 * admits at most `burst + ratePerS × t / 1000` frames — the bound the property test checks.
 *
 * Rules:
 * - Integer arithmetic only: tokens are counted in thousandths (`MILLI`), and one ms of
 *   time adds exactly `ratePerS` of them, so there is no rounding drift and the simulator
 *   stays byte-identical for a seed.
 * - Time that goes backwards (a wall clock stepped back under the daemon) adds nothing; the
 *   bucket measures from the new time on. Time that jumps forward can only fill it to
 *   `burst`, never beyond.
 */
import type { Millis } from './types.js';

/** Thousandths of a token: a token per second is exactly one of these per millisecond. */
const MILLI = 1_000;

export interface RateLimit {
  /** Tokens gained per second (sustained rate). */
  ratePerS: number;
  /** Most tokens held at once (the largest burst admitted). */
  burst: number;
}

/**
 * A bucket's state, as fields of its owner: a link keeps its control bucket in itself, so
 * taking a token reads no other object (a frame's cost in a large simulation is the cache
 * lines it touches).
 */
export interface TokenCount {
  /** In thousandths of a token. */
  milliTokens: number;
  /** When the count was last brought up to date. */
  tokensAt: Millis;
}

/** The count of a full bucket of `burst` tokens. */
export function fullMilliTokens(burst: number): number {
  return burst * MILLI;
}

/** Takes one token from `count` if there is one; false means "over the rate", nothing taken. */
export function takeToken(
  count: TokenCount,
  ratePerS: number,
  burst: number,
  now: Millis,
): boolean {
  refill(count, ratePerS, burst, now);
  if (count.milliTokens < MILLI) return false;
  count.milliTokens -= MILLI;
  return true;
}

function refill(count: TokenCount, ratePerS: number, burst: number, now: Millis): void {
  const elapsed = now - count.tokensAt;
  count.tokensAt = now;
  if (elapsed <= 0) return;
  const cap = burst * MILLI;
  // min() first: a long silence cannot overflow, whatever the rate.
  count.milliTokens = Math.min(cap, count.milliTokens + Math.min(elapsed, cap) * ratePerS);
}

/** A bucket of its own (the tests; links keep theirs inline: TokenCount). */
export class TokenBucket implements TokenCount {
  milliTokens: number;
  tokensAt: Millis;

  constructor(
    private readonly limit: RateLimit,
    now: Millis,
  ) {
    this.milliTokens = fullMilliTokens(limit.burst);
    this.tokensAt = now;
  }

  /** Takes one token if there is one; false means "over the rate", nothing changes. */
  take(now: Millis): boolean {
    return takeToken(this, this.limit.ratePerS, this.limit.burst, now);
  }

  /** Whole tokens left at `now` (for tests and diagnostics). */
  available(now: Millis): number {
    refill(this, this.limit.ratePerS, this.limit.burst, now);
    return Math.floor(this.milliTokens / MILLI);
  }
}
