/**
 * The link table: every connection of one node, from dial to close, and the signed hello
 * that turns a connection into a link to a proven node ID.
 *
 * Theory of operation:
 * - `sendTo(target, message)` sends on the ready link to `target.id`, or queues the message
 *   on a link or dial still being set up for it, or dials `target.address`, and says which
 *   (`SendOutcome`). The routing layer opens links to relays this way, on demand; the
 *   sweep closes them again once idle.
 * - A link is *ready* once the peer's AUTH verified. Only then does the node layer hear of
 *   it (`onLinkReady`) and of the messages on it (`onMessage`). Before that the only
 *   messages accepted are HELLO and AUTH; anything else closes the link.
 * - At most one ready link per peer: when both sides dial each other at once, the link
 *   dialed by the smaller node ID wins on both sides (each side decides the same). The
 *   other one *retires*: we send nothing more on it but still read it for a handshake's
 *   time, then close it. The peer may have sent on it before it saw the second link
 *   complete; closing at once lost those frames (an onion packet or an ack, silently — the
 *   simulator's frame count caught it).
 * - An idle link closes gracefully: we write CLOSING as our last frame and retire the link
 *   (as the loser of a simultaneous dial), reading it until the peer closes it; the peer,
 *   on CLOSING, stops writing and closes it. A frame the peer sent before it knew is read,
 *   not lost. (Closing at once lost a relay's onion packet now and then: it was on its way
 *   as the other side's sweep closed the link.)
 * - Bad bytes from a peer close the link with the decode reason (STYLE.md #7); they never
 *   throw.
 * - Control frames (every type but onion) pass a per-link token bucket (rate-limit.ts) before
 *   they are even decoded; beyond it they are dropped and counted, and a link whose peer
 *   overran it `controlDropsBeforeClose` times is closed ('control-rate').
 */
import { signAuth, verifyAuth, type HelloKeys } from './link-auth.js';
import type { Identity } from './identity.js';
import { nodeIdOf } from './identity.js';
import type { CryptoSuite } from './crypto/suite.js';
import type { Random } from './random.js';
import { fullMilliTokens, takeToken, type TokenCount } from './rate-limit.js';
import type { LinkId, Millis, NodeId, Output } from './types.js';
import { decodeFrame, encodeTransientMessage } from './wire/codec.js';
import { FRAME_HEADER_BYTES, HELLO_NONCE_BYTES } from './wire/limits.js';
import { equalBytes } from './crypto/check.js';
import { MESSAGE_CODES, type Message, type PeerEntry } from './wire/messages.js';

const ONION_CODE = MESSAGE_CODES.onion.code;
/** Message code → its byte counter's slot: one slot per message type, not per code value. */
const COUNTER_OF_CODE = new Uint8Array(256);
Object.values(MESSAGE_CODES).forEach(({ code }, slot) => (COUNTER_OF_CODE[code] = slot));
const COUNTERS = Object.keys(MESSAGE_CODES).length;

/** Where to send: a known node (id and address) or, for a bootstrap, only an address. */
export interface Target {
  id?: NodeId;
  address: string;
}

export interface Peer {
  id: NodeId;
  /** The address the peer says it listens on (from its hello). */
  address: string;
}

export interface Link extends TokenCount {
  readonly id: LinkId;
  readonly outbound: boolean;
  readonly remoteAddress: string;
  readonly openedAt: Millis;
  /** Set on an outbound link dialed for a known node: any other identity is refused. */
  readonly expectedId: NodeId | undefined;
  /**
   * Our hello's nonce and the peer's hello: the handshake's state, dropped once the peer's
   * AUTH verifies (a simulated node holds thousands of links' worth of them otherwise).
   */
  myNonce: Uint8Array | undefined;
  /** The peer's static DH key as the transport proved it (Noise), if the transport did. */
  readonly remoteStaticKey: Uint8Array | undefined;
  peerHello: (HelloKeys & { id: NodeId; address: string }) | undefined;
  /** The proven peer, once its AUTH verified. */
  peer: Peer | undefined;
  lastHeard: Millis;
  lastSent: Millis;
  /** Last frame in either direction other than a keep-alive: idle links close. */
  lastUsed: Millis;
  queue: Message[];
  // TokenCount's fields: control frames the peer may still send (LinkLimits.controlRatePerS).
  /** Control frames from the peer dropped over the rate on this link. */
  controlDropped: number;
  /** Set on the losing link of a simultaneous dial and on a closing one: read until then, never written. */
  retireAt: Millis | undefined;
  /**
   * We closed it idle (CLOSING sent): only onion packets are still read. The peer's control
   * messages would start a relationship (a NEIGHBOR request) on a link we are taking away.
   */
  closing: boolean;
}

interface Dial {
  readonly dial: number;
  readonly target: Target;
  readonly startedAt: Millis;
  queue: Message[];
}

/** Where the link table's outputs go (the node's output list of the current call). */
export interface OutputSink {
  emit(output: Output): void;
}

/** What the link table tells the node layer. */
export interface LinkEvents {
  onLinkReady(link: Link, peer: Peer): void;
  /** A message on a ready link; `frame` is its frame as received (the runtime's bytes). */
  onMessage(link: Link, peer: Peer, message: Message, frame: Uint8Array): void;
  /** A ready link closed (either side, any reason). */
  onLinkLost(link: Link, peer: Peer, reason: string): void;
  /** A dial or an unfinished link for `target` failed; its queued messages (`lost`) are gone. */
  onUnreachable(target: Target, reason: string, lost: readonly Message[]): void;
  /** A message we could not keep (queue full, too many links): counted, never silent. */
  onDrop(what: string): void;
}

/**
 * What `sendTo` did with a message: sent on a ready link, queued on a link or dial under
 * way, queued on a new dial, or dropped (too many links, or the queue is full; counted).
 */
export type SendOutcome = 'sent' | 'queued' | 'dialing' | 'dropped';

export interface LinkLimits {
  pendingQueueMax: number;
  linksMax: number;
  handshakeTimeoutMs: number;
  linkIdleMs: number;
  requestTimeoutMs: number;
  controlRatePerS: number;
  controlBurst: number;
  controlDropsBeforeClose: number;
}

export class LinkTable {
  private readonly links = new Map<LinkId, Link>();
  private readonly dials = new Map<number, Dial>();
  private readonly readyByPeer = new Map<NodeId, Link>();
  private nextDial = 1;
  /** Bytes sent, by message type (COUNTER_OF_CODE): overhead per message type. */
  private readonly bytesSentByType = new Float64Array(COUNTERS);
  /** Control frames dropped over a link's rate, and links closed for it (counters()). */
  controlRateDrops = 0;
  controlRateCloses = 0;
  private readonly myHello: Omit<HelloKeys, 'nonce'>;
  /** Every link's control rate (LinkLimits), read where a link takes a token. */
  private readonly controlRatePerS: number;
  private readonly controlBurst: number;

  constructor(
    private readonly identity: Identity,
    private readonly address: string,
    private readonly crypto: CryptoSuite,
    private readonly random: Random,
    private readonly limits: LinkLimits,
    private readonly events: LinkEvents,
    private readonly sink: OutputSink,
  ) {
    this.myHello = { signKey: identity.signPublic, dhKey: identity.dhPublic };
    this.controlRatePerS = limits.controlRatePerS;
    this.controlBurst = limits.controlBurst;
  }

  get size(): number {
    return this.links.size + this.dials.size;
  }

  /** Bytes sent in frames of message code `code`. */
  bytesSentOf(code: number): number {
    return this.bytesSentByType[COUNTER_OF_CODE[code] as number] as number;
  }

  readyLink(peer: NodeId): Link | undefined {
    return this.readyByPeer.get(peer);
  }

  /** True while a dial or an unfinished link is under way for this node. */
  isConnecting(peer: NodeId): boolean {
    for (const dial of this.dials.values()) if (dial.target.id === peer) return true;
    for (const link of this.links.values()) {
      if (!link.peer && (link.expectedId === peer || link.peerHello?.id === peer)) return true;
    }
    return false;
  }

  sendTo(target: Target, message: Message, now: Millis): SendOutcome {
    if (target.id !== undefined) {
      const ready = this.readyByPeer.get(target.id);
      if (ready) {
        this.send(ready, message, now);
        return 'sent';
      }
      const pending = this.pendingFor(target.id);
      if (pending) return this.enqueue(pending, message) ? 'queued' : 'dropped';
    }
    if (this.size >= this.limits.linksMax) {
      this.events.onDrop('links-full');
      this.events.onUnreachable(target, 'links-full', []);
      return 'dropped';
    }
    const dial = this.nextDial++;
    this.dials.set(dial, { dial, target, startedAt: now, queue: [message] });
    this.sink.emit({ type: 'dial', dial, address: target.address });
    return 'dialing';
  }

  send(link: Link, message: Message, now: Millis): void {
    this.sendEncoded(link, encodeTransientMessage(message), message.type === 'ping', now);
  }

  /**
   * Sends a frame already encoded (one broadcast to many neighbours is encoded once). The
   * runtime never modifies the bytes, so the same array may go out on several links.
   */
  sendEncoded(link: Link, bytes: Uint8Array, keepAlive: boolean, now: Millis): void {
    if (link.retireAt !== undefined) return; // read-only now (header): the peer is closing it
    const counter = COUNTER_OF_CODE[bytes[FRAME_HEADER_BYTES - 1] as number] as number;
    this.bytesSentByType[counter] = (this.bytesSentByType[counter] as number) + bytes.length;
    link.lastSent = now;
    if (!keepAlive) link.lastUsed = now;
    this.sink.emit({ type: 'send', link: link.id, bytes });
  }

  close(link: Link, reason: string): void {
    this.forget(link, reason, true);
  }

  closeAll(reason: string): void {
    for (const link of [...this.links.values()]) this.forget(link, reason, true);
    for (const dial of this.dials.values())
      this.events.onUnreachable(dial.target, reason, dial.queue);
    this.dials.clear();
  }

  // ---- runtime inputs -------------------------------------------------------------------

  linkOpened(
    link: LinkId,
    dial: number | undefined,
    remoteAddress: string,
    remoteStaticKey: Uint8Array | undefined,
    now: Millis,
  ): void {
    const pending = dial === undefined ? undefined : this.dials.get(dial);
    if (dial !== undefined) {
      if (!pending) {
        // A dial we already gave up on (timed out): not ours any more.
        this.sink.emit({ type: 'close', link, reason: 'dial-abandoned' });
        return;
      }
      this.dials.delete(dial);
    } else if (this.size >= this.limits.linksMax) {
      this.events.onDrop('links-full');
      this.sink.emit({ type: 'close', link, reason: 'links-full' });
      return;
    }
    const myNonce = this.random.bytes(HELLO_NONCE_BYTES);
    const state: Link = {
      id: link,
      outbound: dial !== undefined,
      remoteAddress,
      openedAt: now,
      expectedId: pending?.target.id,
      myNonce,
      remoteStaticKey,
      peerHello: undefined,
      peer: undefined,
      lastHeard: now,
      lastSent: now,
      lastUsed: now,
      queue: pending?.queue ?? [],
      milliTokens: fullMilliTokens(this.controlBurst),
      tokensAt: now,
      controlDropped: 0,
      retireAt: undefined,
      closing: false,
    };
    this.links.set(link, state);
    this.send(
      state,
      { type: 'hello', ...this.myHello, address: this.address, nonce: myNonce },
      now,
    );
  }

  dialFailed(dial: number, reason: string): void {
    const pending = this.dials.get(dial);
    if (!pending) return;
    this.dials.delete(dial);
    this.events.onUnreachable(pending.target, reason, pending.queue);
  }

  linkClosed(link: LinkId, reason: string): void {
    const state = this.links.get(link);
    if (state) this.forget(state, reason, false);
  }

  frame(linkId: LinkId, bytes: Uint8Array, now: Millis): void {
    const link = this.links.get(linkId);
    if (!link) return; // closed on our side; the frame was in flight
    if (
      bytes[FRAME_HEADER_BYTES - 1] !== ONION_CODE &&
      !takeToken(link, this.controlRatePerS, this.controlBurst, now)
    )
      return this.overRate(link);
    const decoded = decodeFrame(bytes);
    if (decoded.kind !== 'message' || decoded.size !== bytes.length) {
      const reason = decoded.kind === 'error' ? decoded.error.reason : 'bad-frame-boundary';
      this.events.onDrop(`decode:${reason}`);
      return this.close(link, `decode-error:${reason}`);
    }
    link.lastHeard = now;
    const message = decoded.message;
    if (message.type !== 'ping') link.lastUsed = now;
    if (link.peer) {
      if (message.type === 'hello' || message.type === 'auth')
        return this.close(link, 'hello-repeated');
      // The peer writes nothing more here: what we wrote before is on its way, and read.
      if (message.type === 'closing') return this.close(link, 'peer-closing');
      if (link.closing && message.type !== 'onion')
        return this.events.onDrop('control-on-closing-link');
      return this.events.onMessage(link, link.peer, message, bytes);
    }
    if (message.type === 'hello') return this.onHello(link, message, now);
    if (message.type === 'auth') return this.onAuth(link, message.signature, now);
    this.close(link, 'not-authenticated');
  }

  /** Closes links stuck in the handshake, idle links, and forgets dials never answered. */
  sweep(now: Millis, inUse: (peer: NodeId) => boolean): void {
    for (const link of [...this.links.values()]) {
      if (!link.peer) {
        if (now - link.openedAt >= this.limits.handshakeTimeoutMs)
          this.close(link, 'handshake-timeout');
      } else if (link.retireAt !== undefined) {
        if (now >= link.retireAt) this.close(link, 'retired');
      } else if (
        !inUse(link.peer.id) &&
        link.queue.length === 0 &&
        now - link.lastUsed >= this.limits.linkIdleMs
      ) {
        this.closeGracefully(link, link.peer, now);
      }
    }
    for (const [dial, pending] of [...this.dials]) {
      if (now - pending.startedAt >= this.limits.handshakeTimeoutMs) {
        this.dials.delete(dial);
        this.events.onUnreachable(pending.target, 'dial-timeout', pending.queue);
      }
    }
  }

  *readyLinks(): IterableIterator<Link> {
    yield* this.readyByPeer.values();
  }

  // ---- handshake ------------------------------------------------------------------------

  private onHello(link: Link, hello: Extract<Message, { type: 'hello' }>, now: Millis): void {
    const myNonce = link.myNonce;
    if (link.peerHello || myNonce === undefined) return this.close(link, 'hello-repeated');
    const id = nodeIdOf(this.crypto, hello.signKey, hello.dhKey);
    if (id === this.identity.id) return this.close(link, 'self');
    if (link.expectedId !== undefined && id !== link.expectedId) {
      return this.close(link, 'unexpected-identity');
    }
    if (link.remoteStaticKey && !equalBytes(link.remoteStaticKey, hello.dhKey)) {
      return this.close(link, 'hello-key-mismatch');
    }
    link.peerHello = {
      id,
      signKey: hello.signKey,
      dhKey: hello.dhKey,
      nonce: hello.nonce,
      address: hello.address,
    };
    const signature = signAuth(
      this.crypto,
      this.identity.signSecret,
      { ...this.myHello, nonce: myNonce },
      link.peerHello,
    );
    this.send(link, { type: 'auth', signature }, now);
  }

  private onAuth(link: Link, signature: Uint8Array, now: Millis): void {
    const hello = link.peerHello;
    const myNonce = link.myNonce;
    if (!hello || myNonce === undefined) return this.close(link, 'auth-before-hello');
    if (!verifyAuth(this.crypto, signature, hello, { ...this.myHello, nonce: myNonce })) {
      this.events.onDrop('bad-auth');
      return this.close(link, 'bad-auth');
    }
    const peer: Peer = { id: hello.id, address: hello.address };
    link.myNonce = undefined;
    link.peerHello = undefined;
    const existing = this.readyByPeer.get(peer.id);
    if (existing) {
      // Both dialed at once. Keep the link dialed by the smaller ID; both sides agree.
      const dialerOf = (l: Link): NodeId => (l.outbound ? this.identity.id : peer.id);
      const keepNew = dialerOf(link) < dialerOf(existing);
      const [keep, drop] = keepNew ? [link, existing] : [existing, link];
      keep.queue.push(...drop.queue);
      drop.queue = [];
      // The peer decides the same once it sees both; until then it may still send on the
      // loser, which we keep reading for a handshake's time (the header's rule).
      drop.peer = peer;
      drop.retireAt = now + this.limits.handshakeTimeoutMs;
      if (!keepNew) return this.flush(existing, now);
    }
    link.peer = peer;
    this.readyByPeer.set(peer.id, link);
    this.events.onLinkReady(link, peer);
    this.flush(link, now);
  }

  // ---- helpers --------------------------------------------------------------------------

  /**
   * `link` is no longer the one we use for `peer`. If the loser of a simultaneous dial
   * still stands, it is our link again, and true says the peer is still connected. (Our
   * winner may have been dead already — the peer restarted, or cut us off in a partition
   * and closed its side — while the link it dialed since is the one it uses; retiring that
   * one too left the two sides on different links.)
   */
  private unready(link: Link, peer: Peer): boolean {
    if (this.readyByPeer.get(peer.id) !== link) return false;
    this.readyByPeer.delete(peer.id);
    for (const spare of this.links.values()) {
      if (spare.peer?.id === peer.id && spare.retireAt !== undefined && !spare.closing) {
        spare.retireAt = undefined;
        this.readyByPeer.set(peer.id, spare);
        return true;
      }
    }
    return false;
  }

  /** Idle close (header): CLOSING as our last frame, then read-only until the peer closes. */
  private closeGracefully(link: Link, peer: Peer, now: Millis): void {
    this.send(link, { type: 'closing' }, now);
    link.retireAt = now + this.limits.handshakeTimeoutMs;
    link.closing = true;
    if (!this.unready(link, peer)) this.events.onLinkLost(link, peer, 'idle');
  }

  /** A control frame over the link's rate: dropped; the link closes once it keeps on. */
  private overRate(link: Link): void {
    this.controlRateDrops += 1;
    link.controlDropped += 1;
    // One event per link, not per frame: a flood must not turn into a flood of events.
    if (link.controlDropped === 1) this.events.onDrop('control-rate');
    if (link.controlDropped >= this.limits.controlDropsBeforeClose) {
      this.controlRateCloses += 1;
      this.close(link, 'control-rate');
    }
  }

  private flush(link: Link, now: Millis): void {
    const queued = link.queue;
    link.queue = [];
    for (const message of queued) this.send(link, message, now);
  }

  private pendingFor(peer: NodeId): Dial | Link | undefined {
    for (const dial of this.dials.values()) if (dial.target.id === peer) return dial;
    for (const link of this.links.values()) {
      if (!link.peer && (link.expectedId === peer || link.peerHello?.id === peer)) return link;
    }
    return undefined;
  }

  private enqueue(pending: Dial | Link, message: Message): boolean {
    if (pending.queue.length >= this.limits.pendingQueueMax) {
      this.events.onDrop('link-queue-full');
      return false;
    }
    pending.queue.push(message);
    return true;
  }

  private forget(link: Link, reason: string, local: boolean): void {
    if (!this.links.delete(link.id)) return;
    if (local) this.sink.emit({ type: 'close', link: link.id, reason });
    // A retired duplicate: the peer is still connected over the link that won.
    if (link.retireAt !== undefined) return;
    const peer = link.peer;
    if (peer) {
      if (this.unready(link, peer)) return;
      this.events.onLinkLost(link, peer, reason);
    } else {
      const id = link.expectedId ?? link.peerHello?.id;
      const address = link.peerHello?.address ?? link.remoteAddress;
      const target = id === undefined ? { address } : { id, address };
      this.events.onUnreachable(target, reason, link.queue);
    }
    if (link.queue.length > 0) this.events.onDrop('link-closed-with-queue');
  }
}

/** The entry other nodes should use to reach `peer`. */
export function entryOf(peer: Peer): PeerEntry {
  return { id: peer.id, address: peer.address };
}
