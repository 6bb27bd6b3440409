/**
 * A hostile node on a real link: TCP, the Noise XX handshake (the transport's own code, through
 * `RawPeer`) and the engine's signed HELLO/AUTH, all played by hand, so a test or a benchmark
 * can then send a daemon whatever frames it likes, as fast as it likes, and read — or not
 * read — what comes back. Its Noise static key is its node identity's X25519 key, as a real
 * node's is, so the daemon takes it for a proven node.
 */
import type { Identity } from '../../src/engine/identity.js';
import type { Message } from '../../src/engine/wire/messages.js';
import { RawPeer } from '../transports/tcp/helpers.js';
import { identityOf, LinkPeer, messageOf } from '../support/link-peer.js';

/** Waits for the daemon's HELLO and AUTH; a daemon answers in milliseconds. */
const HANDSHAKE_MAX_MS = 10_000;

export class RawNode {
  /** The local port, which the daemon's log names as the link's address (kept: a closed socket forgets it). */
  readonly localPort: number;

  private constructor(
    readonly peer: RawPeer,
    readonly me: LinkPeer,
    /** The daemon's HELLO: its keys, address and this link's challenge. */
    readonly daemonHello: Extract<Message, { type: 'hello' }>,
  ) {
    this.localPort = peer.socket.localPort as number;
  }

  get identity(): Identity {
    return this.me.identity;
  }

  /**
   * Connects to `address` as the node named by `label` and proves its identity; with
   * `auth: false` it stops after its HELLO (Noise done, the engine's AUTH never sent).
   */
  static async connect(
    address: string,
    label: string,
    options: { auth?: boolean } = {},
  ): Promise<RawNode> {
    const me = new LinkPeer(identityOf(label), '127.0.0.1:1');
    const peer = await RawPeer.connect(address);
    await peer.handshake({ secret: me.identity.dhSecret, public: me.identity.dhPublic });
    const frames: Uint8Array[] = [];
    const next = async (what: string): Promise<Uint8Array> => {
      await peer.until(() => peer.received.length > 0 || peer.closed, what, HANDSHAKE_MAX_MS);
      frames.push(...peer.frames());
      const frame = frames.shift();
      if (frame === undefined) throw new Error(`raw node ${label}: closed before ${what}`);
      return frame;
    };
    const helloFrame = await next('the daemon’s HELLO');
    const hello = messageOf(helloFrame);
    if (hello.type !== 'hello') throw new Error(`raw node ${label}: got ${hello.type} first`);
    peer.sendFrame(me.hello());
    if (options.auth !== false) {
      peer.sendFrame(me.auth(helloFrame));
      const auth = messageOf(await next('the daemon’s AUTH'));
      if (auth.type !== 'auth') throw new Error(`raw node ${label}: got ${auth.type}, not AUTH`);
    }
    return new RawNode(peer, me, hello);
  }

  /** One engine frame (already encoded) on the link. */
  send(frame: Uint8Array): void {
    this.peer.sendFrame(frame);
  }

  get closed(): boolean {
    return this.peer.closed;
  }

  destroy(): void {
    this.peer.destroy();
  }
}
