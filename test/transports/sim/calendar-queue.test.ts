import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALENDAR_WINDOW_MS, CalendarQueue } from '../../../src/transports/sim/calendar-queue.js';
import { EventQueue } from '../../../src/transports/sim/scheduler.js';

class Item {
  queueNext: Item | null = null;
  constructor(readonly n: number) {}
}

/** Delays in a ring of `window`: mostly a few ms (frames), some past the window (timers). */
function ops(window: number) {
  const delay = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 * window }) },
    { weight: 1, arbitrary: fc.integer({ min: Math.max(0, window - 2), max: window + 2 }) },
  );
  const op = fc.oneof(
    fc.record({ delay, first: fc.boolean() }),
    fc.constant({ pop: true as const }),
    fc.constant({ peek: true as const }),
    // A limit near the next times: sometimes before the earliest item, sometimes at or after.
    fc.record({ limitAhead: fc.integer({ min: -1, max: window + 2 }) }),
  );
  return fc.array(op, { maxLength: 500 });
}

describe('CalendarQueue', () => {
  it('pops in the order of the heap (time, first, push order) under any interleaving, with or without a limit', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(1, 8, 64, CALENDAR_WINDOW_MS)
          .chain((window) => fc.tuple(fc.constant(window), ops(window), fc.nat(10_000_000))),
        ([window, script, start]) => {
          const calendar = new CalendarQueue<Item>(window);
          const heap = new EventQueue<Item>(16);
          // Pushes are never before the last pop (the network's clock), as in a run.
          let now = start;
          calendar.push(start, new Item(-1));
          heap.push(start, new Item(-1));
          let n = 0;
          for (const o of script) {
            if ('delay' in o) {
              calendar.push(now + o.delay, new Item(n), o.first);
              heap.push(now + o.delay, new Item(n), o.first);
              n++;
            } else if ('peek' in o) {
              expect(calendar.peekTime()).toBe(heap.peekTime());
            } else if ('limitAhead' in o) {
              const limit = now + o.limitAhead;
              const popped = heap.peekTime() <= limit ? heap.pop() : undefined;
              expect(calendar.popAtOrBefore(limit)?.n).toBe(popped?.n);
              if (popped) now = heap.lastPoppedTime;
              expect(calendar.lastPoppedTime).toBe(heap.lastPoppedTime);
            } else {
              const popped = heap.pop();
              expect(calendar.pop()?.n).toBe(popped?.n);
              if (popped) now = heap.lastPoppedTime;
              expect(calendar.lastPoppedTime).toBe(heap.lastPoppedTime);
            }
            expect(calendar.size).toBe(heap.size);
          }
          while (heap.size > 0) expect(calendar.pop()?.n).toBe(heap.pop()?.n);
          expect(calendar.pop()).toBeUndefined();
          expect(calendar.peekTime()).toBe(Infinity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('crosses long empty stretches and wraps the ring many times', () => {
    const calendar = new CalendarQueue<Item>();
    const times = [0, 1, CALENDAR_WINDOW_MS - 1, CALENDAR_WINDOW_MS, 5 * CALENDAR_WINDOW_MS + 7];
    for (const [i, t] of [...times].reverse().entries()) calendar.push(t, new Item(i));
    const popped: number[] = [];
    for (let item = calendar.pop(); item; item = calendar.pop())
      popped.push(calendar.lastPoppedTime);
    expect(popped).toEqual(times);
  });

  it('clears a popped item’s link (the queue keeps nothing dead alive)', () => {
    const calendar = new CalendarQueue<Item>();
    const a = new Item(1);
    calendar.push(3, a);
    calendar.push(3, new Item(2));
    expect(calendar.pop()).toBe(a);
    expect(a.queueNext).toBeNull();
  });

  it('refuses a window that is not a power of two', () => {
    expect(() => new CalendarQueue<Item>(100)).toThrow(/power of two/);
  });

  it('refuses times that are fractional or before the last pop', () => {
    const calendar = new CalendarQueue<Item>();
    expect(() => calendar.push(1.5, new Item(0))).toThrow(/whole ms/);
    calendar.push(10, new Item(0));
    calendar.pop();
    expect(() => calendar.push(9, new Item(1))).toThrow(/at or after 10/);
    expect(() => calendar.push(Number.NaN, new Item(1))).toThrow(RangeError);
  });
});
