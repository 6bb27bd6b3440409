/**
 * TimerTable keeps its earliest deadline between changes (timers.ts): after any sequence of
 * set, clear and takeDue, next() must be what scanning every deadline gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerTable } from '../../src/engine/timers.js';

type Kind = 'a' | 'b' | 'c' | 'd';
const kind = fc.constantFrom<Kind>('a', 'b', 'c', 'd');
const time = fc.integer({ min: 0, max: 50 });
const op = fc.oneof(
  fc.record({ op: fc.constant('set' as const), kind, at: time }),
  fc.record({ op: fc.constant('clear' as const), kind }),
  fc.record({ op: fc.constant('takeDue' as const), now: time }),
  fc.record({ op: fc.constant('next' as const) }),
);

describe('TimerTable', () => {
  it('next() is the earliest deadline after any sequence of changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const table = new TimerTable<Kind>();
        const model = new Map<Kind, number>();
        const earliest = (): number | undefined =>
          model.size === 0 ? undefined : Math.min(...model.values());
        for (const o of ops) {
          if (o.op === 'set') {
            table.set(o.kind, o.at);
            model.set(o.kind, o.at);
          } else if (o.op === 'clear') {
            table.clear(o.kind);
            model.delete(o.kind);
          } else if (o.op === 'takeDue') {
            const due = [...model].filter(([, at]) => at <= o.now).map(([k]) => k);
            expect(table.takeDue(o.now)).toEqual(due);
            for (const k of due) model.delete(k);
          }
          expect(table.next()).toBe(earliest());
          for (const k of ['a', 'b', 'c', 'd'] as const) expect(table.get(k)).toBe(model.get(k));
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds a later earliest once the earliest moves later or is cleared', () => {
    const table = new TimerTable<Kind>();
    table.set('a', 10);
    table.set('b', 20);
    expect(table.next()).toBe(10);
    table.set('a', 30);
    expect(table.next()).toBe(20);
    table.clear('b');
    expect(table.next()).toBe(30);
    expect(table.takeDue(30)).toEqual(['a']);
    expect(table.next()).toBeUndefined();
  });
});
