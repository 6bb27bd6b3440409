/**
 * First-hop losses in a row (config.ts firstHopRetriesAtOnce): a message whose packet cannot
 * reach its first relay retries at once, twice in a row at most; after that it tries every
 * directoryPollMs, until a packet gets past the first hop. Found by the swarm: a sample of
 * dead relays after a mass failure made a sender dial thousands of times a minute.
 */
import { describe, expect, it } from 'vitest';
import { TEST_ROUTING } from '../../src/engine/routing/index.js';
import type { Millis } from '../../src/engine/types.js';
import { lonelySender, T0 } from '../support/lonely-sender.js';

const config = TEST_ROUTING;

describe('first-hop losses in a row', () => {
  it('retries at once twice, then every directoryPollMs; a timeout starts the count again', () => {
    const { routing, packets, events, target } = lonelySender();
    const messageId = new Uint8Array(16).fill(7);
    const send = { type: 'send', messageId, to: target.id, body: new Uint8Array(3) } as const;
    routing.send({ ...send, expiresAt: T0 + 600_000 }, T0);
    expect(packets).toHaveLength(1);
    /** The latest packet's dial fails at `now`; returns when the next attempt is due. */
    const lose = (now: Millis): Millis | undefined => {
      routing.onPacketLost(packets.at(-1)!, now);
      return routing.nextDeadline();
    };
    expect(lose(T0 + 50)).toBe(T0 + 50); // the first loss: at once
    routing.tick(T0 + 50);
    expect(lose(T0 + 100)).toBe(T0 + 100); // the second in a row: at once
    routing.tick(T0 + 100);
    expect(lose(T0 + 150)).toBe(T0 + 150 + config.directoryPollMs); // the third: a pause
    routing.tick(T0 + 150 + config.directoryPollMs);
    expect(lose(T0 + 700)).toBe(T0 + 700 + config.directoryPollMs);
    expect(packets).toHaveLength(4);
    const reasons = events.flatMap((e) => (e.type === 'messageAttempt' ? [e.reason] : []));
    expect(reasons).toEqual([
      'first',
      'first-hop-unreachable',
      'first-hop-unreachable',
      'first-hop-unreachable',
    ]);

    // The next packet gets past the first hop and its ack times out: losses count from zero.
    const retryAt = T0 + 700 + config.directoryPollMs;
    routing.tick(retryAt);
    expect(packets).toHaveLength(5);
    const timeoutAt = routing.nextDeadline()!;
    expect(timeoutAt).toBeGreaterThan(retryAt + config.directoryPollMs);
    routing.tick(timeoutAt);
    expect(packets).toHaveLength(6);
    expect(lose(timeoutAt + 50)).toBe(timeoutAt + 50);
  });

  it('a sharded message resends at once twice, then polls', () => {
    const { routing, packets, target } = lonelySender();
    const messageId = new Uint8Array(16).fill(8);
    routing.send(
      {
        type: 'send',
        messageId,
        to: target.id,
        body: new Uint8Array(300),
        expiresAt: T0 + 600_000,
        shards: { n: 3, k: 3 },
      },
      T0,
    );
    expect(packets).toHaveLength(3); // one round: every shard
    const roundEndsAt = routing.nextDeadline()!;
    // k = n: any shard lost leaves the message short, so it goes again…
    routing.onPacketLost(packets[0]!, T0 + 50);
    expect(packets).toHaveLength(4); // …at once
    routing.onPacketLost(packets[3]!, T0 + 100);
    expect(packets).toHaveLength(5); // …at once, the second in a row
    routing.onPacketLost(packets[4]!, T0 + 150);
    expect(packets).toHaveLength(5); // the third: it waits
    expect(routing.nextDeadline()).toBe(Math.min(roundEndsAt, T0 + 150 + config.directoryPollMs));
    routing.tick(T0 + 150 + config.directoryPollMs);
    expect(packets).toHaveLength(6);
  });
});
