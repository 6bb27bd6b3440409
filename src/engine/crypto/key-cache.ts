/**
 * The node suite's caches of imported keys (node.ts): importing a raw key into OpenSSL is most
 * of the cost of a signature or an exchange. Pure bookkeeping, no crypto: tested alone.
 */

/** Imported public keys kept (admitted on their second use). */
export const PUBLIC_KEYS_CACHED = 1024;
/** Imported private keys kept (admitted on their third use): two a node for 2,048 nodes. */
export const PRIVATE_KEYS_CACHED = 4096;
/** Private keys seen but not yet admitted, remembered by digest with their use count. */
export const PRIVATE_KEY_SIGHTINGS = 8192;

/**
 * A bounded map (STYLE.md #5) from key ids to imported KeyObjects, least recently used first
 * out, that admits a key only on its `admitOnUse`-th use. Until then only the id and a count
 * are kept, in `sightings`, itself bounded and oldest first out. Admission on repeated use
 * keeps one-shot keys (ephemeral publics and secrets) from flushing the keys used again and
 * again, and keeps ephemeral secrets from lingering in memory.
 */
export class KeyCache<K> {
  private readonly keys = new Map<string, K>();
  private readonly sightings = new Map<string, number>();

  constructor(
    private readonly capacity: number,
    private readonly admitOnUse: number,
    private readonly sightingsCapacity: number,
  ) {}

  get(id: string, make: () => K): K {
    const cached = this.keys.get(id);
    if (cached !== undefined) {
      this.keys.delete(id);
      this.keys.set(id, cached);
      return cached;
    }
    const key = make();
    const uses = (this.sightings.get(id) ?? 0) + 1;
    if (uses >= this.admitOnUse) {
      this.sightings.delete(id);
      insertBounded(this.keys, id, key, this.capacity);
    } else {
      this.sightings.delete(id);
      insertBounded(this.sightings, id, uses, this.sightingsCapacity);
    }
    return key;
  }
}

function insertBounded<V>(map: Map<string, V>, id: string, value: V, capacity: number): void {
  if (map.size >= capacity) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(id, value);
}
