/**
 * The daemon's answers to its clients (src/client/handler.ts `ClientHandler`): PUSH and
 * PULL of the seed protocol, and the NDJSON ops (status, peers, conversations, history,
 * contacts, watch, trace).
 *
 * Theory of operation. A destination — in PUSH, `history`, `watch` — names a node three
 * ways (DESIGN.md §3 Directory): a node ID, a contact alias, or `IP[:port]`, tried in that
 * order. A node ID or an alias is accepted whether or not the directory knows the node yet
 * (the message waits in the outbox and the engine retries until it expires); an address
 * can only be resolved through the directory, so an unknown one is refused at once.
 *
 * Rule 1: SUCCESS to a PUSH means the message is on disk (Outbox.accept returns after the
 *         commit); every refusal is FAIL / an error object with a reason code.
 * Rule 2: PULL hands out unread messages; they are marked read by `commit`, which the
 *         client server calls only after the whole response was written.
 * Rule 3: no method throws anything but HandlerError for a client's mistake; store
 *         failures become error replies (the client server turns throws into FAIL).
 */
import {
  HandlerError,
  type ClientHandler,
  type PullBatch,
  type PushOptions,
  type PushOutcome,
} from '../client/server.js';
import type {
  AttemptInfo,
  ContactInfo,
  ConversationInfo,
  HistoryItem,
  JsonObject,
  MessageInfo,
  TraceInfo,
} from '../client/protocol.js';
import { ROUTING_BODY_MAX } from '../engine/routing/index.js';
import type { NodeId, NodeSnapshot } from '../engine/types.js';
import {
  isMessageId,
  isNodeId,
  StoreError,
  storeLimits,
  type IncomingMessage,
  type Store,
} from '../store/index.js';
import { TooManyWatchersError, type Inbox } from './inbox.js';
import type { Outbox } from './outbox.js';

/** What the handler reads of the running node. */
export interface HandlerNode {
  readonly id: NodeId;
  resolve(
    destination: string,
    now: number,
  ): { id: NodeId; address: string; relay: boolean } | undefined;
  snapshot(): NodeSnapshot;
}

export interface DaemonHandlerOptions {
  store: Store;
  node: HandlerNode;
  outbox: Outbox;
  inbox: Inbox;
  now: () => number;
  /** The status object (composition-wide facts: addresses, links, uptime). */
  status: () => JsonObject;
  /** true once the daemon is stopping: PUSH answers FAIL. */
  stopping: () => boolean;
}

export class DaemonHandler implements ClientHandler {
  constructor(private readonly o: DaemonHandlerOptions) {}

  async push(destination: string, body: string, options: PushOptions = {}): Promise<PushOutcome> {
    if (this.o.stopping()) {
      return { ok: false, reason: 'shutting-down', message: 'the daemon is stopping' };
    }
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > ROUTING_BODY_MAX) {
      // The protocol allows more; one onion packet does not (longer bodies need shards).
      return {
        ok: false,
        reason: 'too-large',
        message: `message is ${bytes} bytes; at most ${ROUTING_BODY_MAX} fit one packet`,
      };
    }
    const peer = this.resolvePeer(destination);
    if (peer === null) {
      return {
        ok: false,
        reason: 'unknown-destination',
        message:
          `${destination} is not a node ID, a contact, or the address of a node in the ` +
          'directory (is the node up and has it announced itself yet?)',
      };
    }
    if (peer === this.o.node.id) {
      return { ok: false, reason: 'self', message: `${destination} is this node` };
    }
    try {
      const accepted = this.o.outbox.accept(destination, peer, body, options.shards);
      return accepted.ok
        ? { ok: true, id: accepted.message.id }
        : { ok: false, reason: accepted.reason, message: accepted.message };
    } catch (err) {
      if (err instanceof StoreError) {
        return { ok: false, reason: `store-${err.code}`, message: err.message };
      }
      throw err;
    }
  }

  async pull(limit: number): Promise<PullBatch> {
    const rows = this.o.store.pullUnread(Math.min(limit, storeLimits.PULL_PAGE_MAX));
    return {
      messages: rows.map(toMessageInfo),
      commit: () => void this.o.store.markRead(rows.map((r) => r.id)),
    };
  }

  async status(): Promise<JsonObject> {
    return this.o.status();
  }

  async peers(): Promise<JsonObject[]> {
    const snapshot = this.o.node.snapshot();
    const aliases = this.aliasesById();
    const now = this.o.now();
    const row = (id: NodeId, view: string): JsonObject => ({
      id,
      view,
      address: this.o.node.resolve(id, now)?.address ?? null,
      alias: aliases.get(id) ?? null,
    });
    return [
      ...snapshot.active.map((id) => row(id, 'active')),
      ...snapshot.passive.map((id) => row(id, 'passive')),
    ];
  }

  async conversations(limit: number): Promise<ConversationInfo[]> {
    return this.o.store.conversations(Math.min(limit, storeLimits.CONVERSATIONS_PAGE_MAX));
  }

  async history(peer: string, limit: number): Promise<HistoryItem[]> {
    const id = this.requirePeer(peer);
    return this.o.store
      .history(id, Math.min(limit, storeLimits.HISTORY_PAGE_MAX))
      .map((e): HistoryItem => {
        const base = { direction: e.direction, id: e.id, peer: e.peer, body: e.body, at: e.at };
        return e.direction === 'in'
          ? { ...base, read: e.read, address: e.address }
          : { ...base, state: e.state };
      });
  }

  async contacts(): Promise<ContactInfo[]> {
    return this.o.store.listContacts().map((c) => ({ alias: c.alias, id: c.nodeId }));
  }

  async contactAdd(alias: string, id: string) {
    return this.o.store.addContact(alias, id.toLowerCase());
  }

  async contactRemove(alias: string): Promise<boolean> {
    return this.o.store.removeContact(alias);
  }

  watch(onMessage: (message: MessageInfo) => void, peer?: string): () => void {
    const id = peer === undefined ? undefined : this.requirePeer(peer);
    try {
      return this.o.inbox.watch(onMessage, id);
    } catch (err) {
      if (err instanceof TooManyWatchersError) throw new HandlerError('busy', err.message);
      throw err;
    }
  }

  async trace(id: string): Promise<TraceInfo | null> {
    const key = id.toLowerCase();
    if (!isMessageId(key)) {
      throw new HandlerError(
        'bad-request',
        `a message id is ${storeLimits.MESSAGE_ID_HEX_CHARS} hex characters`,
      );
    }
    const message = this.o.store.getOutgoing(key);
    if (message === null) return null;
    const attempts = this.o.store.attempts(key).map((a): AttemptInfo => ({
      attempt: a.attempt,
      path: a.path,
      sentAt: a.sentAt,
      ackedAt: a.ackedAt,
      outcome: a.outcome,
      reason: a.reason,
    }));
    return {
      message: {
        id: message.id,
        destination: message.destination,
        peer: message.peer,
        body: message.body,
        createdAt: message.createdAt,
        expiresAt: message.expiresAt,
        state: message.state,
        attempts: message.attempts,
        deliveredAt: message.deliveredAt,
        lastError: message.lastError,
      },
      attempts,
    };
  }

  /** Node ID, then alias, then address through the directory; null if none matches. */
  resolvePeer(destination: string): NodeId | null {
    const lower = destination.toLowerCase();
    if (isNodeId(lower)) return lower;
    const aliased = this.o.store.resolveContact(destination);
    if (aliased !== null) return aliased;
    return this.o.node.resolve(destination, this.o.now())?.id ?? null;
  }

  private requirePeer(peer: string): NodeId {
    const id = this.resolvePeer(peer);
    if (id === null) {
      throw new HandlerError(
        'unknown-peer',
        `${peer} is not a node ID, a contact or a known address`,
      );
    }
    return id;
  }

  private aliasesById(): Map<NodeId, string> {
    const map = new Map<NodeId, string>();
    for (const c of this.o.store.listContacts()) if (!map.has(c.nodeId)) map.set(c.nodeId, c.alias);
    return map;
  }
}

function toMessageInfo(m: IncomingMessage): MessageInfo {
  return {
    id: m.id,
    from: m.from,
    address: m.address,
    body: m.body,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
  };
}
