/**
 * A shuffle walk's forwarder passes the frame on as it came with one TTL less
 * (transientShuffleWithTtl): the bytes it sends are exactly the encoding of the shuffle it
 * received with ttl − 1, and the walk ends (a reply to the origin) at TTL 1.
 */
import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/engine/node.js';
import type { Output } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import type { Message } from '../../src/engine/wire/messages.js';
import { handFedNode, identityOf, LinkPeer, openAuthenticatedLink } from '../support/link-peer.js';

const T0 = 1_700_000_000_000;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const sentOn = (outputs: Output[], link: number): Uint8Array[] =>
  outputs.flatMap((o) => (o.type === 'send' && o.link === link ? [o.bytes] : []));

/** A started node with alice (link 1) and bob (link 2) as its only neighbours. */
function nodeWithTwoNeighbours(): { node: Node; alice: LinkPeer; bob: LinkPeer } {
  const node = handFedNode('shuffle-forward');
  node.handle({ type: 'start' }, T0);
  const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
  const bob = new LinkPeer(identityOf('bob'), '10.0.0.3:7000');
  for (const [peer, link] of [
    [alice, 1],
    [bob, 2],
  ] as const) {
    openAuthenticatedLink(node, peer, link, T0);
    node.handle({ type: 'frame', link, bytes: encodeMessage({ type: 'join' }) }, T0);
  }
  return { node, alice, bob };
}

describe('shuffle forwarding', () => {
  it('passes the received frame on to the other neighbour with one TTL less', () => {
    const { node } = nodeWithTwoNeighbours();
    const origin = { id: identityOf('carol').id, address: '10.0.0.4:7000' };
    const shuffle: Extract<Message, { type: 'shuffle' }> = {
      type: 'shuffle',
      origin,
      ttl: 4,
      entries: [origin, { id: identityOf('dave').id, address: '10.0.0.5:7000' }],
    };
    const received = Buffer.from(encodeMessage(shuffle)); // the transport's Buffer
    const before = hex(received);
    const outputs = node.handle({ type: 'frame', link: 1, bytes: received }, T0 + 1);
    expect(sentOn(outputs, 2).map(hex)).toEqual([hex(encodeMessage({ ...shuffle, ttl: 3 }))]);
    expect(sentOn(outputs, 1)).toEqual([]);
    expect(hex(received)).toBe(before);
  });

  it('ends the walk at TTL 1: no forward, a dial to answer the origin', () => {
    const { node } = nodeWithTwoNeighbours();
    const origin = { id: identityOf('carol').id, address: '10.0.0.4:7000' };
    const shuffle: Message = { type: 'shuffle', origin, ttl: 1, entries: [origin] };
    const outputs = node.handle({ type: 'frame', link: 1, bytes: encodeMessage(shuffle) }, T0 + 1);
    expect(sentOn(outputs, 2)).toEqual([]);
    expect(outputs).toContainEqual(
      expect.objectContaining({ type: 'dial', address: origin.address }),
    );
  });
});
