/**
 * The TCP transport's limits, in one place (STYLE.md #4, #6). Units last. `DEFAULT_TCP_LIMITS`
 * is what the daemon runs; `TEST_TCP_LIMITS` shrinks every limit so tests reach each edge in a
 * few steps (TigerBeetle's `test_min`). A runtime takes a `Partial<TcpLimits>` over the
 * defaults, so a test can shrink just the one it is about.
 */
import { FRAME_MAX_BYTES } from '../../engine/wire/limits.js';
import { NOISE_MESSAGE_MAX_BYTES, NOISE_TAG_BYTES } from './noise.js';

/** Every Noise message on the wire is preceded by its length as a u16 big-endian (Noise §13). */
export const LENGTH_PREFIX_BYTES = 2;

export interface TcpLimits {
  /**
   * How long a dial may take to connect. The simulator's CONNECT_TIMEOUT_MS is the same 5 s:
   * the order of magnitude real clients use, far below Linux's ~127 s of SYN retries.
   */
  connectTimeoutMs: number;
  /**
   * From accept (or connect) to the last handshake message. Three messages of < 100 bytes
   * need three one-way delays; 10 s covers a bad intercontinental path with retransmits and
   * still frees a slot held by a slow-walking peer quickly.
   */
  handshakeTimeoutMs: number;
  /**
   * An inbound socket that sends not one byte within this is cut off: a half-open or idle
   * connection must not hold a pending-handshake slot for the whole handshake timeout.
   */
  idleBeforeHandshakeMs: number;
  /**
   * Inbound sockets still in the handshake. Beyond it new sockets are closed at once (a
   * counted refusal): a flood of connections costs us one small object each, never a DH.
   */
  pendingHandshakesMax: number;
  /**
   * Open links, inbound and outbound. The engine keeps a bounded active view (~5–8) plus a
   * bounded, idle-expiring relay pool; 256 is far above both, and 256 × the send buffer below
   * bounds what slow peers can make us hold (128 MiB).
   */
  linksMax: number;
  /**
   * Bytes a link may hold waiting for the peer to read: the socket's own buffer plus our
   * queue once `write` said the kernel is full. Over it, the link is closed with
   * 'send-buffer-full' (backpressure: a slow peer cannot make us buffer without bound).
   * Frames sent in one event-loop turn are corked into one write, so this must also exceed
   * the largest burst one engine step sends on one link: 512 KiB is ~64 frames of the
   * largest size, far above any step of the engine (a few frames).
   */
  sendBufferMaxBytes: number;
  /**
   * Largest decrypted frame; a Noise message announcing more is refused before decrypting.
   * The engine's own frame limit: one engine frame per transport message.
   */
  frameMaxBytes: number;
  /**
   * Largest handshake message accepted. XX with empty payloads needs 32, 96 and 64 bytes;
   * the rest is room for a future payload.
   */
  handshakeMessageMaxBytes: number;
  /**
   * After our `close`, how long the pending writes may take to drain before the socket is
   * destroyed. A peer that never reads must not keep a closed link's memory alive.
   */
  closeLingerMs: number;
}

export const DEFAULT_TCP_LIMITS: Readonly<TcpLimits> = Object.freeze({
  connectTimeoutMs: 5_000,
  handshakeTimeoutMs: 10_000,
  idleBeforeHandshakeMs: 5_000,
  pendingHandshakesMax: 64,
  linksMax: 256,
  sendBufferMaxBytes: 512 * 1024,
  frameMaxBytes: FRAME_MAX_BYTES,
  handshakeMessageMaxBytes: 256,
  closeLingerMs: 5_000,
});

/** Small limits for tests (STYLE.md #6). */
export const TEST_TCP_LIMITS: Readonly<TcpLimits> = Object.freeze({
  connectTimeoutMs: 500,
  handshakeTimeoutMs: 600,
  idleBeforeHandshakeMs: 200,
  pendingHandshakesMax: 4,
  linksMax: 4,
  sendBufferMaxBytes: 64 * 1024,
  frameMaxBytes: FRAME_MAX_BYTES,
  handshakeMessageMaxBytes: 256,
  closeLingerMs: 500,
});

/** Local misuse: limits that cannot work. */
export class TcpConfigError extends Error {
  override name = 'TcpConfigError';
}

/** The defaults overlaid with `overrides`, checked. */
export function tcpLimits(overrides: Partial<TcpLimits> = {}): TcpLimits {
  const limits: TcpLimits = { ...DEFAULT_TCP_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new TcpConfigError(`${name}: expected a positive integer, got ${String(value)}`);
    }
  }
  if (limits.frameMaxBytes + NOISE_TAG_BYTES > NOISE_MESSAGE_MAX_BYTES) {
    throw new TcpConfigError(`frameMaxBytes: at most ${NOISE_MESSAGE_MAX_BYTES - NOISE_TAG_BYTES}`);
  }
  if (limits.handshakeMessageMaxBytes > NOISE_MESSAGE_MAX_BYTES) {
    throw new TcpConfigError(`handshakeMessageMaxBytes: at most ${NOISE_MESSAGE_MAX_BYTES}`);
  }
  return limits;
}

/**
 * Reasons given to the engine in `linkClosed` and `dialFailed`. The first four are the
 * simulator's (src/transports/sim/limits.ts), so an engine sees the same words on both.
 */
export const REASON_REMOTE_CLOSED = 'remote-closed';
export const REASON_RESET = 'reset';
export const REASON_REFUSED = 'refused';
export const REASON_TIMEOUT = 'timeout';
export const REASON_UNREACHABLE = 'unreachable';
export const REASON_HANDSHAKE_TIMEOUT = 'handshake-timeout';
export const REASON_HANDSHAKE_FAILED = 'handshake-failed';
export const REASON_IDLE_TIMEOUT = 'idle-timeout';
export const REASON_SEND_BUFFER_FULL = 'send-buffer-full';
export const REASON_FRAME_TOO_LARGE = 'frame-too-large';
export const REASON_DECRYPT_FAILED = 'decrypt-failed';
export const REASON_LINKS_FULL = 'links-full';
export const REASON_BAD_ADDRESS = 'bad-address';
export const REASON_STOPPED = 'stopped';
export const REASON_SOCKET_ERROR = 'socket-error';
