/**
 * Schema and migrations.
 *
 * Rule 1: the schema version is SQLite's `user_version` (in the file header, so it changes
 *         atomically with the migration that sets it). `application_id` marks the file as
 *         p2pmsg's, so a foreign SQLite file is refused rather than "migrated".
 * Rule 2: migrations are an ordered list; migration N takes a version N-1 database to N.
 *         Each runs in its own IMMEDIATE transaction together with its `user_version`
 *         bump: a crash mid-migration leaves the previous version, never half of one.
 *         The version is re-read under the lock, so two processes cannot both migrate.
 * Rule 3: a migration is never edited once shipped; changes are new migrations.
 * Rule 4: a database newer than the newest migration is refused with a clear error
 *         (StoreError 'schema'): an old binary must not write a schema it does not know.
 *
 * Tables are STRICT (types enforced); times are integer ms since the epoch.
 */
import { StoreError } from './errors.js';
import type { Database } from './sqlite.js';

/** 'p2ms' in ASCII: marks the file as a p2pmsg store. */
export const APPLICATION_ID = 0x70326d73;

export interface Migration {
  /** The version this migration produces (1, 2, …: its position in the list). */
  version: number;
  name: string;
  up(db: Database): void;
}

const V1_INITIAL = `
CREATE TABLE identity (
  singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
  sign_secret BLOB NOT NULL CHECK (length(sign_secret) = 32),
  dh_secret   BLOB NOT NULL CHECK (length(dh_secret) = 32),
  created_at  INTEGER NOT NULL
) STRICT;

-- Messages the local user sent. peer is the resolved node ID (the conversation key);
-- destination is what the user typed (address, node ID or alias).
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  destination     TEXT NOT NULL,
  peer            TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_peer ON outbox (peer, created_at);

-- One row per send of an outbox message along one path (p2pmsg trace).
CREATE TABLE attempts (
  message_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  attempt    INTEGER NOT NULL CHECK (attempt >= 1),
  path       TEXT NOT NULL,
  sent_at    INTEGER NOT NULL,
  acked_at   INTEGER,
  outcome    TEXT NOT NULL DEFAULT 'in-flight'
               CHECK (outcome IN ('in-flight', 'acked', 'timeout', 'failed')),
  reason     TEXT,
  PRIMARY KEY (message_id, attempt)
) STRICT, WITHOUT ROWID;

-- Messages received. message_id is unique for ever: dedup survives restarts.
CREATE TABLE inbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id   TEXT NOT NULL UNIQUE,
  peer         TEXT NOT NULL,
  from_address TEXT NOT NULL,
  body         TEXT NOT NULL,
  sent_at      INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  read         INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))
) STRICT;
CREATE INDEX inbox_unread ON inbox (seq) WHERE read = 0;
CREATE INDEX inbox_peer ON inbox (peer, received_at);

-- Conversations grouped by peer, kept by triggers so no write path can forget them.
CREATE TABLE conversations (
  peer    TEXT PRIMARY KEY,
  last_at INTEGER NOT NULL,
  unread  INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
  total   INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0)
) STRICT;
CREATE INDEX conversations_recent ON conversations (last_at);

CREATE TRIGGER inbox_conversation AFTER INSERT ON inbox BEGIN
  INSERT INTO conversations (peer, last_at, unread, total)
  VALUES (NEW.peer, NEW.received_at, 1 - NEW.read, 1)
  ON CONFLICT (peer) DO UPDATE SET
    last_at = max(last_at, excluded.last_at),
    unread = unread + excluded.unread,
    total = total + 1;
END;
CREATE TRIGGER inbox_read AFTER UPDATE OF read ON inbox
WHEN OLD.read = 0 AND NEW.read = 1 BEGIN
  UPDATE conversations SET unread = unread - 1 WHERE peer = NEW.peer;
END;
CREATE TRIGGER outbox_conversation AFTER INSERT ON outbox BEGIN
  INSERT INTO conversations (peer, last_at, unread, total)
  VALUES (NEW.peer, NEW.created_at, 0, 1)
  ON CONFLICT (peer) DO UPDATE SET
    last_at = max(last_at, excluded.last_at),
    total = total + 1;
END;

CREATE TABLE contacts (
  alias    TEXT PRIMARY KEY,
  node_id  TEXT NOT NULL,
  added_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_node ON contacts (node_id);

CREATE TABLE directory (
  node_id    TEXT PRIMARY KEY,
  descriptor BLOB NOT NULL,
  expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX directory_expiry ON directory (expires_at);

-- Replay tags (onion packet tags, message ids) seen, until they expire.
CREATE TABLE replay (
  tag        BLOB PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX replay_expiry ON replay (expires_at);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => void db.exec(V1_INITIAL) },
];

/** The schema version this program writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function readInt(db: Database, pragma: string): number {
  return Number(db.pragma(pragma, { simple: true }));
}

/** The version of an open database (0 for an empty file). */
export function schemaVersionOf(db: Database): number {
  return readInt(db, 'user_version');
}

/** Refuses files that are not p2pmsg stores or are newer than `latest`. */
export function checkSchema(db: Database, latest: number): number {
  const version = schemaVersionOf(db);
  const appId = readInt(db, 'application_id');
  if (version === 0 && appId === 0) {
    const tables = Number(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get());
    if (tables > 0) {
      throw new StoreError('schema', `${db.name} is an SQLite file but not a p2pmsg store`);
    }
  } else if (appId !== APPLICATION_ID) {
    throw new StoreError('schema', `${db.name} is not a p2pmsg store (application_id ${appId})`);
  }
  if (version > latest) {
    throw new StoreError(
      'schema',
      `${db.name} has schema version ${version}, newer than this p2pmsg understands ` +
        `(${latest}); upgrade p2pmsg or use another --data-dir`,
    );
  }
  return version;
}

/**
 * Brings `db` up to the last migration in `migrations`, one transaction per migration.
 * Returns the versions before and after.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is out of order`);
  });
  const latest = migrations.length;
  const from = checkSchema(db, latest);
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      // Re-read under the write lock: another process may have migrated meanwhile.
      if (checkSchema(db, latest) >= m.version) return;
      m.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: schemaVersionOf(db) };
}
