/**
 * The two HyParView views as bounded maps. Insertion-ordered Maps keep iteration, and so
 * every random choice made over them, deterministic.
 *
 * Rules: a node is never in its own views; no node is in both views; neither view ever
 * exceeds its capacity (the protocol evicts before it adds).
 */
import type { Millis, NodeId } from '../types.js';
import type { PeerEntry } from '../wire/messages.js';
import { pick, sample, type Random } from '../random.js';

export interface PassiveEntry {
  address: string;
  /** Consecutive failed attempts to connect; 0 for a healthy entry. */
  failures: number;
  /** Not to be tried before this time (backoff after failures). */
  retryAt: Millis;
}

export class PassiveView {
  private readonly entries = new Map<NodeId, PassiveEntry>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: NodeId): boolean {
    return this.entries.has(id);
  }

  get(id: NodeId): PassiveEntry | undefined {
    return this.entries.get(id);
  }

  ids(): NodeId[] {
    return [...this.entries.keys()];
  }

  delete(id: NodeId): void {
    this.entries.delete(id);
  }

  /**
   * Adds (or refreshes the address of) an entry, evicting to stay within capacity:
   * first one of `preferEvict`, then an entry that has failed, then a random one.
   */
  add(entry: PeerEntry, random: Random, preferEvict: readonly NodeId[] = []): void {
    const known = this.entries.get(entry.id);
    if (known) {
      if (known.failures === 0) known.address = entry.address;
      return;
    }
    if (this.capacity === 0) return;
    if (this.entries.size >= this.capacity) this.evictOne(random, preferEvict);
    this.entries.set(entry.id, { address: entry.address, failures: 0, retryAt: 0 });
  }

  /** Healthy entries (no recent failure), as peer entries, at most `count`, random. */
  sampleHealthy(random: Random, count: number): PeerEntry[] {
    const healthy: PeerEntry[] = [];
    for (const [id, e] of this.entries)
      if (e.failures === 0) healthy.push({ id, address: e.address });
    return sample(random, healthy, count);
  }

  /** A random entry that may be tried now and satisfies `eligible`. */
  pickCandidate(
    random: Random,
    now: Millis,
    eligible: (id: NodeId) => boolean,
  ): NodeId | undefined {
    const ready: NodeId[] = [];
    for (const [id, e] of this.entries) if (e.retryAt <= now && eligible(id)) ready.push(id);
    // Healthy entries first: a previously failed one is only a probe (e.g. across a healed partition).
    const healthy = ready.filter((id) => this.entries.get(id)?.failures === 0);
    return pick(random, healthy.length > 0 ? healthy : ready);
  }

  /** Records a failed attempt; forgets the entry after `maxFailures`. */
  recordFailure(id: NodeId, now: Millis, retryBaseMs: number, maxFailures: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.failures += 1;
    if (entry.failures >= maxFailures) this.entries.delete(id);
    else entry.retryAt = now + retryBaseMs * 2 ** (entry.failures - 1);
  }

  private evictOne(random: Random, preferEvict: readonly NodeId[]): void {
    const preferred = preferEvict.filter((id) => this.entries.has(id));
    const failed = [...this.entries].filter(([, e]) => e.failures > 0).map(([id]) => id);
    const victim = pick(random, preferred) ?? pick(random, failed) ?? pick(random, this.ids());
    if (victim !== undefined) this.entries.delete(victim);
  }
}
