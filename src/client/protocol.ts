/**
 * The client protocol between the CLI and its daemon: the seed's, verbatim (DESIGN.md §4,
 * seed/000 "Client to Node Protocol"), plus NDJSON requests for the richer commands
 * (json.ts). Pure functions over bytes and strings; the socket code is server.ts/client.ts.
 *
 *   PUSH IP:<DESTINATION> MSG:<message contents>   →  SUCCESS | FAIL
 *   PULL                                           →  FAIL
 *                                                  |  SUCCESS <n>
 *                                                     IP: <SRC> MSG:<message 0>
 *                                                     … n lines
 *
 * Rule 1 (framing): one request per connection. The request line ends at the first LF;
 *   one CR right before that LF is part of the terminator (so `\n` and `\r\n` both work).
 *   A client that half-closes after its request needs no terminator at all. Responses
 *   use `\n` only, and the server closes the connection after the last one.
 * Rule 2 (escaping): inside a message, `\` is written `\\` and a newline `\n`. Decoding
 *   rejects any other escape and a lone trailing backslash, so the mapping is one-to-one.
 * Rule 3 (messages): a body is well-formed Unicode, 1..MESSAGE_MAX_BYTES in UTF-8, and
 *   has no control characters except TAB and LF (a raw CR could not survive Rule 1).
 *   Every path that accepts a message (seed PUSH, NDJSON push) applies `bodyProblem`.
 * Rule 4 (tokens): a destination is 1..DESTINATION_MAX_BYTES printable ASCII without
 *   spaces (address, node ID or alias). `IP:` may be followed by one space, as in the
 *   seed's response lines, and nothing else is lenient: keywords are upper case and
 *   single spaces separate the parts.
 * Rule 5 (never throw on client bytes): `decodeRequest` returns a request or a typed
 *   error. Encoding one of our own invalid values throws ProtocolEncodeError (local misuse),
 *   except the PULL response, which sanitises rather than fail a whole inbox.
 */
import { encodeJsonLine, jsonError, type JsonRequest, validateJsonRequest } from './json.js';
import {
  DESTINATION_MAX_BYTES,
  MESSAGE_MAX_BYTES,
  PULL_MESSAGES_MAX,
  REQUEST_MAX_BYTES,
  SOURCE_MAX_BYTES,
} from './limits.js';

export * from './json.js';

export type ClientRequest =
  | { kind: 'push'; destination: string; message: string }
  | { kind: 'pull' }
  | { kind: 'json'; request: JsonRequest };

export const REQUEST_ERROR_CODES = [
  'empty',
  'too-large',
  'bad-utf8',
  'unknown-command',
  'bad-push',
  'bad-destination',
  'bad-escape',
  'bad-message',
  'bad-json',
  'bad-request',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export interface RequestError {
  code: RequestErrorCode;
  message: string;
  /** The request started with `{`: answer with a JSON error object, not `FAIL`. */
  json: boolean;
}

export type DecodeRequestResult =
  { ok: true; request: ClientRequest } | { ok: false; error: RequestError };

export class ProtocolEncodeError extends Error {
  override name = 'ProtocolEncodeError';
}

export const SUCCESS = 'SUCCESS';
export const FAIL = 'FAIL';
const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const PUSH_PREFIX = 'PUSH IP:';
const MSG_MARK = 'MSG:';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const TOKEN = /^[\x21-\x7e]+$/;
/** C0 controls except TAB and LF, plus DEL. */
const FORBIDDEN_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
const LONE_SURROGATE = /\p{Surrogate}/u;

// ---- escaping ------------------------------------------------------------------------

/** `\` → `\\`, LF → `\n`. Total on all strings. */
export function escapeMessage(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Inverse of escapeMessage; null for a raw LF, an unknown escape or a trailing `\`. */
export function unescapeMessage(text: string): string | null {
  if (!text.includes('\\')) return text.includes('\n') ? null : text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return null;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === 'n') out += '\n';
    else if (next === '\\') out += '\\';
    else return null;
  }
  return out;
}

/** Why `body` is not an acceptable message (Rule 3), or null. */
export function bodyProblem(body: string): string | null {
  if (body.length === 0) return 'message is empty';
  if (LONE_SURROGATE.test(body)) return 'message is not well-formed Unicode';
  if (FORBIDDEN_CONTROL.test(body)) return 'message has a control character other than tab/newline';
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MESSAGE_MAX_BYTES) return `message is ${bytes} bytes (max ${MESSAGE_MAX_BYTES})`;
  return null;
}

export function isDestination(text: string): boolean {
  return text.length <= DESTINATION_MAX_BYTES && TOKEN.test(text);
}

// ---- requests ------------------------------------------------------------------------

/**
 * Index just past the request terminator (the first LF) in `buffer`, or -1 if there is
 * none yet. The server reads until this is found, the client half-closes, or a limit hits.
 */
export function findRequestEnd(buffer: Uint8Array): number {
  const at = buffer.indexOf(LF);
  return at < 0 ? -1 : at + 1;
}

function fail(code: RequestErrorCode, message: string, json: boolean): DecodeRequestResult {
  return { ok: false, error: { code, message, json } };
}

/**
 * Decodes one request: the bytes up to and including the terminator (or everything the
 * client sent before half-closing). Bytes after the first LF are an error.
 */
export function decodeRequest(bytes: Uint8Array): DecodeRequestResult {
  const json = bytes.length > 0 && bytes[0] === OPEN_BRACE;
  if (bytes.length > REQUEST_MAX_BYTES) {
    return fail('too-large', `request is over ${REQUEST_MAX_BYTES} bytes`, json);
  }
  let end = bytes.length;
  const lf = bytes.indexOf(LF);
  if (lf >= 0) {
    if (lf !== bytes.length - 1) return fail('bad-request', 'bytes after the request line', json);
    end = lf;
    if (end > 0 && bytes[end - 1] === CR) end--;
  }
  let line: string;
  try {
    line = utf8.decode(bytes.subarray(0, end));
  } catch {
    return fail('bad-utf8', 'request is not valid UTF-8', json);
  }
  if (line.length === 0) return fail('empty', 'empty request', false);
  if (json) return decodeJsonRequest(line);
  if (line === 'PULL') return { ok: true, request: { kind: 'pull' } };
  if (line.startsWith(PUSH_PREFIX)) return decodePush(line);
  return fail('unknown-command', 'request must start with PUSH, PULL or {', false);
}

function decodePush(line: string): DecodeRequestResult {
  let rest = line.slice(PUSH_PREFIX.length);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  const space = rest.indexOf(' ');
  if (space < 0) return fail('bad-push', 'expected PUSH IP:<DESTINATION> MSG:<message>', false);
  const destination = rest.slice(0, space);
  if (destination.length === 0 || !isDestination(destination)) {
    return fail(
      'bad-destination',
      `destination must be 1..${DESTINATION_MAX_BYTES} printable ASCII characters without spaces`,
      false,
    );
  }
  const tail = rest.slice(space + 1);
  if (!tail.startsWith(MSG_MARK)) {
    return fail('bad-push', 'expected MSG: after the destination', false);
  }
  const message = unescapeMessage(tail.slice(MSG_MARK.length));
  if (message === null) return fail('bad-escape', 'only \\n and \\\\ escapes are allowed', false);
  const problem = bodyProblem(message);
  if (problem !== null) return fail('bad-message', problem, false);
  return { ok: true, request: { kind: 'push', destination, message } };
}

function decodeJsonRequest(line: string): DecodeRequestResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail('bad-json', 'request is not valid JSON', true);
  }
  const result = validateJsonRequest(value, bodyProblem);
  if (!result.ok) return fail('bad-request', result.message, true);
  return { ok: true, request: { kind: 'json', request: result.request } };
}

/** The request line as the CLI sends it (with `\n`). Throws on values no server accepts. */
export function encodeRequest(request: ClientRequest): string {
  switch (request.kind) {
    case 'pull':
      return 'PULL\n';
    case 'push': {
      if (!isDestination(request.destination)) {
        throw new ProtocolEncodeError(`bad destination ${JSON.stringify(request.destination)}`);
      }
      const problem = bodyProblem(request.message);
      if (problem !== null) throw new ProtocolEncodeError(problem);
      return `${PUSH_PREFIX}${request.destination} ${MSG_MARK}${escapeMessage(request.message)}\n`;
    }
    case 'json': {
      const result = validateJsonRequest(request.request, bodyProblem);
      if (!result.ok) throw new ProtocolEncodeError(result.message);
      return `${JSON.stringify(request.request)}\n`;
    }
  }
}

// ---- responses -----------------------------------------------------------------------

export interface PullItem {
  /** Sender address, shown after `IP: `. */
  address: string;
  body: string;
}

export function encodePushResponse(ok: boolean): string {
  return ok ? `${SUCCESS}\n` : `${FAIL}\n`;
}

/** A source address made printable (Rule 5: sanitise, do not fail the whole PULL). */
function sanitizeSource(address: string): string {
  const clean = address.replace(/[^\x21-\x7e]/g, '?').slice(0, SOURCE_MAX_BYTES);
  return clean.length === 0 ? '?' : clean;
}

/** A body made encodable: forbidden controls and lone surrogates become U+FFFD. */
function sanitizeBody(body: string): string {
  return body.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '\ufffd').replace(/\p{Surrogate}/gu, '\ufffd');
}

/** `FAIL\n`, or `SUCCESS <n>\n` and one `IP: <SRC> MSG:<message>\n` line per item. */
export function encodePullResponse(items: readonly PullItem[] | null): string {
  if (items === null) return `${FAIL}\n`;
  const lines = items.map(
    (m) => `IP: ${sanitizeSource(m.address)} ${MSG_MARK}${escapeMessage(sanitizeBody(m.body))}\n`,
  );
  return `${SUCCESS} ${items.length}\n${lines.join('')}`;
}

export type DecodeResponseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Splits a whole response into lines; each must end in `\n` (one CR before it allowed). */
function responseLines(text: string): string[] | null {
  if (!text.endsWith('\n')) return null;
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** A whole PUSH response: true for SUCCESS, false for FAIL. */
export function decodePushResponse(text: string): DecodeResponseResult<boolean> {
  const lines = responseLines(text);
  if (lines === null || lines.length !== 1) {
    return { ok: false, message: 'PUSH response must be one line' };
  }
  if (lines[0] === SUCCESS) return { ok: true, value: true };
  if (lines[0] === FAIL) return { ok: true, value: false };
  return {
    ok: false,
    message: `unexpected PUSH response ${JSON.stringify(lines[0]?.slice(0, 40))}`,
  };
}

/** A whole PULL response: the messages, or null for FAIL. */
export function decodePullResponse(text: string): DecodeResponseResult<PullItem[] | null> {
  const lines = responseLines(text);
  if (lines === null) return { ok: false, message: 'PULL response is truncated' };
  const head = lines[0] ?? '';
  if (head === FAIL && lines.length === 1) return { ok: true, value: null };
  const match = /^SUCCESS (0|[1-9][0-9]{0,6})$/.exec(head);
  if (match === null)
    return { ok: false, message: `bad PULL status ${JSON.stringify(head.slice(0, 40))}` };
  const count = Number(match[1]);
  if (count > PULL_MESSAGES_MAX) return { ok: false, message: `PULL announced ${count} messages` };
  if (lines.length !== count + 1) {
    return { ok: false, message: `PULL announced ${count} messages but sent ${lines.length - 1}` };
  }
  const items: PullItem[] = [];
  for (const line of lines.slice(1)) {
    const parsed = /^IP: ([\x21-\x7e]+) MSG:(.*)$/s.exec(line);
    const body = parsed === null ? null : unescapeMessage(parsed[2] ?? '');
    if (parsed === null || body === null) {
      return { ok: false, message: `bad PULL line ${JSON.stringify(line.slice(0, 60))}` };
    }
    items.push({ address: parsed[1] ?? '', body });
  }
  return { ok: true, value: items };
}

/** What the server writes for a request it could not decode. */
export function encodeRequestError(error: RequestError): string {
  if (!error.json) return `${FAIL}\n`;
  return encodeJsonLine(
    jsonError(error.code === 'too-large' ? 'too-large' : 'bad-request', error.message),
  );
}
