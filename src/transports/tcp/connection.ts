/**
 * One Noise-secured link over one TCP socket (DESIGN.md §3 "Links").
 *
 * Theory of operation. A `SecureLink` owns a socket from connect (or accept) to close:
 *
 *   connecting ──connect──▶ handshake ──XX done──▶ open ──close()──▶ closing ──▶ closed
 *        (initiator only)      │                    │
 *                              └──── any failure ───┴──▶ closed (handler.closed, once)
 *
 * - Handshake: Noise_XX (noise.ts) with our static X25519 key; the initiator writes first.
 *   The initiator is done after writing message 3, the responder after reading it; the peer's
 *   static key is then proven and `handler.opened` runs.
 * - Wire: every Noise message, handshake or transport, has a u16 big-endian length prefix
 *   (framing.ts). After the handshake each engine frame is exactly one transport message; a
 *   prefix announcing more than `frameMaxBytes` + tag closes the link before decrypting.
 * - Backpressure: `send` encrypts at once (nonces stay in order) and writes to the socket while
 *   `write` returns true (corked until the next tick, so one engine step's frames leave in one
 *   write); after a false it queues until 'drain'. Socket buffer plus queue over
 *   `sendBufferMaxBytes` closes the link with 'send-buffer-full': memory stays bounded.
 * - Our `close()` flushes what is queued, ends the socket (FIN after the data) and destroys it
 *   after `closeLingerMs` if the peer never reads. The engine asked for it, so no callback.
 *
 * Rules:
 * 1. `handler.closed` is called at most once, never after our own `close()`/`destroy()`, and
 *    after every frame that arrived before the peer's FIN.
 * 2. Bytes from the peer never throw: a bad length, a failed MAC, a handshake failure, a
 *    timeout each end the link with a named reason (limits.ts).
 * 3. Callbacks may call back into this link (send, close); after each callback the link
 *    re-checks its state before reading on.
 */
import type { Socket } from 'node:net';
import type { CryptoSuite } from '../../engine/crypto/suite.js';
import { formatAddress } from './address.js';
import { NoiseFrameReader, withLengthPrefix } from './framing.js';
import {
  REASON_DECRYPT_FAILED,
  REASON_FRAME_TOO_LARGE,
  REASON_HANDSHAKE_FAILED,
  REASON_HANDSHAKE_TIMEOUT,
  REASON_IDLE_TIMEOUT,
  REASON_REFUSED,
  REASON_REMOTE_CLOSED,
  REASON_RESET,
  REASON_SEND_BUFFER_FULL,
  REASON_SOCKET_ERROR,
  REASON_TIMEOUT,
  REASON_UNREACHABLE,
  type TcpLimits,
} from './limits.js';
import { NOISE_TAG_BYTES, NoiseHandshake, type NoiseSession } from './noise.js';

export type LinkState = 'connecting' | 'handshake' | 'open' | 'closing' | 'closed';

export interface SecureLinkHandler {
  /** The handshake is done; `link.remoteStaticKey` is the peer's proven key. */
  opened(link: SecureLink): void;
  /** One decrypted frame. */
  frame(link: SecureLink, bytes: Uint8Array): void;
  /** The link ended without our asking; `wasOpen` tells whether `opened` ran. */
  closed(link: SecureLink, reason: string, wasOpen: boolean): void;
  /** The socket is fully closed (after our own close too): the link holds nothing more. */
  released(link: SecureLink): void;
}

export interface SecureLinkOptions {
  socket: Socket;
  /** How the engine knows the peer: the dialed address; default the socket's ip:port. */
  remoteAddress?: string;
  /** True for a dial: wait for 'connect', then write the first handshake message. */
  initiator: boolean;
  suite: CryptoSuite;
  staticSecret: Uint8Array;
  staticPublic: Uint8Array;
  prologue: Uint8Array;
  /** A fresh 32-byte secret per call. */
  ephemeralSecret: () => Uint8Array;
  limits: TcpLimits;
  handler: SecureLinkHandler;
}

/** Local misuse of a link (an oversize frame from our own engine). */
export class LinkUsageError extends Error {
  override name = 'LinkUsageError';
}

/** node's socket error codes, as the reasons the engine sees. */
function reasonOf(error: Error): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ECONNREFUSED':
      return REASON_REFUSED;
    case 'ECONNRESET':
    case 'EPIPE':
      return REASON_RESET;
    case 'ETIMEDOUT':
      return REASON_TIMEOUT;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return REASON_UNREACHABLE;
    default:
      return REASON_SOCKET_ERROR;
  }
}

export class SecureLink {
  /** Set by the runtime once the link is open; 0 before. */
  id = 0;
  remoteStaticKey: Uint8Array | null = null;
  readonly remoteAddress: string;
  /** The largest socket buffer + queue this link ever held (for tests and stats). */
  peakBufferedBytes = 0;
  framesSent = 0;
  framesReceived = 0;

  private state_: LinkState;
  private readonly socket: Socket;
  private readonly limits: TcpLimits;
  private readonly handler: SecureLinkHandler;
  private readonly reader: NoiseFrameReader;
  private handshake: NoiseHandshake | null;
  private session: NoiseSession | null = null;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private congested = false;
  private corked = false;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(options: SecureLinkOptions) {
    const { socket, limits } = options;
    this.socket = socket;
    this.limits = limits;
    this.handler = options.handler;
    this.remoteAddress =
      options.remoteAddress ?? formatAddress(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    this.reader = new NoiseFrameReader(limits.handshakeMessageMaxBytes);
    this.handshake = new NoiseHandshake({
      suite: options.suite,
      initiator: options.initiator,
      staticSecret: options.staticSecret,
      staticPublic: options.staticPublic,
      prologue: options.prologue,
      ephemeralSecret: options.ephemeralSecret,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error) => this.fail(reasonOf(error)));
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.onDrain());
    if (options.initiator) {
      this.state_ = 'connecting';
      this.timer = setTimeout(() => this.fail(REASON_TIMEOUT), limits.connectTimeoutMs);
      socket.once('connect', () => this.onConnect());
    } else {
      this.state_ = 'handshake';
      this.timer = setTimeout(() => this.fail(REASON_HANDSHAKE_TIMEOUT), limits.handshakeTimeoutMs);
      this.idleTimer = setTimeout(
        () => this.fail(REASON_IDLE_TIMEOUT),
        limits.idleBeforeHandshakeMs,
      );
    }
  }

  get state(): LinkState {
    return this.state_;
  }

  /** Bytes waiting for the peer: the socket's buffer plus our queue. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  /**
   * Encrypts and sends one frame. False when the link is not open (the frame is dropped) or
   * when it just overflowed its send buffer (the link is then closed, handler told).
   */
  send(frame: Uint8Array): boolean {
    if (this.state_ !== 'open') return false;
    if (frame.length > this.limits.frameMaxBytes) {
      throw new LinkUsageError(
        `frame of ${frame.length} bytes is over ${this.limits.frameMaxBytes}`,
      );
    }
    const message = withLengthPrefix((this.session as NoiseSession).send.encrypt(frame));
    if (this.bufferedBytes + message.length > this.limits.sendBufferMaxBytes) {
      this.fail(REASON_SEND_BUFFER_FULL);
      return false;
    }
    if (this.congested) {
      this.queue.push(message);
      this.queuedBytes += message.length;
    } else {
      this.cork();
      this.congested = !this.socket.write(message);
    }
    this.framesSent++;
    const buffered = this.bufferedBytes;
    if (buffered > this.peakBufferedBytes) this.peakBufferedBytes = buffered;
    return true;
  }

  /** Our close: queued frames go out, then FIN; no callback. Idempotent. */
  close(): void {
    if (this.state_ === 'closing' || this.state_ === 'closed') return;
    const wasOpen = this.state_ === 'open';
    this.state_ = 'closing';
    this.clearTimers();
    this.wipe();
    if (wasOpen) {
      for (const message of this.queue) this.socket.write(message);
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.socket.end();
      this.timer = setTimeout(() => this.socket.destroy(), this.limits.closeLingerMs);
    } else {
      this.socket.destroy();
    }
  }

  /** Immediate teardown with no flush and no callback (runtime stop). */
  destroy(): void {
    if (this.state_ === 'closed') return;
    this.state_ = 'closed';
    this.clearTimers();
    this.wipe();
    this.socket.destroy();
  }

  /**
   * Frames sent in one turn of the event loop (one engine step usually sends several) leave
   * in one write: cork now, uncork on the next tick, as node's documentation suggests.
   */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  // ---- socket events ---------------------------------------------------------------------

  private onConnect(): void {
    if (this.state_ !== 'connecting') return;
    this.state_ = 'handshake';
    this.clearTimers();
    this.timer = setTimeout(
      () => this.fail(REASON_HANDSHAKE_TIMEOUT),
      this.limits.handshakeTimeoutMs,
    );
    this.writeHandshake();
  }

  private onData(chunk: Buffer): void {
    if (this.state_ !== 'handshake' && this.state_ !== 'open') return;
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.reader.push(chunk);
    for (;;) {
      const result = this.reader.next();
      if (result.kind === 'none') return;
      if (result.kind === 'too-large') {
        const handshaking = this.state_ === 'handshake';
        return this.fail(handshaking ? REASON_HANDSHAKE_FAILED : REASON_FRAME_TOO_LARGE);
      }
      if (this.state_ === 'handshake') this.readHandshake(result.bytes);
      else this.readTransport(result.bytes);
      // Rule 3: a callback may have closed or failed this link.
      if (this.state_ !== 'handshake' && this.state_ !== 'open') return;
    }
  }

  private onEnd(): void {
    // The peer's FIN: every frame before it was delivered by onData already (Rule 1).
    this.fail(this.state_ === 'open' ? REASON_REMOTE_CLOSED : REASON_HANDSHAKE_FAILED);
  }

  private onClose(): void {
    this.fail(this.state_ === 'open' ? REASON_REMOTE_CLOSED : REASON_RESET);
    this.clearTimers();
    this.state_ = 'closed';
    this.handler.released(this);
  }

  private onDrain(): void {
    if (this.state_ !== 'open') return;
    while (this.queue.length > 0) {
      const message = this.queue.shift() as Uint8Array;
      this.queuedBytes -= message.length;
      if (!this.socket.write(message)) return; // still congested: wait for the next drain
    }
    this.congested = false;
  }

  // ---- handshake and transport -----------------------------------------------------------

  private writeHandshake(): void {
    const handshake = this.handshake as NoiseHandshake;
    const written = handshake.writeMessage();
    if (!written.ok) return this.fail(REASON_HANDSHAKE_FAILED);
    this.socket.write(withLengthPrefix(written.value));
    if (handshake.complete) this.finishHandshake();
  }

  private readHandshake(message: Uint8Array): void {
    const handshake = this.handshake as NoiseHandshake;
    const read = handshake.readMessage(message);
    if (!read.ok) return this.fail(REASON_HANDSHAKE_FAILED);
    if (handshake.ourTurn) this.writeHandshake();
    else if (handshake.complete) this.finishHandshake();
  }

  private finishHandshake(): void {
    if (this.state_ !== 'handshake') return;
    const session = (this.handshake as NoiseHandshake).finish();
    this.handshake = null;
    this.session = session;
    this.remoteStaticKey = session.remoteStaticKey;
    this.reader.setMaxMessageBytes(this.limits.frameMaxBytes + NOISE_TAG_BYTES);
    this.state_ = 'open';
    this.clearTimers();
    this.handler.opened(this);
  }

  private readTransport(message: Uint8Array): void {
    const frame = (this.session as NoiseSession).receive.decrypt(message);
    if (!frame.ok) return this.fail(REASON_DECRYPT_FAILED);
    this.framesReceived++;
    this.handler.frame(this, frame.value);
  }

  // ---- endings ---------------------------------------------------------------------------

  /** The link ends without our asking: tell the handler once, tear the socket down. */
  private fail(reason: string): void {
    if (this.state_ === 'closing' || this.state_ === 'closed') return;
    const wasOpen = this.state_ === 'open';
    this.state_ = 'closed';
    this.clearTimers();
    this.wipe();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.destroy();
    this.handler.closed(this, reason, wasOpen);
  }

  private clearTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.timer = null;
    this.idleTimer = null;
  }

  private wipe(): void {
    this.handshake?.destroy();
    this.handshake = null;
    this.session?.send.destroy();
    this.session?.receive.destroy();
  }
}
