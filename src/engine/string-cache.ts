/**
 * Strings made from bytes (node IDs, broadcast IDs, addresses), kept by a 32-bit key of
 * those bytes — the first four bytes of a random ID (`prefixKey`), a hash of anything else:
 * a string already made is found from the bytes without being built again, and is one
 * object per process however many simulated nodes hold it. A hit is checked against all
 * the bytes (`matches`), so a key collision — chance, or crafted — only costs a miss; the
 * newer string then takes the slot. Bounded: full, the cache starts afresh.
 *
 * A cache of values: no result depends on it (the same trace hashes with and without).
 */
export class StringCache {
  private readonly byKey = new Map<number, string>();

  constructor(
    private readonly capacity: number,
    /** Whether `text` is what `make` gives for bytes[at, end). */
    private readonly matches: (text: string, bytes: Uint8Array, at: number, end: number) => boolean,
    private readonly make: (bytes: Uint8Array, at: number, end: number) => string,
  ) {}

  /** The string of bytes[at, end), whose key is `key`. */
  get(key: number, bytes: Uint8Array, at: number, end: number): string {
    const known = this.byKey.get(key);
    if (known !== undefined && this.matches(known, bytes, at, end)) return known;
    const made = this.make(bytes, at, end);
    if (this.byKey.size >= this.capacity) this.byKey.clear();
    this.byKey.set(key, made);
    return made;
  }
}

/** The key of random bytes (at least four at `at`): their first four. */
export function prefixKey(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}
