/**
 * Seeded randomness for the simulator (STYLE.md #13: one seed rules all).
 *
 * Theory of operation. One run has one seed string. Every consumer (a node's engine, a
 * node's loss draws, the churn model, …) asks for its own stream by label, and the stream
 * is an Alea generator seeded with `${seed}/${label}`. Streams share no state, so adding a
 * node, a subsystem or a draw in one stream never changes what any other stream draws.
 *
 * Values that must not depend on event order at all (a fixed latency per ordered pair of
 * nodes) come from `pairUniform`, a pure hash of (seed, a, b) that consumes no stream.
 *
 * Rules:
 * 1. The generator is Baagøe's Alea with seedrandom's arithmetic, bit for bit (the streams
 *    every earlier run drew; test/sim/rng.test.ts checks it against `seedrandom.alea`), its
 *    state four numbers of the stream's own object: seedrandom keeps a stream in closures,
 *    ~460 bytes each, and every simulated node holds a dozen streams.
 * 2. `next()` has 53 bits of resolution (Alea's `double()`, two 32-bit draws).
 * 3. `int(n)` is `floor(next() * n)`. With 53-bit floats the bias is below n / 2^53 per
 *    value, negligible for every n a simulation uses (it is exact in distribution up to
 *    that rounding for n < 2^32); n must be a positive safe integer.
 */
import { fmix32 } from '../../engine/mix32.js';
import type { Random, RandomSource } from '../../engine/random.js';
import { SimUsageError } from './errors.js';

/** 2^-32 */
const ALEA_NORM = 2.3283064365386963e-10;
/** 2^-53 */
const ALEA_FINE = 1.1102230246251565e-16;

/** Baagøe's Mash, the hash Alea seeds with: successive calls continue one running state. */
function aleaMash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * ALEA_NORM;
  };
}

/** A `Random` over one Alea stream (rule 1). */
export class AleaRandom implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private c = 1;

  constructor(seed: string) {
    const mash = aleaMash();
    // Baagøe's seeding: three draws of ' ', less three of the seed, each wrapped into [0, 1).
    this.s0 = mash(' ');
    this.s1 = mash(' ');
    this.s2 = mash(' ');
    this.s0 -= mash(seed);
    if (this.s0 < 0) this.s0 += 1;
    this.s1 -= mash(seed);
    if (this.s1 < 0) this.s1 += 1;
    this.s2 -= mash(seed);
    if (this.s2 < 0) this.s2 += 1;
  }

  /** Alea's step: 32 bits in [0, 1). */
  private step(): number {
    const t = 2091639 * this.s0 + this.c * ALEA_NORM;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  private int32(): number {
    return (this.step() * 0x100000000) | 0;
  }

  next(): number {
    return this.step() + ((this.step() * 0x200000) | 0) * ALEA_FINE;
  }

  int(n: number): number {
    if (!(n > 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) {
      throw new SimUsageError(`Random.int: n must be a positive safe integer, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Uint8Array {
    if (!(n >= 0 && Number.isInteger(n))) {
      throw new SimUsageError(`Random.bytes: n must be a non-negative integer, got ${n}`);
    }
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const w = this.int32();
      out[i] = w;
      out[i + 1] = w >>> 8;
      out[i + 2] = w >>> 16;
      out[i + 3] = w >>> 24;
    }
    if (i < n) {
      let w = this.int32();
      for (; i < n; i++, w >>>= 8) out[i] = w;
    }
    return out;
  }
}

/** The root of a run's randomness: `fork(label)` is the stream seeded `${seed}/${label}`. */
export class SeededRandomSource implements RandomSource {
  constructor(readonly seed: string) {}

  fork(label: string): Random {
    return new AleaRandom(`${this.seed}/${label}`);
  }
}

/** A `RandomSource` whose labels live under a prefix of another source. */
export class PrefixedRandomSource implements RandomSource {
  constructor(
    private readonly root: RandomSource,
    private readonly prefix: string,
  ) {}

  fork(label: string): Random {
    return this.root.fork(`${this.prefix}/${label}`);
  }
}

/** A string hashed to two 32-bit lanes (unsigned), for `pairUniform`. */
export interface SeedHash {
  readonly hi: number;
  readonly lo: number;
}

/** Two independent 32-bit FNV-1a lanes over the UTF-16 code units, each finalised. */
export function hashSeed(seed: string): SeedHash {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return { hi: fmix32(a ^ seed.length), lo: fmix32(b + Math.imul(seed.length, 0x27d4eb2d)) };
}

const TWO_POW_21 = 2 ** 21;
const TWO_POW_53 = 2 ** 53;

/**
 * A uniform number in the open interval (0, 1) from (seed, a, b), with 53 bits of
 * resolution; a pure function (the same arguments always give the same value, and
 * `(a, b)` and `(b, a)` give unrelated values). `a` and `b` are non-negative integers
 * below 2^32, e.g. node indices.
 */
export function pairUniform(seed: SeedHash | string, a: number, b: number): number {
  const s = typeof seed === 'string' ? hashSeed(seed) : seed;
  let hi = fmix32(s.hi ^ Math.imul(a + 0x632be5ab, 0x9e3779b1));
  hi = fmix32(hi ^ Math.imul(b + 0x2f5c3a71, 0x85ebca77));
  let lo = fmix32(s.lo ^ Math.imul(b + 0x1b873593, 0xcc9e2d51));
  lo = fmix32(lo ^ Math.imul(a + 0x7feb352d, 0x846ca68b) ^ hi);
  // 32 high bits from one lane, 21 from the other: an integer in [0, 2^53), then centre it
  // in its cell so the result is never exactly 0 (the inverse normal CDF needs (0, 1)).
  return (hi * TWO_POW_21 + (lo >>> 11) + 0.5) / TWO_POW_53;
}
