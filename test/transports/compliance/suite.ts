/**
 * One transport compliance suite, run against every transport (STYLE.md #11; js-libp2p's
 * interface-compliance-tests, turmoil's conformance tests): the simulated network and the
 * real TCP runtime must give an engine the same guarantees.
 *
 * Theory of operation. A transport adapter supplies a `WorldFactory`: given a host count and
 * a way to make each host's engine, it builds a world of hosts and returns a handle to start
 * them, advance time (virtual or real) until a condition holds, and tear down. The engines
 * are `ScriptedEngine`s written here: each records every input with its time and answers with
 * whatever its script returns, so a case is a small script plus assertions on the records.
 *
 * What every transport promises an engine (the cases below):
 * - dial ⇒ both sides see `linkOpened`; the dialer's carries its dial number;
 * - frames arrive intact and in order, every size from 1 to FRAME_MAX_BYTES, both ways;
 * - close by one side ⇒ the other gets every frame sent before the close, then `linkClosed`;
 *   the closer gets no `linkClosed`, and what it sends after its close goes nowhere;
 * - a dial to an address nobody listens on ⇒ `dialFailed` with that dial number;
 * - `wake` ⇒ one `tick` at or after the requested time; a later `wake` replaces the earlier;
 * - inputs arrive one at a time (never re-entrantly), with non-decreasing time, `start` first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, Input, NodeSnapshot, Output } from '../../../src/engine/types.js';
import { FRAME_MAX_BYTES } from '../../../src/engine/wire/limits.js';

export interface ComplianceWorld {
  /** Host i's dialable address. Valid once the factory has returned. */
  addresses: string[];
  /** An address nobody listens on. */
  deadAddress: string;
  /** Delivers `start` to every host's engine. */
  start(): Promise<void>;
  /** The world's clock (the `now` engines see). */
  now(): number;
  /** Advances (virtual or real) time until `condition` holds; throws after `maxMs`. */
  advanceUntil(condition: () => boolean, what: string, maxMs?: number): Promise<void>;
  /** Advances time by `ms`. */
  advanceBy(ms: number): Promise<void>;
  close(): Promise<void>;
}

export type WorldFactory = (
  count: number,
  createEngine: (index: number) => Engine,
) => Promise<ComplianceWorld>;

export interface Recorded {
  now: number;
  input: Input;
}

export type Script = (input: Input, now: number, self: ScriptedEngine) => Output[];

/** A tiny scriptable engine that records everything it is given. */
export class ScriptedEngine implements Engine {
  readonly inputs: Recorded[] = [];
  /** Set if `handle` was ever entered while already running. */
  reentered = false;
  /** Per-engine scratch state for scripts. */
  readonly state: Record<string, unknown> = {};
  private handling = false;

  constructor(
    readonly index: number,
    private readonly script: Script,
  ) {}

  handle(input: Input, now: number): Output[] {
    if (this.handling) this.reentered = true;
    this.handling = true;
    try {
      this.inputs.push({ now, input });
      return this.script(input, now, this);
    } finally {
      this.handling = false;
    }
  }

  snapshot(): NodeSnapshot {
    return { id: `host${this.index}`, active: [], passive: [], relays: [] };
  }

  of<T extends Input['type']>(type: T): { now: number; input: Extract<Input, { type: T }> }[] {
    return this.inputs.filter((r) => r.input.type === type) as {
      now: number;
      input: Extract<Input, { type: T }>;
    }[];
  }
}

/** Deterministic frame contents: frame `i` of `size` bytes from sender `from`. */
export function frameBytes(from: number, i: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (from * 0x9e3779b1 + i * 0x85ebca6b + size) >>> 0 || 1;
  for (let j = 0; j < size; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[j] = x & 0xff;
  }
  return out;
}

/** Every edge size, many random sizes up to the limit, then many tiny frames. */
export function frameSizes(): number[] {
  const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 255, 256, 257, 1023, 1024, 1025];
  sizes.push(4095, 4096, 4097, FRAME_MAX_BYTES - 1, FRAME_MAX_BYTES);
  let x = 12345;
  for (let i = 0; i < 64; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    sizes.push(1 + (x % FRAME_MAX_BYTES));
  }
  for (let i = 0; i < 500; i++) sizes.push(1 + (i % 32));
  return sizes;
}

/** Bytes sent per tick, so a burst stays far below any transport's send buffer. */
const BATCH_BYTES = 64 * 1024;

/** Sends the next batch of `frames` on `link`; true while more remain. */
function sendBatch(
  self: ScriptedEngine,
  key: string,
  link: number,
  frames: Uint8Array[],
  out: Output[],
): boolean {
  let next = (self.state[key] as number | undefined) ?? 0;
  let bytes = 0;
  while (next < frames.length && bytes < BATCH_BYTES) {
    const frame = frames[next++] as Uint8Array;
    bytes += frame.length;
    out.push({ type: 'send', link, bytes: frame });
  }
  self.state[key] = next;
  return next < frames.length;
}

function checkDiscipline(engines: ScriptedEngine[]): void {
  for (const engine of engines) {
    expect(engine.reentered).toBe(false);
    expect(engine.inputs[0]?.input.type).toBe('start');
    for (let i = 1; i < engine.inputs.length; i++) {
      expect(engine.inputs[i]!.now).toBeGreaterThanOrEqual(engine.inputs[i - 1]!.now);
    }
  }
}

export function runTransportCompliance(name: string, factory: WorldFactory): void {
  describe(`transport compliance: ${name}`, () => {
    let world: ComplianceWorld | null = null;
    let engines: ScriptedEngine[] = [];

    afterEach(async () => {
      await world?.close();
      world = null;
      engines = [];
    });

    /** Builds the world; the caller starts it once `w` is bound (scripts read `w.addresses`). */
    async function setup(count: number, script: Script): Promise<ComplianceWorld> {
      engines = [];
      world = await factory(count, (index) => {
        const engine = new ScriptedEngine(index, script);
        engines[index] = engine;
        return engine;
      });
      return world;
    }

    const host = (i: number) => engines[i] as ScriptedEngine;

    it('dial: both sides see linkOpened, the dialer’s carrying its dial number', async () => {
      const w = await setup(2, (input, _now, self) =>
        input.type === 'start' && self.index === 0
          ? [{ type: 'dial', dial: 42, address: w.addresses[1] as string }]
          : [],
      );
      await w.start();
      await w.advanceUntil(
        () => host(0).of('linkOpened').length === 1 && host(1).of('linkOpened').length === 1,
        'linkOpened on both sides',
      );
      const dialer = host(0).of('linkOpened')[0]!.input;
      const callee = host(1).of('linkOpened')[0]!.input;
      expect(dialer.dial).toBe(42);
      expect(callee.dial).toBeUndefined();
      expect(dialer.remoteAddress).toBe(w.addresses[1]);
      expect(typeof callee.remoteAddress).toBe('string');
      expect(host(0).of('dialFailed')).toEqual([]);
      checkDiscipline(engines);
    });

    it('frames of every size from 1 to FRAME_MAX_BYTES arrive intact and in order, both ways', async () => {
      const sizes = frameSizes();
      const framesOf = (from: number) => sizes.map((size, i) => frameBytes(from, i, size));
      const sent = [framesOf(0), framesOf(1)];
      const w = await setup(2, (input, now, self) => {
        const out: Output[] = [];
        if (input.type === 'start' && self.index === 0) {
          out.push({ type: 'dial', dial: 1, address: w.addresses[1] as string });
        }
        if (input.type === 'linkOpened') self.state['link'] = input.link;
        if (input.type === 'linkOpened' || input.type === 'tick') {
          const link = self.state['link'] as number;
          if (sendBatch(self, 'next', link, sent[self.index] as Uint8Array[], out)) {
            out.push({ type: 'wake', at: now + 2 });
          }
        }
        return out;
      });
      await w.start();
      await w.advanceUntil(
        () =>
          host(0).of('frame').length === sizes.length &&
          host(1).of('frame').length === sizes.length,
        `${sizes.length} frames each way`,
      );
      for (const [receiver, sender] of [
        [0, 1],
        [1, 0],
      ] as const) {
        const got = host(receiver).of('frame');
        const link = host(receiver).of('linkOpened')[0]!.input.link;
        expect(got.every((r) => r.input.link === link)).toBe(true);
        got.forEach((r, i) => {
          expect(r.input.bytes.length).toBe(sizes[i]);
          expect(Buffer.from(r.input.bytes).equals(Buffer.from(sent[sender]![i]!))).toBe(true);
        });
      }
      // Frames never precede the receiver's own linkOpened.
      for (const e of engines) {
        expect(e.inputs.findIndex((r) => r.input.type === 'frame')).toBeGreaterThan(
          e.inputs.findIndex((r) => r.input.type === 'linkOpened'),
        );
      }
      expect(host(0).of('linkClosed')).toEqual([]);
      checkDiscipline(engines);
    });

    it('close by one side: the other gets every frame sent before it, then linkClosed', async () => {
      const count = 20;
      const w = await setup(2, (input, _now, self) => {
        if (input.type === 'start' && self.index === 0) {
          return [{ type: 'dial', dial: 3, address: w.addresses[1] as string }];
        }
        if (input.type === 'linkOpened' && self.index === 0) {
          const out: Output[] = [];
          for (let i = 0; i < count; i++) {
            out.push({ type: 'send', link: input.link, bytes: frameBytes(0, i, 100 + i * 300) });
          }
          out.push({ type: 'close', link: input.link, reason: 'test' });
          // After its own close, the closer's sends and closes on that link go nowhere.
          out.push({ type: 'send', link: input.link, bytes: Uint8Array.of(0xee) });
          out.push({ type: 'close', link: input.link, reason: 'again' });
          out.push({ type: 'send', link: 999_999, bytes: Uint8Array.of(0xee) });
          return out;
        }
        return [];
      });
      await w.start();
      await w.advanceUntil(() => host(1).of('linkClosed').length === 1, 'linkClosed at the callee');
      const log = host(1).inputs.map((r) => r.input);
      const frames = host(1).of('frame');
      expect(frames.length).toBe(count);
      frames.forEach((r, i) => expect(r.input.bytes).toEqual(frameBytes(0, i, 100 + i * 300)));
      expect(log[log.length - 1]?.type).toBe('linkClosed');
      const closed = host(1).of('linkClosed')[0]!.input;
      expect(closed.link).toBe(host(1).of('linkOpened')[0]!.input.link);
      expect(closed.reason).toBe('remote-closed');
      await w.advanceBy(100);
      expect(host(0).of('linkClosed')).toEqual([]);
      expect(host(1).of('frame').length).toBe(count);
      checkDiscipline(engines);
    });

    it('a dial to an address nobody listens on fails with dialFailed', async () => {
      const w = await setup(1, (input) =>
        input.type === 'start' ? [{ type: 'dial', dial: 9, address: w.deadAddress }] : [],
      );
      await w.start();
      await w.advanceUntil(() => host(0).of('dialFailed').length === 1, 'dialFailed');
      const failed = host(0).of('dialFailed')[0]!.input;
      expect(failed.dial).toBe(9);
      expect(failed.reason.length).toBeGreaterThan(0);
      expect(host(0).of('linkOpened')).toEqual([]);
      checkDiscipline(engines);
    });

    it('wake: one tick at or after the requested time; a later wake replaces the earlier', async () => {
      const asked: number[] = [];
      const w = await setup(1, (input, now, self) => {
        if (input.type === 'start') {
          asked.push(now + 30);
          return [
            { type: 'wake', at: now + 200 },
            { type: 'wake', at: now + 30 },
          ];
        }
        if (input.type === 'tick' && self.of('tick').length === 1) {
          asked.push(now - 5);
          return [{ type: 'wake', at: now - 5 }]; // already due: a tick comes at once
        }
        return [];
      });
      await w.start();
      await w.advanceUntil(() => host(0).of('tick').length >= 2, 'two ticks');
      const startedAt = host(0).inputs[0]!.now;
      const ticks = host(0).of('tick');
      expect(ticks[0]!.now).toBeGreaterThanOrEqual(asked[0] as number);
      expect(ticks[1]!.now).toBeGreaterThanOrEqual(ticks[0]!.now);
      await w.advanceBy(Math.max(0, startedAt + 300 - w.now()));
      expect(host(0).of('tick').length).toBe(2); // the replaced wake at +200 never fired
      checkDiscipline(engines);
    });

    it('several links: ids are distinct per host and frames stay on their link', async () => {
      const w = await setup(3, (input, _now, self) => {
        if (input.type === 'start' && self.index < 2) {
          const out: Output[] = [];
          for (let j = self.index + 1; j < 3; j++) {
            out.push({ type: 'dial', dial: 10 + j, address: w.addresses[j] as string });
          }
          return out;
        }
        if (input.type === 'linkOpened') {
          return [
            { type: 'send', link: input.link, bytes: Uint8Array.of(self.index, input.dial ?? 0) },
          ];
        }
        return [];
      });
      await w.start();
      const want = [2, 2, 2];
      await w.advanceUntil(
        () => engines.every((e, i) => e.of('frame').length === want[i]),
        'one frame per link',
      );
      for (const e of engines) {
        const ids = e.of('linkOpened').map((r) => r.input.link);
        expect(new Set(ids).size).toBe(ids.length);
        for (const r of e.of('frame')) expect(ids).toContain(r.input.link);
      }
      expect(
        host(0)
          .of('linkOpened')
          .map((r) => r.input.dial)
          .sort(),
      ).toEqual([11, 12]);
      expect(
        host(1)
          .of('linkOpened')
          .map((r) => r.input.dial)
          .sort(),
      ).toEqual([12, undefined]);
      // Host 2 gets, from each dialer, the dial number that dialer used for it.
      const fromDialers = host(2)
        .of('frame')
        .map((r) => Array.from(r.input.bytes))
        .sort();
      expect(fromDialers).toEqual([
        [0, 12],
        [1, 12],
      ]);
      checkDiscipline(engines);
    });
  });
}
