/**
 * A daemon's memory under a one-peer flood stays bounded (issue 8 #3): bench/flood.ts at CI
 * size — a few seconds of control frames, garbage onion packets and links ended by bad bytes
 * from one hostile identity — and the daemon's peak RSS stays under twice its idle RSS plus
 * 100 MiB. Memory, not speed: nothing here depends on how fast this machine is. Daemon on
 * 127.0.18.2.
 */
import { describe, expect, it } from 'vitest';
import { runFlood } from '../../bench/flood.js';

describe('a one-peer flood against a real daemon', () => {
  it('peak RSS < 2 × idle + 100 MiB, every phase reached the daemon, and it drops what it must', async () => {
    const report = (await runFlood({ durationMs: 6_000, block: 18 })) as {
      rssMiB: { idle: number; peak: number; boundMiB: number };
      frames: {
        sent: Record<string, number>;
        daemon: {
          received: number;
          onionRejected: number;
          closedByTransport: Record<string, number>;
        };
      };
    };
    const { rssMiB, frames } = report;
    expect(rssMiB.idle).toBeGreaterThan(0);
    expect(rssMiB.peak).toBeLessThan(2 * rssMiB.idle + 100);
    expect(frames.sent['control']).toBeGreaterThan(0);
    expect(frames.daemon.received).toBeGreaterThan(0);
    expect(frames.daemon.onionRejected).toBeGreaterThan(0);
    expect(frames.daemon.closedByTransport['frame-too-large']).toBeGreaterThan(0);
    expect(frames.daemon.closedByTransport['decrypt-failed']).toBeGreaterThan(0);
  }, 120_000);
});
