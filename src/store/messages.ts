/**
 * Messages: the outbox (with its attempts, for `p2pmsg trace`), the inbox, and the
 * conversations view over both.
 *
 * Rule 1: every method is one statement or one transaction, so a crash (SIGKILL, power
 *         loss) leaves each write wholly done or wholly not done. With WAL and
 *         synchronous=FULL the commit is fsynced before `run()` returns: when
 *         `enqueueOutgoing` returns, the message is on disk (a PUSH may answer SUCCESS).
 * Rule 2: the inbox's message_id is UNIQUE, and `recordIncoming` is a single
 *         INSERT … ON CONFLICT DO NOTHING: new-or-duplicate is decided atomically and the
 *         decision survives restarts (exactly-once delivery as the user sees it).
 * Rule 3: reading (`pullUnread`) and marking read (`markRead`) are separate, so the
 *         client server marks read only after the response reached the socket.
 * Rule 4: statements are prepared once, in the constructor.
 * Rule 5: a write whose result is read with `get` (INSERT/UPDATE … RETURNING) runs inside an
 *         explicit transaction. In autocommit mode `get` steps once and resets the statement,
 *         and the commit happens in that reset, whose failure better-sqlite3 does not report:
 *         on a full disk the row came back, the call "succeeded", and nothing was on disk —
 *         a PUSH answered SUCCESS for a message that was never stored (found by
 *         test/integration/faults-disk.test.ts). Inside a transaction the COMMIT is a
 *         statement of its own and its failure throws.
 */
import { guard } from './errors.js';
import { ATTEMPTS_MAX, PATH_MAX_NODES, PRUNE_BATCH_ROWS } from './limits.js';
import { CONVERSATIONS_PAGE_MAX, DUE_PAGE_MAX, HISTORY_PAGE_MAX } from './limits.js';
import { MARK_READ_MAX, PULL_PAGE_MAX } from './limits.js';
import type { Database, Statement } from './sqlite.js';
import { StoreInputError } from './errors.js';
import type {
  AttemptOutcome,
  AttemptRecord,
  ConversationSummary,
  HistoryEntry,
  IncomingMessage,
  MessageId,
  NewAttempt,
  NewIncoming,
  NewOutgoing,
  NodeId,
  OutgoingMessage,
  OutgoingState,
} from './types.js';
import * as v from './validate.js';

interface OutboxRow {
  id: string;
  destination: string;
  peer: string;
  body: string;
  created_at: number;
  expires_at: number;
  state: OutgoingState;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}
interface AttemptRow {
  message_id: string;
  attempt: number;
  path: string;
  sent_at: number;
  acked_at: number | null;
  outcome: AttemptOutcome;
  reason: string | null;
}
interface InboxRow {
  message_id: string;
  peer: string;
  from_address: string;
  body: string;
  sent_at: number;
  received_at: number;
  read: number;
}
interface ConversationRow {
  peer: string;
  alias: string | null;
  last_at: number;
  unread: number;
  total: number;
}
interface HistoryRow {
  direction: 'in' | 'out';
  id: string;
  body: string;
  at: number;
  extra_time: number | null;
  extra_text: string;
  flag: number | string;
}

const OUTBOX_COLUMNS = `id, destination, peer, body, created_at, expires_at, state, attempts,
  next_attempt_at, delivered_at, last_error`;
const INBOX_COLUMNS = 'message_id, peer, from_address, body, sent_at, received_at, read';

const toOutgoing = (r: OutboxRow): OutgoingMessage => ({
  id: r.id,
  destination: r.destination,
  peer: r.peer,
  body: r.body,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});

const toIncoming = (r: InboxRow): IncomingMessage => ({
  id: r.message_id,
  from: r.peer,
  address: r.from_address,
  body: r.body,
  sentAt: r.sent_at,
  receivedAt: r.received_at,
  read: r.read === 1,
});

const toAttempt = (r: AttemptRow): AttemptRecord => ({
  messageId: r.message_id,
  attempt: r.attempt,
  path: JSON.parse(r.path) as NodeId[],
  sentAt: r.sent_at,
  ackedAt: r.acked_at,
  outcome: r.outcome,
  reason: r.reason,
});

export class MessageTables {
  private readonly s: {
    insertOutbox: Statement<OutboxRow>;
    getOutbox: Statement<OutboxRow>;
    due: Statement<OutboxRow>;
    pendingCount: Statement<number>;
    bumpAttempt: Statement<{ attempts: number }>;
    supersede: Statement;
    insertAttempt: Statement;
    finishAttempt: Statement;
    deliver: Statement;
    ackAttempt: Statement;
    fail: Statement;
    expire: Statement<{ id: string }>;
    attempts: Statement<AttemptRow>;
    insertInbox: Statement;
    getInbox: Statement<InboxRow>;
    unread: Statement<InboxRow>;
    unreadCount: Statement<number>;
    markRead: Statement;
    conversations: Statement<ConversationRow>;
    history: Statement<HistoryRow>;
  };

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly newId: () => MessageId,
  ) {
    const p = <R = unknown>(sql: string): Statement<R> => db.prepare<R>(sql);
    this.s = {
      insertOutbox: p(`INSERT INTO outbox (id, destination, peer, body, created_at, expires_at,
          next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${OUTBOX_COLUMNS}`),
      getOutbox: p(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`),
      due: p(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending'
          AND next_attempt_at <= ? AND expires_at > ? ORDER BY next_attempt_at LIMIT ?`),
      pendingCount: p<number>(`SELECT count(*) FROM outbox WHERE state = 'pending'`).pluck(),
      bumpAttempt: p(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
          WHERE id = ? AND state = 'pending' AND attempts < ${ATTEMPTS_MAX} RETURNING attempts`),
      supersede: p(`UPDATE attempts SET outcome = 'timeout', reason = 'no ack before retry'
          WHERE message_id = ? AND outcome = 'in-flight'`),
      insertAttempt: p(`INSERT INTO attempts (message_id, attempt, path, sent_at)
          VALUES (?, ?, ?, ?)`),
      finishAttempt: p(`UPDATE attempts SET outcome = ?, reason = ?
          WHERE message_id = ? AND attempt = ? AND outcome = 'in-flight'`),
      deliver: p(`UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL
          WHERE id = ? AND state = 'pending'`),
      ackAttempt: p(`UPDATE attempts SET outcome = 'acked', acked_at = ?, reason = NULL
          WHERE message_id = ? AND attempt = ? AND acked_at IS NULL`),
      fail: p(`UPDATE outbox SET state = 'failed', last_error = ?
          WHERE id = ? AND state = 'pending'`),
      expire: p(`UPDATE outbox SET state = 'failed', last_error = 'expired'
          WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND expires_at <= ?
          LIMIT ${PRUNE_BATCH_ROWS}) RETURNING id`),
      attempts: p(`SELECT message_id, attempt, path, sent_at, acked_at, outcome, reason
          FROM attempts WHERE message_id = ? ORDER BY attempt`),
      insertInbox: p(`INSERT INTO inbox (message_id, peer, from_address, body, sent_at,
          received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`),
      getInbox: p(`SELECT ${INBOX_COLUMNS} FROM inbox WHERE message_id = ?`),
      unread: p(`SELECT ${INBOX_COLUMNS} FROM inbox WHERE read = 0 ORDER BY seq LIMIT ?`),
      unreadCount: p<number>('SELECT count(*) FROM inbox WHERE read = 0').pluck(),
      markRead: p('UPDATE inbox SET read = 1 WHERE message_id = ? AND read = 0'),
      conversations: p(`SELECT c.peer, c.last_at, c.unread, c.total,
          (SELECT min(alias) FROM contacts WHERE node_id = c.peer) AS alias
          FROM conversations c ORDER BY c.last_at DESC, c.peer LIMIT ?`),
      // Newest `limit` entries of one peer; the caller reverses them into time order.
      // Ties in time: outgoing after incoming, then insertion order.
      history: p(`SELECT * FROM (
          SELECT 'in' AS direction, message_id AS id, body, received_at AS at,
            sent_at AS extra_time, from_address AS extra_text, read AS flag, seq AS ord
            FROM inbox WHERE peer = @peer
          UNION ALL
          SELECT 'out', id, body, created_at, delivered_at, destination, state, rowid
            FROM outbox WHERE peer = @peer)
          ORDER BY at DESC, direction DESC, ord DESC LIMIT @limit`),
    };
  }

  // ---- outbox -------------------------------------------------------------------------

  /** Accepts a message for sending; returns after the row is committed to disk. */
  enqueueOutgoing(input: NewOutgoing): OutgoingMessage {
    const id = input.id ?? this.newId();
    v.checkMessageId(id);
    v.checkDestination(input.destination);
    v.checkNodeId(input.peer, 'peer');
    v.checkBody(input.body);
    v.checkTime(input.expiresAt, 'expiresAt');
    const now = this.now();
    const next = input.nextAttemptAt ?? now;
    v.checkTime(next, 'nextAttemptAt');
    // Rule 5: RETURNING read with `get` inside an explicit transaction, never in autocommit.
    return guard('enqueue outgoing message', () => {
      const row = this.db
        .transaction(() =>
          this.s.insertOutbox.get(
            id,
            input.destination,
            input.peer,
            input.body,
            now,
            input.expiresAt,
            next,
          ),
        )
        .immediate();
      return toOutgoing(row as OutboxRow);
    });
  }

  getOutgoing(id: MessageId): OutgoingMessage | null {
    const row = guard('read outgoing message', () => this.s.getOutbox.get(id));
    return row === undefined ? null : toOutgoing(row);
  }

  /** Pending messages whose next attempt is due and that have not expired, soonest first. */
  dueOutgoing(now: number, limit = DUE_PAGE_MAX): OutgoingMessage[] {
    v.checkLimit(limit, DUE_PAGE_MAX);
    return guard('read due messages', () => this.s.due.all(now, now, limit)).map(toOutgoing);
  }

  pendingCount(): number {
    return guard('count pending messages', () => Number(this.s.pendingCount.get()));
  }

  /**
   * Records a send along `path`: bumps the attempt counter, sets the retry time and marks
   * earlier in-flight attempts timed out. Returns the attempt number, or null if the
   * message is not pending (delivered, failed, unknown) or has used ATTEMPTS_MAX attempts.
   */
  recordAttempt(id: MessageId, attempt: NewAttempt): number | null {
    if (attempt.path.length > PATH_MAX_NODES) {
      throw new StoreInputError(`path has ${attempt.path.length} nodes (max ${PATH_MAX_NODES})`);
    }
    attempt.path.forEach((node) => v.checkNodeId(node, 'path node'));
    v.checkTime(attempt.sentAt, 'sentAt');
    v.checkTime(attempt.nextAttemptAt, 'nextAttemptAt');
    const path = JSON.stringify(attempt.path);
    return guard('record attempt', () =>
      this.db
        .transaction(() => {
          const bumped = this.s.bumpAttempt.get(attempt.nextAttemptAt, id);
          if (bumped === undefined) return null;
          this.s.supersede.run(id);
          this.s.insertAttempt.run(id, bumped.attempts, path, attempt.sentAt);
          return bumped.attempts;
        })
        .immediate(),
    );
  }

  /** Closes an in-flight attempt without an acknowledgement. */
  finishAttempt(id: MessageId, attempt: number, outcome: 'timeout' | 'failed', reason: string) {
    guard('finish attempt', () =>
      this.s.finishAttempt.run(outcome, v.clipError(reason), id, attempt),
    );
  }

  /**
   * The target acknowledged `attempt`. Returns true the first time the message becomes
   * delivered; a late or repeated acknowledgement is recorded on its attempt and returns false.
   */
  markDelivered(id: MessageId, ackedAt: number, attempt?: number): boolean {
    v.checkTime(ackedAt, 'ackedAt');
    return guard('mark delivered', () =>
      this.db
        .transaction(() => {
          if (attempt !== undefined) this.s.ackAttempt.run(ackedAt, id, attempt);
          return this.s.deliver.run(ackedAt, id).changes === 1;
        })
        .immediate(),
    );
  }

  /** Gives up on a pending message. Returns false if it was not pending. */
  markFailed(id: MessageId, reason: string): boolean {
    return guard('mark failed', () => this.s.fail.run(v.clipError(reason), id).changes === 1);
  }

  /** Fails pending messages past their expiry (at most PRUNE_BATCH_ROWS); returns their ids. */
  expireOutgoing(now: number): MessageId[] {
    return guard('expire messages', () => this.s.expire.all(now).map((r) => r.id));
  }

  attempts(id: MessageId): AttemptRecord[] {
    return guard('read attempts', () => this.s.attempts.all(id)).map(toAttempt);
  }

  // ---- inbox --------------------------------------------------------------------------

  /** Stores a received message unless its id was seen before, in one atomic statement. */
  recordIncoming(message: NewIncoming): 'new' | 'duplicate' {
    v.checkMessageId(message.id);
    v.checkNodeId(message.from, 'from');
    v.checkAddress(message.address);
    v.checkBody(message.body);
    v.checkTime(message.sentAt, 'sentAt');
    const { id, from, address, body, sentAt } = message;
    const changes = guard(
      'record incoming message',
      () => this.s.insertInbox.run(id, from, address, body, sentAt, this.now()).changes,
    );
    return changes === 1 ? 'new' : 'duplicate';
  }

  getIncoming(id: MessageId): IncomingMessage | null {
    const row = guard('read incoming message', () => this.s.getInbox.get(id));
    return row === undefined ? null : toIncoming(row);
  }

  /** The oldest unread messages, in arrival order. Marks nothing. */
  pullUnread(limit = PULL_PAGE_MAX): IncomingMessage[] {
    v.checkLimit(limit, PULL_PAGE_MAX);
    return guard('read unread messages', () => this.s.unread.all(limit)).map(toIncoming);
  }

  unreadCount(): number {
    return guard('count unread messages', () => Number(this.s.unreadCount.get()));
  }

  /** Marks messages read in one transaction; returns how many changed (unknown ids skip). */
  markRead(ids: readonly MessageId[]): number {
    if (ids.length > MARK_READ_MAX) {
      throw new StoreInputError(`markRead of ${ids.length} ids (max ${MARK_READ_MAX})`);
    }
    return guard('mark read', () =>
      this.db
        .transaction(() => {
          let changed = 0;
          for (const id of ids) changed += this.s.markRead.run(id).changes;
          return changed;
        })
        .immediate(),
    );
  }

  // ---- conversations ------------------------------------------------------------------

  /** Peers with any message, most recent first, with unread counts. */
  conversations(limit = CONVERSATIONS_PAGE_MAX): ConversationSummary[] {
    v.checkLimit(limit, CONVERSATIONS_PAGE_MAX);
    return guard('read conversations', () => this.s.conversations.all(limit)).map((r) => ({
      peer: r.peer,
      alias: r.alias,
      lastAt: r.last_at,
      unread: r.unread,
      total: r.total,
    }));
  }

  /** The last `limit` messages exchanged with `peer`, both directions, oldest first. */
  history(peer: NodeId, limit = HISTORY_PAGE_MAX): HistoryEntry[] {
    v.checkLimit(limit, HISTORY_PAGE_MAX);
    const rows = guard('read history', () => this.s.history.all({ peer, limit }));
    return rows.reverse().map((r): HistoryEntry => {
      if (r.direction === 'in') {
        return {
          direction: 'in',
          id: r.id,
          peer,
          body: r.body,
          at: r.at,
          sentAt: r.extra_time ?? r.at,
          address: r.extra_text,
          read: r.flag === 1,
        };
      }
      return {
        direction: 'out',
        id: r.id,
        peer,
        body: r.body,
        at: r.at,
        destination: r.extra_text,
        state: r.flag as OutgoingState,
        deliveredAt: r.extra_time,
      };
    });
  }
}
