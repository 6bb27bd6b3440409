/**
 * The SIGKILL loop at CI size (issue 8 item 4; the 1,000-send campaign is bench/sigkill.ts):
 * five real daemons, 80 seed PUSHes and PULLs, a daemon SIGKILLed and restarted every few
 * seconds (at least four times). Every SUCCESS-acknowledged message is pulled at its target
 * exactly once — or twice if its first copy was in the response to a PULL the daemon was
 * killed under before marking it read (the seed's PULL has no client ack; `repulledAfterKill`).
 * Daemons on 127.0.150.x. `SIGKILL_SEED=<seed>` replays another plan.
 */
import { describe, expect, it } from 'vitest';
import { runSigkillLoop, SIGKILL_LOOP_DEFAULTS } from './sigkill-loop.js';

const SEED = process.env['SIGKILL_SEED'] ?? 'ci-1';

describe('daemons SIGKILLed at random moments', () => {
  it('every SUCCESS-acknowledged message is delivered exactly once, none lost', async () => {
    const lines: string[] = [];
    const report = await runSigkillLoop({
      seed: SEED,
      ...SIGKILL_LOOP_DEFAULTS,
      block: 150,
      sends: 80,
      sendGapMs: [20, 300],
      killsMin: 4,
      drainMaxMs: 100_000,
      log: (line) => lines.push(line),
    });
    const context =
      `seed ${SEED} (replay: SIGKILL_SEED=${SEED}): ${JSON.stringify(report)}\n` + lines.join('\n');
    // The loop did what it claims: kills happened and most PUSHes were acknowledged.
    expect(report.kills, context).toBeGreaterThanOrEqual(4);
    expect(report.acknowledged, context).toBeGreaterThan(report.sent / 2);
    expect(report.lost, context).toBe(0);
    expect(report.duplicated, context).toBe(0);
    expect(report.misdelivered, context).toBe(0);
    expect(report.unknown, context).toBe(0);
    expect(report.delivered, context).toBe(report.acknowledged);
  }, 170_000);
});
