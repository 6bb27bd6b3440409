/**
 * The node's small tables: identity secrets, contacts, the directory cache and replay state.
 *
 * Rule 1: the identity is created once. `ensureIdentity` reads and, only if absent, inserts
 *         in one IMMEDIATE transaction, so two processes racing on a fresh data directory
 *         agree on one identity.
 * Rule 2: aliases share the destination namespace with addresses and node IDs, so
 *         `aliasProblem` refuses look-alikes; an alias names one node until removed.
 * Rule 3: the directory cache and the replay set are bounded: capacity checks on insert and
 *         pruning in batches of PRUNE_BATCH_ROWS, so no single call runs long.
 * Rule 4: the daemon writes both in batches (`saveDescriptors`, `saveReplayTags`): one
 *         transaction, so one fsync, per batch — never one per packet.
 */
import { guard, StoreInputError } from './errors.js';
import {
  CONTACTS_MAX,
  DESCRIPTOR_MAX_BYTES,
  DIRECTORY_BATCH_MAX,
  DIRECTORY_MAX_ENTRIES,
  DIRECTORY_PAGE_MAX,
  IDENTITY_SECRET_BYTES,
  PRUNE_BATCH_ROWS,
  REPLAY_BATCH_MAX,
  REPLAY_MAX_ENTRIES,
  REPLAY_TAG_MAX_BYTES,
  REPLAY_TAG_MIN_BYTES,
} from './limits.js';
import type { Database, Statement } from './sqlite.js';
import type {
  Contact,
  ContactAddResult,
  DescriptorWrite,
  DirectoryEntry,
  IdentitySecrets,
  NodeId,
  ReplayEntry,
} from './types.js';
import * as v from './validate.js';

interface DirectoryRow {
  node_id: string;
  descriptor: Buffer;
  expires_at: number;
  updated_at: number;
}

const toEntry = (r: DirectoryRow): DirectoryEntry => ({
  nodeId: r.node_id,
  descriptor: new Uint8Array(r.descriptor),
  expiresAt: r.expires_at,
  updatedAt: r.updated_at,
});

function checkBytes(value: Uint8Array, min: number, max: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new StoreInputError(`${what} must be ${min}..${max} bytes`);
  }
}

export class SmallTables {
  private readonly s: {
    getIdentity: Statement<{ sign_secret: Buffer; dh_secret: Buffer }>;
    insertIdentity: Statement;
    getContact: Statement<{ node_id: string }>;
    contactCount: Statement<number>;
    insertContact: Statement;
    removeContact: Statement;
    listContacts: Statement<{ alias: string; node_id: string; added_at: number }>;
    updateDescriptor: Statement;
    insertDescriptor: Statement;
    directoryCount: Statement<number>;
    getDescriptor: Statement<DirectoryRow>;
    listDescriptors: Statement<DirectoryRow>;
    pruneDirectory: Statement;
    deleteDescriptor: Statement;
    freshestDescriptors: Statement<DirectoryRow>;
    rememberReplay: Statement;
    hasReplay: Statement<number>;
    pruneReplay: Statement;
    replayCount: Statement<number>;
    evictReplay: Statement;
    liveReplay: Statement<{ tag: Buffer; expires_at: number }>;
  };

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    const p = <R = unknown>(sql: string): Statement<R> => db.prepare<R>(sql);
    this.s = {
      getIdentity: p('SELECT sign_secret, dh_secret FROM identity WHERE singleton = 1'),
      insertIdentity: p(`INSERT INTO identity (singleton, sign_secret, dh_secret, created_at)
          VALUES (1, ?, ?, ?)`),
      getContact: p('SELECT node_id FROM contacts WHERE alias = ?'),
      contactCount: p<number>('SELECT count(*) FROM contacts').pluck(),
      insertContact: p('INSERT INTO contacts (alias, node_id, added_at) VALUES (?, ?, ?)'),
      removeContact: p('DELETE FROM contacts WHERE alias = ?'),
      listContacts: p(`SELECT alias, node_id, added_at FROM contacts ORDER BY alias
          LIMIT ${CONTACTS_MAX}`),
      updateDescriptor: p(`UPDATE directory SET descriptor = ?, expires_at = ?, updated_at = ?
          WHERE node_id = ?`),
      insertDescriptor: p(`INSERT INTO directory (node_id, descriptor, expires_at, updated_at)
          VALUES (?, ?, ?, ?)`),
      directoryCount: p<number>('SELECT count(*) FROM directory').pluck(),
      getDescriptor: p(`SELECT node_id, descriptor, expires_at, updated_at FROM directory
          WHERE node_id = ? AND expires_at > ?`),
      listDescriptors: p(`SELECT node_id, descriptor, expires_at, updated_at FROM directory
          WHERE expires_at > ? ORDER BY node_id LIMIT ?`),
      pruneDirectory: p(`DELETE FROM directory WHERE node_id IN (SELECT node_id FROM directory
          WHERE expires_at <= ? LIMIT ${PRUNE_BATCH_ROWS})`),
      deleteDescriptor: p('DELETE FROM directory WHERE node_id = ?'),
      freshestDescriptors: p(`SELECT node_id, descriptor, expires_at, updated_at FROM directory
          WHERE expires_at > ? ORDER BY expires_at DESC LIMIT ?`),
      // A live tag is a replay (0 changes); an expired one is fresh again (1 change).
      rememberReplay: p(`INSERT INTO replay (tag, expires_at) VALUES (?, ?)
          ON CONFLICT (tag) DO UPDATE SET expires_at = excluded.expires_at
          WHERE replay.expires_at <= ?`),
      hasReplay: p<number>('SELECT count(*) FROM replay WHERE tag = ? AND expires_at > ?').pluck(),
      pruneReplay: p(`DELETE FROM replay WHERE tag IN (SELECT tag FROM replay
          WHERE expires_at <= ? LIMIT ${PRUNE_BATCH_ROWS})`),
      replayCount: p<number>('SELECT count(*) FROM replay').pluck(),
      evictReplay: p(`DELETE FROM replay WHERE tag IN (SELECT tag FROM replay
          ORDER BY expires_at LIMIT ?)`),
      liveReplay: p(`SELECT tag, expires_at FROM replay WHERE expires_at > ?
          ORDER BY expires_at DESC LIMIT ?`),
    };
  }

  // ---- identity -----------------------------------------------------------------------

  identity(): IdentitySecrets | null {
    const row = guard('read identity', () => this.s.getIdentity.get());
    if (row === undefined) return null;
    return { sign: new Uint8Array(row.sign_secret), dh: new Uint8Array(row.dh_secret) };
  }

  /** The stored identity, or the one `generate` makes, stored first (exactly once). */
  ensureIdentity(generate: () => IdentitySecrets): { secrets: IdentitySecrets; created: boolean } {
    return guard('create identity', () =>
      this.db
        .transaction(() => {
          const existing = this.identity();
          if (existing !== null) return { secrets: existing, created: false };
          const secrets = generate();
          checkBytes(secrets.sign, IDENTITY_SECRET_BYTES, IDENTITY_SECRET_BYTES, 'sign secret');
          checkBytes(secrets.dh, IDENTITY_SECRET_BYTES, IDENTITY_SECRET_BYTES, 'dh secret');
          this.s.insertIdentity.run(secrets.sign, secrets.dh, this.now());
          return { secrets: { sign: secrets.sign.slice(), dh: secrets.dh.slice() }, created: true };
        })
        .immediate(),
    );
  }

  // ---- contacts -----------------------------------------------------------------------

  addContact(alias: string, nodeId: NodeId): ContactAddResult {
    const problem = v.aliasProblem(alias);
    if (problem !== null) return { ok: false, reason: 'bad-alias', message: problem };
    if (!v.isNodeId(nodeId)) {
      return { ok: false, reason: 'bad-node-id', message: 'not a node ID (32 base32 chars)' };
    }
    return guard('add contact', () =>
      this.db
        .transaction((): ContactAddResult => {
          const existing = this.s.getContact.get(alias);
          if (existing !== undefined) {
            if (existing.node_id === nodeId) return { ok: true, created: false };
            return {
              ok: false,
              reason: 'alias-taken',
              message: `alias ${alias} already names ${existing.node_id}; remove it first`,
            };
          }
          if (Number(this.s.contactCount.get()) >= CONTACTS_MAX) {
            return { ok: false, reason: 'too-many', message: `at most ${CONTACTS_MAX} contacts` };
          }
          this.s.insertContact.run(alias, nodeId, this.now());
          return { ok: true, created: true };
        })
        .immediate(),
    );
  }

  /** Returns false if there was no such alias. */
  removeContact(alias: string): boolean {
    return guard('remove contact', () => this.s.removeContact.run(alias).changes === 1);
  }

  listContacts(): Contact[] {
    return guard('list contacts', () => this.s.listContacts.all()).map((r) => ({
      alias: r.alias,
      nodeId: r.node_id,
      addedAt: r.added_at,
    }));
  }

  resolveContact(alias: string): NodeId | null {
    return guard('resolve contact', () => this.s.getContact.get(alias)?.node_id ?? null);
  }

  // ---- directory cache ----------------------------------------------------------------

  /**
   * Caches a descriptor (replacing the node's previous one). Returns false when the cache
   * is at DIRECTORY_MAX_ENTRIES even after pruning expired entries: a counted drop.
   */
  putDescriptor(nodeId: NodeId, descriptor: Uint8Array, expiresAt: number): boolean {
    return this.saveDescriptors([{ nodeId, descriptor, expiresAt }], []).refused === 0;
  }

  /**
   * Caches `writes` (each replacing the node's previous descriptor) and deletes the
   * descriptors of `removed`, up to DIRECTORY_BATCH_MAX of both together, in one
   * transaction. A write refused because the cache is full even after pruning expired
   * entries is counted in `refused`.
   */
  saveDescriptors(
    writes: readonly DescriptorWrite[],
    removed: readonly NodeId[],
  ): { written: number; removed: number; refused: number } {
    if (writes.length + removed.length > DIRECTORY_BATCH_MAX) {
      throw new StoreInputError(
        `${writes.length + removed.length} descriptor changes at once (max ${DIRECTORY_BATCH_MAX})`,
      );
    }
    for (const w of writes) {
      v.checkNodeId(w.nodeId);
      checkBytes(w.descriptor, 1, DESCRIPTOR_MAX_BYTES, 'descriptor');
      v.checkTime(w.expiresAt, 'expiresAt');
    }
    removed.forEach((id) => v.checkNodeId(id));
    const now = this.now();
    return guard('cache descriptors', () =>
      this.db
        .transaction(() => {
          const result = { written: 0, removed: 0, refused: 0 };
          for (const id of removed) result.removed += this.s.deleteDescriptor.run(id).changes;
          // Counted once, then tracked: count(*) scans the table, too slow once per row.
          let count = Number(this.s.directoryCount.get());
          let pruned = false;
          for (const { nodeId, descriptor, expiresAt } of writes) {
            if (this.s.updateDescriptor.run(descriptor, expiresAt, now, nodeId).changes === 1) {
              result.written += 1;
              continue;
            }
            if (count >= DIRECTORY_MAX_ENTRIES && !pruned) {
              pruned = true;
              count -= this.s.pruneDirectory.run(now).changes;
            }
            if (count >= DIRECTORY_MAX_ENTRIES) {
              result.refused += 1;
              continue;
            }
            this.s.insertDescriptor.run(nodeId, descriptor, expiresAt, now);
            count += 1;
            result.written += 1;
          }
          return result;
        })
        .immediate(),
    );
  }

  /** The `limit` unexpired descriptors that expire last (the freshest), freshest first. */
  freshestDescriptors(limit = DIRECTORY_PAGE_MAX): DirectoryEntry[] {
    v.checkLimit(limit, DIRECTORY_PAGE_MAX);
    return guard('read freshest descriptors', () =>
      this.s.freshestDescriptors.all(this.now(), limit).map(toEntry),
    );
  }

  /** The node's descriptor if cached and not expired. */
  getDescriptor(nodeId: NodeId): DirectoryEntry | null {
    const row = guard('read descriptor', () => this.s.getDescriptor.get(nodeId, this.now()));
    return row === undefined ? null : toEntry(row);
  }

  listDescriptors(limit = DIRECTORY_PAGE_MAX): DirectoryEntry[] {
    v.checkLimit(limit, DIRECTORY_PAGE_MAX);
    return guard('list descriptors', () =>
      this.s.listDescriptors.all(this.now(), limit).map(toEntry),
    );
  }

  /** Deletes up to PRUNE_BATCH_ROWS expired descriptors; returns how many. */
  pruneDirectory(): number {
    return guard('prune directory', () => this.s.pruneDirectory.run(this.now()).changes);
  }

  // ---- replay state -------------------------------------------------------------------

  /** Remembers `tag` until `expiresAt`. Returns true if it is fresh, false if a replay. */
  rememberReplay(tag: Uint8Array, expiresAt: number): boolean {
    checkBytes(tag, REPLAY_TAG_MIN_BYTES, REPLAY_TAG_MAX_BYTES, 'replay tag');
    v.checkTime(expiresAt, 'expiresAt');
    return guard(
      'remember replay tag',
      () => this.s.rememberReplay.run(tag, expiresAt, this.now()).changes === 1,
    );
  }

  /** `rememberReplay` for up to REPLAY_BATCH_MAX tags in one transaction (one fsync). */
  rememberReplayMany(tags: readonly Uint8Array[], expiresAt: number): boolean[] {
    if (tags.length > REPLAY_BATCH_MAX) {
      throw new StoreInputError(`${tags.length} replay tags at once (max ${REPLAY_BATCH_MAX})`);
    }
    tags.forEach((tag) =>
      checkBytes(tag, REPLAY_TAG_MIN_BYTES, REPLAY_TAG_MAX_BYTES, 'replay tag'),
    );
    v.checkTime(expiresAt, 'expiresAt');
    const now = this.now();
    return guard('remember replay tags', () =>
      this.db
        .transaction(() =>
          tags.map((tag) => this.s.rememberReplay.run(tag, expiresAt, now).changes === 1),
        )
        .immediate(),
    );
  }

  /**
   * Remembers up to REPLAY_BATCH_MAX tags, each until its own expiry, in one transaction. A
   * tag already live keeps its first expiry (a replay does not extend a tag's life). Then
   * the table is cut back to REPLAY_MAX_ENTRIES, the tags expiring first going; returns how
   * many went so.
   */
  saveReplayTags(entries: readonly ReplayEntry[]): number {
    if (entries.length > REPLAY_BATCH_MAX) {
      throw new StoreInputError(`${entries.length} replay tags at once (max ${REPLAY_BATCH_MAX})`);
    }
    for (const e of entries) {
      checkBytes(e.tag, REPLAY_TAG_MIN_BYTES, REPLAY_TAG_MAX_BYTES, 'replay tag');
      v.checkTime(e.expiresAt, 'expiresAt');
    }
    const now = this.now();
    return guard('save replay tags', () =>
      this.db
        .transaction(() => {
          for (const e of entries) this.s.rememberReplay.run(e.tag, e.expiresAt, now);
          const over = Number(this.s.replayCount.get()) - REPLAY_MAX_ENTRIES;
          return over > 0 ? this.s.evictReplay.run(over).changes : 0;
        })
        .immediate(),
    );
  }

  /** The `limit` live tags that expire last, in order of expiry (oldest first). */
  liveReplayTags(limit = REPLAY_MAX_ENTRIES): ReplayEntry[] {
    v.checkLimit(limit, REPLAY_MAX_ENTRIES);
    const rows = guard('read replay tags', () => this.s.liveReplay.all(this.now(), limit));
    return rows.reverse().map((r) => ({ tag: new Uint8Array(r.tag), expiresAt: r.expires_at }));
  }

  hasReplay(tag: Uint8Array): boolean {
    checkBytes(tag, REPLAY_TAG_MIN_BYTES, REPLAY_TAG_MAX_BYTES, 'replay tag');
    return guard('check replay tag', () => Number(this.s.hasReplay.get(tag, this.now())) > 0);
  }

  /** Deletes up to PRUNE_BATCH_ROWS expired tags; returns how many. */
  pruneReplay(): number {
    return guard('prune replay tags', () => this.s.pruneReplay.run(this.now()).changes);
  }
}
