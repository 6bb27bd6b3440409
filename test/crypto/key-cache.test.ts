/**
 * The node suite's key caches (src/engine/crypto/key-cache.ts): a key is imported again until
 * its admitting use, then found; the caches are bounded; and the private cache's sizes keep a
 * simulated network's keys, which at 64 keys and 256 sightings it did not (every signature of
 * churn.yaml's real-crypto run imported its key anew).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KeyCache,
  PRIVATE_KEY_SIGHTINGS,
  PRIVATE_KEYS_CACHED,
} from '../../src/engine/crypto/key-cache.js';

/** A cache of strings that counts how often it had to make (import) one. */
function counting(capacity: number, admitOnUse: number, sightings: number) {
  const cache = new KeyCache<string>(capacity, admitOnUse, sightings);
  let made = 0;
  return {
    get: (id: string) =>
      cache.get(id, () => {
        made += 1;
        return `key ${id}`;
      }),
    made: () => made,
  };
}

/** Imports in the last of `rounds` rounds over `ids` ids, each round using every id once. */
function importsInLastRound(
  cache: ReturnType<typeof counting>,
  ids: number,
  rounds: number,
): number {
  let before = 0;
  for (let round = 0; round < rounds; round++) {
    before = cache.made();
    for (let i = 0; i < ids; i++) cache.get(`k${i}`);
  }
  return cache.made() - before;
}

describe('KeyCache', () => {
  it('makes a key on each use before its admitting use, and never after', () => {
    const cache = counting(4, 3, 4);
    expect([1, 2, 3, 4, 5].map(() => cache.get('a'))).toEqual(Array(5).fill('key a'));
    expect(cache.made()).toBe(3);
  });

  it('always returns what make returns for the id, and holds at most its capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        (capacity, admitOnUse, uses) => {
          const cache = counting(capacity, admitOnUse, capacity);
          for (const u of uses) expect(cache.get(`k${u}`)).toBe(`key k${u}`);
          // Once admitted, at most `capacity` distinct ids are served without a make.
          const distinct = new Set(uses).size;
          const again = cache.made();
          for (let i = 0; i <= 20; i++) cache.get(`k${i}`);
          expect(cache.made() - again).toBeGreaterThanOrEqual(21 - Math.min(capacity, distinct));
        },
      ),
    );
  });

  it('evicts the least recently used key at capacity', () => {
    const cache = counting(2, 1, 2);
    cache.get('a');
    cache.get('b');
    cache.get('a'); // b is now the oldest
    cache.get('c');
    const made = cache.made();
    cache.get('a');
    expect(cache.made()).toBe(made);
    cache.get('b');
    expect(cache.made()).toBe(made + 1);
  });

  it('keeps the identity and onion keys of 2,048 simulated nodes, used in turn; 64 keys and 256 sightings kept none', () => {
    const nodesKeys = 2 * 2_048;
    const sized = counting(PRIVATE_KEYS_CACHED, 3, PRIVATE_KEY_SIGHTINGS);
    expect(importsInLastRound(sized, nodesKeys, 4)).toBe(0);
    const before = counting(64, 3, 256);
    expect(importsInLastRound(before, 2 * 1_000, 4)).toBe(2 * 1_000);
  });
});
