/**
 * IdArray (id-array.ts) answers as a plain array of IDs would, whatever the operations, also
 * when distinct IDs share a tag (the tag only rules entries out).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdArray, idTag } from '../../src/engine/id-array.js';

/** Two distinct IDs with the same tag, found by the birthday bound (~2^15 tries for 30 bits). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `id-${i}`;
    const other = seen.get(idTag(id));
    if (other !== undefined) return [other, id];
    seen.set(idTag(id), id);
  }
}

describe('IdArray', () => {
  const [a, b] = collidingPair();

  it('finds IDs that collide on their tag apart', () => {
    expect(a).not.toBe(b);
    expect(idTag(a)).toBe(idTag(b));
    const ids = new IdArray();
    ids.push(a);
    expect(ids.indexOf(b)).toBe(-1);
    ids.push(b);
    expect([ids.indexOf(a), ids.indexOf(b)]).toEqual([0, 1]);
    ids.removeAt(0);
    expect([ids.indexOf(a), ids.indexOf(b)]).toEqual([-1, 0]);
  });

  it('behaves as a plain array under any sequence of pushes, removals and lookups', () => {
    // A small pool of IDs, the colliding pair among them, so lookups hit, miss and collide.
    const pool = [a, b, 'x', 'y', 'z', 'abcdefghijklmnopqrstuvwxyz234567'];
    const id = fc.constantFrom(...pool);
    const op = fc.oneof(
      fc.record({ push: id }),
      fc.record({ removeAt: fc.nat() }),
      fc.record({ swapRemove: fc.nat() }),
      fc.record({ find: id }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const ids = new IdArray();
        const model: string[] = [];
        for (const o of ops) {
          if ('push' in o) {
            ids.push(o.push);
            model.push(o.push);
          } else if ('removeAt' in o) {
            if (model.length === 0) continue;
            const at = o.removeAt % model.length;
            ids.removeAt(at);
            model.splice(at, 1);
          } else if ('swapRemove' in o) {
            if (model.length === 0) continue;
            const at = o.swapRemove % model.length;
            ids.swapRemove(at);
            model[at] = model[model.length - 1] as string;
            model.pop();
          } else {
            expect(ids.indexOf(o.find)).toBe(model.indexOf(o.find));
            expect(ids.includes(o.find)).toBe(model.includes(o.find));
          }
          expect(ids.ids).toEqual(model);
          expect(ids.length).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
