/**
 * The outbox glue: the store and the engine's send command kept in step (src/daemon/outbox.ts).
 * A scripted engine stands in for the node; the store is real (a temp SQLite file).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/types.js';
import { createLogger } from '../../src/daemon/log.js';
import { OUTBOX_IN_FLIGHT_MAX, READY_WAIT_MAX_MS } from '../../src/daemon/limits.js';
import { Outbox } from '../../src/daemon/outbox.js';
import { BOB, CAROL, freshStore, RELAY1, RELAY2, removeDir } from '../store/helpers.js';

type Send = Extract<Command, { type: 'send' }>;

function setup(options: { neighbour?: boolean; known?: string[] } = {}) {
  const fresh = freshStore();
  const commands: Command[] = [];
  const deferred: (() => void)[] = [];
  const engine = {
    neighbour: options.neighbour ?? true,
    known: new Set(options.known ?? [BOB, CAROL]),
    command: (c: Command) => void commands.push(c),
    hasNeighbour: () => engine.neighbour,
    knows: (peer: string) => engine.known.has(peer),
  };
  const errors: string[] = [];
  const log = createLogger({ format: 'json', level: 'error', write: (l) => void errors.push(l) });
  const outbox = new Outbox({
    store: fresh.store,
    engine,
    log,
    now: fresh.clock.now,
    messageTtlMs: 60_000,
    defer: (fn) => void deferred.push(fn),
  });
  const flush = () => deferred.splice(0).forEach((fn) => fn());
  const sends = () => commands.filter((c): c is Send => c.type === 'send');
  return { ...fresh, engine, outbox, flush, sends, commands, errors };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

type Harness = ReturnType<typeof setup>;

/** Accepts a message to Bob and lets the deferred send go: its id. */
function acceptToBob(t: Harness, body: string): string {
  const r = t.outbox.accept('bob', BOB, body);
  if (!r.ok) throw new Error('refused');
  t.flush();
  return r.message.id;
}

/** The engine reports an attempt of message `id`. */
function attempt(t: Harness, id: string, n: number, path: string[], reason: string): void {
  t.outbox.onEvent({ type: 'messageAttempt', messageId: id, attempt: n, path, reason }, t.clock.t);
}

describe('outbox', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('accept commits first, then issues one send with the same id, body and expiry', () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    const result = t.outbox.accept('bob', BOB, 'hello ✓');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // On disk before the engine hears of it.
    expect(t.store.getOutgoing(result.message.id)?.state).toBe('pending');
    expect(t.sends()).toHaveLength(0);
    t.flush();
    const [send] = t.sends();
    expect(hex(send!.messageId)).toBe(result.message.id);
    expect(send!.to).toBe(BOB);
    expect(new TextDecoder().decode(send!.body)).toBe('hello ✓');
    expect(send!.expiresAt).toBe(t.clock.t + 60_000);
  });

  it('attempts, their reasons and the ack become the trace', () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    const id = acceptToBob(t, 'x');
    attempt(t, id, 1, [RELAY1, BOB], 'first');
    t.clock.advance(5_000);
    attempt(t, id, 2, [RELAY2, BOB], 'timeout');
    t.clock.advance(40);
    t.outbox.onEvent({ type: 'messageAcked', messageId: id, attempts: 2 }, t.clock.t);
    const attempts = t.store.attempts(id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.reason, a.path])).toEqual([
      [1, 'timeout', 'timeout', [RELAY1, BOB]],
      [2, 'acked', null, [RELAY2, BOB]],
    ]);
    expect(attempts[1]!.ackedAt).toBe(t.clock.t);
    expect(t.store.getOutgoing(id)).toMatchObject({ state: 'delivered', deliveredAt: t.clock.t });
    expect(t.outbox.inFlightCount).toBe(0);
  });

  it('a failure closes the last attempt with the reason and fails the message', () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    const id = acceptToBob(t, 'x');
    attempt(t, id, 1, [RELAY1, BOB], 'first');
    t.outbox.onEvent({ type: 'messageFailed', messageId: id, reason: 'expired' }, t.clock.t);
    expect(t.store.getOutgoing(id)).toMatchObject({
      state: 'failed',
      lastError: 'expired',
    });
    expect(t.store.attempts(id)[0]).toMatchObject({
      outcome: 'failed',
      reason: 'expired',
    });
  });

  it('while stopping, failures (the engine fails everything when it leaves) are not recorded', () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    const id = acceptToBob(t, 'x');
    t.outbox.stop();
    t.outbox.onEvent({ type: 'messageFailed', messageId: id, reason: 'node-left' }, t.clock.t);
    expect(t.store.getOutgoing(id)?.state).toBe('pending');
  });

  it('a restart issues every pending message again, numbering attempts on from the store', () => {
    const first = setup();
    dirs.push(first.dir);
    first.outbox.start();
    const id = acceptToBob(first, 'survives');
    attempt(first, id, 1, [RELAY1, BOB], 'first');
    // A new life on the same store: a fresh outbox and engine.
    first.clock.advance(1_000);
    const commands: Command[] = [];
    const log = createLogger({ format: 'json', level: 'error', write: () => {} });
    const again = new Outbox({
      store: first.store,
      engine: {
        command: (c) => void commands.push(c),
        hasNeighbour: () => true,
        knows: () => true,
      },
      log,
      now: first.clock.now,
      messageTtlMs: 60_000,
      defer: (fn) => fn(),
    });
    again.start();
    expect(commands.map((c) => c.type === 'send' && hex(c.messageId))).toEqual([id]);
    again.onEvent(
      {
        type: 'messageAttempt',
        messageId: id,
        attempt: 1,
        path: [RELAY2, BOB],
        reason: 'first',
      },
      first.clock.t,
    );
    expect(first.store.attempts(id).map((a) => [a.attempt, a.outcome, a.reason])).toEqual([
      [1, 'timeout', 'the daemon restarted'],
      [2, 'in-flight', null],
    ]);
    // Issued once per life: another sweep does not send it again.
    again.sweep(first.clock.t);
    expect(commands).toHaveLength(1);
  });

  it('right after a start, messages wait until the node has a neighbour and knows the target', () => {
    const t = setup({ neighbour: false, known: [] });
    dirs.push(t.dir);
    t.outbox.start();
    t.outbox.accept('bob', BOB, 'wait');
    t.flush();
    expect(t.sends()).toHaveLength(0);
    expect(t.outbox.heldCount).toBe(1);
    t.engine.neighbour = true;
    t.outbox.onEvent({ type: 'neighbourUp', peer: RELAY1, activeSize: 1 }, t.clock.t);
    expect(t.sends()).toHaveLength(0);
    t.engine.known.add(BOB);
    t.outbox.onEvent(
      { type: 'broadcastDelivered', id: 'x', origin: BOB, kind: 'descriptor' },
      t.clock.t,
    );
    expect(t.sends()).toHaveLength(1);
    expect(t.outbox.heldCount).toBe(0);
  });

  it('…or at most READY_WAIT_MAX_MS; a message accepted before the engine started is held', () => {
    const t = setup({ neighbour: false, known: [] });
    dirs.push(t.dir);
    t.outbox.accept('carol', CAROL, 'early');
    t.flush();
    expect(t.sends()).toHaveLength(0);
    t.outbox.start();
    expect(t.sends()).toHaveLength(0);
    t.clock.advance(READY_WAIT_MAX_MS);
    t.outbox.releaseHeld();
    expect(t.sends().map((s) => s.to)).toEqual([CAROL]);
  });

  it(`past ${OUTBOX_IN_FLIGHT_MAX} messages in flight, accept refuses (busy) without storing`, () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    for (let i = 0; i < OUTBOX_IN_FLIGHT_MAX; i++)
      expect(t.outbox.accept('bob', BOB, `m${i}`).ok).toBe(true);
    const refused = t.outbox.accept('bob', BOB, 'one too many');
    expect(refused).toMatchObject({ ok: false, reason: 'busy' });
    expect(t.store.pendingCount()).toBe(OUTBOX_IN_FLIGHT_MAX);
  });

  it('the sweep fails expired messages', () => {
    const t = setup();
    dirs.push(t.dir);
    t.outbox.start();
    const r = t.outbox.accept('bob', BOB, 'x');
    if (!r.ok) throw new Error('refused');
    t.clock.advance(60_001);
    t.outbox.sweep(t.clock.t);
    expect(t.store.getOutgoing(r.message.id)).toMatchObject({
      state: 'failed',
      lastError: 'expired',
    });
    expect(t.outbox.inFlightCount).toBe(0);
  });
});
