/**
 * The directory's descriptor table (src/engine/directory/descriptor-table.ts) behaves as the
 * Map it replaced: under any sequence of inserts, updates, removals and pin changes, its
 * live slots hold exactly the model's descriptors in the model's order (a Map where an
 * update deletes and re-inserts), and every column agrees with its slot's descriptor —
 * across the growth of the columns and the compaction of holes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idHashOf } from '../../src/engine/directory/digest.js';
import {
  DescriptorTable,
  SLOT_EMPTY,
  SLOT_PINNED,
  SLOT_SAMPLED,
} from '../../src/engine/directory/descriptor-table.js';
import type { Descriptor } from '../../src/engine/directory/records.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/directory/descriptor-table.test.ts';

function descriptor(n: number, issued: number): Descriptor {
  const id = `node${n}`.padEnd(32, 'a');
  return {
    kind: 'descriptor',
    id,
    signKey: new Uint8Array(32),
    dhKey: new Uint8Array(32),
    address: `10.0.0.${n}:7000`,
    relay: true,
    issued,
    expires: issued + 60_000,
    bytes: new Uint8Array(0),
    ...idHashOf(id),
  };
}

type Op =
  | { kind: 'set'; n: number; issued: number; pinned: boolean }
  | { kind: 'delete'; n: number }
  | { kind: 'pin'; n: number; pinned: boolean };

const node = fc.integer({ min: 0, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      n: node,
      issued: fc.integer({ min: 0, max: 2 ** 40 }),
      pinned: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), n: node }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('pin' as const), n: node, pinned: fc.boolean() }),
  },
);

/** The live slots in order, checking every column against its descriptor on the way. */
function walk(table: DescriptorTable): { id: string; pinned: boolean }[] {
  const out: { id: string; pinned: boolean }[] = [];
  for (let slot = 0; slot < table.end; slot++) {
    const d = table.at(slot);
    if (d === undefined) {
      expect(table.state[slot]).toBe(SLOT_EMPTY);
      continue;
    }
    expect(table.state[slot]).not.toBe(SLOT_EMPTY);
    expect(table.idHashA[slot]).toBe(d.idHashA);
    expect(table.idHashB[slot]).toBe(d.idHashB);
    expect(table.issued[slot]).toBe(d.issued);
    expect(table.expires[slot]).toBe(d.expires);
    expect(table.get(d.id)).toBe(d);
    out.push({ id: d.id, pinned: table.state[slot] === SLOT_PINNED });
  }
  return out;
}

describe('descriptor table', () => {
  it('holds what a Map would, in its order, with columns matching (any operations)', () => {
    checkProperty(
      FILE,
      'behaves as the Map it replaced',
      fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: 'max' }), (ops) => {
        const table = new DescriptorTable();
        const model = new Map<string, { d: Descriptor; pinned: boolean }>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const d = descriptor(o.n, o.issued);
            table.set(d, o.pinned ? SLOT_PINNED : SLOT_SAMPLED);
            model.delete(d.id);
            model.set(d.id, { d, pinned: o.pinned });
          } else {
            const id = descriptor(o.n, 0).id;
            if (o.kind === 'delete') expect(table.delete(id)).toBe(model.delete(id));
            else {
              table.setState(id, o.pinned ? SLOT_PINNED : SLOT_SAMPLED);
              const held = model.get(id);
              if (held) held.pinned = o.pinned;
            }
          }
          expect(table.size).toBe(model.size);
          const id = descriptor(o.n, 0).id;
          expect(table.has(id)).toBe(model.has(id));
          expect(table.get(id)).toBe(model.get(id)?.d);
        }
        const expected = [...model.values()].map(({ d, pinned }) => ({ id: d.id, pinned }));
        expect(walk(table)).toEqual(expected);
        for (const { d } of model.values()) expect(table.has(d.id)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('closes its holes: slots stay within 1.25 times the live count (plus a small slack)', () => {
    const table = new DescriptorTable();
    for (let round = 0; round < 50; round++)
      for (let n = 0; n < 100; n++) table.set(descriptor(n, round), SLOT_SAMPLED);
    expect(table.size).toBe(100);
    expect(table.end).toBeLessThanOrEqual(1.25 * 100 + 8);
    expect(walk(table).map(({ id }) => id)).toEqual(
      Array.from({ length: 100 }, (_, n) => descriptor(n, 0).id),
    );
    expect(
      table.state.subarray(0, table.end).every((s) => s === SLOT_SAMPLED || s === SLOT_EMPTY),
    ).toBe(true);
  });

  it('lets a pass remove records as it walks (holes close only on the next insert)', () => {
    const table = new DescriptorTable();
    for (let n = 0; n < 40; n++) table.set(descriptor(n, n), SLOT_SAMPLED);
    const end = table.end;
    for (let slot = 0; slot < table.end; slot++) {
      const d = table.at(slot);
      if (d !== undefined && d.issued % 4 !== 0) table.delete(d.id);
    }
    expect(table.end).toBe(end);
    expect(table.size).toBe(10);
    table.set(descriptor(100, 100), SLOT_SAMPLED);
    expect(table.end).toBe(11);
    expect(walk(table).map(({ id }) => id)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => descriptor(4 * i, 0).id),
      descriptor(100, 0).id,
    ]);
  });
});
