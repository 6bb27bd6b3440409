/**
 * The relay's choice of the next hop's address (src/engine/routing/relay.ts): its own
 * directory's when it holds the next hop's descriptor, else the address the sender wrote
 * in the slot (onion/hop-address.ts), else none — then the packet is dropped as
 * 'next-hop-unknown'. With sampled directories the second case is the common one.
 */
import { describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/engine/base32.js';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import type { Descriptor } from '../../src/engine/directory/records.js';
import type { Identity } from '../../src/engine/identity.js';
import { buildPacket } from '../../src/engine/onion/index.js';
import { TEST_ROUTING, type RoutingHost } from '../../src/engine/routing/index.js';
import { Relay } from '../../src/engine/routing/relay.js';
import type { EngineEvent, NodeId } from '../../src/engine/types.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { seededIdentity } from '../support/identities.js';

const NOW = 1_000;
const relay = seededIdentity(modelledSuite, 1);
const next = seededIdentity(modelledSuite, 2);

/** A relay whose directory holds `known`; what it sends and the events it reports. */
function relayKnowing(known: Map<NodeId, string>) {
  const sent: { id: NodeId; address: string | undefined }[] = [];
  const events: EngineEvent[] = [];
  const host: RoutingHost = {
    identity: relay,
    address: '10.0.0.1:7000',
    crypto: modelledSuite,
    descriptor: (id) =>
      known.has(id) ? ({ id, address: known.get(id) } as unknown as Descriptor) : undefined,
    relays: () => [],
    sendPacket: (id, address) => {
      sent.push({ id, address });
      return address === undefined ? 'no-address' : 'dialing';
    },
    event: (event) => events.push(event),
    deliver: () => {
      throw new Error('nothing is for the relay');
    },
    revoked: () => false,
    holdTarget: () => undefined,
    releaseTarget: () => undefined,
  };
  return { relay: new Relay(host, TEST_ROUTING, () => undefined), sent, events };
}

/** A packet through the relay to `next`, whose address the sender writes as `address`. */
function packetVia(address: string | undefined): Uint8Array {
  const hop = (identity: Identity, at?: string) => ({
    id: base32Decode(identity.id) as Uint8Array,
    dhPublic: identity.dhPublic,
    ...(at === undefined ? {} : { address: at }),
  });
  const path = [hop(relay), hop(next, address)];
  return buildPacket(modelledSuite, new AleaRandom('relay'), path, Uint8Array.of(1, 2, 3)).packet;
}

describe('relay: the next hop address', () => {
  it("uses the sender's address when its directory lacks the next hop", () => {
    const r = relayKnowing(new Map());
    r.relay.onPacket(packetVia('10.0.0.2:7000'), NOW);
    expect(r.sent).toEqual([{ id: next.id, address: '10.0.0.2:7000' }]);
    expect(r.relay.forwarded).toBe(1);
    expect(r.events).toEqual([]);
  });

  it("prefers its own directory's address (signed by the node) to the sender's", () => {
    const r = relayKnowing(new Map([[next.id, '10.9.9.9:7000']]));
    r.relay.onPacket(packetVia('10.0.0.2:7000'), NOW);
    expect(r.sent).toEqual([{ id: next.id, address: '10.9.9.9:7000' }]);
    expect(r.relay.forwarded).toBe(1);
  });

  it('drops the packet when neither knows an address (a host name is not carried)', () => {
    const r = relayKnowing(new Map());
    r.relay.onPacket(packetVia('relay.example:7000'), NOW);
    expect(r.sent).toEqual([{ id: next.id, address: undefined }]);
    expect(r.relay.forwarded).toBe(0);
    expect(r.events).toEqual([{ type: 'packetDropped', reason: 'next-hop-unknown' }]);
  });
});
