/**
 * The two HyParView views as bounded maps. Insertion-ordered Maps keep iteration, and so
 * every random choice made over them, deterministic.
 *
 * Rules: a node is never in its own views; no node is in two of active, passive and
 * suspects; nothing ever exceeds its capacity (the protocol evicts before it adds).
 */
import type { Millis, NodeId } from '../types.js';
import type { PeerEntry } from '../wire/messages.js';
import { pick, sample, type Random } from '../random.js';

/**
 * Known nodes not connected to us, all believed reachable. HyParView's passive view: the
 * pool for repair, refreshed by shuffles.
 */
export class PassiveView {
  private readonly entries = new Map<NodeId, string>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: NodeId): boolean {
    return this.entries.has(id);
  }

  addressOf(id: NodeId): string | undefined {
    return this.entries.get(id);
  }

  ids(): NodeId[] {
    return [...this.entries.keys()];
  }

  delete(id: NodeId): void {
    this.entries.delete(id);
  }

  /** Adds (or refreshes) an entry, evicting one of `preferEvict`, else a random one, when full. */
  add(entry: PeerEntry, random: Random, preferEvict: readonly NodeId[] = []): void {
    if (this.entries.has(entry.id)) {
      this.entries.set(entry.id, entry.address);
      return;
    }
    if (this.capacity === 0) return;
    if (this.entries.size >= this.capacity) {
      const preferred = preferEvict.filter((id) => this.entries.has(id));
      const victim = pick(random, preferred) ?? pick(random, this.ids());
      if (victim !== undefined) this.entries.delete(victim);
    }
    this.entries.set(entry.id, entry.address);
  }

  /** Up to `count` random entries. */
  sample(random: Random, count: number): PeerEntry[] {
    const all: PeerEntry[] = [];
    for (const [id, address] of this.entries) all.push({ id, address });
    return sample(random, all, count);
  }

  /** A random entry satisfying `eligible`. */
  pickCandidate(random: Random, eligible: (id: NodeId) => boolean): PeerEntry | undefined {
    const ready: NodeId[] = [];
    for (const id of this.entries.keys()) if (eligible(id)) ready.push(id);
    const id = pick(random, ready);
    return id === undefined ? undefined : { id, address: this.entries.get(id) as string };
  }
}

interface Suspect {
  address: string;
  /** Failed or refused attempts in a row. */
  failures: number;
  /** Not to be tried before this time. */
  retryAt: Millis;
}

/**
 * Nodes that failed us (a neighbour that went silent, a dial that failed, a request
 * refused), retried with exponential back-off and forgotten after `maxFailures`.
 *
 * Why a list of its own: in HyParView a failed node simply leaves the views. Then the two
 * sides of a network partition forget each other while it lasts, shuffles fill the passive
 * views with same-side nodes, and after the partition heals nobody reconnects. Kept apart
 * from the passive view, suspects survive shuffles for the back-off window (several
 * minutes) and a probe that succeeds rejoins the halves.
 */
export class SuspectList {
  private readonly entries = new Map<NodeId, Suspect>();

  constructor(
    readonly capacity: number,
    private readonly retryBaseMs: number,
    private readonly maxFailures: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: NodeId): boolean {
    return this.entries.has(id);
  }

  delete(id: NodeId): void {
    this.entries.delete(id);
  }

  ids(): NodeId[] {
    return [...this.entries.keys()];
  }

  /** One more failure of `entry`: back off, or forget it after too many. */
  recordFailure(entry: PeerEntry, now: Millis): void {
    const known = this.entries.get(entry.id);
    const failures = (known?.failures ?? 0) + 1;
    if (failures > this.maxFailures) {
      this.entries.delete(entry.id);
      return;
    }
    if (!known && this.entries.size >= this.capacity) this.evictMostFailed();
    if (this.capacity === 0) return;
    this.entries.set(entry.id, {
      address: entry.address,
      failures,
      retryAt: now + this.retryBaseMs * 2 ** (failures - 1),
    });
  }

  /** A random suspect due for a retry that satisfies `eligible`. */
  pickDue(random: Random, now: Millis, eligible: (id: NodeId) => boolean): PeerEntry | undefined {
    const due: NodeId[] = [];
    for (const [id, s] of this.entries) if (s.retryAt <= now && eligible(id)) due.push(id);
    const id = pick(random, due);
    return id === undefined
      ? undefined
      : { id, address: (this.entries.get(id) as Suspect).address };
  }

  private evictMostFailed(): void {
    let victim: NodeId | undefined;
    let most = -1;
    for (const [id, s] of this.entries) {
      if (s.failures > most) {
        most = s.failures;
        victim = id;
      }
    }
    if (victim !== undefined) this.entries.delete(victim);
  }
}
