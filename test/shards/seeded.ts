/**
 * A seeded `Random` for the shard tests (STYLE.md #13): Alea from seedrandom, so every
 * split in a test is reproducible from the seed string it names.
 *
 * Only the default import works under Node (TOOLCHAIN.md): `seedrandom.alea(seed)`.
 */
import seedrandom from 'seedrandom';
import type { Random } from '../../src/engine/random.js';

export function seeded(seed: string | number): Random {
  const prng = seedrandom.alea(String(seed));
  return {
    next: () => prng.double(),
    int(n: number): number {
      if (!(Number.isSafeInteger(n) && n > 0)) throw new RangeError(`int(${n})`);
      return Math.floor(prng.double() * n);
    },
    bytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const w = prng.int32();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = w >>> (8 * j);
      }
      return out;
    },
  };
}

/** Every subset of {0..n−1} with exactly `size` members, in lexicographic order. */
export function subsets(n: number, size: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === size) {
      out.push(chosen.slice());
      return;
    }
    for (let i = from; i <= n - (size - chosen.length); i++) {
      chosen.push(i);
      pick(i + 1, chosen);
      chosen.pop();
    }
  };
  pick(0, []);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
