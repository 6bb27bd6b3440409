/**
 * The two kinds of wire failure (STYLE.md #7).
 *
 * - Bad bytes from a peer are a `DecodeError`: a value, never an exception. The reason is
 *   machine-readable (counted, logged, used to close the link); the detail is for humans.
 * - Encoding one of our own invalid values is local misuse: `WireEncodeError` is thrown.
 *
 * Every reason below is reachable by some input; the codec tests check each one.
 */

export const DECODE_ERROR_REASONS = [
  /** Declared frame length below version + type (2 bytes). */
  'frame-too-short',
  /** Declared frame length above FRAME_MAX_BYTES - FRAME_LENGTH_BYTES. */
  'frame-too-long',
  /** Version byte other than PROTOCOL_VERSION. */
  'bad-version',
  /** Type byte not in MESSAGE_CODES. */
  'unknown-type',
  /** The frame ends before the body does. */
  'truncated-body',
  /** The body is complete but the frame has bytes left over. */
  'trailing-body-bytes',
  /** Address length byte above ADDRESS_MAX_BYTES. */
  'address-too-long',
  /** Address byte outside printable ASCII 0x21..0x7e. */
  'bad-address-char',
  /** List count above PEER_ENTRIES_MAX. */
  'too-many-entries',
  /** TTL above TTL_MAX. */
  'bad-ttl',
  /** Boolean or priority byte other than 0 or 1. */
  'bad-flag',
  /** Broadcast kind byte not in BROADCAST_KINDS. */
  'bad-kind',
  /** Broadcast hop limit above BROADCAST_HOPS_MAX. */
  'bad-hops',
  /** A length-prefixed byte field longer than its limit. */
  'blob-too-long',
  /** An item count (broadcast IDs, descriptors) above its limit. */
  'too-many-items',
  /** An onion body of any length other than PACKET_BYTES. */
  'bad-packet-size',
  /** A directory-sync digest with no slices, a slice out of range or an empty filter. */
  'bad-digest',
] as const;

export type DecodeErrorReason = (typeof DECODE_ERROR_REASONS)[number];

export interface DecodeError {
  reason: DecodeErrorReason;
  detail: string;
}

/** Thrown when asked to encode a value that has no valid encoding: a bug in the caller. */
export class WireEncodeError extends Error {
  override name = 'WireEncodeError';
}
