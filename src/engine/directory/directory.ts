/**
 * The node directory: the descriptors a node has heard, kept until they expire, and the
 * revocations that end them early (DESIGN.md §3 Directory).
 *
 * Rules:
 * 1. Only records whose signature verifies get in (records.ts); forged ones are counted.
 * 2. A descriptor is accepted while issued ≤ now + skew and now < expires ≤ issued +
 *    lifetime max; a newer one (later `issued`) replaces an older one; the same one again
 *    is *known*; an older one is *stale* and counted.
 * 3. A revocation removes the node's descriptor if it was issued no earlier, and is
 *    remembered until that descriptor would have expired, so a delayed copy of the
 *    descriptor cannot bring the node back.
 * 4. Bounded: at capacity a new node's descriptor is refused and counted.
 */
import { base32Decode } from '../base32.js';
import type { CryptoSuite } from '../crypto/suite.js';
import type { Millis, NodeId } from '../types.js';
import { openRecord, type Descriptor, type DirectoryRecord } from './records.js';

export interface DirectoryLimits {
  /** Descriptors kept at most. */
  entriesMax: number;
  /** Longest lifetime (expires − issued) a descriptor may claim. */
  descriptorLifetimeMaxMs: number;
  /** The most a peer's clock may lead ours. */
  clockSkewMs: number;
}

export type AcceptOutcome =
  'new' | 'updated' | 'known' | 'revoked' | 'stale' | 'forged' | 'malformed' | 'expired' | 'full';

export interface DirectoryCounters {
  forged: number;
  malformed: number;
  stale: number;
  expired: number;
  full: number;
}

const NODE_ID_CHARS = 32;
/** `host:port` or `host` (IPv4, a bracketed IPv6 literal, or a DNS name). */
const ADDRESS_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

export class Directory {
  private readonly entries = new Map<NodeId, Descriptor>();
  /** Revoked nodes: the revocation's issue time, until the time it stops mattering. */
  private readonly revoked = new Map<NodeId, { issued: number; until: Millis }>();
  readonly counters: DirectoryCounters = { forged: 0, malformed: 0, stale: 0, expired: 0, full: 0 };

  constructor(
    private readonly crypto: CryptoSuite,
    private readonly limits: DirectoryLimits,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: NodeId): Descriptor | undefined {
    return this.entries.get(id);
  }

  /**
   * Verifies and applies a record from the network, or (`only: 'descriptor'`) one a runtime
   * saved to disk: the same checks, but there a revocation has no place and is malformed.
   */
  acceptBytes(bytes: Uint8Array, now: Millis, only?: 'descriptor'): AcceptOutcome {
    const record = openRecord(this.crypto, bytes);
    if (record === 'forged' || record === 'malformed') {
      this.counters[record] += 1;
      return record;
    }
    if (only !== undefined && record.kind !== only) return this.count('malformed');
    return this.accept(record, now);
  }

  /** Applies a record whose signature has been verified (our own, or from acceptBytes). */
  accept(record: DirectoryRecord, now: Millis): AcceptOutcome {
    const { clockSkewMs, descriptorLifetimeMaxMs } = this.limits;
    if (record.kind === 'revocation') {
      if (record.issued > now + clockSkewMs) return this.count('stale');
      const current = this.entries.get(record.id);
      if (current && current.issued > record.issued) return this.count('stale');
      this.entries.delete(record.id);
      const until = Math.max(current?.expires ?? 0, now + descriptorLifetimeMaxMs);
      this.revoked.set(record.id, { issued: record.issued, until });
      return 'revoked';
    }
    if (record.expires <= now) return this.count('expired');
    if (
      record.issued > now + clockSkewMs ||
      record.expires - record.issued > descriptorLifetimeMaxMs
    ) {
      return this.count('stale');
    }
    const revocation = this.revoked.get(record.id);
    if (revocation && revocation.issued >= record.issued) return this.count('stale');
    const current = this.entries.get(record.id);
    if (current && current.issued === record.issued) return 'known'; // the same record again
    if (current && current.issued > record.issued) return this.count('stale');
    if (!current && this.entries.size >= this.limits.entriesMax) return this.count('full');
    // Re-insert so that iteration order stays by freshness (prune and sync read it so).
    this.entries.delete(record.id);
    this.entries.set(record.id, record);
    return current ? 'updated' : 'new';
  }

  /** Drops expired descriptors and revocations that no longer matter. */
  prune(now: Millis): void {
    for (const [id, d] of this.entries) if (d.expires <= now) this.entries.delete(id);
    for (const [id, r] of this.revoked) if (r.until <= now) this.revoked.delete(id);
  }

  /** Unexpired descriptors of nodes that volunteer as relays. */
  relays(now: Millis): Descriptor[] {
    const out: Descriptor[] = [];
    for (const d of this.entries.values()) if (d.relay && d.expires > now) out.push(d);
    return out;
  }

  /** Every unexpired descriptor, as signed bytes (directory sync). */
  records(now: Millis): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const d of this.entries.values()) if (d.expires > now) out.push(d.bytes);
    return out;
  }

  ids(): NodeId[] {
    return [...this.entries.keys()];
  }

  /**
   * Resolves a destination as the seed protocol and the CLI name it: a node ID, a local
   * alias (through `aliases`), or `IP[:port]` (matched against descriptor addresses; without
   * a port, the host alone must match exactly one node).
   */
  resolve(
    destination: string,
    aliases?: (alias: string) => NodeId | undefined,
  ): Descriptor | undefined {
    const text = destination.trim().toLowerCase();
    if (text.length === NODE_ID_CHARS && base32Decode(text) !== null) return this.entries.get(text);
    const aliased = aliases?.(destination.trim());
    if (aliased !== undefined) return this.entries.get(aliased);
    if (!ADDRESS_PATTERN.test(text)) return undefined;
    const hasPort = /:\d{1,5}$/.test(text) && !text.endsWith(']');
    let found: Descriptor | undefined;
    for (const d of this.entries.values()) {
      const address = d.address.toLowerCase();
      const host = address.replace(/:\d{1,5}$/, '');
      if (hasPort ? address === text : host === text) {
        if (found) return undefined; // ambiguous: several nodes on that host
        found = d;
      }
    }
    return found;
  }

  private count(outcome: keyof DirectoryCounters): AcceptOutcome {
    this.counters[outcome] += 1;
    return outcome;
  }
}
