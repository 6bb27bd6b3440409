/**
 * Hostile client requests (the seed's PUSH/PULL and the NDJSON requests, src/client/) and
 * hostile daemon responses: random bytes behind plausible prefixes, and valid requests and
 * responses put through byte mutations.
 *
 * Shared by the client protocol's CI fuzz test (test/client/fuzz.test.ts) and the campaign's
 * `client` and `client-socket` surfaces.
 */
import fc from 'fast-check';
import { encodeRequest, type ClientRequest } from '../../../src/client/protocol.js';
import { arbByteMutation, arbMutations, mutate } from './bytes.js';

const enc = new TextEncoder();

const REQUEST_PREFIXES = [
  '',
  'PUSH IP:',
  'PUSH IP: ',
  'PULL',
  '{',
  '{"op":"',
  '{"op":"push","to":"b","body":"',
];
const ENDINGS = ['', '\n', '\r\n', '\r', '\n\n'];

/** A prefix that reaches a parser, random bytes, and a line ending (or several, or none). */
export const arbRandomRequest: fc.Arbitrary<Uint8Array> = fc
  .record({
    prefix: fc.constantFrom(...REQUEST_PREFIXES),
    tail: fc.uint8Array({ maxLength: 300 }),
    ending: fc.constantFrom(...ENDINGS),
  })
  .map(({ prefix, tail, ending }) =>
    Uint8Array.from([...enc.encode(prefix), ...tail, ...enc.encode(ending)]),
  );

/** Valid requests of every kind, escapes and limits included. */
export const SAMPLE_REQUESTS: readonly ClientRequest[] = [
  { kind: 'push', destination: '127.0.0.3:7000', message: 'hello' },
  { kind: 'push', destination: 'bob', message: 'multi\nline \\ with\tescapes ✓' },
  { kind: 'pull' },
  { kind: 'json', request: { op: 'push', to: 'bob', body: 'hi\nthere' } },
  { kind: 'json', request: { op: 'history', peer: 'bob', limit: 10 } },
  { kind: 'json', request: { op: 'contact-add', alias: 'bob', id: 'abc' } },
  { kind: 'json', request: { op: 'watch', peer: 'bob' } },
  { kind: 'json', request: { op: 'conversations', limit: 1000 } },
  { kind: 'json', request: { op: 'pull' } },
  { kind: 'json', request: { op: 'trace', id: 'f'.repeat(32) } },
  { kind: 'json', request: { op: 'status' } },
];

/** One of `samples`, then one to four byte mutations (splices from the other samples). */
function arbMutatedSample(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({ sample: fc.nat(samples.length - 1), mutations: arbMutations(arbByteMutation, 4) })
    .map(({ sample, mutations }) =>
      mutations.reduce<Uint8Array>((bytes, m) => mutate(bytes, m, samples), samples[sample]!),
    );
}

/** A valid request, mutated. */
export const arbMutatedRequest = arbMutatedSample(
  SAMPLE_REQUESTS.map((r) => enc.encode(encodeRequest(r))),
);

/** Responses the daemon sends, mutated, for the client's response decoders. */
export const arbMutatedResponse = arbMutatedSample(
  [
    'SUCCESS\n',
    'FAIL\n',
    'SUCCESS 0\n',
    'SUCCESS 2\nIP: 127.0.0.2:7000 MSG:hello\nIP: bob MSG:two\\nlines \\\\ ok\n',
    '{"ok":true,"status":{"id":"me","peers":3}}\n',
    '{"ok":false,"error":{"code":"bad-request","message":"no"}}\n',
  ].map((text) => enc.encode(text)),
);
