/**
 * murmur3's 32-bit finaliser: full avalanche of one 32-bit lane. Pure integer arithmetic,
 * shared by the directory's digest hash (directory/digest.ts) and the simulator's seeded
 * hashes (transports/sim/rng.ts, trace.ts).
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
