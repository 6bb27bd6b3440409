/**
 * The contract between the client server and the daemon (issue 5 item 5): the handler the
 * daemon implements, the server's tunable limits (defaults from limits.ts; tests shrink
 * them, STYLE.md #6), and the events and counters the server reports.
 *
 * Rule: the handler owns meaning (resolving destinations, the store); the server owns bytes,
 * time and connections. A handler never sees a socket and the server never sees the store.
 */
import {
  CLOSE_GRACE_MS,
  CONNECTIONS_MAX,
  PULL_MESSAGES_MAX,
  REQUEST_MAX_BYTES,
  REQUEST_TIMEOUT_MS,
  RESPONSE_TIMEOUT_MS,
  WATCH_BUFFER_MAX_BYTES,
} from './limits.js';
import type { ShardSpec } from '../engine/routing/shard-spec.js';
import type {
  ContactInfo,
  ConversationInfo,
  HistoryItem,
  JsonObject,
  MessageInfo,
  TraceInfo,
} from './protocol.js';

export type PushOutcome =
  { ok: true; id: string } | { ok: false; reason: string; message?: string };

/** What a push may ask for beyond its destination and body (json.ts Rule 4). */
export interface PushOptions {
  /** Split into shards (null: one packet); undefined: the node's default. */
  shards?: ShardSpec | null;
}

/** Unread messages handed to one PULL; `commit` marks exactly these read. */
export interface PullBatch {
  messages: MessageInfo[];
  commit(): void;
}

/**
 * What the daemon implements. A rejected promise (or a throw) becomes FAIL / an 'internal'
 * error; throw `HandlerError` to choose the JSON error code and message.
 */
export interface ClientHandler {
  push(destination: string, body: string, options?: PushOptions): Promise<PushOutcome>;
  pull(limit: number): Promise<PullBatch>;
  status(): Promise<JsonObject>;
  peers(): Promise<JsonObject[]>;
  conversations(limit: number): Promise<ConversationInfo[]>;
  history(peer: string, limit: number): Promise<HistoryItem[]>;
  contacts(): Promise<ContactInfo[]>;
  contactAdd(
    alias: string,
    id: string,
  ): Promise<{ ok: true; created: boolean } | { ok: false; reason: string; message?: string }>;
  contactRemove(alias: string): Promise<boolean>;
  /** Calls `onMessage` for each new message (of `peer` only, if given) until unsubscribed. */
  watch(onMessage: (message: MessageInfo) => void, peer?: string): () => void;
  /**
   * A sent message and its attempts (`p2pmsg trace`), or null if no such message. Optional:
   * a handler without it answers `unsupported`.
   */
  trace?(id: string): Promise<TraceInfo | null>;
}

/** A handler failure with a code the client sees, e.g. `unknown-peer`. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientServerLimits {
  connectionsMax: number;
  requestMaxBytes: number;
  requestTimeoutMs: number;
  responseTimeoutMs: number;
  watchBufferMaxBytes: number;
  pullMessagesMax: number;
  closeGraceMs: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ClientServerLimits> = {
  connectionsMax: CONNECTIONS_MAX,
  requestMaxBytes: REQUEST_MAX_BYTES,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  responseTimeoutMs: RESPONSE_TIMEOUT_MS,
  watchBufferMaxBytes: WATCH_BUFFER_MAX_BYTES,
  pullMessagesMax: PULL_MESSAGES_MAX,
  closeGraceMs: CLOSE_GRACE_MS,
};

/** Counted events, for logs and metrics; `detail` is for humans. */
export type ClientServerEvent =
  | { type: 'refused' }
  | { type: 'bad-request'; code: string; detail: string }
  | { type: 'request-timeout' }
  | { type: 'response-timeout' }
  | { type: 'handler-error'; error: unknown }
  | { type: 'commit-error'; error: unknown }
  | { type: 'watch-overflow' }
  | { type: 'server-error'; error: unknown };

export interface ClientServerStats {
  accepted: number;
  refused: number;
  requests: number;
  badRequests: number;
  timeouts: number;
  handlerErrors: number;
  commits: number;
}
