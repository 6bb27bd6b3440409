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

/** FNV-1a's 32-bit offset basis and prime (the directory's ID hash, the codec's address cache). */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
