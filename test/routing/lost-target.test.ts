/**
 * A pending message keeps its target's descriptor when the directory loses it mid-message
 * (PendingTable.target, src/engine/routing/pending.ts): expired or evicted, it still names
 * the target's keys, so retries go on. Before, the sender waited as unknown-destination
 * until the message expired (swarm seed 214). A revocation ends it: the target left.
 */
import { describe, expect, it } from 'vitest';
import { lonelySender, T0 } from '../support/lonely-sender.js';

const body = new Uint8Array(3);
const messageId = new Uint8Array(16).fill(7);
const SHARDS = { n: 2, k: 1 };

/** Sends one message, lets its first attempt go, then takes the target out of the directory. */
function sendThenLoseTarget(sharded: boolean, revoke: boolean) {
  const sender = lonelySender();
  const { routing, target, known, revoked, packets, events } = sender;
  const expiresAt = T0 + 120_000;
  const to = target.id;
  routing.send(
    { type: 'send', messageId, to, body, expiresAt, ...(sharded ? { shards: SHARDS } : {}) },
    T0,
  );
  routing.tick(T0);
  const beforeLoss = packets.length;
  known.delete(to);
  if (revoke) revoked.add(to);
  for (let now = T0 + 1_000; now <= expiresAt + 1_000; now += 1_000) routing.tick(now);
  const failed = events.filter((e) => e.type === 'messageFailed');
  return { beforeLoss, afterLoss: packets.length - beforeLoss, failed };
}

describe('a pending message whose target leaves the directory', () => {
  for (const sharded of [false, true]) {
    const kind = sharded ? 'sharded' : 'plain';

    it(`keeps retrying to the descriptor it had (${kind})`, () => {
      const { beforeLoss, afterLoss, failed } = sendThenLoseTarget(sharded, false);
      expect(beforeLoss).toBeGreaterThan(0);
      // Every dial stays pending and no ack comes: the ack timeouts bring retries.
      expect(afterLoss).toBeGreaterThan(0);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ reason: 'expired' });
    });

    it(`stops at a revocation of the target (${kind})`, () => {
      const { beforeLoss, afterLoss, failed } = sendThenLoseTarget(sharded, true);
      expect(beforeLoss).toBeGreaterThan(0);
      expect(afterLoss).toBe(0);
      expect(failed).toHaveLength(1);
    });
  }
});
