/**
 * "Any bytes ⇒ a message or a DecodeError, never a throw" (STYLE.md #7, #10).
 *
 * Two halves of 50,000 inputs each: random byte arrays (the length prefix, and sometimes the
 * version and type, forced plausible so bodies get parsed), and valid frames put through
 * mutations (bit flips, byte replacement, truncation, insertion, deletion, length edits).
 * Whenever an input decodes to a message, re-encoding it must give exactly the bytes
 * consumed: the encoding is canonical.
 *
 * Inputs come from fast-check, which prints the seed (and path) of any failure. Set
 * FUZZ_SEED=<seed> to replay a run; otherwise every run explores new inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeMessage, readFrameLength } from '../../src/engine/wire/codec.js';
import { DECODE_ERROR_REASONS, type DecodeErrorReason } from '../../src/engine/wire/errors.js';
import {
  FRAME_LENGTH_BYTES,
  FRAME_MAX_BYTES,
  PROTOCOL_VERSION,
} from '../../src/engine/wire/limits.js';
import { MESSAGE_CODES } from '../../src/engine/wire/messages.js';
import { arbMessage } from './arbitraries.js';

const RUNS_PER_HALF = 50_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = { numRuns: RUNS_PER_HALF, seed: SEED };

const REASONS = new Set<string>(DECODE_ERROR_REASONS);
const CODES = Object.values(MESSAGE_CODES).map((c) => c.code);

interface Tally {
  messages: number;
  incomplete: number;
  reasons: Map<DecodeErrorReason, number>;
}
const newTally = (): Tally => ({ messages: 0, incomplete: 0, reasons: new Map() });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function writeLength(bytes: Uint8Array, length: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(0, length >>> 0);
}

/**
 * Decodes `input` (a throw fails the property by itself) and checks the result is
 * well-formed; a decoded message must re-encode to exactly the consumed bytes.
 */
function check(input: Uint8Array, tally: Tally): boolean {
  const result = decodeFrame(input);
  switch (result.kind) {
    case 'message': {
      tally.messages++;
      const { size } = result;
      if (size > input.length || size !== FRAME_LENGTH_BYTES + readFrameLength(input)) return false;
      return sameBytes(encodeMessage(result.message), input.subarray(0, size));
    }
    case 'incomplete': {
      tally.incomplete++;
      const { needed } = result;
      if (needed === undefined) return input.length < FRAME_LENGTH_BYTES;
      return needed > input.length && needed <= FRAME_MAX_BYTES;
    }
    case 'error': {
      const { reason, detail } = result.error;
      tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
      return REASONS.has(reason) && typeof detail === 'string';
    }
  }
}

// ---------------------------------------------------------------------------------------
// Half 1: random bytes, prefix sometimes made plausible.

const arbRandomInput: fc.Arbitrary<Uint8Array> = fc
  .record({
    bytes: fc.uint8Array({ maxLength: 300 }),
    mode: fc.constantFrom('raw', 'length', 'header', 'header'),
    delta: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: -2, max: 2 })),
    code: fc.constantFrom(...CODES),
  })
  .map(({ bytes, mode, delta, code }) => {
    if (mode === 'raw' || bytes.length < FRAME_LENGTH_BYTES) return bytes;
    // A length that (nearly) matches the bytes present, so the body gets parsed.
    writeLength(bytes, Math.max(0, bytes.length - FRAME_LENGTH_BYTES + delta));
    if (mode === 'header' && bytes.length >= 6) {
      bytes[4] = PROTOCOL_VERSION;
      bytes[5] = code;
    }
    return bytes;
  });

// ---------------------------------------------------------------------------------------
// Half 2: valid frames, mutated.

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'length'; delta: number }
  | { kind: 'lengthRaw'; value: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.nat(7) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('set'), at: fc.nat(), value: fc.nat(255) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate'), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert'),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete'),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('length'), delta: fc.integer({ min: -3, max: 3 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('lengthRaw'), value: fc.nat({ max: 0xffffffff }) }),
  },
) as fc.Arbitrary<Mutation>;

function mutate(frame: Uint8Array, mutation: Mutation): Uint8Array {
  const n = frame.length;
  switch (mutation.kind) {
    case 'flip': {
      const out = frame.slice();
      if (n > 0) out[mutation.at % n]! ^= 1 << mutation.bit;
      return out;
    }
    case 'set': {
      const out = frame.slice();
      if (n > 0) out[mutation.at % n] = mutation.value;
      return out;
    }
    case 'truncate':
      return frame.slice(0, mutation.at % (n + 1));
    case 'insert': {
      const at = mutation.at % (n + 1);
      const out = new Uint8Array(n + mutation.bytes.length);
      out.set(frame.subarray(0, at));
      out.set(mutation.bytes, at);
      out.set(frame.subarray(at), at + mutation.bytes.length);
      return out;
    }
    case 'delete': {
      const at = mutation.at % (n + 1);
      const out = new Uint8Array(n - Math.min(mutation.count, n - at));
      out.set(frame.subarray(0, at));
      out.set(frame.subarray(at + mutation.count), at);
      return out;
    }
    case 'length':
    case 'lengthRaw': {
      if (n < FRAME_LENGTH_BYTES) return frame;
      const out = frame.slice();
      const length =
        mutation.kind === 'length' ? readFrameLength(frame) + mutation.delta : mutation.value;
      writeLength(out, Math.max(0, length));
      return out;
    }
  }
}

const arbMutatedFrame: fc.Arbitrary<Uint8Array> = fc
  .tuple(arbMessage, fc.array(arbMutation, { minLength: 1, maxLength: 3 }))
  .map(([message, mutations]) => mutations.reduce(mutate, encodeMessage(message)));

// ---------------------------------------------------------------------------------------

describe('fuzz: any bytes give a message or a DecodeError, never a throw', () => {
  it(`${RUNS_PER_HALF} random byte arrays`, () => {
    const tally = newTally();
    fc.assert(
      fc.property(arbRandomInput, (input) => check(input, tally)),
      params,
    );
    // The plausible prefixes must get past the header often enough to exercise bodies.
    expect(tally.messages).toBeGreaterThan(0);
    expect(tally.reasons.get('truncated-body') ?? 0).toBeGreaterThan(100);
  });

  it(`${RUNS_PER_HALF} mutated valid frames, canonical whenever accepted`, () => {
    const tally = newTally();
    fc.assert(
      fc.property(arbMutatedFrame, (input) => check(input, tally)),
      params,
    );
    expect(tally.messages).toBeGreaterThan(1_000);
    expect(tally.reasons.size).toBeGreaterThan(DECODE_ERROR_REASONS.length / 2);
  });
});
