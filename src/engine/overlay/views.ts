/**
 * The two HyParView views, bounded. Both keep insertion order, and so every random choice
 * made over them is deterministic.
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
  /**
   * Entries in insertion order, as parallel arrays rather than a Map: a view holds ~30 and
   * every node keeps one, where a Map of 30 churning entries is a table of 64 (~1.7 KiB a
   * node against ~0.7; issue 6: 100,000 nodes in 6 GiB). Scans of 30 IDs are cheap.
   */
  private readonly idList: NodeId[] = [];
  private readonly addresses: string[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.idList.length;
  }

  has(id: NodeId): boolean {
    return this.idList.includes(id);
  }

  addressOf(id: NodeId): string | undefined {
    const at = this.idList.indexOf(id);
    return at < 0 ? undefined : this.addresses[at];
  }

  ids(): NodeId[] {
    return this.idList.slice();
  }

  delete(id: NodeId): void {
    const at = this.idList.indexOf(id);
    if (at < 0) return;
    this.idList.splice(at, 1);
    this.addresses.splice(at, 1);
  }

  /** Adds (or refreshes) an entry, evicting one of `preferEvict`, else a random one, when full. */
  add(entry: PeerEntry, random: Random, preferEvict: readonly NodeId[] = []): void {
    const known = this.idList.indexOf(entry.id);
    if (known >= 0) {
      this.addresses[known] = entry.address; // a refresh keeps its place in the order
      return;
    }
    if (this.capacity === 0) return;
    if (this.idList.length >= this.capacity) {
      const preferred = preferEvict.filter((id) => this.has(id));
      const victim = pick(random, preferred) ?? pick(random, this.idList);
      if (victim !== undefined) this.delete(victim);
    }
    this.idList.push(entry.id);
    this.addresses.push(entry.address);
  }

  /** Up to `count` random entries. */
  sample(random: Random, count: number): PeerEntry[] {
    const all: PeerEntry[] = this.idList.map((id, i) => ({
      id,
      address: this.addresses[i] as string,
    }));
    return sample(random, all, count);
  }

  /** A random entry satisfying `eligible`. */
  pickCandidate(random: Random, eligible: (id: NodeId) => boolean): PeerEntry | undefined {
    const ready: number[] = [];
    for (let i = 0; i < this.idList.length; i++)
      if (eligible(this.idList[i] as NodeId)) ready.push(i);
    const at = pick(random, ready);
    return at === undefined
      ? undefined
      : { id: this.idList[at] as NodeId, address: this.addresses[at] as string };
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
