/**
 * Splits a byte stream (TCP) into whole frames, length prefix included. Bodies are not
 * decoded here: that is `decodeFrame`'s job once the engine gets the frame.
 *
 * Rules:
 * 1. Drive it like the engine: `push(chunk)`, then call `next()` until it returns 'none'
 *    (or 'error') before the next `push`. Pushing earlier is local misuse and throws, so
 *    the splitter holds at most one unread chunk plus one partial frame.
 * 2. A partial frame is copied into a fixed buffer of FRAME_MAX_BYTES and never more: a
 *    declared length out of bounds is an error as soon as its 4 bytes are in.
 * 3. An error is final: `next()` keeps returning it and later pushes are ignored. The
 *    runtime closes the link.
 * 4. Returned frames are fresh copies; they never alias a pushed chunk.
 */
import type { DecodeError } from './errors.js';
import { frameLengthError, readFrameLength } from './codec.js';
import { FRAME_LENGTH_BYTES, FRAME_MAX_BYTES } from './limits.js';

export type SplitResult =
  { kind: 'frame'; bytes: Uint8Array } | { kind: 'none' } | { kind: 'error'; error: DecodeError };

/** `push` called while the previous chunk still holds unread bytes. */
export class FrameSplitterError extends Error {
  override name = 'FrameSplitterError';
}

const NONE: SplitResult = Object.freeze({ kind: 'none' });
const EMPTY = new Uint8Array(0);

export class FrameSplitter {
  /** The start of a frame that spans chunks. */
  private readonly partial = new Uint8Array(FRAME_MAX_BYTES);
  private partialLength = 0;
  private chunk: Uint8Array = EMPTY;
  private offset = 0;
  private error: DecodeError | null = null;

  /** Bytes held and not yet returned as frames: the partial frame plus the unread chunk. */
  get bufferedBytes(): number {
    return this.partialLength + this.chunk.length - this.offset;
  }

  push(chunk: Uint8Array): void {
    if (this.error !== null) return;
    if (this.offset < this.chunk.length) {
      throw new FrameSplitterError('push() before next() returned none');
    }
    // A Node Buffer's slice() is a view; go through a plain Uint8Array so frames are copies.
    this.chunk =
      chunk.constructor === Uint8Array
        ? chunk
        : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.offset = 0;
  }

  next(): SplitResult {
    if (this.error !== null) return { kind: 'error', error: this.error };

    if (this.partialLength === 0) {
      // Fast path: a frame wholly inside the current chunk is copied out directly.
      const remaining = this.chunk.length - this.offset;
      if (remaining === 0) return NONE;
      if (remaining >= FRAME_LENGTH_BYTES) {
        const size = this.frameSize(this.chunk, this.offset);
        if (size < 0) return { kind: 'error', error: this.error! };
        if (remaining >= size) {
          const bytes = this.chunk.slice(this.offset, this.offset + size);
          this.offset += size;
          return { kind: 'frame', bytes };
        }
      }
    }

    // Slow path: gather the frame in `partial`, first its length prefix, then the rest.
    if (this.partialLength < FRAME_LENGTH_BYTES) {
      this.gather(FRAME_LENGTH_BYTES);
      if (this.partialLength < FRAME_LENGTH_BYTES) return NONE;
    }
    const size = this.frameSize(this.partial, 0);
    if (size < 0) return { kind: 'error', error: this.error! };
    this.gather(size);
    if (this.partialLength < size) return NONE;
    this.partialLength = 0;
    return { kind: 'frame', bytes: this.partial.slice(0, size) };
  }

  /** The whole size of the frame whose prefix is at `offset`, or -1 after recording why not. */
  private frameSize(bytes: Uint8Array, offset: number): number {
    const length = readFrameLength(bytes, offset);
    const error = frameLengthError(length);
    if (error !== null) {
      this.error = error;
      return -1;
    }
    return FRAME_LENGTH_BYTES + length;
  }

  /** Moves bytes from the chunk into `partial` until it holds `target` bytes or the chunk ends. */
  private gather(target: number): void {
    const n = Math.min(target - this.partialLength, this.chunk.length - this.offset);
    if (this.partialLength + n > FRAME_MAX_BYTES) throw new Error('bug: partial frame overflow');
    this.partial.set(this.chunk.subarray(this.offset, this.offset + n), this.partialLength);
    this.partialLength += n;
    this.offset += n;
  }
}
