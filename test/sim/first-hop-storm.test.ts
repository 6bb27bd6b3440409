/**
 * A retry storm the swarm found (README "Swarm testing", session 12): with every relay in
 * its sample dead, a sender retried at once after each refused dial to its first hop — 21
 * tries in one second for one message, 24,286 in the run. Since, a message retries at once
 * at most firstHopRetriesAtOnce times in a row, then every directoryPollMs
 * (routing/config.ts; the unit test is test/routing/first-hop-retries.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING } from '../../src/engine/routing/config.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const FILE = 'test/sim/fixtures/swarm-51-sample-9.yaml';

describe('first-hop retries when every first hop is dead', () => {
  it('stay at about one a second per message, never a storm', () => {
    const scenario = parseScenario(readFileSync(FILE, 'utf8'), FILE);
    const shards = scenario.workload.shards?.n ?? 1;
    /** First-hop retries by (node, message, second). */
    const perSecond = new Map<string, number>();
    const { summary } = runScenario(scenario, {
      onTrace: (node, event, now) => {
        if (event.type !== 'messageAttempt' || event.reason !== 'first-hop-unreachable') return;
        const key = `${node}/${event.messageId}/${Math.floor(now / 1_000)}`;
        perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
      },
    });
    const counts = [...perSecond.values()];
    expect(counts.length).toBeGreaterThan(100); // the case still has dead first hops to retry
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeLessThan(2); // 12 and more before the fix
    // Each shard: at most the tries at once plus one poll in a second.
    expect(Math.max(...counts)).toBeLessThanOrEqual(
      shards * (DEFAULT_ROUTING.firstHopRetriesAtOnce + 1),
    );
    expect(summary.delivery.ratio).toBeGreaterThan(0.85);
  }, 60_000);
});
