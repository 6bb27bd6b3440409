/**
 * Byte-level mutations, shared by every surface that reads bytes (wire frames, a node's
 * links, Noise messages, client requests, scenario text) and by the CI fuzz tests that
 * check the same surfaces with fc.assert.
 *
 * A mutation is data (fast-check generates it, prints it on failure, and shrinks it);
 * `mutate` applies it. Positions are taken modulo the input's length, so one mutation fits
 * any input, and every mutation is total: an empty input stays valid input.
 */
import fc from 'fast-check';

export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  /** The whole input twice (two requests in one, a frame and its replay). */
  | { kind: 'duplicate' }
  /** A run of bytes from another input (`donor`, modulo the donors given) pasted in. */
  | { kind: 'splice'; at: number; donor: number; from: number; count: number };

/** Most mutations change a byte or two: those keep most of a valid input's structure. */
export const arbByteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
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
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete'),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('splice'),
      at: fc.nat(),
      donor: fc.nat(),
      from: fc.nat(),
      count: fc.integer({ min: 1, max: 64 }),
    }),
  },
) as fc.Arbitrary<ByteMutation>;

/** The parts end to end (a Buffer: Uint8Array, possibly a slice of Node's pool, as sockets give). */
const joined = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** `input` with `mutation` applied (a new array; `input` is not changed). */
export function mutate(
  input: Uint8Array,
  mutation: ByteMutation,
  donors: readonly Uint8Array[] = [],
): Uint8Array {
  const n = input.length;
  switch (mutation.kind) {
    case 'flip':
    case 'set': {
      const out = input.slice();
      if (n === 0) return out;
      const at = mutation.at % n;
      out[at] = mutation.kind === 'flip' ? out[at]! ^ (1 << mutation.bit) : mutation.value;
      return out;
    }
    case 'truncate':
      return input.slice(0, mutation.at % (n + 1));
    case 'insert': {
      const at = mutation.at % (n + 1);
      return joined(input.subarray(0, at), mutation.bytes, input.subarray(at));
    }
    case 'delete': {
      const at = mutation.at % (n + 1);
      return joined(input.subarray(0, at), input.subarray(at + mutation.count));
    }
    case 'duplicate':
      return joined(input, input);
    case 'splice': {
      const donor = donors.length === 0 ? input : donors[mutation.donor % donors.length]!;
      const from = mutation.from % (donor.length + 1);
      const at = mutation.at % (n + 1);
      const piece = donor.subarray(from, from + mutation.count);
      return joined(input.subarray(0, at), piece, input.subarray(at + piece.length));
    }
  }
}

/** One to `max` mutations. */
export const arbMutations = <M>(arbitrary: fc.Arbitrary<M>, max = 3): fc.Arbitrary<M[]> =>
  fc.array(arbitrary, { minLength: 1, maxLength: max });
