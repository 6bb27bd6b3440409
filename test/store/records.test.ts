/**
 * The store's records: outbox and attempts, inbox dedup (also across reopen), pull then
 * mark read, conversations and history order, contacts validation, directory and replay.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, StoreInputError } from '../../src/store/index.js';
import {
  BODY_MAX_BYTES,
  DIRECTORY_BATCH_MAX,
  PRUNE_BATCH_ROWS,
  REPLAY_BATCH_MAX,
  REPLAY_MAX_ENTRIES,
} from '../../src/store/limits.js';
import { ALICE, BOB, CAROL, freshStore, mid, RELAY1, RELAY2, removeDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));
function open(): ReturnType<typeof freshStore> {
  const s = freshStore();
  dirs.push(s.dir);
  return s;
}

const incoming = (n: number, from = BOB, body = `m${n}`) => ({
  id: mid(n),
  from,
  address: '127.0.0.3:7000',
  body,
  sentAt: 1000 + n,
});

describe('outbox', () => {
  it('enqueue, attempts on new paths, ack: a trace of every attempt', () => {
    const { store, clock } = open();
    const m = store.enqueueOutgoing({
      destination: 'bob',
      peer: BOB,
      body: 'hello',
      expiresAt: clock.t + 60_000,
    });
    expect(m).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: clock.t, peer: BOB });
    expect(m.id).toMatch(/^[0-9a-f]{32}$/);
    expect(store.dueOutgoing(clock.t).map((x) => x.id)).toEqual([m.id]);

    expect(
      store.recordAttempt(m.id, {
        path: [RELAY1, BOB],
        sentAt: clock.t,
        nextAttemptAt: clock.t + 5000,
      }),
    ).toBe(1);
    expect(store.dueOutgoing(clock.t)).toEqual([]);
    clock.advance(5000);
    expect(store.dueOutgoing(clock.t).map((x) => x.id)).toEqual([m.id]);
    expect(
      store.recordAttempt(m.id, {
        path: [RELAY2, BOB],
        sentAt: clock.t,
        nextAttemptAt: clock.t + 10_000,
      }),
    ).toBe(2);
    expect(store.markDelivered(m.id, clock.t + 100, 2)).toBe(true);
    expect(store.markDelivered(m.id, clock.t + 200, 1)).toBe(false); // A late ack of attempt 1.
    expect(
      store.recordAttempt(m.id, { path: [RELAY1], sentAt: clock.t, nextAttemptAt: clock.t }),
    ).toBeNull();

    const trace = store.attempts(m.id);
    expect(trace.map((a) => [a.attempt, a.path, a.outcome])).toEqual([
      [1, [RELAY1, BOB], 'acked'],
      [2, [RELAY2, BOB], 'acked'],
    ]);
    expect(store.getOutgoing(m.id)).toMatchObject({
      state: 'delivered',
      attempts: 2,
      deliveredAt: clock.t + 100,
    });
    expect(store.pendingCount()).toBe(0);
  });

  it('a retry marks the previous attempt timed out; finishAttempt records why', () => {
    const { store, clock } = open();
    const m = store.enqueueOutgoing({
      destination: 'bob',
      peer: BOB,
      body: 'x',
      expiresAt: clock.t + 60_000,
    });
    store.recordAttempt(m.id, { path: [RELAY1, BOB], sentAt: clock.t, nextAttemptAt: clock.t });
    store.recordAttempt(m.id, { path: [RELAY2, BOB], sentAt: clock.t, nextAttemptAt: clock.t });
    store.finishAttempt(m.id, 2, 'failed', 'link to relay closed');
    expect(store.attempts(m.id).map((a) => [a.outcome, a.reason])).toEqual([
      ['timeout', 'no ack before retry'],
      ['failed', 'link to relay closed'],
    ]);
  });

  it('expired messages fail; markFailed keeps the reason', () => {
    const { store, clock } = open();
    const a = store.enqueueOutgoing({
      destination: 'bob',
      peer: BOB,
      body: 'a',
      expiresAt: clock.t + 10,
    });
    const b = store.enqueueOutgoing({
      destination: 'bob',
      peer: BOB,
      body: 'b',
      expiresAt: clock.t + 99_999,
    });
    clock.advance(10);
    expect(store.dueOutgoing(clock.t).map((x) => x.id)).toEqual([b.id]);
    expect(store.expireOutgoing(clock.t)).toEqual([a.id]);
    expect(store.getOutgoing(a.id)).toMatchObject({ state: 'failed', lastError: 'expired' });
    expect(store.markFailed(b.id, 'no route to bob')).toBe(true);
    expect(store.markFailed(b.id, 'again')).toBe(false);
    expect(store.getOutgoing(b.id)?.lastError).toBe('no route to bob');
  });

  it('bad arguments are StoreInputError before any write', () => {
    const { store, clock } = open();
    const base = { destination: 'bob', peer: BOB, body: 'x', expiresAt: clock.t + 1 };
    expect(() =>
      store.enqueueOutgoing({ ...base, body: 'é'.repeat(BODY_MAX_BYTES / 2 + 1) }),
    ).toThrow(StoreInputError);
    expect(() => store.enqueueOutgoing({ ...base, body: 'bad \ud800 surrogate' })).toThrow(
      StoreInputError,
    );
    expect(() => store.enqueueOutgoing({ ...base, peer: 'not-a-node' })).toThrow(StoreInputError);
    expect(() => store.enqueueOutgoing({ ...base, destination: 'has space' })).toThrow(
      StoreInputError,
    );
    expect(() => store.enqueueOutgoing({ ...base, id: 'xyz' })).toThrow(StoreInputError);
    expect(() => store.pullUnread(0)).toThrow(StoreInputError);
    expect(store.pendingCount()).toBe(0);
    expect(
      store.enqueueOutgoing({ ...base, body: 'é'.repeat(BODY_MAX_BYTES / 2) }).body.length,
    ).toBe(BODY_MAX_BYTES / 2);
  });
});

describe('inbox', () => {
  it('a message id is new once and a duplicate ever after, across reopen', () => {
    const { store, file } = open();
    expect(store.recordIncoming(incoming(1))).toBe('new');
    expect(store.recordIncoming(incoming(1))).toBe('duplicate');
    expect(store.recordIncoming({ ...incoming(1), body: 'different body, same id' })).toBe(
      'duplicate',
    );
    store.close();
    const reopened = Store.open({ path: file });
    expect(reopened.recordIncoming(incoming(1))).toBe('duplicate');
    expect(reopened.recordIncoming(incoming(2))).toBe('new');
    expect(reopened.getIncoming(mid(1))?.body).toBe('m1');
    reopened.close();
  });

  it('pullUnread marks nothing; markRead does, and only the ids given', () => {
    const { store } = open();
    for (let i = 1; i <= 5; i++) store.recordIncoming(incoming(i));
    expect(store.pullUnread(3).map((m) => m.body)).toEqual(['m1', 'm2', 'm3']);
    expect(store.pullUnread().length).toBe(5);
    expect(store.markRead([mid(1), mid(2), mid(99)])).toBe(2);
    expect(store.markRead([mid(1)])).toBe(0);
    expect(store.pullUnread().map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
    expect(store.unreadCount()).toBe(3);
    expect(store.getIncoming(mid(1))?.read).toBe(true);
  });
});

describe('conversations and history', () => {
  it('groups by peer with last time and unread counts, most recent first', () => {
    const { store, clock } = open();
    store.recordIncoming(incoming(1, BOB));
    clock.advance(10);
    store.enqueueOutgoing({
      destination: 'carol',
      peer: CAROL,
      body: 'hi carol',
      expiresAt: clock.t + 1e6,
    });
    clock.advance(10);
    store.recordIncoming(incoming(2, BOB));
    store.recordIncoming(incoming(2, BOB)); // duplicate: counted once
    store.addContact('bob', BOB);
    const list = store.conversations();
    expect(list).toEqual([
      { peer: BOB, alias: 'bob', lastAt: clock.t, unread: 2, total: 2 },
      { peer: CAROL, alias: null, lastAt: clock.t - 10, unread: 0, total: 1 },
    ]);
    store.markRead([mid(1)]);
    expect(store.conversations()[0]?.unread).toBe(1);
  });

  it('history merges both directions in time order; ties put incoming first', () => {
    const { store, clock } = open();
    const out = (body: string) =>
      store.enqueueOutgoing({ destination: 'bob', peer: BOB, body, expiresAt: clock.t + 1e6 });
    out('o1');
    clock.advance(5);
    store.recordIncoming(incoming(1, BOB, 'i1'));
    store.recordIncoming(incoming(2, ALICE, 'not bob'));
    clock.advance(5);
    out('o2');
    store.recordIncoming(incoming(3, BOB, 'i2')); // same ms as o2
    clock.advance(5);
    out('o3');
    const history = store.history(BOB);
    expect(history.map((h) => `${h.direction}:${h.body}`)).toEqual([
      'out:o1',
      'in:i1',
      'in:i2',
      'out:o2',
      'out:o3',
    ]);
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.at).toBeGreaterThanOrEqual(history[i - 1]!.at);
    }
    expect(store.history(BOB, 2).map((h) => h.body)).toEqual(['o2', 'o3']);
    const first = history[1];
    expect(first?.direction === 'in' && first.address).toBe('127.0.0.3:7000');
  });
});

describe('contacts', () => {
  const cases: Array<[string, string, string]> = [
    ['bob', BOB, 'ok'],
    ['b.o_b-2', BOB, 'ok'],
    ['x'.repeat(31) + '1', BOB, 'ok'],
    ['x'.repeat(33), BOB, 'bad-alias'],
    ['', BOB, 'bad-alias'],
    ['Bob', BOB, 'bad-alias'],
    ['-bob', BOB, 'bad-alias'],
    ['bo b', BOB, 'bad-alias'],
    ['bob:7000', BOB, 'bad-alias'],
    ['127.0.0.1', BOB, 'bad-alias'],
    ['2024', BOB, 'bad-alias'],
    [CAROL, BOB, 'bad-alias'],
    ['bob', 'not-a-node-id', 'bad-node-id'],
    ['bob', BOB.toUpperCase(), 'bad-node-id'],
  ];
  it.each(cases)('add %j → %j: %s', (alias, id, expected) => {
    const { store } = open();
    const result = store.addContact(alias, id);
    expect(result.ok ? 'ok' : result.reason).toBe(expected);
  });

  it('an alias names one node until removed; list, resolve, remove', () => {
    const { store } = open();
    expect(store.addContact('bob', BOB)).toEqual({ ok: true, created: true });
    expect(store.addContact('bob', BOB)).toEqual({ ok: true, created: false });
    expect(store.addContact('bob', CAROL)).toMatchObject({ ok: false, reason: 'alias-taken' });
    store.addContact('alice', ALICE);
    expect(store.listContacts().map((c) => [c.alias, c.nodeId])).toEqual([
      ['alice', ALICE],
      ['bob', BOB],
    ]);
    expect(store.resolveContact('bob')).toBe(BOB);
    expect(store.removeContact('bob')).toBe(true);
    expect(store.removeContact('bob')).toBe(false);
    expect(store.resolveContact('bob')).toBeNull();
    expect(store.addContact('bob', CAROL).ok).toBe(true);
  });
});

describe('directory cache and replay state', () => {
  it('descriptors are cached until they expire, then pruned', () => {
    const { store, clock } = open();
    expect(store.putDescriptor(BOB, new Uint8Array([1, 2]), clock.t + 100)).toBe(true);
    expect(store.putDescriptor(CAROL, new Uint8Array([3]), clock.t + 1000)).toBe(true);
    expect(store.putDescriptor(BOB, new Uint8Array([9]), clock.t + 200)).toBe(true); // replaces
    expect(store.getDescriptor(BOB)?.descriptor).toEqual(new Uint8Array([9]));
    clock.advance(200);
    expect(store.getDescriptor(BOB)).toBeNull();
    expect(store.listDescriptors().map((d) => d.nodeId)).toEqual([CAROL]);
    expect(store.pruneDirectory()).toBe(1);
    expect(store.pruneDirectory()).toBe(0);
  });

  it('a replay tag is fresh once, a replay until it expires, fresh again after', () => {
    const { store, clock } = open();
    const tag = new Uint8Array(16).fill(7);
    expect(store.rememberReplay(tag, clock.t + 100)).toBe(true);
    expect(store.rememberReplay(tag, clock.t + 100)).toBe(false);
    expect(store.hasReplay(tag)).toBe(true);
    clock.advance(100);
    expect(store.hasReplay(tag)).toBe(false);
    expect(store.rememberReplay(tag, clock.t + 100)).toBe(true);
    expect(() => store.rememberReplay(new Uint8Array(4), clock.t)).toThrow(StoreInputError);
  });

  it('many tags at once: one transaction, one answer per tag', () => {
    const { store, clock } = open();
    const a = new Uint8Array(8).fill(1);
    const b = new Uint8Array(8).fill(2);
    expect(store.rememberReplayMany([a, b, a], clock.t + 10)).toEqual([true, true, false]);
    expect(store.rememberReplayMany([b], clock.t + 10)).toEqual([false]);
  });

  it('pruning is bounded to PRUNE_BATCH_ROWS per call', () => {
    const { store, clock } = open();
    const n = PRUNE_BATCH_ROWS + 10;
    const tags = Array.from({ length: n }, (_, i) => {
      const tag = new Uint8Array(8);
      new DataView(tag.buffer).setUint32(0, i);
      return tag;
    });
    for (let i = 0; i < n; i += 1000)
      store.rememberReplayMany(tags.slice(i, i + 1000), clock.t + 1);
    clock.advance(1);
    expect(store.pruneReplay()).toBe(PRUNE_BATCH_ROWS);
    expect(store.pruneReplay()).toBe(10);
    expect(store.pruneReplay()).toBe(0);
  });
});

describe('saved engine state (directory and replay tags in batches)', () => {
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  const tag = (i: number) => {
    const t = new Uint8Array(16);
    new DataView(t.buffer).setUint32(0, i);
    return t;
  };

  it('descriptors: writes and removals in one batch; the freshest come back first, across a reopen', () => {
    const { store, clock, file } = open();
    expect(
      store.saveDescriptors(
        [
          { nodeId: BOB, descriptor: bytes(200, 1), expiresAt: clock.t + 100 },
          { nodeId: CAROL, descriptor: bytes(200, 2), expiresAt: clock.t + 300 },
          { nodeId: RELAY1, descriptor: bytes(200, 3), expiresAt: clock.t + 200 },
        ],
        [],
      ),
    ).toEqual({ written: 3, removed: 0, refused: 0 });
    expect(
      store.saveDescriptors(
        [{ nodeId: BOB, descriptor: bytes(200, 9), expiresAt: clock.t + 400 }],
        [RELAY1, RELAY2],
      ),
    ).toEqual({ written: 1, removed: 1, refused: 0 });
    store.close();

    const again = Store.open({ path: file, now: clock.now });
    const fresh = again.freshestDescriptors();
    expect(fresh.map((d) => d.nodeId)).toEqual([BOB, CAROL]);
    expect(fresh[0]!.descriptor).toEqual(bytes(200, 9));
    expect(again.freshestDescriptors(1).map((d) => d.nodeId)).toEqual([BOB]);
    clock.advance(300);
    expect(again.freshestDescriptors().map((d) => d.nodeId)).toEqual([BOB]);
    again.close();
  });

  it('descriptors: a bad entry or an oversized batch is refused before anything is written', () => {
    const { store, clock } = open();
    const good = { nodeId: BOB, descriptor: bytes(10, 1), expiresAt: clock.t + 100 };
    expect(() => store.saveDescriptors([good, { ...good, nodeId: 'not-an-id' }], [])).toThrow(
      StoreInputError,
    );
    expect(() => store.saveDescriptors([good], ['x'])).toThrow(StoreInputError);
    expect(() =>
      store.saveDescriptors(
        Array.from({ length: DIRECTORY_BATCH_MAX + 1 }, () => good),
        [],
      ),
    ).toThrow(StoreInputError);
    expect(store.freshestDescriptors()).toEqual([]);
  });

  it('replay tags: each keeps its own expiry, a live tag keeps its first, they come back oldest first', () => {
    const { store, clock, file } = open();
    expect(
      store.saveReplayTags([
        { tag: tag(1), expiresAt: clock.t + 300 },
        { tag: tag(2), expiresAt: clock.t + 100 },
        { tag: tag(3), expiresAt: clock.t + 200 },
      ]),
    ).toBe(0);
    store.saveReplayTags([{ tag: tag(2), expiresAt: clock.t + 900 }]); // live: stays +100
    store.close();

    const again = Store.open({ path: file, now: clock.now });
    expect(again.liveReplayTags()).toEqual([
      { tag: tag(2), expiresAt: clock.t + 100 },
      { tag: tag(3), expiresAt: clock.t + 200 },
      { tag: tag(1), expiresAt: clock.t + 300 },
    ]);
    expect(again.liveReplayTags(2).map((e) => e.expiresAt)).toEqual([clock.t + 200, clock.t + 300]);
    clock.advance(100);
    again.saveReplayTags([{ tag: tag(2), expiresAt: clock.t + 500 }]); // expired: fresh again
    expect(again.liveReplayTags().map((e) => e.expiresAt)).toEqual([
      clock.t + 100,
      clock.t + 200,
      clock.t + 500,
    ]);
    expect(() => again.saveReplayTags([{ tag: new Uint8Array(4), expiresAt: 1 }])).toThrow(
      StoreInputError,
    );
    again.close();
  });

  it(`replay tags: the table never holds more than REPLAY_MAX_ENTRIES; the earliest to expire go`, () => {
    const { store, clock } = open();
    const n = REPLAY_MAX_ENTRIES + 10;
    let evicted = 0;
    for (let i = 0; i < n; i += REPLAY_BATCH_MAX) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + REPLAY_BATCH_MAX); j++)
        batch.push({ tag: tag(j), expiresAt: clock.t + 1_000 + j });
      evicted += store.saveReplayTags(batch);
    }
    expect(evicted).toBe(10);
    const live = store.liveReplayTags();
    expect(live).toHaveLength(REPLAY_MAX_ENTRIES);
    expect(live[0]).toEqual({ tag: tag(10), expiresAt: clock.t + 1_010 });
  });
});

describe('store file', () => {
  it('lives where it was asked to', () => {
    const { store, file, dir } = open();
    expect(store.path).toBe(file);
    expect(path.dirname(path.dirname(file))).toBe(dir);
    store.close();
    store.close(); // idempotent
    expect(store.isOpen).toBe(false);
  });
});
