/**
 * The client protocol codec, driven by one case table of exact bytes (STYLE.md #10, h11's
 * SIMPLE_CASES): each request case is decoded whole, fed with CRLF, and with trailing
 * bytes; each response case is encoded to exact bytes and decoded back. Then fast-check
 * round trips for escaping, requests and PULL responses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyProblem,
  type ClientRequest,
  decodePullResponse,
  decodePushResponse,
  decodeRequest,
  encodePullResponse,
  encodePushResponse,
  encodeRequest,
  encodeRequestError,
  escapeMessage,
  ProtocolEncodeError,
  type PullItem,
  type RequestErrorCode,
  unescapeMessage,
} from '../../src/client/protocol.js';
import {
  DESTINATION_MAX_BYTES,
  MESSAGE_MAX_BYTES,
  REQUEST_MAX_BYTES,
} from '../../src/client/limits.js';
import { BODY_MAX_BYTES } from '../../src/store/limits.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/client/protocol.test.ts';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

type Expect = ClientRequest | RequestErrorCode;
/** [request line without its terminator, expected]; every case is also tried with \n and \r\n. */
const REQUESTS: Array<[string, Expect]> = [
  [
    'PUSH IP:127.0.0.3:7000 MSG:hello',
    { kind: 'push', destination: '127.0.0.3:7000', message: 'hello' },
  ],
  [
    'PUSH IP: 127.0.0.3:7000 MSG:hello',
    { kind: 'push', destination: '127.0.0.3:7000', message: 'hello' },
  ],
  ['PUSH IP:bob MSG:two\\nlines', { kind: 'push', destination: 'bob', message: 'two\nlines' }],
  ['PUSH IP:bob MSG:back\\\\slash', { kind: 'push', destination: 'bob', message: 'back\\slash' }],
  [
    'PUSH IP:bob MSG:\\\\n is not a newline',
    { kind: 'push', destination: 'bob', message: '\\n is not a newline' },
  ],
  [
    'PUSH IP:bob MSG: MSG: spaces  kept ',
    { kind: 'push', destination: 'bob', message: ' MSG: spaces  kept ' },
  ],
  ['PUSH IP:bob MSG:tab\there', { kind: 'push', destination: 'bob', message: 'tab\there' }],
  ['PUSH IP:bob MSG:grüße 👋', { kind: 'push', destination: 'bob', message: 'grüße 👋' }],
  ['PUSH IP:[::1]:7000 MSG:v6', { kind: 'push', destination: '[::1]:7000', message: 'v6' }],
  ['PULL', { kind: 'pull' }],
  ['', 'empty'],
  ['pull', 'unknown-command'],
  ['PULL ', 'unknown-command'],
  ['PULL 5', 'unknown-command'],
  ['GET / HTTP/1.1', 'unknown-command'],
  ['PUSH', 'unknown-command'],
  ['PUSH IP:bob', 'bad-push'],
  ['PUSH IP:bob hello', 'bad-push'],
  ['PUSH IP:bob msg:hello', 'bad-push'],
  ['PUSH IP: MSG:hello', 'bad-push'],
  ['PUSH IP:bob  MSG:hello', 'bad-push'],
  ['PUSH IP:  bob MSG:hello', 'bad-destination'],
  [`PUSH IP:${'d'.repeat(DESTINATION_MAX_BYTES + 1)} MSG:x`, 'bad-destination'],
  ['PUSH IP:bob MSG:', 'bad-message'],
  ['PUSH IP:bob MSG:bell\x07', 'bad-message'],
  ['PUSH IP:bob MSG:cr\rinside', 'bad-message'],
  [`PUSH IP:bob MSG:${'x'.repeat(MESSAGE_MAX_BYTES + 1)}`, 'bad-message'],
  ['PUSH IP:bob MSG:trailing\\', 'bad-escape'],
  ['PUSH IP:bob MSG:\\t', 'bad-escape'],
  ['PUSH IP:bob MSG:\\r', 'bad-escape'],
  ['{"op":"status"}', { kind: 'json', request: { op: 'status' } }],
  [
    '{"op":"history","peer":"bob","limit":20}',
    { kind: 'json', request: { op: 'history', peer: 'bob', limit: 20 } },
  ],
  [
    '{"op":"push","to":"bob","body":"a\\nb"}',
    { kind: 'json', request: { op: 'push', to: 'bob', body: 'a\nb' } },
  ],
  [
    '{"op":"push","to":"bob","body":"x","shards":"3/2"}',
    { kind: 'json', request: { op: 'push', to: 'bob', body: 'x', shards: '3/2' } },
  ],
  [
    '{"op":"push","to":"bob","body":"x","shards":" none "}',
    { kind: 'json', request: { op: 'push', to: 'bob', body: 'x', shards: 'none' } },
  ],
  [
    '{"op":"contact-add","alias":"bob","id":"x"}',
    { kind: 'json', request: { op: 'contact-add', alias: 'bob', id: 'x' } },
  ],
  ['{"op":"watch"}', { kind: 'json', request: { op: 'watch' } }],
  ['{"op":"pull","limit":10}', { kind: 'json', request: { op: 'pull', limit: 10 } }],
  ['{"op":"status"', 'bad-json'],
  ['{"op":"reboot"}', 'bad-request'],
  ['{"op":"status","extra":1}', 'bad-request'],
  ['{"op":"history"}', 'bad-request'],
  ['{"op":"history","peer":"bob","limit":0}', 'bad-request'],
  ['{"op":"history","peer":"bob","limit":1.5}', 'bad-request'],
  ['{"op":"push","to":"bob","body":""}', 'bad-request'],
  ['{"op":"push","to":"bob","body":"\\ud800"}', 'bad-request'],
  ['{"op":"push","to":"b b","body":"x"}', 'bad-request'],
  ['{"op":"push","to":"bob","body":"x","shards":"2/3"}', 'bad-request'],
  ['{"op":"push","to":"bob","body":"x","shards":"9/2"}', 'bad-request'],
  ['{"op":"push","to":"bob","body":"x","shards":{"n":3,"k":2}}', 'bad-request'],
  ['{"op":"conversations","limit":"5"}', 'bad-request'],
  ['{"__proto__":{"op":"status"}}', 'bad-request'],
  ['[]', 'unknown-command'],
];

function expectDecoded(input: Uint8Array, expected: Expect): void {
  const result = decodeRequest(input);
  if (typeof expected === 'string') {
    expect(result.ok, `expected error ${expected}`).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(expected);
  } else {
    expect(result).toEqual({ ok: true, request: expected });
  }
}

describe('request case table', () => {
  it.each(REQUESTS)('%j', (line, expected) => {
    expectDecoded(bytes(line), expected);
    expectDecoded(bytes(`${line}\n`), expected);
    expectDecoded(bytes(`${line}\r\n`), expected);
    if (line !== '') {
      const trailing = decodeRequest(bytes(`${line}\nPULL\n`));
      expect(trailing.ok).toBe(false);
    }
    if (typeof expected !== 'string' && expected.kind !== 'json') {
      // The canonical encoding decodes to the same request.
      expectDecoded(bytes(encodeRequest(expected)), expected);
    }
  });

  it('canonical request bytes', () => {
    expect(encodeRequest({ kind: 'push', destination: '127.0.0.3:7000', message: 'hello' })).toBe(
      'PUSH IP:127.0.0.3:7000 MSG:hello\n',
    );
    expect(encodeRequest({ kind: 'push', destination: 'bob', message: 'a\\b\nc' })).toBe(
      'PUSH IP:bob MSG:a\\\\b\\nc\n',
    );
    expect(encodeRequest({ kind: 'pull' })).toBe('PULL\n');
    expect(encodeRequest({ kind: 'json', request: { op: 'history', peer: 'bob' } })).toBe(
      '{"op":"history","peer":"bob"}\n',
    );
    expect(() => encodeRequest({ kind: 'push', destination: 'b b', message: 'x' })).toThrow(
      ProtocolEncodeError,
    );
    expect(() => encodeRequest({ kind: 'push', destination: 'bob', message: '' })).toThrow(
      ProtocolEncodeError,
    );
  });

  it('invalid UTF-8 and oversize requests are typed errors', () => {
    const bad = new Uint8Array([...bytes('PUSH IP:bob MSG:'), 0xff, 0xfe]);
    expect(decodeRequest(bad)).toMatchObject({ ok: false, error: { code: 'bad-utf8' } });
    const big = bytes(`PUSH IP:bob MSG:${'x'.repeat(REQUEST_MAX_BYTES)}`);
    expect(decodeRequest(big)).toMatchObject({
      ok: false,
      error: { code: 'too-large', json: false },
    });
    expect(decodeRequest(bytes(`{${' '.repeat(REQUEST_MAX_BYTES)}}`))).toMatchObject({
      ok: false,
      error: { code: 'too-large', json: true },
    });
  });

  it('PUSH accepts exactly the bodies the store accepts', () => {
    expect(MESSAGE_MAX_BYTES).toBe(BODY_MAX_BYTES);
  });
});

/** [items or null, exact response bytes]. */
const PULL_RESPONSES: Array<[PullItem[] | null, string]> = [
  [null, 'FAIL\n'],
  [[], 'SUCCESS 0\n'],
  [[{ address: '127.0.0.2:7000', body: 'hi' }], 'SUCCESS 1\nIP: 127.0.0.2:7000 MSG:hi\n'],
  [
    [
      { address: '127.0.0.2:7000', body: 'line one\nline two' },
      { address: '[::1]:7001', body: 'C:\\path' },
    ],
    'SUCCESS 2\nIP: 127.0.0.2:7000 MSG:line one\\nline two\nIP: [::1]:7001 MSG:C:\\\\path\n',
  ],
];

describe('response case table', () => {
  it('PUSH responses', () => {
    expect(encodePushResponse(true)).toBe('SUCCESS\n');
    expect(encodePushResponse(false)).toBe('FAIL\n');
    expect(decodePushResponse('SUCCESS\n')).toEqual({ ok: true, value: true });
    expect(decodePushResponse('FAIL\r\n')).toEqual({ ok: true, value: false });
    for (const bad of ['SUCCESS', 'OK\n', 'SUCCESS\nFAIL\n', ''])
      expect(decodePushResponse(bad).ok).toBe(false);
  });

  it.each(PULL_RESPONSES)('PULL %j', (items, text) => {
    expect(encodePullResponse(items)).toBe(text);
    expect(decodePullResponse(text)).toEqual({ ok: true, value: items });
  });

  it('malformed PULL responses are errors', () => {
    for (const bad of [
      'SUCCESS 2\nIP: a MSG:x\n',
      'SUCCESS 01\n',
      'SUCCESS 1\nIP:a MSG:x\n',
      'SUCCESS 1\nIP: a MSG:\\q\n',
      'SUCCESS 0',
      'SUCCESS 0\nextra\n',
    ]) {
      expect(decodePullResponse(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });

  it('PULL sanitises what it cannot encode instead of failing the inbox', () => {
    const text = encodePullResponse([{ address: 'bad addr\n', body: 'cr\r\x00 \ud800' }]);
    expect(text).toBe('SUCCESS 1\nIP: bad?addr? MSG:cr\ufffd\ufffd \ufffd\n');
    expect(decodePullResponse(text).ok).toBe(true);
  });

  it('request errors: FAIL for seed requests, an error object for JSON ones', () => {
    expect(encodeRequestError({ code: 'bad-push', message: 'x', json: false })).toBe('FAIL\n');
    expect(
      JSON.parse(encodeRequestError({ code: 'bad-json', message: 'not JSON', json: true })),
    ).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'not JSON' },
    });
  });
});

const arbBody = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('\\', '\n', 'n', '\t', ' ', 'é', '👋'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 200,
  })
  .filter((s) => bodyProblem(s) === null);
const arbDestination = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 40,
});

describe('properties', () => {
  it('unescape(escape(s)) = s for every string, and escaped text has no newline', () => {
    checkProperty(
      FILE,
      'unescape(escape(s)) = s for every string, and escaped text has no newline',
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const escaped = escapeMessage(s);
        return !escaped.includes('\n') && unescapeMessage(escaped) === s;
      }),
      { numRuns: 2000 },
    );
  });

  it('escaping is one-to-one: a decodable escaped text re-escapes to itself', () => {
    checkProperty(
      FILE,
      'escaping is one-to-one: a decodable escaped text re-escapes to itself',
      fc.property(
        fc.string({ unit: fc.constantFrom('\\', 'n', 'a', '\n'), maxLength: 30 }),
        (t) => {
          const u = unescapeMessage(t);
          return u === null || escapeMessage(u) === t;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decode(encode(push)) = push for every valid destination and body', () => {
    checkProperty(
      FILE,
      'decode(encode(push)) = push for every valid destination and body',
      fc.property(arbDestination, arbBody, (destination, message) => {
        const request: ClientRequest = { kind: 'push', destination, message };
        const decoded = decodeRequest(bytes(encodeRequest(request)));
        return decoded.ok && JSON.stringify(decoded.request) === JSON.stringify(request);
      }),
      { numRuns: 1000 },
    );
  });

  it('decodePull(encodePull(items)) = items for valid addresses and bodies', () => {
    checkProperty(
      FILE,
      'decodePull(encodePull(items)) = items for valid addresses and bodies',
      fc.property(
        fc.array(fc.record({ address: arbDestination, body: arbBody }), { maxLength: 20 }),
        (items) => {
          const decoded = decodePullResponse(encodePullResponse(items));
          return decoded.ok && JSON.stringify(decoded.value) === JSON.stringify(items);
        },
      ),
      { numRuns: 500 },
    );
  });
});
