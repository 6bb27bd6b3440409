import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/transports/sim/scheduler.js';

describe('EventQueue', () => {
  it('pops every push sorted by (time, push order) for any pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const queue = new EventQueue<number>(16);
        times.forEach((t, i) => queue.push(t, i));
        const expected = times
          .map((t, i) => ({ t, i }))
          .sort((a, b) => a.t - b.t || a.i - b.i)
          .map((e) => e.i);
        const popped: number[] = [];
        while (queue.size > 0) popped.push(queue.pop() as number);
        expect(popped).toEqual(expected);
        expect(queue.pop()).toBeUndefined();
      }),
    );
  });

  it('matches a sorted-list model under interleaved pushes and pops', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 20 }) }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const queue = new EventQueue<number>(16);
        const model: { t: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if ('push' in o) {
            queue.push(o.push, seq);
            model.push({ t: o.push, seq: seq++ });
            model.sort((a, b) => a.t - b.t || a.seq - b.seq);
          } else {
            const want = model.shift();
            expect(queue.peekTime()).toBe(want?.t ?? Infinity);
            expect(queue.peek()).toBe(want?.seq);
            expect(queue.pop()).toBe(want?.seq);
            if (want !== undefined) {
              expect(queue.lastPoppedTime).toBe(want.t);
              expect(queue.lastPoppedSeq).toBe(want.seq);
            }
          }
          expect(queue.size).toBe(model.length);
        }
      }),
    );
  });

  it('pops `first` items before the rest of their time, each kind in push order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 20 }), first: fc.boolean() }), {
          maxLength: 300,
        }),
        (pushes) => {
          const queue = new EventQueue<number>(16);
          pushes.forEach(({ t, first }, i) => queue.push(t, i, first));
          const expected = pushes
            .map(({ t, first }, i) => ({ t, rank: first ? 0 : 1, i }))
            .sort((a, b) => a.t - b.t || a.rank - b.rank || a.i - b.i)
            .map((e) => e.i);
          const popped: number[] = [];
          while (queue.size > 0) popped.push(queue.pop() as number);
          expect(popped).toEqual(expected);
        },
      ),
    );
  });

  it('grows past its initial capacity and clears', () => {
    const queue = new EventQueue<string>(16);
    for (let i = 0; i < 10_000; i++) queue.push(10_000 - i, `e${i}`);
    expect(queue.size).toBe(10_000);
    expect(queue.pop()).toBe('e9999');
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.peekTime()).toBe(Infinity);
    queue.push(5, 'x');
    expect(queue.pop()).toBe('x');
  });
});
