/**
 * The data plane is built on first use (src/engine/routing/index.ts): a node that never
 * sends or relays a message keeps only its suspect list, and reads exactly as if it had
 * built a fresh data plane. The simulator's trace hashes check the same end to end.
 */
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import type { RandomSource } from '../../src/engine/random.js';
import { Routing, TEST_ROUTING, type RoutingHost } from '../../src/engine/routing/index.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { seededIdentity } from '../support/identities.js';

/** A host that fails the test if an idle data plane reaches it. */
function idleHost(): RoutingHost {
  const untouched = (): never => {
    throw new Error('an idle data plane used its host');
  };
  return {
    identity: seededIdentity(modelledSuite, 1),
    address: '10.0.0.1:7000',
    crypto: modelledSuite,
    descriptor: untouched,
    relays: untouched,
    sendPacket: untouched,
    event: untouched,
    deliver: untouched,
    revoked: untouched,
    holdTarget: untouched,
    releaseTarget: untouched,
  };
}

/** Counts the streams forked: the data plane forks its streams when it is built. */
function countingRandom(): { random: RandomSource; forks: () => number } {
  const root = new SeededRandomSource('data-plane');
  let forks = 0;
  return {
    random: {
      fork: (label) => {
        forks += 1;
        return root.fork(label);
      },
    },
    forks: () => forks,
  };
}

describe('routing data plane, built on first use', () => {
  it('an idle node builds nothing: no deadline, no-op ticks, suspects still kept', () => {
    const { random, forks } = countingRandom();
    const routing = new Routing(idleHost(), TEST_ROUTING, random);
    const peer = seededIdentity(modelledSuite, 2).id;
    routing.tick(1_000);
    routing.onPacketLost(new Uint8Array(8), 1_000);
    routing.failAll('node-left');
    routing.onUnreachable(peer, 1_000);
    routing.checkInvariants();
    expect(routing.nextDeadline()).toBeUndefined();
    expect(routing.replayTags(0)).toEqual([]);
    expect(routing.restoreReplayTags([], 1_000)).toEqual({ restored: 0, dropped: 0 });
    expect(routing.suspects.size).toBe(1);
    expect(forks()).toBe(0);
  });

  it("an idle node's counters are a fresh data plane's, and reading them keeps nothing", () => {
    const idle = countingRandom();
    const routing = new Routing(idleHost(), TEST_ROUTING, idle.random);
    const built = new Routing(idleHost(), TEST_ROUTING, countingRandom().random);
    void built.sender; // first use
    expect(routing.counters()).toEqual(built.counters());
    const forksForCounters = idle.forks();
    expect(forksForCounters).toBeGreaterThan(0);
    expect(routing.nextDeadline()).toBeUndefined();
    void routing.relay; // the real first use builds again
    expect(idle.forks()).toBe(2 * forksForCounters);
  });

  it('saved replay tags build the relay and come back out', () => {
    const { random, forks } = countingRandom();
    const routing = new Routing(idleHost(), TEST_ROUTING, random);
    const tag = new Uint8Array(16).fill(9);
    expect(routing.restoreReplayTags([{ tag, seenAt: 500 }], 1_000)).toEqual({
      restored: 1,
      dropped: 0,
    });
    expect(forks()).toBeGreaterThan(0);
    expect(routing.replayTags(0)).toEqual([{ tag, seenAt: 500 }]);
  });
});
