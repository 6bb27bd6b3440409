/**
 * "Any bytes from a client ⇒ a request or a typed error, never a throw" (protocol.ts Rule 5).
 *
 * 100,000 inputs in two halves: random byte strings (often given a plausible `PUSH IP:`,
 * `PULL` or `{` prefix so the deeper parsers run), and valid requests put through mutations
 * (bit flips, byte replacement, truncation, insertion, deletion, duplication). A decoded
 * request must be valid by the protocol's own rules and re-encode to a request that decodes
 * to the same value.
 *
 * FUZZ_SEED=<seed> replays a run; otherwise every run explores new inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyProblem,
  type ClientRequest,
  decodeRequest,
  encodeRequest,
  isDestination,
  REQUEST_ERROR_CODES,
} from '../../src/client/protocol.js';

const RUNS_PER_HALF = 50_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = { numRuns: RUNS_PER_HALF, seed: SEED };
const CODES = new Set<string>(REQUEST_ERROR_CODES);
const enc = new TextEncoder();

const tally = { requests: 0, errors: new Map<string, number>() };

function check(input: Uint8Array): boolean {
  const result = decodeRequest(input);
  if (!result.ok) {
    tally.errors.set(result.error.code, (tally.errors.get(result.error.code) ?? 0) + 1);
    return CODES.has(result.error.code) && typeof result.error.message === 'string';
  }
  tally.requests++;
  const request = result.request;
  if (request.kind === 'push') {
    if (!isDestination(request.destination) || bodyProblem(request.message) !== null) return false;
  }
  const again = decodeRequest(enc.encode(encodeRequest(request)));
  return again.ok && JSON.stringify(again.request) === JSON.stringify(request);
}

const PREFIXES = [
  '',
  'PUSH IP:',
  'PUSH IP: ',
  'PULL',
  '{',
  '{"op":"',
  '{"op":"push","to":"b","body":"',
];
const arbRandom = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    tail: fc.uint8Array({ maxLength: 300 }),
    ending: fc.constantFrom('', '\n', '\r\n', '\r', '\n\n'),
  })
  .map(({ prefix, tail, ending }) => {
    const p = enc.encode(prefix);
    const e = enc.encode(ending);
    const out = new Uint8Array(p.length + tail.length + e.length);
    out.set(p, 0);
    out.set(tail, p.length);
    out.set(e, p.length + tail.length);
    return out;
  });

const SAMPLES: ClientRequest[] = [
  { kind: 'push', destination: '127.0.0.3:7000', message: 'hello' },
  { kind: 'push', destination: 'bob', message: 'multi\nline \\ with\tescapes ✓' },
  { kind: 'pull' },
  { kind: 'json', request: { op: 'push', to: 'bob', body: 'hi\nthere' } },
  { kind: 'json', request: { op: 'history', peer: 'bob', limit: 10 } },
  { kind: 'json', request: { op: 'contact-add', alias: 'bob', id: 'abc' } },
  { kind: 'json', request: { op: 'watch', peer: 'bob' } },
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate' };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ op: fc.constant('duplicate' as const) }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : m.op === 'duplicate' ? 0 : m.at % (n + 1);
  switch (m.op) {
    case 'flip': {
      const out = input.slice();
      if (at < n) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = input.slice();
      if (at < n) out[at] = m.byte;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return new Uint8Array([...input.subarray(0, at), ...m.bytes, ...input.subarray(at)]);
    case 'delete':
      return new Uint8Array([...input.subarray(0, at), ...input.subarray(at + m.count)]);
    case 'duplicate':
      return new Uint8Array([...input, ...input]);
  }
}

const arbMutated = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    mutations: fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
  })
  .map(({ sample, mutations }) => mutations.reduce(mutate, enc.encode(encodeRequest(sample))));

describe('client protocol fuzz', () => {
  it('random bytes: a request or a typed error, never a throw', () => {
    fc.assert(fc.property(arbRandom, check), params);
    expect(tally.errors.size).toBeGreaterThan(5);
  });

  it('mutated valid requests: a request or a typed error, never a throw', () => {
    const before = tally.requests;
    fc.assert(fc.property(arbMutated, check), params);
    expect(tally.requests).toBeGreaterThan(before); // Some mutations stay valid.
  });
});
