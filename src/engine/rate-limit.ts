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

export class TokenBucket {
  /** In thousandths of a token. */
  private milliTokens: number;
  private last: Millis;

  constructor(
    private readonly limit: RateLimit,
    now: Millis,
  ) {
    this.milliTokens = limit.burst * MILLI;
    this.last = now;
  }

  /** Takes one token if there is one; false means "over the rate", nothing changes. */
  take(now: Millis): boolean {
    this.refill(now);
    if (this.milliTokens < MILLI) return false;
    this.milliTokens -= MILLI;
    return true;
  }

  /** Whole tokens left at `now` (for tests and diagnostics). */
  available(now: Millis): number {
    this.refill(now);
    return Math.floor(this.milliTokens / MILLI);
  }

  private refill(now: Millis): void {
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed <= 0) return;
    const cap = this.limit.burst * MILLI;
    // min() first: a long silence cannot overflow, whatever the rate.
    this.milliTokens = Math.min(
      cap,
      this.milliTokens + Math.min(elapsed, cap) * this.limit.ratePerS,
    );
  }
}
