/**
 * Injected randomness. The simulator gives seeded streams (one per node and subsystem, so
 * adding a node never changes another node's draws); the daemon gives a crypto-strong one.
 * Helpers here are pure functions over a `Random`.
 */

export interface Random {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
  /** n uniformly random bytes. */
  bytes(n: number): Uint8Array;
}

/** Splits one root of randomness into independent named streams. */
export interface RandomSource {
  fork(label: string): Random;
}

/** One element chosen uniformly, or undefined for an empty list. */
export function pick<T>(random: Random, items: readonly T[]): T | undefined {
  if (items.length === 0) return undefined;
  return items[random.int(items.length)];
}

/** Up to `count` distinct elements in random order (partial Fisher–Yates on a copy). */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  const copy = items.slice();
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + random.int(copy.length - i);
    const tmp = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = tmp;
  }
  copy.length = n;
  return copy;
}
