/**
 * The receiving glue: deliveries stored (made storable, never refused), deduplicated across
 * restarts, and streamed to watchers (src/daemon/inbox.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../src/client/protocol.js';
import { Inbox, storableBody, TooManyWatchersError } from '../../src/daemon/inbox.js';
import { WATCHERS_MAX } from '../../src/daemon/limits.js';
import { storeLimits } from '../../src/store/index.js';
import { BOB, CAROL, freshStore, removeDir } from '../store/helpers.js';

const id = (n: number) => new Uint8Array(16).fill(n);
const text = (s: string) => new TextEncoder().encode(s);

describe('inbox', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('stores a delivery once; the same message id again is a duplicate (no watcher call)', () => {
    const { store, dir, clock } = freshStore();
    dirs.push(dir);
    const inbox = new Inbox(store);
    const seen: MessageInfo[] = [];
    inbox.watch((m) => seen.push(m));
    const message = {
      messageId: id(1),
      from: BOB,
      fromAddress: '127.0.0.3:7000',
      body: text('hi'),
      sentAt: 5,
    };
    expect(inbox.deliver(message, clock.t)).toBe('new');
    expect(inbox.deliver(message, clock.t)).toBe('duplicate');
    // A second inbox on the same store (a restarted daemon) still knows it.
    expect(new Inbox(store).deliver(message, clock.t)).toBe('duplicate');
    expect(seen).toEqual([
      {
        id: '01'.repeat(16),
        from: BOB,
        address: '127.0.0.3:7000',
        body: 'hi',
        sentAt: 5,
        receivedAt: clock.t,
      },
    ]);
    expect(store.pullUnread().map((m) => m.body)).toEqual(['hi']);
  });

  it('remote contents are made storable, not refused: bad UTF-8, controls, size, address', () => {
    const { store, dir, clock } = freshStore();
    dirs.push(dir);
    const inbox = new Inbox(store);
    const body = new Uint8Array([0x68, 0xff, 0x00, 0x0a, 0x69]); // h, invalid, NUL, LF, i
    inbox.deliver(
      { messageId: id(2), from: BOB, fromAddress: 'bad address\n', body, sentAt: -3 },
      clock.t,
    );
    const [m] = store.pullUnread();
    expect(m).toMatchObject({ body: 'h\ufffd\ufffd\ni', address: BOB, sentAt: 0 });
    const huge = storableBody(text('é'.repeat(storeLimits.BODY_MAX_BYTES)));
    expect(Buffer.byteLength(huge)).toBeLessThanOrEqual(storeLimits.BODY_MAX_BYTES);
    expect(huge).toMatch(/^é+$/);
    expect(storableBody(new Uint8Array(0))).toBe('\ufffd');
  });

  it('watchers see only their peer; a throwing watcher is dropped; at most WATCHERS_MAX', () => {
    const { store, dir, clock } = freshStore();
    dirs.push(dir);
    const inbox = new Inbox(store);
    const fromCarol: string[] = [];
    inbox.watch((m) => fromCarol.push(m.body), CAROL);
    inbox.watch(() => {
      throw new Error('broken client');
    });
    inbox.deliver(
      { messageId: id(3), from: BOB, fromAddress: '', body: text('b'), sentAt: 1 },
      clock.t,
    );
    inbox.deliver(
      { messageId: id(4), from: CAROL, fromAddress: '', body: text('c'), sentAt: 1 },
      clock.t,
    );
    expect(fromCarol).toEqual(['c']);
    expect(inbox.watcherCount).toBe(1);
    const stops = [];
    for (let i = 1; i < WATCHERS_MAX; i++) stops.push(inbox.watch(() => {}));
    expect(() => inbox.watch(() => {})).toThrow(TooManyWatchersError);
    stops[0]!();
    expect(() => inbox.watch(() => {})).not.toThrow();
  });

  it('a message id of the wrong length is counted as malformed, not stored', () => {
    const { store, dir, clock } = freshStore();
    dirs.push(dir);
    const inbox = new Inbox(store);
    expect(
      inbox.deliver(
        { messageId: new Uint8Array(3), from: BOB, fromAddress: '', body: text('x'), sentAt: 1 },
        clock.t,
      ),
    ).toBe('malformed');
    expect(store.unreadCount()).toBe(0);
  });
});
