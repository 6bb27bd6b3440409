/**
 * The daemon's clock: wall-clock time that advances at the monotonic clock's pace.
 *
 * Theory of operation. The engine has one clock for two jobs (`handle(input, at)`): the
 * deadlines of its timers, and the times it signs and checks — a descriptor's issue and
 * expiry, a message's `sentAt`, a replay tag's first sighting — which peers compare with
 * their own clocks, so it must be wall time. The wall clock can step (an NTP step, an
 * administrator's `date -s`, a virtual machine resumed). Handed to the engine as it is, a
 * step forward fires every timer at once and dates everything we sign in the future, so
 * peers refuse it; a step back stalls every timer for as long as the step (the runtime waits
 * until `now` reaches the next deadline), so for hours no retry, heartbeat or refresh runs.
 *
 * So the daemon reads the wall clock once, when it starts, and from then on adds the
 * monotonic clock's elapsed time (CLOCK_MONOTONIC: slewed by NTP like the wall clock, never
 * stepped). Steps of the wall clock while the daemon runs are ignored; they are measured
 * (`skewMs`, wall clock minus ours) so the daemon can say so (daemon.ts logs it and `status`
 * shows it). A restart adopts the wall clock as it is then: restart the daemon after a
 * clock that was wrong has been corrected.
 */
import { CLOCK_SKEW_WARN_MS } from './limits.js';

export interface DaemonClockOptions {
  /** Default Date.now. */
  wall?: () => number;
  /** Milliseconds from any fixed origin, never stepped; default performance.now. */
  monotonic?: () => number;
}

export class DaemonClock {
  private readonly wall: () => number;
  private readonly monotonic: () => number;
  private readonly wallAtStart: number;
  private readonly monotonicAtStart: number;
  /** The skew last reported by `skewChange`. */
  private reportedSkewMs = 0;

  constructor(options: DaemonClockOptions = {}) {
    this.wall = options.wall ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.wallAtStart = this.wall();
    this.monotonicAtStart = this.monotonic();
  }

  /** Now, in wall-clock milliseconds as of the start, advanced monotonically. */
  readonly now = (): number =>
    Math.floor(this.wallAtStart + (this.monotonic() - this.monotonicAtStart));

  /** How far the wall clock is from ours: how much it stepped since the start (+ ahead). */
  skewMs(): number {
    return this.wall() - this.now();
  }

  /**
   * The skew, if it moved by more than CLOCK_SKEW_WARN_MS since it was last reported (or
   * since the start); null otherwise. For one log line per step, not one per check.
   */
  skewChange(): number | null {
    const skew = this.skewMs();
    if (Math.abs(skew - this.reportedSkewMs) <= CLOCK_SKEW_WARN_MS) return null;
    this.reportedSkewMs = skew;
    return skew;
  }
}
