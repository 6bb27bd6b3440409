/**
 * Strings made from random byte strings (node IDs, broadcast IDs), kept by their first four
 * bytes: a string already made is found from the bytes without being built again, and is
 * one object per process however many simulated nodes hold it. A hit is checked against
 * all the bytes (`matches`), so a prefix collision — chance, or crafted — only costs a
 * miss; the newer string then takes the slot. Bounded: full, the cache starts afresh.
 *
 * A cache of values: no result depends on it (the same trace hashes with and without).
 */
export class PrefixCache {
  private readonly byPrefix = new Map<number, string>();

  constructor(
    private readonly capacity: number,
    /** Whether `text` is what `make` gives for the bytes at `at`. */
    private readonly matches: (text: string, bytes: Uint8Array, at: number) => boolean,
    private readonly make: (bytes: Uint8Array, at: number) => string,
  ) {}

  /** The string of the bytes at `at` (at least four of them). */
  get(bytes: Uint8Array, at: number): string {
    const prefix =
      (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const known = this.byPrefix.get(prefix);
    if (known !== undefined && this.matches(known, bytes, at)) return known;
    const made = this.make(bytes, at);
    if (this.byPrefix.size >= this.capacity) this.byPrefix.clear();
    this.byPrefix.set(prefix, made);
    return made;
  }
}
