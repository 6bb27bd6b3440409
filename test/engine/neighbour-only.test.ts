/**
 * Network-wide traffic (broadcasts, Plumtree control, directory sync) is accepted from
 * active neighbours only (node.ts rules; SECURITY.md, "A neighbour in the overlay"): a node
 * that merely proved its identity on a link cannot inject it until the overlay took it in.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, Output } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import { BROADCAST_ID_BYTES } from '../../src/engine/wire/limits.js';
import { handFedNode, identityOf, LinkPeer, openAuthenticatedLink } from '../support/link-peer.js';

const T0 = 1_700_000_000_000;

const eventsOf = (outputs: Output[]): EngineEvent[] =>
  outputs.flatMap((o) => (o.type === 'event' ? [o.event] : []));

function probe(origin: string, idByte: number): Uint8Array {
  return encodeMessage({
    type: 'broadcast',
    id: new Uint8Array(BROADCAST_ID_BYTES).fill(idByte),
    origin,
    expiresAt: T0 + 30_000,
    hops: 4,
    kind: 'probe',
    body: Uint8Array.of(1, 2, 3),
  });
}

describe('broadcasts are accepted from active neighbours only', () => {
  it('an authenticated non-neighbour’s broadcast is dropped; after its JOIN the same kind is delivered', () => {
    const node = handFedNode('neighbour-only');
    node.handle({ type: 'start' }, T0);
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    openAuthenticatedLink(node, alice, 1, T0);

    const before = eventsOf(
      node.handle({ type: 'frame', link: 1, bytes: probe(alice.identity.id, 1) }, T0),
    );
    expect(before).toContainEqual({ type: 'drop', what: 'broadcast-from-non-neighbour' });
    expect(before.some((e) => e.type === 'broadcastDelivered')).toBe(false);
    const chunk = encodeMessage({ type: 'directoryChunk', descriptors: [] });
    expect(eventsOf(node.handle({ type: 'frame', link: 1, bytes: chunk }, T0))).toContainEqual({
      type: 'drop',
      what: 'directoryChunk-from-non-neighbour',
    });

    const joined = eventsOf(
      node.handle({ type: 'frame', link: 1, bytes: encodeMessage({ type: 'join' }) }, T0),
    );
    expect(joined.some((e) => e.type === 'neighbourUp' && e.peer === alice.identity.id)).toBe(true);
    const after = eventsOf(
      node.handle({ type: 'frame', link: 1, bytes: probe(alice.identity.id, 2) }, T0),
    );
    expect(
      after.some((e) => e.type === 'broadcastDelivered' && e.origin === alice.identity.id),
    ).toBe(true);
    expect(after.some((e) => e.type === 'drop')).toBe(false);
  });
});
