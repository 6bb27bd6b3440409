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
});
