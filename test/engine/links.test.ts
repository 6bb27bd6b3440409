/**
 * The link table (src/engine/links.ts) fed frame by frame by a hand-played peer: the
 * HELLO/AUTH proof and each of its refusals (SECURITY.md, "A neighbour in the overlay"), and
 * the per-link rate of control frames (issue 8 #3) at the engine's real constants.
 */
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { LinkTable, type LinkLimits } from '../../src/engine/links.js';
import {
  CONTROL_BURST,
  CONTROL_DROPS_BEFORE_CLOSE,
  DEFAULT_OVERLAY,
  OverlayConfigError,
  validateOverlayConfig,
} from '../../src/engine/overlay/config.js';
import { PACKET_BYTES } from '../../src/engine/onion/limits.js';
import type { LinkId, NodeId, Output } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import type { Message } from '../../src/engine/wire/messages.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { identityOf, LinkPeer, messageOf } from '../support/link-peer.js';

const T0 = 1_700_000_000_000;
const PING = encodeMessage({ type: 'ping' });
const ONION = encodeMessage({ type: 'onion', packet: new Uint8Array(PACKET_BYTES) });

/** A link table for node "self", recording what it emits and tells the node layer. */
function harness(limits: LinkLimits = DEFAULT_OVERLAY) {
  const self = identityOf('self');
  const outputs: Output[] = [];
  const ready: NodeId[] = [];
  const messages: Message['type'][] = [];
  /** Messages as `type@link`, and the reasons of ready links lost. */
  const received: string[] = [];
  const lost: string[] = [];
  const drops: string[] = [];
  const table = new LinkTable(
    self,
    '10.0.0.1:7000',
    nodeSuite,
    new SeededRandomSource('links-test').fork('links'),
    limits,
    {
      onLinkReady: (_link, peer) => void ready.push(peer.id),
      onMessage: (link, _peer, message) => {
        messages.push(message.type);
        received.push(`${message.type}@${link.id}`);
      },
      onLinkLost: (_link, _peer, reason) => void lost.push(reason),
      onUnreachable: () => {},
      onDrop: (what) => void drops.push(what),
    },
    { emit: (output) => void outputs.push(output) },
  );
  const sentOn = (link: LinkId): Uint8Array[] =>
    outputs.flatMap((o) => (o.type === 'send' && o.link === link ? [o.bytes] : []));
  const closeOf = (link: LinkId): string | undefined => {
    for (const o of outputs) if (o.type === 'close' && o.link === link) return o.reason;
    return undefined;
  };
  return { self, table, outputs, ready, messages, received, lost, drops, sentOn, closeOf };
}

/** An inbound link from `peer`, through HELLO and AUTH; returns the link's ID. */
function authenticate(h: ReturnType<typeof harness>, peer: LinkPeer, link: LinkId = 1): LinkId {
  h.table.linkOpened(link, undefined, peer.address, peer.identity.dhPublic, T0);
  h.table.frame(link, peer.hello(), T0);
  h.table.frame(link, peer.auth(h.sentOn(link)[0]!), T0);
  return link;
}

describe('HELLO/AUTH: a link is ready only for the node its keys prove', () => {
  it('an honest HELLO and AUTH: ready, for the node ID its keys name; our AUTH verifies too', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    authenticate(h, alice);
    expect(h.ready).toEqual([alice.identity.id]);
    expect(h.closeOf(1)).toBeUndefined();
    const [hello, auth] = h.sentOn(1).map(messageOf);
    expect(hello?.type).toBe('hello');
    expect(auth?.type).toBe('auth');
  });

  it('once ready the handshake state is dropped, and a HELLO or AUTH again still closes the link', () => {
    for (const again of ['hello', 'auth'] as const) {
      const h = harness();
      const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
      authenticate(h, alice);
      const link = h.table.readyLink(alice.identity.id);
      expect(link?.myNonce).toBeUndefined();
      expect(link?.peerHello).toBeUndefined();
      expect(link?.peer).toEqual({ id: alice.identity.id, address: alice.address });
      h.table.frame(1, again === 'hello' ? alice.hello() : alice.auth(h.sentOn(1)[0]!), T0);
      expect(h.closeOf(1), again).toBe('hello-repeated');
    }
  });

  it('bad-auth: an AUTH signed with another node’s key closes the link, nothing is ready', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    h.table.linkOpened(1, undefined, alice.address, alice.identity.dhPublic, T0);
    h.table.frame(1, alice.hello(), T0);
    h.table.frame(1, alice.auth(h.sentOn(1)[0]!, identityOf('mallory').signSecret), T0);
    expect(h.closeOf(1)).toBe('bad-auth');
    expect(h.drops).toContain('bad-auth');
    expect(h.ready).toEqual([]);
  });

  it('bad-auth: an AUTH made for another link (another nonce) is refused', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    h.table.linkOpened(1, undefined, alice.address, alice.identity.dhPublic, T0);
    h.table.linkOpened(2, undefined, alice.address, alice.identity.dhPublic, T0);
    h.table.frame(2, alice.hello(), T0);
    h.table.frame(2, alice.auth(h.sentOn(1)[0]!), T0); // answers link 1's challenge
    expect(h.closeOf(2)).toBe('bad-auth');
    expect(h.ready).toEqual([]);
  });

  it('unexpected-identity: a dial for one node answered by another is refused', () => {
    const h = harness();
    const bob = identityOf('bob');
    const mallory = new LinkPeer(identityOf('mallory'), '10.0.0.3:7000');
    expect(h.table.sendTo({ id: bob.id, address: '10.0.0.3:7000' }, { type: 'ping' }, T0)).toBe(
      'dialing',
    );
    const dial = h.outputs.find((o) => o.type === 'dial');
    if (dial?.type !== 'dial') throw new Error('no dial');
    h.table.linkOpened(7, dial.dial, mallory.address, mallory.identity.dhPublic, T0);
    h.table.frame(7, mallory.hello(), T0);
    expect(h.closeOf(7)).toBe('unexpected-identity');
    expect(h.ready).toEqual([]);
  });

  it('hello-key-mismatch: a HELLO naming a DH key other than the one Noise proved', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    // Noise proved mallory's static key; the HELLO claims alice's keys.
    h.table.linkOpened(1, undefined, alice.address, identityOf('mallory').dhPublic, T0);
    h.table.frame(1, alice.hello(), T0);
    expect(h.closeOf(1)).toBe('hello-key-mismatch');
    expect(h.sentOn(1).map((f) => messageOf(f).type)).toEqual(['hello']); // no AUTH given
  });

  it('before AUTH: any other message, an AUTH first, or a second HELLO closes the link', () => {
    const cases: [string, (h: ReturnType<typeof harness>, p: LinkPeer) => void][] = [
      ['not-authenticated', (h) => h.table.frame(1, encodeMessage({ type: 'join' }), T0)],
      ['auth-before-hello', (h, p) => h.table.frame(1, p.auth(h.sentOn(1)[0]!), T0)],
      [
        'hello-repeated',
        (h, p) => {
          h.table.frame(1, p.hello(), T0);
          h.table.frame(1, p.hello(), T0);
        },
      ],
      ['self', (h) => h.table.frame(1, new LinkPeer(h.self, 'x:1').hello(), T0)],
    ];
    for (const [reason, act] of cases) {
      const h = harness();
      const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
      h.table.linkOpened(1, undefined, alice.address, undefined, T0);
      act(h, alice);
      expect(h.closeOf(1), reason).toBe(reason);
      expect(h.ready, reason).toEqual([]);
    }
  });
});

describe('per-link rate of control frames', () => {
  const small: LinkLimits = {
    ...DEFAULT_OVERLAY,
    controlRatePerS: 10,
    controlBurst: 5,
    controlDropsBeforeClose: 3,
  };

  it('beyond the burst, control frames are dropped and counted; the third drop closes the link', () => {
    const h = harness(small);
    const link = authenticate(h, new LinkPeer(identityOf('alice'), '10.0.0.2:7000'));
    // HELLO and AUTH took two of the five tokens.
    for (let i = 0; i < 5; i++) h.table.frame(link, PING, T0);
    expect(h.messages).toEqual(['ping', 'ping', 'ping']);
    expect(h.table.controlRateDrops).toBe(2);
    expect(h.drops).toEqual(['control-rate']); // one event per link, not per frame
    expect(h.closeOf(link)).toBeUndefined();
    h.table.frame(link, PING, T0 + 100); // a token came back
    expect(h.messages.length).toBe(4);
    h.table.frame(link, PING, T0 + 100);
    expect(h.closeOf(link)).toBe('control-rate');
    expect(h.table.controlRateCloses).toBe(1);
  });

  it('after a long silence a link admits one burst again, never more', () => {
    const h = harness(small);
    const link = authenticate(h, new LinkPeer(identityOf('alice'), '10.0.0.2:7000'));
    const later = T0 + 60_000; // a minute's worth of tokens, capped at the burst
    for (let i = 0; i < 6; i++) h.table.frame(link, PING, later);
    expect(h.messages.length).toBe(small.controlBurst);
    expect(h.table.controlRateDrops).toBe(1);
  });

  it('onion frames are data: never counted against the control rate', () => {
    const h = harness(small);
    const link = authenticate(h, new LinkPeer(identityOf('alice'), '10.0.0.2:7000'));
    for (let i = 0; i < 50; i++) h.table.frame(link, ONION, T0);
    expect(h.messages.filter((m) => m === 'onion').length).toBe(50);
    h.table.frame(link, PING, T0);
    expect(h.messages.at(-1)).toBe('ping');
    expect(h.table.controlRateDrops).toBe(0);
  });

  it('a peer at the rate is never dropped, however long it keeps on', () => {
    const h = harness(small);
    const link = authenticate(h, new LinkPeer(identityOf('alice'), '10.0.0.2:7000'));
    for (let i = 1; i <= 10_000; i++) h.table.frame(link, PING, T0 + i * 100);
    expect(h.messages.length).toBe(10_000);
    expect(h.table.controlRateDrops).toBe(0);
  });

  it('a control limit that cannot work is refused: no rate, or a burst below HELLO + AUTH', () => {
    for (const bad of [{ controlRatePerS: 0 }, { controlBurst: 1 }, { controlDropsBeforeClose: 0 }])
      expect(() => validateOverlayConfig({ ...DEFAULT_OVERLAY, ...bad })).toThrow(
        OverlayConfigError,
      );
    expect(validateOverlayConfig({ ...DEFAULT_OVERLAY, controlBurst: 2 }).controlBurst).toBe(2);
  });

  it('the daemon’s constants: CONTROL_BURST frames pass at once, then CONTROL_DROPS_BEFORE_CLOSE drops close the link', () => {
    expect(DEFAULT_OVERLAY.controlBurst).toBe(CONTROL_BURST);
    expect(DEFAULT_OVERLAY.controlDropsBeforeClose).toBe(CONTROL_DROPS_BEFORE_CLOSE);
    const h = harness(DEFAULT_OVERLAY);
    const link = authenticate(h, new LinkPeer(identityOf('alice'), '10.0.0.2:7000'));
    const admitted = CONTROL_BURST - 2; // HELLO and AUTH took two
    for (let i = 0; i < admitted; i++) h.table.frame(link, PING, T0);
    expect(h.messages.length).toBe(admitted);
    expect(h.table.controlRateDrops).toBe(0);
    for (let i = 0; i < CONTROL_DROPS_BEFORE_CLOSE - 1; i++) h.table.frame(link, PING, T0);
    expect(h.table.controlRateDrops).toBe(CONTROL_DROPS_BEFORE_CLOSE - 1);
    expect(h.closeOf(link)).toBeUndefined();
    h.table.frame(link, PING, T0);
    expect(h.closeOf(link)).toBe('control-rate');
    expect(h.messages.length).toBe(admitted);
  });
});

/** A table that dialed alice (link 1) while alice dialed it (link 2), both complete. */
function simultaneousDial() {
  const h = harness();
  const { table, lost, received } = h;
  const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
  table.sendTo({ id: alice.identity.id, address: alice.address }, { type: 'ping' }, T0);
  const dial = h.outputs.find((o) => o.type === 'dial');
  if (dial?.type !== 'dial') throw new Error('no dial');
  table.linkOpened(1, dial.dial, alice.address, alice.identity.dhPublic, T0);
  table.linkOpened(2, undefined, alice.address, alice.identity.dhPublic, T0);
  for (const link of [1, 2]) {
    table.frame(link, alice.hello(), T0);
    table.frame(link, alice.auth(h.sentOn(link)[0]!), T0);
  }
  // The link dialed by the smaller node ID wins on both sides.
  const winner = h.self.id < alice.identity.id ? 1 : 2;
  return { h, table, alice, lost, received, winner, loser: 3 - winner };
}

describe('both sides dial at once', () => {
  it('the losing link retires: still read for a handshake’s time, never written, then closed quietly', () => {
    const { h, table, alice, lost, received, winner, loser } = simultaneousDial();
    expect(table.readyLink(alice.identity.id)?.id).toBe(winner);
    expect(h.closeOf(loser)).toBeUndefined();
    // Alice had not seen the second link yet and sent an onion packet on the loser: read.
    table.frame(loser, ONION, T0 + 5);
    expect(received).toContain(`onion@${loser}`);
    // We never write on it again.
    const sentBefore = h.sentOn(loser).length;
    table.sendTo({ id: alice.identity.id, address: alice.address }, { type: 'ping' }, T0 + 6);
    expect(h.sentOn(loser)).toHaveLength(sentBefore);
    // After a handshake's time the sweep closes it; alice is still connected over the winner.
    table.sweep(T0 + DEFAULT_OVERLAY.handshakeTimeoutMs - 1, () => true);
    expect(h.closeOf(loser)).toBeUndefined();
    table.sweep(T0 + DEFAULT_OVERLAY.handshakeTimeoutMs, () => true);
    expect(h.closeOf(loser)).toBe('retired');
    expect(lost).toEqual([]);
    expect(table.readyLink(alice.identity.id)?.id).toBe(winner);
  });

  it('when the winner dies first (the peer restarted), the loser is our link again: no loss', () => {
    const { table, alice, lost, winner, loser } = simultaneousDial();
    table.linkClosed(winner, 'reset');
    expect(table.readyLink(alice.identity.id)?.id).toBe(loser);
    expect(lost).toEqual([]);
    // And it is a plain ready link now: the retirement sweep leaves it alone.
    table.sweep(T0 + DEFAULT_OVERLAY.handshakeTimeoutMs, () => true);
    expect(table.readyLink(alice.identity.id)?.id).toBe(loser);
  });
});

describe('a stale winner', () => {
  it('closed idle while the peer uses the link it dialed since: that link is ours again', () => {
    const h = harness();
    const { table, lost } = h;
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    const open = (link: LinkId, at: number) => {
      table.linkOpened(link, undefined, alice.address, alice.identity.dhPublic, at);
      table.frame(link, alice.hello(), at);
      table.frame(link, alice.auth(h.sentOn(link)[0]!), at);
    };
    open(1, T0);
    // Alice closed her side of link 1 long ago (we never heard); she dials again: link 1,
    // the older one, wins our tie-break, and the link she uses retires.
    const again = T0 + DEFAULT_OVERLAY.linkIdleMs - 1_000;
    open(2, again);
    expect(table.readyLink(alice.identity.id)?.id).toBe(1);
    // Link 1 goes idle: closed gracefully, and link 2 is ours again — alice is not lost.
    table.sweep(T0 + DEFAULT_OVERLAY.linkIdleMs, () => false);
    expect(messageOf(h.sentOn(1).at(-1)!).type).toBe('closing');
    expect(table.readyLink(alice.identity.id)?.id).toBe(2);
    expect(lost).toEqual([]);
  });
});

describe('an idle link closes gracefully', () => {
  it('CLOSING is our last frame; what the peer sent before it knew is still read; its close ends it quietly', () => {
    const h = harness();
    const { table, lost, received } = h;
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    table.linkOpened(1, undefined, alice.address, alice.identity.dhPublic, T0);
    table.frame(1, alice.hello(), T0);
    table.frame(1, alice.auth(h.sentOn(1)[0]!), T0);
    const idleAt = T0 + DEFAULT_OVERLAY.linkIdleMs;
    table.sweep(idleAt, () => false);
    // CLOSING went out, the link is no longer ours to write on, and it is not closed yet.
    expect(messageOf(h.sentOn(1).at(-1)!).type).toBe('closing');
    expect(h.closeOf(1)).toBeUndefined();
    expect(table.readyLink(alice.identity.id)).toBeUndefined();
    expect(lost).toEqual(['idle']);
    const written = h.sentOn(1).length;
    // Alice's onion packet, sent before our CLOSING reached her: read. Her control messages
    // are not: a NEIGHBOR request would start a relationship on a link we are taking away.
    table.frame(1, ONION, idleAt + 5);
    table.frame(1, encodeMessage({ type: 'neighbour', priority: 'high' }), idleAt + 5);
    expect(received).toEqual(['onion@1']);
    // A new message for alice does not go out on the closing link.
    table.sendTo({ id: alice.identity.id, address: alice.address }, { type: 'ping' }, idleAt + 6);
    expect(h.sentOn(1)).toHaveLength(written);
    // Alice closes it: gone, without a second loss.
    table.linkClosed(1, 'remote-closed');
    expect(lost).toEqual(['idle']);
    expect(table.size).toBe(1); // the dial for the ping
  });

  it('on the CLOSING of the peer we stop writing and close the link', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    authenticate(h, alice);
    h.table.frame(1, encodeMessage({ type: 'closing' }), T0 + 1);
    expect(h.closeOf(1)).toBe('peer-closing');
    expect(h.table.readyLink(alice.identity.id)).toBeUndefined();
  });

  it('a peer that never closes is cut off after a handshake’s time', () => {
    const h = harness();
    const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
    authenticate(h, alice);
    const idleAt = T0 + DEFAULT_OVERLAY.linkIdleMs;
    h.table.sweep(idleAt, () => false);
    h.table.sweep(idleAt + DEFAULT_OVERLAY.handshakeTimeoutMs, () => false);
    expect(h.closeOf(1)).toBe('retired');
  });
});
