/**
 * A retry storm the swarm found (README "Swarm testing", session 12): with every relay in
 * its sample dead, a sender retried at once after each refused dial to its first hop — 21
 * tries in one second for one message, 24,286 in the run. Since, a message retries at once
 * at most firstHopRetriesAtOnce times in a row, then every directoryPollMs
 * (routing/config.ts; the unit test is test/routing/first-hop-retries.test.ts).
 *
 * The swarm's own case (fixtures/swarm-51-sample-9.yaml) no longer has dead first hops for
 * long since samples heal (directory rule 7; test/sim/sample-healing.test.ts), so this
 * fixture keeps them dead: 12 of 16 nodes crash for good, and the survivors' directories
 * hold the dead relays until their descriptors expire. Without the pacing it storms (a
 * mean of 4.4 retries per message-second, up to 14).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING } from '../../src/engine/routing/config.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const FILE = 'test/sim/fixtures/first-hop-dead.yaml';

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
    expect(mean).toBeLessThan(2); // 4.4 here, 12.4 in the swarm's case, before the fix
    // Each shard: at most the tries at once plus one poll in a second.
    expect(Math.max(...counts)).toBeLessThanOrEqual(
      shards * (DEFAULT_ROUTING.firstHopRetriesAtOnce + 1),
    );
    // Four nodes left, paths of two relays: the pacing delays no message a live path can carry.
    expect(summary.delivery.ratio).toBeGreaterThan(0.6);
  }, 60_000);
});
