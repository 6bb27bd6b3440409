/**
 * A routing layer with a fake host (test/routing): it knows a target and RELAYS relays, every
 * dial it makes is pending until the test says it failed, and it records the target holds.
 * The test may take descriptors out of `known` (expired, evicted) or revoke nodes.
 */
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { signDescriptor, type Descriptor } from '../../src/engine/directory/records.js';
import { Routing, TEST_ROUTING, type RoutingHost } from '../../src/engine/routing/index.js';
import type { EngineEvent } from '../../src/engine/types.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { seededIdentity } from './identities.js';

export const T0 = 1_000_000;
const RELAYS = 10;

/** A sender that knows a target and RELAYS relays; every dial fails (the test says when). */
export function lonelySender() {
  const descriptorOf = (seed: number): Descriptor =>
    signDescriptor(modelledSuite, seededIdentity(modelledSuite, seed), {
      address: `10.0.0.${seed}:7000`,
      relay: true,
      issued: T0,
      expires: T0 + 3_600_000,
    });
  const known = new Map<string, Descriptor>();
  for (let seed = 2; seed < 3 + RELAYS; seed++) {
    const descriptor = descriptorOf(seed);
    known.set(descriptor.id, descriptor);
  }
  const target = descriptorOf(2);
  const packets: Uint8Array[] = [];
  const events: EngineEvent[] = [];
  /** Holds on targets of pending messages (RoutingHost.holdTarget), by target. */
  const holds = new Map<string, number>();
  /** Nodes whose revocation the directory holds (RoutingHost.revoked). */
  const revoked = new Set<string>();
  const host: RoutingHost = {
    identity: seededIdentity(modelledSuite, 1),
    address: '10.0.0.1:7000',
    crypto: modelledSuite,
    descriptor: (id) => known.get(id),
    revoked: (id) => revoked.has(id),
    relays: () => [...known.values()].filter((d) => d.id !== target.id),
    sendPacket: (_id, _address, packet) => {
      packets.push(packet);
      return 'dialing';
    },
    event: (event) => events.push(event),
    deliver: () => undefined,
    holdTarget: (id) => void holds.set(id, (holds.get(id) ?? 0) + 1),
    releaseTarget: (id) => void holds.set(id, (holds.get(id) ?? 0) - 1),
  };
  const routing = new Routing(host, TEST_ROUTING, new SeededRandomSource('first-hop'));
  return { routing, packets, events, target, holds, known, revoked };
}
