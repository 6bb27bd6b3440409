/**
 * Noise messages on a TCP stream: each one preceded by its length as a u16 big-endian, as
 * the Noise spec suggests for stream transports (§13, "Application responsibilities").
 *
 * Theory of operation. `NoiseFrameReader` turns the byte stream into whole messages, the way
 * the engine's `FrameSplitter` does for engine frames:
 * 1. Drive it with `push(chunk)`, then `next()` until it returns 'none' (or an error) before
 *    the next `push`. Pushing earlier is local misuse and throws.
 * 2. A declared length over `maxMessageBytes` is an error as soon as its two bytes are in:
 *    nothing of that message is buffered. The limit changes after the handshake (handshake
 *    messages are small, transport messages carry one engine frame) via `setMaxMessageBytes`.
 * 3. A message spanning chunks is gathered in one buffer of the current maximum size, never
 *    more; a message wholly inside a chunk is copied out directly. Messages never alias chunks.
 * 4. An error is final: `next()` keeps returning it and later pushes are ignored.
 */
import { LENGTH_PREFIX_BYTES } from './limits.js';
import { NOISE_MESSAGE_MAX_BYTES } from './noise.js';

export type ReadResult =
  { kind: 'message'; bytes: Uint8Array } | { kind: 'none' } | { kind: 'too-large'; length: number };

/** `push` while the previous chunk still holds unread bytes, or a bad limit. */
export class FramingUsageError extends Error {
  override name = 'FramingUsageError';
}

const NONE: ReadResult = Object.freeze({ kind: 'none' });
const EMPTY = new Uint8Array(0);

/** The message with its u16 big-endian length in front. */
export function withLengthPrefix(message: Uint8Array): Uint8Array {
  if (message.length > NOISE_MESSAGE_MAX_BYTES) {
    throw new FramingUsageError(`message of ${message.length} bytes does not fit a u16 length`);
  }
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + message.length);
  out[0] = message.length >>> 8;
  out[1] = message.length & 0xff;
  out.set(message, LENGTH_PREFIX_BYTES);
  return out;
}

export class NoiseFrameReader {
  private maxBytes: number;
  /** The body of a message that spans chunks. */
  private partial: Uint8Array;
  private partialLength = 0;
  /** The length prefix being read: -1 until both bytes are in. */
  private expected = -1;
  /** The first prefix byte when the prefix itself spans chunks, or -1. */
  private highByte = -1;
  private chunk: Uint8Array = EMPTY;
  private offset = 0;
  private error: ReadResult | null = null;

  constructor(maxMessageBytes: number) {
    this.maxBytes = checkMax(maxMessageBytes);
    this.partial = new Uint8Array(this.maxBytes);
  }

  get maxMessageBytes(): number {
    return this.maxBytes;
  }

  /** Bytes held and not yet returned: the partial message plus the unread chunk. */
  get bufferedBytes(): number {
    return this.partialLength + (this.highByte >= 0 ? 1 : 0) + this.chunk.length - this.offset;
  }

  setMaxMessageBytes(max: number): void {
    this.maxBytes = checkMax(max);
    if (this.partial.length < this.maxBytes) {
      const grown = new Uint8Array(this.maxBytes);
      grown.set(this.partial.subarray(0, this.partialLength));
      this.partial = grown;
    }
  }

  push(chunk: Uint8Array): void {
    if (this.error !== null) return;
    if (this.offset < this.chunk.length) {
      throw new FramingUsageError('push() before next() returned none');
    }
    this.chunk = chunk;
    this.offset = 0;
  }

  next(): ReadResult {
    if (this.error !== null) return this.error;
    const chunk = this.chunk;

    if (this.expected < 0) {
      // Fast path: the whole message is inside the current chunk.
      const remaining = chunk.length - this.offset;
      if (this.highByte < 0 && remaining >= LENGTH_PREFIX_BYTES) {
        const length = ((chunk[this.offset] as number) << 8) | (chunk[this.offset + 1] as number);
        if (length > this.maxBytes) return this.fail(length);
        if (remaining >= LENGTH_PREFIX_BYTES + length) {
          const start = this.offset + LENGTH_PREFIX_BYTES;
          this.offset = start + length;
          return { kind: 'message', bytes: copyOf(chunk, start, start + length) };
        }
        this.expected = length;
        this.offset += LENGTH_PREFIX_BYTES;
      } else {
        // Slow path for the prefix: it spans chunks, one byte at a time.
        while (this.expected < 0 && this.offset < chunk.length) {
          const byte = chunk[this.offset++] as number;
          if (this.highByte < 0) {
            this.highByte = byte;
          } else {
            this.expected = (this.highByte << 8) | byte;
            this.highByte = -1;
          }
        }
        if (this.expected < 0) return NONE;
        if (this.expected > this.maxBytes) return this.fail(this.expected);
      }
    }

    // Gather the body in `partial`.
    const n = Math.min(this.expected - this.partialLength, chunk.length - this.offset);
    this.partial.set(chunk.subarray(this.offset, this.offset + n), this.partialLength);
    this.partialLength += n;
    this.offset += n;
    if (this.partialLength < this.expected) return NONE;
    const bytes = this.partial.slice(0, this.expected);
    this.partialLength = 0;
    this.expected = -1;
    return { kind: 'message', bytes };
  }

  private fail(length: number): ReadResult {
    this.error = { kind: 'too-large', length };
    this.chunk = EMPTY;
    this.offset = 0;
    return this.error;
  }
}

function checkMax(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > NOISE_MESSAGE_MAX_BYTES) {
    throw new FramingUsageError(`maxMessageBytes: expected 1..${NOISE_MESSAGE_MAX_BYTES}`);
  }
  return max;
}

/** A plain Uint8Array copy (a Buffer's slice would alias the socket's chunk). */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}
