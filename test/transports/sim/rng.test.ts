import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { hashSeed, pairUniform, SeededRandomSource } from '../../../src/transports/sim/rng.js';
import { SimUsageError } from '../../../src/transports/sim/errors.js';
import { checkProperty } from '../../support/property.js';

const draws = (r: { next(): number }, n: number): number[] =>
  Array.from({ length: n }, () => r.next());

describe('SeededRandomSource', () => {
  it('same seed and label give the same stream', () => {
    const a = new SeededRandomSource('s1').fork('node/0/net');
    const b = new SeededRandomSource('s1').fork('node/0/net');
    expect(draws(a, 100)).toEqual(draws(b, 100));
  });

  it('different labels or seeds give different streams', () => {
    const x = draws(new SeededRandomSource('s1').fork('a'), 20);
    expect(draws(new SeededRandomSource('s1').fork('b'), 20)).not.toEqual(x);
    expect(draws(new SeededRandomSource('s2').fork('a'), 20)).not.toEqual(x);
  });

  it('adding a fork or drawing from another stream never changes a stream', () => {
    const alone = draws(new SeededRandomSource('seed').fork('node/3'), 50);
    const source = new SeededRandomSource('seed');
    const other = source.fork('node/4');
    const mine = source.fork('node/3');
    const interleaved: number[] = [];
    for (let i = 0; i < 50; i++) {
      other.next();
      other.bytes(7);
      source.fork(`node/${100 + i}`).next();
      interleaved.push(mine.next());
    }
    expect(interleaved).toEqual(alone);
  });

  it('next is in [0, 1), int in [0, n), bytes of the asked length', () => {
    const r = new SeededRandomSource('x').fork('y');
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 7_000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      counts[k] = (counts[k] as number) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (const n of [0, 1, 3, 4, 5, 33]) expect(r.bytes(n).length).toBe(n);
    const b1 = new SeededRandomSource('x').fork('bytes').bytes(33);
    const b2 = new SeededRandomSource('x').fork('bytes').bytes(33);
    expect(b1).toEqual(b2);
    expect(new Set(b1).size).toBeGreaterThan(20);
  });

  it('int and bytes reject bad arguments with a named error', () => {
    const r = new SeededRandomSource('x').fork('y');
    for (const n of [0, -1, 1.5, NaN, Infinity]) expect(() => r.int(n)).toThrow(SimUsageError);
    expect(() => r.bytes(-1)).toThrow(SimUsageError);
  });
});

describe('pairUniform', () => {
  it('is a pure function in (0, 1), different for (a, b) and (b, a)', () => {
    const h = hashSeed('run');
    expect(pairUniform(h, 3, 9)).toBe(pairUniform('run', 3, 9));
    expect(pairUniform(h, 3, 9)).not.toBe(pairUniform(h, 9, 3));
    expect(pairUniform(h, 3, 9)).not.toBe(pairUniform(hashSeed('run2'), 3, 9));
  });

  it('is roughly uniform over many pairs', () => {
    const h = hashSeed('uniformity');
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    const n = 200;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const u = pairUniform(h, a, b);
        if (!(u > 0 && u < 1)) outside++;
        sum += u;
        const k = Math.floor(u * 10);
        buckets[k] = (buckets[k] as number) + 1;
      }
    }
    expect(outside).toBe(0);
    expect(sum / (n * n)).toBeCloseTo(0.5, 2);
    for (const c of buckets) expect(Math.abs(c - 4_000)).toBeLessThan(300);
  });
});

describe('AleaRandom is seedrandom.alea, bit for bit', () => {
  it('the same doubles, ints and bytes as seedrandom.alea for any seed (the streams every earlier run drew)', () => {
    checkProperty(
      'test/transports/sim/rng.test.ts',
      'the same as seedrandom.alea',
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 2 ** 40 }), (seed, n) => {
        const ours = new SeededRandomSource(seed).fork('s');
        const theirs = seedrandom.alea(`${seed}/s`);
        for (let i = 0; i < 50; i++) expect(ours.next()).toBe(theirs.double());
        expect(ours.int(n)).toBe(Math.floor(theirs.double() * n));
        const bytes = ours.bytes(7);
        const words = [theirs.int32(), theirs.int32()];
        const expected = Array.from(
          { length: 7 },
          (_, i) => (words[i >> 2]! >>> (8 * (i & 3))) & 255,
        );
        expect([...bytes]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
