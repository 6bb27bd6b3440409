/**
 * Hostile wire frames: random bytes with a plausible header, and valid frames (generated, or
 * captured from a simulated network) put through byte mutations plus the ones that only mean
 * something on the wire: length-field edits and message-type swaps.
 *
 * Shared by the wire decoder's CI fuzz test (test/wire/fuzz.test.ts), the campaign's `wire`
 * surface and its `node` surface.
 */
import fc from 'fast-check';
import { encodeMessage, readFrameLength } from '../../../src/engine/wire/codec.js';
import { FRAME_LENGTH_BYTES, PROTOCOL_VERSION } from '../../../src/engine/wire/limits.js';
import { MESSAGE_CODES } from '../../../src/engine/wire/messages.js';
import { arbMessage } from '../../../test/wire/arbitraries.js';
import { arbByteMutation, arbMutations, mutate, type ByteMutation } from './bytes.js';

export const MESSAGE_TYPE_CODES: readonly number[] = Object.values(MESSAGE_CODES).map(
  (c) => c.code,
);
/** Byte offsets of the frame header fields after the u32 length. */
const VERSION_AT = FRAME_LENGTH_BYTES;
const TYPE_AT = FRAME_LENGTH_BYTES + 1;

function writeLength(bytes: Uint8Array, length: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(0, length >>> 0);
}

/**
 * Random bytes; mostly with a length prefix that (nearly) matches the bytes present, and
 * often a valid version and type too, so decoding reaches the message bodies.
 */
export const arbRandomFrame: fc.Arbitrary<Uint8Array> = fc
  .record({
    bytes: fc.uint8Array({ maxLength: 300 }),
    mode: fc.constantFrom('raw', 'length', 'header', 'header'),
    delta: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: -2, max: 2 })),
    code: fc.constantFrom(...MESSAGE_TYPE_CODES),
  })
  .map(({ bytes, mode, delta, code }) => {
    if (mode === 'raw' || bytes.length < FRAME_LENGTH_BYTES) return bytes;
    writeLength(bytes, Math.max(0, bytes.length - FRAME_LENGTH_BYTES + delta));
    if (mode === 'header' && bytes.length > TYPE_AT) {
      bytes[VERSION_AT] = PROTOCOL_VERSION;
      bytes[TYPE_AT] = code;
    }
    return bytes;
  });

export type FrameMutation =
  | ByteMutation
  /** The length field moved by a few bytes (off by one, or by the header size). */
  | { kind: 'length'; delta: number }
  /** The length field set to anything at all. */
  | { kind: 'lengthRaw'; value: number }
  /** The body read as another message type. */
  | { kind: 'type'; code: number };

export const arbFrameMutation: fc.Arbitrary<FrameMutation> = fc.oneof(
  { weight: 12, arbitrary: arbByteMutation },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('length'), delta: fc.integer({ min: -3, max: 3 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('lengthRaw'), value: fc.nat({ max: 0xffffffff }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('type'),
      code: fc.constantFrom(...MESSAGE_TYPE_CODES),
    }),
  },
) as fc.Arbitrary<FrameMutation>;

/** `frame` with `mutation` applied; `donors` feed splices (other frames of the same stream). */
export function mutateFrame(
  frame: Uint8Array,
  mutation: FrameMutation,
  donors: readonly Uint8Array[] = [],
): Uint8Array {
  switch (mutation.kind) {
    case 'length':
    case 'lengthRaw': {
      if (frame.length < FRAME_LENGTH_BYTES) return frame.slice();
      const out = frame.slice();
      const length =
        mutation.kind === 'length' ? readFrameLength(frame) + mutation.delta : mutation.value;
      writeLength(out, Math.max(0, length));
      return out;
    }
    case 'type': {
      const out = frame.slice();
      if (out.length > TYPE_AT) out[TYPE_AT] = mutation.code;
      return out;
    }
    default:
      return mutate(frame, mutation, donors);
  }
}

/** Applies `mutations` in order. */
export function mutateFrameAll(
  frame: Uint8Array,
  mutations: readonly FrameMutation[],
  donors: readonly Uint8Array[] = [],
): Uint8Array {
  return mutations.reduce((bytes, m) => mutateFrame(bytes, m, donors), frame);
}

/** A valid frame of any message type, then one to three mutations (splices from another). */
export const arbMutatedFrame: fc.Arbitrary<Uint8Array> = fc
  .tuple(arbMessage, arbMessage, arbMutations(arbFrameMutation))
  .map(([message, donor, mutations]) =>
    mutateFrameAll(encodeMessage(message), mutations, [encodeMessage(donor)]),
  );
