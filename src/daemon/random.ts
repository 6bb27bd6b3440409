/**
 * Crypto-strong randomness for the engine (DESIGN.md §1: "a random source … crypto-strong in
 * the daemon"), over node:crypto. The engine draws path choices, broadcast IDs, hello
 * nonces and timer jitter from it; an observer must not predict any of them.
 *
 * Rule: labels do not matter here (every stream is independent by construction); they exist
 * so the simulator's seeded source and this one share the `RandomSource` interface.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Random, RandomSource } from '../engine/random.js';

/** crypto.randomInt takes ranges below 2^48. */
const RANDOM_INT_RANGE_MAX = 2 ** 48;
/** 2^-53: one unit in the last place of a double in [0, 1). */
const DOUBLE_UNIT = 2 ** -53;

export class CryptoRandom implements Random {
  next(): number {
    const b = randomBytes(7);
    // 53 random bits: 5 from the first byte, 48 from the other six.
    const high = (b[0] as number) & 0x1f;
    const low = b.readUIntBE(1, 6);
    return (high * 2 ** 48 + low) * DOUBLE_UNIT;
  }

  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`int(${n}): n must be ≥ 1`);
    if (n === 1) return 0;
    if (n < RANDOM_INT_RANGE_MAX) return randomInt(n);
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }
}

export class CryptoRandomSource implements RandomSource {
  fork(_label: string): Random {
    return new CryptoRandom();
  }
}
