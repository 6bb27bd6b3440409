/**
 * The engine's link handshake played by hand: a `LinkPeer` holds a node identity and makes
 * the frames an honest (or a chosen dishonest) peer sends on a new link — its HELLO, and the
 * AUTH that answers the other side's HELLO (src/engine/link-auth.ts). Used by engine tests
 * fed frame by frame and by hostile peers over real TCP (test/integration/raw-node.ts).
 */
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';
import { Node } from '../../src/engine/node.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { signAuth } from '../../src/engine/link-auth.js';
import { decodeFrame, encodeMessage } from '../../src/engine/wire/codec.js';
import { HELLO_NONCE_BYTES } from '../../src/engine/wire/limits.js';
import type { Engine, LinkId, Millis, Output } from '../../src/engine/types.js';
import type { Message } from '../../src/engine/wire/messages.js';

type Hello = Extract<Message, { type: 'hello' }>;

/** A node identity derived from a label (deterministic, so a failure replays). */
export function identityOf(label: string, crypto: CryptoSuite = nodeSuite): Identity {
  const seed = (what: string) => crypto.sha256(new TextEncoder().encode(`${what} ${label}`));
  return identityFromSecrets(crypto, seed('sign'), seed('dh'));
}

/**
 * The node the engine tests feed by hand: identity 'self' at 10.0.0.1:7000, no bootstrap
 * contacts, invariants checked after every input, randomness seeded by `seed`. Not started.
 */
export function handFedNode(seed: string): Node {
  return new Node({
    identity: identityOf('self'),
    crypto: nodeSuite,
    random: new SeededRandomSource(seed),
    address: '10.0.0.1:7000',
    bootstrap: [],
    checkInvariants: true,
  });
}

/** The message in a frame the engine sent; throws on anything else (a test's bug). */
export function messageOf(frame: Uint8Array): Message {
  const decoded = decodeFrame(frame);
  if (decoded.kind !== 'message') throw new Error(`not a frame: ${decoded.kind}`);
  return decoded.message;
}

export class LinkPeer {
  readonly nonce: Uint8Array;

  constructor(
    readonly identity: Identity,
    readonly address: string,
    private readonly crypto: CryptoSuite = nodeSuite,
  ) {
    this.nonce = crypto
      .sha256(new TextEncoder().encode(`nonce ${identity.id}`))
      .subarray(0, HELLO_NONCE_BYTES);
  }

  /** Our HELLO; `overrides` lets a test lie in it (another node's keys, say). */
  hello(overrides: Partial<Hello> = {}): Uint8Array {
    return encodeMessage({
      type: 'hello',
      signKey: this.identity.signPublic,
      dhKey: this.identity.dhPublic,
      address: this.address,
      nonce: this.nonce,
      ...overrides,
    });
  }

  /** The AUTH answering `theirHello` (a HELLO frame), signed with `signSecret` (ours). */
  auth(theirHello: Uint8Array, signSecret: Uint8Array = this.identity.signSecret): Uint8Array {
    const hello = messageOf(theirHello);
    if (hello.type !== 'hello') throw new Error(`expected a hello, got ${hello.type}`);
    const mine = {
      signKey: this.identity.signPublic,
      dhKey: this.identity.dhPublic,
      nonce: this.nonce,
    };
    const signature = signAuth(this.crypto, signSecret, mine, hello);
    return encodeMessage({ type: 'auth', signature });
  }
}

/**
 * Plays `peer`'s side of a new inbound link `link` to `node`: the link opens, the node sends
 * its HELLO, the peer answers with its HELLO and AUTH, and the link is ready. Returns every
 * output of those three inputs, in order.
 */
export function openAuthenticatedLink(
  node: Engine,
  peer: LinkPeer,
  link: LinkId,
  now: Millis,
): Output[] {
  const opened = node.handle(
    {
      type: 'linkOpened',
      link,
      remoteAddress: peer.address,
      remoteStaticKey: peer.identity.dhPublic,
    },
    now,
  );
  const ourHello = opened.find((o) => o.type === 'send' && o.link === link);
  if (ourHello?.type !== 'send') throw new Error('no hello sent');
  return [
    ...opened,
    ...node.handle({ type: 'frame', link, bytes: peer.hello() }, now),
    ...node.handle({ type: 'frame', link, bytes: peer.auth(ourHello.bytes) }, now),
  ];
}
