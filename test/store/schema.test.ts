/**
 * Opening, migrating and refusing files (schema.ts Rules 1–4) and the typed failures of
 * the machine (errors.ts): newer schema, foreign or corrupt file, read-only, full.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APPLICATION_ID,
  migrate,
  MIGRATIONS,
  type Migration,
  SCHEMA_VERSION,
  Store,
  StoreError,
  storePath,
} from '../../src/store/index.js';
import { BODY_MAX_BYTES } from '../../src/store/limits.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { ALICE, freshStore, mid, removeDir, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function expectStoreError(fn: () => unknown, code: StoreError['code']): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe(code);
    return err as StoreError;
  }
  throw new Error(`expected StoreError ${code}`);
}

describe('store schema', () => {
  it('an empty data dir gets the latest schema, WAL, mode 0600, and reopens unchanged', () => {
    const file = storePath(path.join(dir(), 'fresh'));
    const store = Store.open({ path: file });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    store.enqueueOutgoing({
      destination: 'bob',
      peer: ALICE,
      body: 'x',
      expiresAt: 9e12,
      id: mid(1),
    });
    store.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    const again = Store.open({ path: file });
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    expect(again.getOutgoing(mid(1))?.body).toBe('x');
    expect(again.quickCheck()).toBe(true);
    again.close();

    const raw = openDatabase(file, {});
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    raw.close();
  });

  it('an existing file with loose permissions is tightened to 0600', () => {
    const file = path.join(dir(), 'store.sqlite');
    fs.writeFileSync(file, '', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    Store.open({ path: file }).close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('migrations run in order, each in its own transaction, and a failing one rolls back', () => {
    const file = path.join(dir(), 'm.sqlite');
    const db = openDatabase(file, {});
    const v2: Migration = {
      version: 2,
      name: 'add t2',
      up: (d) => void d.exec('CREATE TABLE t2 (x INTEGER) STRICT'),
    };
    const bad: Migration = {
      version: 3,
      name: 'fails halfway',
      up: (d) => {
        d.exec('CREATE TABLE t3 (x INTEGER) STRICT');
        throw new Error('boom');
      },
    };
    expect(migrate(db, MIGRATIONS)).toEqual({ from: 0, to: 1 });
    expect(migrate(db, [...MIGRATIONS, v2])).toEqual({ from: 1, to: 2 });
    expect(() => migrate(db, [...MIGRATIONS, v2, bad])).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const t3 = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 't3'").pluck().get();
    expect(t3).toBe(0);
    expect(migrate(db, [...MIGRATIONS, v2])).toEqual({ from: 2, to: 2 });
    db.close();
  });

  it('a database from a newer p2pmsg is refused with StoreError schema', () => {
    const file = path.join(dir(), 'new.sqlite');
    Store.open({ path: file }).close();
    const db = openDatabase(file, {});
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const err = expectStoreError(() => Store.open({ path: file }), 'schema');
    expect(err.message).toMatch(/newer than this p2pmsg/);
  });

  it('an SQLite file that is not a p2pmsg store is refused, not migrated', () => {
    const file = path.join(dir(), 'foreign.sqlite');
    const db = openDatabase(file, {});
    db.exec('CREATE TABLE someone_elses (x)');
    db.close();
    expectStoreError(() => Store.open({ path: file }), 'schema');
  });

  it('a corrupt file is StoreError corrupt', () => {
    const file = path.join(dir(), 'corrupt.sqlite');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    expectStoreError(() => Store.open({ path: file }), 'corrupt');
  });

  it('a read-only store refuses writes with StoreError readonly and still reads', () => {
    const file = path.join(dir(), 'ro.sqlite');
    const rw = Store.open({ path: file });
    rw.enqueueOutgoing({
      destination: 'bob',
      peer: ALICE,
      body: 'kept',
      expiresAt: 9e12,
      id: mid(1),
    });
    rw.close();
    const ro = Store.open({ path: file, readonly: true });
    expect(ro.getOutgoing(mid(1))?.body).toBe('kept');
    expectStoreError(
      () => ro.enqueueOutgoing({ destination: 'bob', peer: ALICE, body: 'no', expiresAt: 9e12 }),
      'readonly',
    );
    expectStoreError(() => ro.markRead([mid(1)]), 'readonly');
    ro.close();
  });

  it.skipIf(process.getuid?.() === 0)(
    'a write-protected file (chmod 0400) refuses writes with readonly',
    () => {
      const file = path.join(dir(), 'ro2.sqlite');
      Store.open({ path: file }).close();
      fs.chmodSync(file, 0o400);
      const store = Store.open({ path: file });
      expectStoreError(
        () =>
          store.enqueueOutgoing({ destination: 'bob', peer: ALICE, body: 'no', expiresAt: 9e12 }),
        'readonly',
      );
      store.close();
    },
  );

  it('a read-only open of a store that needs migration fails clearly', () => {
    const file = path.join(dir(), 'empty.sqlite');
    openDatabase(file, {}).close();
    expectStoreError(() => Store.open({ path: file, readonly: true }), 'readonly');
  });

  it('a full disk (size cap) is StoreError full; nothing accepted is damaged; it recovers with space', () => {
    const file = path.join(dir(), 'full.sqlite');
    const body = 'x'.repeat(BODY_MAX_BYTES);
    let store = Store.open({ path: file, maxBytes: 256 * 1024 });
    const accepted: string[] = [];
    let error: unknown;
    for (let i = 0; i < 1000 && error === undefined; i++) {
      try {
        accepted.push(
          store.enqueueOutgoing({ destination: 'bob', peer: ALICE, body, expiresAt: 9e12 }).id,
        );
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('full');
    expect(accepted.length).toBeGreaterThan(5);
    expect(store.quickCheck()).toBe(true);
    for (const id of accepted) expect(store.getOutgoing(id)?.body).toBe(body);
    store.close();

    store = Store.open({ path: file }); // Space returns.
    store.enqueueOutgoing({ destination: 'bob', peer: ALICE, body, expiresAt: 9e12 });
    expect(store.quickCheck()).toBe(true);
    store.close();
  });

  it('a lock held past the busy timeout is StoreError busy, and the write succeeds after', () => {
    const file = path.join(dir(), 'busy.sqlite');
    const store = Store.open({ path: file, busyTimeoutMs: 50 });
    const other = openDatabase(file, {});
    other.exec('BEGIN IMMEDIATE');
    const write = () =>
      store.enqueueOutgoing({
        destination: 'bob',
        peer: ALICE,
        body: 'x',
        expiresAt: 9e12,
        id: mid(7),
      });
    expectStoreError(write, 'busy');
    other.exec('ROLLBACK');
    other.close();
    expect(write().id).toBe(mid(7));
    store.close();
  });

  it('the identity is created exactly once and survives reopen', () => {
    const { store, file } = freshStore();
    const first = store.ensureIdentity(() => ({
      sign: new Uint8Array(32).fill(1),
      dh: new Uint8Array(32).fill(2),
    }));
    expect(first.created).toBe(true);
    const second = store.ensureIdentity(() => {
      throw new Error('must not generate again');
    });
    expect(second.created).toBe(false);
    store.close();
    const reopened = Store.open({ path: file });
    expect(reopened.identity()?.sign).toEqual(new Uint8Array(32).fill(1));
    expect(reopened.identity()?.dh).toEqual(new Uint8Array(32).fill(2));
    reopened.close();
    dirs.push(path.dirname(path.dirname(file)));
  });
});
