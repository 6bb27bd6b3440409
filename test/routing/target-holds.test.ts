/**
 * The routing layer holds a pending message's target (RoutingHost.holdTarget) from the send
 * to its answer, once per message, for both senders; the node pins the target's descriptor
 * meanwhile (src/engine/directory/pins.ts, test/directory/pins.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { lonelySender, T0 } from '../support/lonely-sender.js';

const body = new Uint8Array(3);
const id = (n: number): Uint8Array => new Uint8Array(16).fill(n);

describe('target holds', () => {
  it('one per pending message, released as each expires (plain and sharded)', () => {
    const { routing, target, holds } = lonelySender();
    const to = target.id;
    routing.send({ type: 'send', messageId: id(1), to, body, expiresAt: T0 + 60_000 }, T0);
    routing.send(
      { type: 'send', messageId: id(2), to, body, expiresAt: T0 + 90_000, shards: { n: 2, k: 1 } },
      T0,
    );
    expect(holds.get(to)).toBe(2);
    for (let now = T0; now <= T0 + 60_000; now += 1_000) routing.tick(now);
    expect(holds.get(to)).toBe(1);
    for (let now = T0 + 60_000; now <= T0 + 90_000; now += 1_000) routing.tick(now);
    expect(holds.get(to)).toBe(0);
  });

  it('refused sends hold nothing, and leaving releases every hold', () => {
    const { routing, target, holds } = lonelySender();
    const to = target.id;
    routing.send({ type: 'send', messageId: id(3), to, body, expiresAt: T0 }, T0); // expired
    routing.send(
      { type: 'send', messageId: id(4), to, body: new Uint8Array(100_000), expiresAt: T0 + 1 },
      T0,
    ); // too large
    expect(holds.get(to) ?? 0).toBe(0);
    routing.send({ type: 'send', messageId: id(5), to, body, expiresAt: T0 + 60_000 }, T0);
    routing.send({ type: 'send', messageId: id(5), to, body, expiresAt: T0 + 60_000 }, T0); // again
    expect(holds.get(to)).toBe(1);
    routing.failAll('leaving');
    expect(holds.get(to)).toBe(0);
  });
});
