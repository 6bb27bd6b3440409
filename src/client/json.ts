/**
 * The NDJSON half of the client protocol (DESIGN.md §4: "a request that starts with `{`").
 *
 * Rule 1: a request is one JSON object on one line: `{"op": <op>, ...fields}`. Each op has
 *         a fixed set of fields; an unknown op, an unknown field, a missing or mistyped field
 *         is a typed error, never a throw (the CLI and the daemon ship together, so
 *         strictness costs nothing and catches typos).
 * Rule 2: every response line is `{"ok":true,...}` or `{"ok":false,"error":{"code","message"}}`.
 *         `watch` answers `{"ok":true,"watching":true}` and then one `{"ok":true,"message":…}`
 *         line per new message until the client closes. `trace` answers
 *         `{"ok":true,"message":…,"attempts":[…]}` for a message this daemon sent.
 * Rule 3: message bodies follow the same rules as the seed protocol's (protocol.ts
 *         `bodyProblem`), so both halves accept exactly the same messages.
 * Rule 4: `push` takes an optional `"shards"`: "n/k" (split into n shards, any k rebuild
 *         it, each on its own node-disjoint path) or "none" (one packet), in the text form
 *         every interface shares (engine/routing/shard-spec.ts); absent, the node's default
 *         applies. The seed's PUSH always takes the default.
 */
import { formatShardSpec, parseShardSpec, type ShardSpec } from '../engine/routing/shard-spec.js';
import {
  CONVERSATIONS_LIMIT_MAX,
  DESTINATION_MAX_BYTES,
  FIELD_MAX_CHARS,
  HISTORY_LIMIT_MAX,
  PULL_MESSAGES_MAX,
} from './limits.js';

export const JSON_OPS = [
  'status',
  'peers',
  'conversations',
  'history',
  'contacts',
  'contact-add',
  'contact-remove',
  'push',
  'pull',
  'watch',
  'trace',
] as const;
export type JsonOp = (typeof JSON_OPS)[number];

export type JsonRequest =
  | { op: 'status' }
  | { op: 'peers' }
  | { op: 'conversations'; limit?: number }
  | { op: 'history'; peer: string; limit?: number }
  | { op: 'contacts' }
  | { op: 'contact-add'; alias: string; id: string }
  | { op: 'contact-remove'; alias: string }
  | { op: 'push'; to: string; body: string; shards?: string }
  | { op: 'pull'; limit?: number }
  | { op: 'watch'; peer?: string }
  | { op: 'trace'; id: string };

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A received message as the rich ops and `watch` show it. */
export interface MessageInfo {
  id: string;
  /** Sender node ID. */
  from: string;
  /** Sender address (the seed's `IP: <SRC>`). */
  address: string;
  body: string;
  sentAt: number;
  receivedAt: number;
}

export interface ConversationInfo {
  peer: string;
  alias: string | null;
  lastAt: number;
  unread: number;
  total: number;
}

export interface HistoryItem {
  direction: 'in' | 'out';
  id: string;
  peer: string;
  body: string;
  at: number;
  /** Outgoing: pending | delivered | failed. */
  state?: string;
  /** Incoming: read flag and sender address. */
  read?: boolean;
  address?: string;
}

export interface ContactInfo {
  alias: string;
  id: string;
}

/** A sent message as `trace` shows it. */
export interface OutgoingInfo {
  id: string;
  /** The destination as the user typed it. */
  destination: string;
  /** The node it resolved to. */
  peer: string;
  body: string;
  createdAt: number;
  expiresAt: number;
  /** pending | delivered | failed */
  state: string;
  attempts: number;
  deliveredAt: number | null;
  lastError: string | null;
}

/** One attempt of a sent message: the path it took, when, and how it ended. */
export interface AttemptInfo {
  attempt: number;
  /** Relays, then the target. */
  path: string[];
  sentAt: number;
  ackedAt: number | null;
  /** in-flight | acked | timeout | failed */
  outcome: string;
  /** Why the attempt ended without an acknowledgement (and so why the next one left). */
  reason: string | null;
}

export interface TraceInfo {
  message: OutgoingInfo;
  attempts: AttemptInfo[];
}

/** The fields of a successful response, per op. */
export interface JsonResults {
  status: { status: JsonObject };
  peers: { peers: JsonObject[] };
  conversations: { conversations: ConversationInfo[] };
  history: { messages: HistoryItem[] };
  contacts: { contacts: ContactInfo[] };
  'contact-add': { created: boolean };
  'contact-remove': { removed: boolean };
  push: { id: string };
  pull: { messages: MessageInfo[] };
  /** First line of a watch; each later line is a `WatchEvent`. */
  watch: { watching: true };
  trace: TraceInfo;
}

export interface WatchEvent {
  ok: true;
  message: MessageInfo;
}

export interface JsonErrorBody {
  code: string;
  message: string;
}
export type JsonFailure = { ok: false; error: JsonErrorBody };
export type JsonSuccess<Op extends JsonOp = JsonOp> = { ok: true } & JsonResults[Op];
export type JsonResponse<Op extends JsonOp = JsonOp> = JsonSuccess<Op> | JsonFailure;

/** Codes the server itself uses in error objects (handlers add their own reasons). */
export type ServerErrorCode =
  'bad-request' | 'too-large' | 'timeout' | 'busy' | 'internal' | 'shutting-down';

/** Why a JSON request was refused, for `{"ok":false,"error":{"code":"bad-request",...}}`. */
export type JsonRequestResult = { ok: true; request: JsonRequest } | { ok: false; message: string };

const FIELDS: Readonly<Record<JsonOp, readonly string[]>> = {
  status: [],
  peers: [],
  conversations: ['limit'],
  history: ['peer', 'limit'],
  contacts: [],
  'contact-add': ['alias', 'id'],
  'contact-remove': ['alias'],
  push: ['to', 'body', 'shards'],
  pull: ['limit'],
  watch: ['peer'],
  trace: ['id'],
};

const TOKEN = /^[\x21-\x7e]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Field<T> = { ok: true; value: T } | { ok: false; message: string };

function tokenField(obj: Record<string, unknown>, key: string, max: number): Field<string> {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !TOKEN.test(value)) {
    return { ok: false, message: `"${key}" must be 1..${max} printable ASCII characters` };
  }
  return { ok: true, value };
}

function limitField(obj: Record<string, unknown>, max: number): Field<number | undefined> {
  if (!Object.hasOwn(obj, 'limit')) return { ok: true, value: undefined };
  const value = obj.limit;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    return { ok: false, message: `"limit" must be an integer in 1..${max}` };
  }
  return { ok: true, value };
}

/**
 * Validates a parsed JSON value as a request. `bodyProblem` is protocol.ts's body check,
 * passed in to keep this module free of a cycle.
 */
export function validateJsonRequest(
  value: unknown,
  bodyProblem: (body: string) => string | null,
): JsonRequestResult {
  if (!isPlainObject(value)) return { ok: false, message: 'request must be a JSON object' };
  const op = value.op;
  if (typeof op !== 'string' || !(JSON_OPS as readonly string[]).includes(op)) {
    return { ok: false, message: `"op" must be one of ${JSON_OPS.join(', ')}` };
  }
  const known = FIELDS[op as JsonOp];
  for (const key of Object.keys(value)) {
    if (key !== 'op' && !known.includes(key)) {
      return { ok: false, message: `unknown field ${JSON.stringify(key.slice(0, 40))} for ${op}` };
    }
  }
  const fail = (f: { ok: false; message: string }): JsonRequestResult => f;
  switch (op as JsonOp) {
    case 'status':
    case 'peers':
    case 'contacts':
      return { ok: true, request: { op } as JsonRequest };
    case 'conversations':
    case 'pull': {
      const max = op === 'pull' ? PULL_MESSAGES_MAX : CONVERSATIONS_LIMIT_MAX;
      const limit = limitField(value, max);
      if (!limit.ok) return fail(limit);
      const request = { op, ...(limit.value === undefined ? {} : { limit: limit.value }) };
      return { ok: true, request: request as JsonRequest };
    }
    case 'history': {
      const peer = tokenField(value, 'peer', DESTINATION_MAX_BYTES);
      if (!peer.ok) return fail(peer);
      const limit = limitField(value, HISTORY_LIMIT_MAX);
      if (!limit.ok) return fail(limit);
      const base = { op: 'history' as const, peer: peer.value };
      return {
        ok: true,
        request: limit.value === undefined ? base : { ...base, limit: limit.value },
      };
    }
    case 'contact-add': {
      const alias = tokenField(value, 'alias', FIELD_MAX_CHARS);
      if (!alias.ok) return fail(alias);
      const id = tokenField(value, 'id', FIELD_MAX_CHARS);
      if (!id.ok) return fail(id);
      return { ok: true, request: { op: 'contact-add', alias: alias.value, id: id.value } };
    }
    case 'contact-remove': {
      const alias = tokenField(value, 'alias', FIELD_MAX_CHARS);
      if (!alias.ok) return fail(alias);
      return { ok: true, request: { op: 'contact-remove', alias: alias.value } };
    }
    case 'push': {
      const to = tokenField(value, 'to', DESTINATION_MAX_BYTES);
      if (!to.ok) return fail(to);
      const body = value.body;
      if (typeof body !== 'string') return { ok: false, message: '"body" must be a string' };
      const problem = bodyProblem(body);
      if (problem !== null) return { ok: false, message: problem };
      const request = { op: 'push' as const, to: to.value, body };
      if (!Object.hasOwn(value, 'shards')) return { ok: true, request };
      const shards = parseShardSpec(value.shards);
      if (!shards.ok) return { ok: false, message: `"shards": ${shards.message}` };
      return { ok: true, request: { ...request, shards: formatShardSpec(shards.spec) } };
    }
    case 'trace': {
      const id = tokenField(value, 'id', FIELD_MAX_CHARS);
      if (!id.ok) return fail(id);
      return { ok: true, request: { op: 'trace', id: id.value } };
    }
    case 'watch': {
      if (!Object.hasOwn(value, 'peer')) return { ok: true, request: { op: 'watch' } };
      const peer = tokenField(value, 'peer', DESTINATION_MAX_BYTES);
      if (!peer.ok) return fail(peer);
      return { ok: true, request: { op: 'watch', peer: peer.value } };
    }
  }
}

/**
 * The shard setting of a validated push: a spec, null for "none", undefined when the
 * request left it to the node's default.
 */
export function pushShards(request: { shards?: string }): ShardSpec | null | undefined {
  if (request.shards === undefined) return undefined;
  const parsed = parseShardSpec(request.shards);
  return parsed.ok ? parsed.spec : undefined;
}

/** One response line. */
export function encodeJsonLine(value: JsonResponse | WatchEvent): string {
  return `${JSON.stringify(value)}\n`;
}

export function jsonError(code: string, message: string): JsonFailure {
  return { ok: false, error: { code, message } };
}

/**
 * Parses one response line from the daemon: an object with a boolean `ok` and, when false,
 * an `error` with string `code` and `message`. Fields of a success are trusted (our daemon).
 */
export function decodeJsonLine(
  line: string,
): { ok: true; value: JsonResponse } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, message: `not JSON: ${JSON.stringify(line.slice(0, 60))}` };
  }
  if (!isPlainObject(value) || typeof value.ok !== 'boolean') {
    return { ok: false, message: 'response is not an object with a boolean "ok"' };
  }
  if (value.ok) return { ok: true, value: value as JsonResponse };
  const error = value.error;
  if (
    !isPlainObject(error) ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string'
  ) {
    return { ok: false, message: 'error response without a string code and message' };
  }
  return { ok: true, value: { ok: false, error: { code: error.code, message: error.message } } };
}
