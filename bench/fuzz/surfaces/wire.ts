/**
 * Surface `wire`: the frame decoder (src/engine/wire/) on random and mutated frames.
 *
 * Rule checked on every input: decoding never throws and answers a message, 'incomplete' or
 * a DecodeError with a known reason; a decoded message re-encodes to exactly the bytes it
 * consumed (the encoding is canonical); 'incomplete' asks for more bytes than it has, within
 * the frame limit.
 */
import fc from 'fast-check';
import { decodeFrame, encodeMessage, readFrameLength } from '../../../src/engine/wire/codec.js';
import { DECODE_ERROR_REASONS } from '../../../src/engine/wire/errors.js';
import { FRAME_LENGTH_BYTES, FRAME_MAX_BYTES } from '../../../src/engine/wire/limits.js';
import { InvariantError, showBytes, statelessSurface } from '../campaign.js';
import { arbMutatedFrame, arbRandomFrame } from '../inputs/frames.js';

const REASONS = new Set<string>(DECODE_ERROR_REASONS);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decodes `input` and checks the answer is well-formed: 'message:<type>', 'incomplete' or
 * 'error:<reason>'. Throws InvariantError when it is not.
 */
export function decodeOutcome(input: Uint8Array): string {
  const result = decodeFrame(input);
  switch (result.kind) {
    case 'message': {
      const { size, message } = result;
      if (size > input.length || size !== FRAME_LENGTH_BYTES + readFrameLength(input))
        throw new InvariantError(`message of size ${size} from ${input.length} bytes`);
      if (!sameBytes(encodeMessage(message), input.subarray(0, size)))
        throw new InvariantError(`${message.type} does not re-encode to the bytes it came from`);
      return `message:${message.type}`;
    }
    case 'incomplete': {
      const { needed } = result;
      const fine =
        needed === undefined
          ? input.length < FRAME_LENGTH_BYTES
          : needed > input.length && needed <= FRAME_MAX_BYTES;
      if (!fine) throw new InvariantError(`incomplete, needing ${needed} of ${input.length}`);
      return 'incomplete';
    }
    case 'error': {
      const { reason, detail } = result.error;
      if (!REASONS.has(reason) || typeof detail !== 'string')
        throw new InvariantError(`unknown decode error ${String(reason)}`);
      return `error:${reason}`;
    }
  }
}

/** Half random bytes with a plausible header, half mutated valid frames. */
export const arbWireInput: fc.Arbitrary<Uint8Array> = fc.oneof(arbRandomFrame, arbMutatedFrame);

export const wireSurface = statelessSurface({
  name: 'wire',
  typedError: 'DecodeError (decodeFrame result)',
  prepare: () => ({ arbitrary: arbWireInput, run: decodeOutcome }),
  show: showBytes,
});
