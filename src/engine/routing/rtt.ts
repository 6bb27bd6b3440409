/**
 * The acknowledgement timeout, learned from round trips (RFC 6298, as TCP computes its
 * retransmission timeout): a sender waits for an ack about as long as acks take to come
 * back, not a fixed guess.
 *
 * Theory of operation. Every ack of a message that was sent once gives one sample R: the
 * time from that attempt to the ack (Karn's rule: after a retry we cannot tell which
 * attempt an ack answers, so such acks give no sample). Then, as RFC 6298 §2:
 *
 *   first sample:  SRTT = R, RTTVAR = R / 2
 *   later:         RTTVAR = 3/4 · RTTVAR + 1/4 · |SRTT − R|;  SRTT = 7/8 · SRTT + 1/8 · R
 *   timeout      = clamp(SRTT + 4 · RTTVAR, min, max)   (before any sample: the initial one)
 *
 * Every path is new, so the samples come from different relays: the variance term is
 * what absorbs that, as it absorbs a changing route under TCP.
 */
import type { Random } from '../random.js';

export class RttEstimator {
  private srtt: number | undefined;
  private rttvar = 0;

  constructor(
    private readonly initialMs: number,
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** One round trip of an attempt that was not retried (Karn's rule). */
  sample(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) return;
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /** How long to wait for the ack of a first attempt. */
  timeoutMs(): number {
    if (this.srtt === undefined) return this.initialMs;
    const rto = Math.ceil(this.srtt + 4 * this.rttvar);
    return Math.min(this.maxMs, Math.max(this.minMs, rto));
  }

  /** The smoothed round trip (ms), or undefined before the first sample. */
  get smoothedMs(): number | undefined {
    return this.srtt;
  }
}

/** A wait drawn uniformly from ±jitterPercent % of `ms`, at least 1 ms (one draw). */
export function jitteredMs(ms: number, jitterPercent: number, random: Random): number {
  const spread = jitterPercent / 100;
  return Math.max(1, Math.round(ms * (1 - spread + 2 * spread * random.next())));
}
