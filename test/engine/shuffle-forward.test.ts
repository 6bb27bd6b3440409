/**
 * Shuffle walks and their replies (hyparview.ts, walks.ts). A walk's forwarder passes the
 * frame on as it came with one TTL less (transientShuffleWithTtl): the bytes it sends are
 * exactly the encoding of the shuffle it received with ttl − 1. The walk ends at TTL 1 with
 * a reply on the link the walk came by, and a forwarder passes a reply back along the walk's
 * path, as it came, once, and only from the node it passed the walk on to. The origin takes
 * a reply only for a walk of its own.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERLAY } from '../../src/engine/overlay/config.js';
import type { Node } from '../../src/engine/node.js';
import type { Output } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import type { Message, PeerEntry } from '../../src/engine/wire/messages.js';
import {
  handFedNode,
  identityOf,
  LinkPeer,
  messageOf,
  openAuthenticatedLink,
} from '../support/link-peer.js';

const T0 = 1_700_000_000_000;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const sentOn = (outputs: Output[], link: number): Uint8Array[] =>
  outputs.flatMap((o) => (o.type === 'send' && o.link === link ? [o.bytes] : []));

const entryOf = (name: string, host: number): PeerEntry => ({
  id: identityOf(name).id,
  address: `10.0.0.${host}:7000`,
});

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

const frame = (node: Node, link: number, message: Message, at: number): Output[] =>
  node.handle({ type: 'frame', link, bytes: encodeMessage(message) }, at);

const carol = entryOf('carol', 4);
const walkFromCarol = (ttl: number): Extract<Message, { type: 'shuffle' }> => ({
  type: 'shuffle',
  origin: carol,
  ttl,
  walk: 0xdeadbeef,
  entries: [carol, entryOf('dave', 5)],
});
const replyTo = (walk: number, entries: PeerEntry[]): Message => ({
  type: 'shuffleReply',
  walk,
  replier: entryOf('erin', 6),
  entries,
});

describe('shuffle walks', () => {
  it('passes the received frame on to the other neighbour with one TTL less', () => {
    const { node } = nodeWithTwoNeighbours();
    const shuffle = walkFromCarol(4);
    const received = Buffer.from(encodeMessage(shuffle)); // the transport's Buffer
    const before = hex(received);
    const outputs = node.handle({ type: 'frame', link: 1, bytes: received }, T0 + 1);
    expect(sentOn(outputs, 2).map(hex)).toEqual([hex(encodeMessage({ ...shuffle, ttl: 3 }))]);
    expect(sentOn(outputs, 1)).toEqual([]);
    expect(hex(received)).toBe(before);
  });

  it('ends the walk at TTL 1 with a reply on the link it came by, and dials nobody', () => {
    const { node } = nodeWithTwoNeighbours();
    const outputs = frame(node, 1, walkFromCarol(1), T0 + 1);
    expect(sentOn(outputs, 2)).toEqual([]);
    expect(outputs.some((o) => o.type === 'dial')).toBe(false);
    const replies = sentOn(outputs, 1).map(messageOf);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      type: 'shuffleReply',
      walk: 0xdeadbeef,
      replier: { id: node.identity.id, address: '10.0.0.1:7000' },
    });
  });

  it('passes a reply back along the walk, as it came, once', () => {
    const { node } = nodeWithTwoNeighbours();
    frame(node, 1, walkFromCarol(4), T0 + 1); // alice → node → bob
    const reply = encodeMessage(replyTo(0xdeadbeef, [entryOf('frank', 7)]));
    const outputs = node.handle({ type: 'frame', link: 2, bytes: reply }, T0 + 2);
    expect(sentOn(outputs, 1).map(hex)).toEqual([hex(reply)]);
    const again = node.handle({ type: 'frame', link: 2, bytes: reply }, T0 + 3);
    expect(sentOn(again, 1)).toEqual([]);
    // A relay keeps nothing of a reply that is not for it.
    expect(node.snapshot().passive).not.toContain(entryOf('frank', 7).id);
  });

  it('passes back nothing from the wrong side, for another walk, or late', () => {
    const late = nodeWithTwoNeighbours().node;
    frame(late, 1, walkFromCarol(4), T0 + 1);
    const afterTimeout = T0 + 2 + DEFAULT_OVERLAY.requestTimeoutMs;
    const tooLate = frame(late, 2, replyTo(0xdeadbeef, []), afterTimeout);
    expect(sentOn(tooLate, 1)).toEqual([]);

    const { node } = nodeWithTwoNeighbours();
    frame(node, 1, walkFromCarol(4), T0 + 1);
    const fromOrigin = frame(node, 1, replyTo(0xdeadbeef, []), T0 + 2);
    const unknown = frame(node, 2, replyTo(0xdeadbeee, []), T0 + 2);
    expect([...sentOn(fromOrigin, 2), ...sentOn(fromOrigin, 1)]).toEqual([]);
    expect([...sentOn(unknown, 1), ...sentOn(unknown, 2)]).toEqual([]);
    // The record is still there for the right reply.
    expect(sentOn(frame(node, 2, replyTo(0xdeadbeef, []), T0 + 3), 1)).toHaveLength(1);
  });

  it("the origin takes a reply to its own walk into its passive view, and no other's", () => {
    const { node } = nodeWithTwoNeighbours();
    // Keep both neighbours alive (pings) until the node starts a shuffle of its own.
    let walk:
      { link: number; at: number; message: Extract<Message, { type: 'shuffle' }> } | undefined;
    const until = T0 + 3 * DEFAULT_OVERLAY.shuffleIntervalMs;
    for (let t = T0 + 1_000; walk === undefined && t < until; t += 1_000) {
      for (const link of [1, 2]) frame(node, link, { type: 'ping' }, t);
      const outputs = node.handle({ type: 'tick' }, t);
      for (const link of [1, 2]) {
        for (const bytes of sentOn(outputs, link)) {
          const message = messageOf(bytes);
          if (message.type === 'shuffle') walk = { link, at: t, message };
        }
      }
    }
    expect(walk).toBeDefined();
    const { link, at, message } = walk as NonNullable<typeof walk>;
    expect(message.origin.id).toBe(node.identity.id);
    const now = at + 1;
    const stranger = entryOf('grace', 8);
    frame(node, link, replyTo((message.walk + 1) % 2 ** 32, [stranger]), now);
    expect(node.snapshot().passive).not.toContain(stranger.id);
    const answered = entryOf('heidi', 9);
    frame(node, link, replyTo(message.walk, [answered]), now);
    expect(node.snapshot().passive).toContain(answered.id);
  });
});
