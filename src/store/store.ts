/**
 * The daemon's durable state (DESIGN.md §4, issue 5 item 4): one SQLite file in the data
 * directory, opened through better-sqlite3 12.
 *
 * Theory of operation. `Store.open` creates the file with mode 0600 (it holds the identity
 * secrets), sets WAL + synchronous=FULL (every commit is fsynced before the call returns,
 * so "SUCCESS" to a PUSH means the message is on disk and a SIGKILL loses nothing), turns
 * foreign keys on, sets a busy timeout and a size cap, and runs the migrations
 * (schema.ts). All statements are prepared once. The store is synchronous: better-sqlite3
 * calls block for the duration of one small transaction, which is what makes "returns
 * after commit" true.
 *
 * Failures of the machine (disk full, read-only, corrupt, locked, wrong schema) surface as
 * StoreError with a code; a bad argument is StoreInputError; nothing else is caught.
 *
 * The record-level methods live in messages.ts (outbox, attempts, inbox, conversations)
 * and tables.ts (identity, contacts, directory, replay); Store exposes them as one API.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyStoreError, guard, StoreError, StoreInputError } from './errors.js';
import {
  BUSY_TIMEOUT_MS,
  DATA_DIR_MODE,
  DB_MAX_BYTES,
  MESSAGE_ID_BYTES,
  STORE_FILE_MODE,
  STORE_FILE_NAME,
} from './limits.js';
import { MessageTables } from './messages.js';
import { checkSchema, migrate, MIGRATIONS, type Migration, schemaVersionOf } from './schema.js';
import { type Database, openDatabase } from './sqlite.js';
import { SmallTables } from './tables.js';
import type {
  AttemptRecord,
  Contact,
  ContactAddResult,
  ConversationSummary,
  DescriptorWrite,
  DirectoryEntry,
  HistoryEntry,
  IdentitySecrets,
  IncomingMessage,
  MessageId,
  NewAttempt,
  NewIncoming,
  NewOutgoing,
  NodeId,
  OutgoingMessage,
  ReplayEntry,
} from './types.js';

/** WAL file size kept after a checkpoint; it regrows under load and shrinks back. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface StoreOptions {
  /** Database file path; see `storePath(dataDir)`. */
  path: string;
  /** Open without writing anything (inspection tools); writes fail with 'readonly'. */
  readonly?: boolean;
  /** Wall clock in ms (injected for tests). */
  now?: () => number;
  /** Message id source (injected for tests); default 16 random bytes in hex. */
  newId?: () => MessageId;
  busyTimeoutMs?: number;
  /** Size cap; writes beyond it fail with StoreError 'full'. */
  maxBytes?: number;
  /** Migrations to apply (tests); default the shipped list. */
  migrations?: readonly Migration[];
}

/** The store file inside a data directory. */
export function storePath(dataDir: string): string {
  return path.join(dataDir, STORE_FILE_NAME);
}

export function newMessageId(): MessageId {
  return randomBytes(MESSAGE_ID_BYTES).toString('hex');
}

/** Creates the file with mode 0600 if absent; tightens group/other bits if present. */
function prepareFile(file: string): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  try {
    fs.closeSync(fs.openSync(file, 'wx', STORE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = fs.statSync(file);
  if (!st.isFile()) throw new StoreError('io', `${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(file, st.mode & 0o700);
}

function configure(db: Database, maxBytes: number): void {
  if (!db.readonly) {
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode !== 'wal') throw new StoreError('io', `cannot use WAL journal (got ${mode})`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
  // Touch the file so a non-database fails here (SQLITE_NOTADB), not on first use.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
}

export class Store {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly db: Database,
    private readonly messages: MessageTables,
    private readonly tables: SmallTables,
  ) {}

  /** Opens (creating and migrating as needed) the store at `options.path`. */
  static open(options: StoreOptions): Store {
    const file = options.path;
    const readonly = options.readonly ?? false;
    const now = options.now ?? Date.now;
    const migrations = options.migrations ?? MIGRATIONS;
    let db: Database | undefined;
    try {
      if (!readonly) prepareFile(file);
      db = openDatabase(file, {
        readonly,
        fileMustExist: readonly,
        timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
      });
      configure(db, options.maxBytes ?? DB_MAX_BYTES);
      if (readonly) {
        const version = checkSchema(db, migrations.length);
        if (version !== migrations.length) {
          throw new StoreError(
            'readonly',
            `${file} needs migration to schema ${migrations.length} but is opened read-only`,
          );
        }
      } else {
        migrate(db, migrations);
      }
      const opened = db;
      return new Store(
        file,
        opened,
        new MessageTables(opened, now, options.newId ?? newMessageId),
        new SmallTables(opened, now),
      );
    } catch (err) {
      try {
        db?.close();
      } catch {
        // Already failing; the first error is the one to report.
      }
      if (err instanceof StoreInputError) throw err;
      throw classifyStoreError(err, `open store ${file}`) ?? err;
    }
  }

  get schemaVersion(): number {
    return guard('read schema version', () => schemaVersionOf(this.db));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Checkpoints the WAL into the main file and closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.db.readonly) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A failed checkpoint loses nothing: the WAL is replayed on next open.
    }
    this.db.close();
  }

  /** SQLite's quick_check: true if the file is structurally sound. */
  quickCheck(): boolean {
    return guard(
      'check store',
      () => String(this.db.pragma('quick_check', { simple: true })) === 'ok',
    );
  }

  // ---- identity ------------------------------------------------------------------------
  identity(): IdentitySecrets | null {
    return this.tables.identity();
  }
  ensureIdentity(generate: () => IdentitySecrets): { secrets: IdentitySecrets; created: boolean } {
    return this.tables.ensureIdentity(generate);
  }

  // ---- outbox --------------------------------------------------------------------------
  enqueueOutgoing(input: NewOutgoing): OutgoingMessage {
    return this.messages.enqueueOutgoing(input);
  }
  getOutgoing(id: MessageId): OutgoingMessage | null {
    return this.messages.getOutgoing(id);
  }
  dueOutgoing(now: number, limit?: number): OutgoingMessage[] {
    return this.messages.dueOutgoing(now, limit);
  }
  pendingCount(): number {
    return this.messages.pendingCount();
  }
  recordAttempt(id: MessageId, attempt: NewAttempt): number | null {
    return this.messages.recordAttempt(id, attempt);
  }
  finishAttempt(id: MessageId, attempt: number, outcome: 'timeout' | 'failed', reason: string) {
    this.messages.finishAttempt(id, attempt, outcome, reason);
  }
  markDelivered(id: MessageId, ackedAt: number, attempt?: number): boolean {
    return this.messages.markDelivered(id, ackedAt, attempt);
  }
  markFailed(id: MessageId, reason: string): boolean {
    return this.messages.markFailed(id, reason);
  }
  expireOutgoing(now: number): MessageId[] {
    return this.messages.expireOutgoing(now);
  }
  attempts(id: MessageId): AttemptRecord[] {
    return this.messages.attempts(id);
  }

  // ---- inbox ---------------------------------------------------------------------------
  recordIncoming(message: NewIncoming): 'new' | 'duplicate' {
    return this.messages.recordIncoming(message);
  }
  getIncoming(id: MessageId): IncomingMessage | null {
    return this.messages.getIncoming(id);
  }
  pullUnread(limit?: number): IncomingMessage[] {
    return this.messages.pullUnread(limit);
  }
  markRead(ids: readonly MessageId[]): number {
    return this.messages.markRead(ids);
  }
  unreadCount(): number {
    return this.messages.unreadCount();
  }

  // ---- conversations -------------------------------------------------------------------
  conversations(limit?: number): ConversationSummary[] {
    return this.messages.conversations(limit);
  }
  history(peer: NodeId, limit?: number): HistoryEntry[] {
    return this.messages.history(peer, limit);
  }

  // ---- contacts ------------------------------------------------------------------------
  addContact(alias: string, nodeId: NodeId): ContactAddResult {
    return this.tables.addContact(alias, nodeId);
  }
  removeContact(alias: string): boolean {
    return this.tables.removeContact(alias);
  }
  listContacts(): Contact[] {
    return this.tables.listContacts();
  }
  resolveContact(alias: string): NodeId | null {
    return this.tables.resolveContact(alias);
  }

  // ---- directory cache -----------------------------------------------------------------
  putDescriptor(nodeId: NodeId, descriptor: Uint8Array, expiresAt: number): boolean {
    return this.tables.putDescriptor(nodeId, descriptor, expiresAt);
  }
  getDescriptor(nodeId: NodeId): DirectoryEntry | null {
    return this.tables.getDescriptor(nodeId);
  }
  listDescriptors(limit?: number): DirectoryEntry[] {
    return this.tables.listDescriptors(limit);
  }
  saveDescriptors(
    writes: readonly DescriptorWrite[],
    removed: readonly NodeId[],
  ): { written: number; removed: number; refused: number } {
    return this.tables.saveDescriptors(writes, removed);
  }
  freshestDescriptors(limit?: number): DirectoryEntry[] {
    return this.tables.freshestDescriptors(limit);
  }
  pruneDirectory(): number {
    return this.tables.pruneDirectory();
  }

  // ---- replay state --------------------------------------------------------------------
  rememberReplay(tag: Uint8Array, expiresAt: number): boolean {
    return this.tables.rememberReplay(tag, expiresAt);
  }
  rememberReplayMany(tags: readonly Uint8Array[], expiresAt: number): boolean[] {
    return this.tables.rememberReplayMany(tags, expiresAt);
  }
  saveReplayTags(entries: readonly ReplayEntry[]): number {
    return this.tables.saveReplayTags(entries);
  }
  liveReplayTags(limit?: number): ReplayEntry[] {
    return this.tables.liveReplayTags(limit);
  }
  hasReplay(tag: Uint8Array): boolean {
    return this.tables.hasReplay(tag);
  }
  pruneReplay(): number {
    return this.tables.pruneReplay();
  }
}
