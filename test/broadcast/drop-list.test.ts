import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DropList } from '../../src/engine/broadcast/drop-list.js';
import { checkProperty } from '../support/property.js';

describe('drop list', () => {
  it('keeps an ID until its keep-until time, then forgets it', () => {
    const list = new DropList(10);
    list.add('a', 1_000);
    list.flush(999);
    expect(list.seen('a')).toBe(true);
    list.flush(1_000);
    expect(list.has('a')).toBe(false);
  });

  it('counts hits on repeats and nothing on first sightings', () => {
    const list = new DropList(10);
    expect(list.seen('a')).toBe(false);
    list.add('a', 10);
    expect(list.seen('a')).toBe(true);
    expect(list.seen('a')).toBe(true);
    expect(list.hits).toBe(2);
  });

  it('at capacity evicts the oldest entry and counts the eviction', () => {
    const list = new DropList(2);
    list.add('a', 100);
    list.add('b', 100);
    list.add('c', 100);
    expect(list.size).toBe(2);
    expect(list.has('a')).toBe(false);
    expect(list.evictions).toBe(1);
  });

  it('never exceeds its capacity, whatever is added and flushed', () => {
    checkProperty(
      'test/broadcast/drop-list.test.ts',
      'never exceeds its capacity',
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant('add'), fc.nat(50), fc.nat(1000)),
            fc.tuple(fc.constant('flush'), fc.nat(0), fc.nat(1000)),
          ),
        ),
        (capacity, ops) => {
          const list = new DropList(capacity);
          for (const [op, id, t] of ops) {
            if (op === 'add') list.add(String(id), t);
            else list.flush(t);
            expect(list.size).toBeLessThanOrEqual(capacity);
          }
        },
      ),
    );
  });

  it('answers as a plain map of ID → keep-until would, flushing oldest first (model)', () => {
    // The model is the list before `flush` learnt to skip when the first entry is not due:
    // the skip must never change what is kept, evictions and out-of-order expiries included.
    checkProperty(
      'test/broadcast/drop-list.test.ts',
      'answers as a plain map',
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant('add'), fc.nat(12), fc.nat(100)),
            fc.tuple(fc.constant('flush'), fc.nat(0), fc.nat(100)),
          ),
          { maxLength: 80 },
        ),
        (capacity, ops) => {
          const list = new DropList(capacity);
          const model = new Map<string, number>();
          for (const [op, id, t] of ops) {
            if (op === 'add') {
              list.add(String(id), t);
              if (!model.has(String(id))) {
                if (model.size >= capacity) model.delete(model.keys().next().value as string);
                model.set(String(id), t);
              }
            } else {
              list.flush(t);
              for (const [key, until] of model) {
                if (until > t) break;
                model.delete(key);
              }
            }
            expect(list.size).toBe(model.size);
            for (let k = 0; k <= 12; k++) expect(list.has(String(k))).toBe(model.has(String(k)));
          }
        },
      ),
    );
  });
});
