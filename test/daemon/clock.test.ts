/**
 * The daemon's clock (src/daemon/clock.ts): wall time as of the start, advanced by the
 * monotonic clock; steps of the wall clock are measured, never followed.
 */
import { describe, expect, it } from 'vitest';
import { DaemonClock } from '../../src/daemon/clock.js';
import { CLOCK_SKEW_WARN_MS } from '../../src/daemon/limits.js';

const HOUR = 3_600_000;

/** A wall clock and a monotonic clock the test moves by hand. */
function clocks(wallStart = 1_700_000_000_000) {
  const t = { wall: wallStart, mono: 5_000 };
  const clock = new DaemonClock({ wall: () => t.wall, monotonic: () => t.mono });
  const pass = (ms: number) => {
    t.wall += ms;
    t.mono += ms;
  };
  return { t, clock, pass };
}

describe('DaemonClock', () => {
  it('starts at the wall clock and advances with the monotonic clock', () => {
    const { clock, pass } = clocks();
    expect(clock.now()).toBe(1_700_000_000_000);
    pass(1_234);
    expect(clock.now()).toBe(1_700_000_001_234);
    expect(clock.skewMs()).toBe(0);
  });

  it('a wall clock stepped forward or back moves neither now nor the pace; the skew shows it', () => {
    const { t, clock, pass } = clocks();
    pass(1_000);
    t.wall += 2 * HOUR;
    expect(clock.now()).toBe(1_700_000_001_000);
    expect(clock.skewMs()).toBe(2 * HOUR);
    pass(500);
    t.wall -= 4 * HOUR;
    expect(clock.now()).toBe(1_700_000_001_500);
    expect(clock.skewMs()).toBe(-2 * HOUR);
  });

  it('never goes back, whatever the wall clock does', () => {
    const { t, clock } = clocks();
    let last = clock.now();
    for (let i = 0; i < 100; i++) {
      t.wall += (i % 2 === 0 ? -1 : 1) * i * HOUR;
      t.mono += i;
      const now = clock.now();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });

  it('reports a step once, and again only when the skew moves by more than the warning bound', () => {
    const { t, clock, pass } = clocks();
    pass(10_000);
    expect(clock.skewChange()).toBeNull();
    t.wall += CLOCK_SKEW_WARN_MS; // At the bound: NTP-sized, not a step.
    expect(clock.skewChange()).toBeNull();
    t.wall += 2 * HOUR;
    expect(clock.skewChange()).toBe(2 * HOUR + CLOCK_SKEW_WARN_MS);
    pass(10_000);
    expect(clock.skewChange()).toBeNull();
    t.wall -= 2 * HOUR + CLOCK_SKEW_WARN_MS;
    expect(clock.skewChange()).toBe(0);
  });
});
