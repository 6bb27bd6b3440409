/**
 * The outbox and sharded messages (src/daemon/outbox.ts Rule 6): a push's own shard
 * setting, the node's default, "none" over a default, the default again after a restart,
 * and the trace of several shards in flight at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.js';
import { Outbox } from '../../src/daemon/outbox.js';
import type { ShardSpec } from '../../src/engine/routing/shard-spec.js';
import type { Command } from '../../src/engine/types.js';
import { BOB, freshStore, RELAY1, RELAY2, removeDir } from '../store/helpers.js';

type Send = Extract<Command, { type: 'send' }>;

function outboxOn(fresh: ReturnType<typeof freshStore>, shards?: ShardSpec | null) {
  const commands: Command[] = [];
  const outbox = new Outbox({
    store: fresh.store,
    engine: { command: (c) => void commands.push(c), hasNeighbour: () => true, knows: () => true },
    log: createLogger({ format: 'json', level: 'error', write: () => {} }),
    now: fresh.clock.now,
    messageTtlMs: 60_000,
    ...(shards === undefined ? {} : { shards }),
    defer: (fn) => fn(),
  });
  outbox.start();
  const sends = () => commands.filter((c): c is Send => c.type === 'send');
  return { outbox, sends };
}

describe('outbox and shards', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('a push’s own setting, else the node default; "none" (null) overrides a default', () => {
    const fresh = freshStore();
    dirs.push(fresh.dir);
    const { outbox, sends } = outboxOn(fresh, { n: 3, k: 2 });
    outbox.accept('bob', BOB, 'default');
    outbox.accept('bob', BOB, 'own', { n: 5, k: 3 });
    outbox.accept('bob', BOB, 'one packet', null);
    expect(sends().map((s) => s.shards)).toEqual([{ n: 3, k: 2 }, { n: 5, k: 3 }, undefined]);
    expect(sends().map((s) => 'shards' in s)).toEqual([true, true, false]);
  });

  it('without a default, messages go as one packet; after a restart the default applies', () => {
    const fresh = freshStore();
    dirs.push(fresh.dir);
    const first = outboxOn(fresh);
    const r = first.outbox.accept('bob', BOB, 'split me', { n: 3, k: 2 });
    if (!r.ok) throw new Error('refused');
    first.outbox.accept('bob', BOB, 'plain');
    expect(first.sends().map((s) => s.shards)).toEqual([{ n: 3, k: 2 }, undefined]);
    fresh.clock.advance(1_000);
    const again = outboxOn(fresh, { n: 4, k: 2 });
    expect(again.sends().map((s) => s.shards)).toEqual([
      { n: 4, k: 2 },
      { n: 4, k: 2 },
    ]);
  });

  it('several shards in flight: each shard’s row closes the one before it, saying why', () => {
    const fresh = freshStore();
    dirs.push(fresh.dir);
    const { outbox } = outboxOn(fresh, { n: 2, k: 1 });
    const r = outbox.accept('bob', BOB, 'x');
    if (!r.ok) throw new Error('refused');
    const id = r.message.id;
    const attempt = (shard: number, n: number, relay: string, reason: string) =>
      outbox.onEvent(
        { type: 'messageAttempt', messageId: id, attempt: n, path: [relay, BOB], reason, shard },
        fresh.clock.t,
      );
    attempt(0, 1, RELAY1, 'first');
    attempt(1, 1, RELAY2, 'first');
    outbox.onEvent({ type: 'messageAcked', messageId: id, attempts: 2 }, fresh.clock.t);
    expect(fresh.store.attempts(id).map((a) => [a.attempt, a.outcome, a.reason, a.path])).toEqual([
      [1, 'timeout', 'another shard of the message left after it', [RELAY1, BOB]],
      [2, 'acked', null, [RELAY2, BOB]],
    ]);
  });
});
