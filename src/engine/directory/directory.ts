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
 * 5. Sampled (sample.ts): with `sampleSize` set, the descriptors of unpinned nodes form a
 *    bottom-k sample; a newcomer that ranks too high is refused ('sampledOut', a normal
 *    outcome, not an error: the record is valid and travels on), one that ranks lower
 *    evicts the highest-ranked member. Pinned IDs (ours, the runtime's contacts and pending
 *    targets) are always admitted while `entriesMax` allows and never evicted.
 * 6. A revocation is remembered only for a node we hold, have pinned, or would admit: a
 *    descriptor of any other node is refused by the sample anyway.
 * 7. Healing the sample: a member our own dial failed to reach (`memberUnreachable`) gives
 *    up its slot to the next newcomer that would otherwise be refused or would evict a
 *    reachable member — if the newcomer's descriptor was issued after that failure (it was
 *    alive more recently than the member; stale descriptors of nodes that crashed in the
 *    same failure circulate for a lifetime) and our routing does not suspect it
 *    (`suspected`). Without this a sample kept a dead member until its descriptor expired
 *    (bottom-k never churns), and after a mass failure a small sample held too few live
 *    relays for a path for that long. Only our own failed dials and silent neighbours
 *    count, never hearsay or a path's timeout (which any relay on it can cause): nobody
 *    else can make us give up a member. The freed slot goes to whoever is offered first, not
 *    to the lowest rank — the cost to bottom-k's flooding resistance (SECURITY.md) — and a
 *    member that comes back re-enters by its rank as it re-announces. A link to a marked
 *    member, or a descriptor of it issued after the failure, clears the mark.
 */
import { base32Decode } from '../base32.js';
import type { CryptoSuite } from '../crypto/suite.js';
import type { Millis, NodeId } from '../types.js';
import { openRecord, type Descriptor, type DirectoryRecord, type RecordOpener } from './records.js';
import { DEFAULT_DIRECTORY } from './config.js';
import { BottomK, sampleRanker, type Admission } from './sample.js';
import { sample, type Random } from '../random.js';
import type { DirectoryDigest } from '../wire/messages.js';
import { buildDigestOf, digestCoversId, digestHoldsRecord, slicesFor } from './digest.js';
import {
  DescriptorTable,
  SLOT_EMPTY,
  SLOT_HELD,
  SLOT_PINNED,
  SLOT_SAMPLED,
  type SlotState,
} from './descriptor-table.js';

export interface DirectoryLimits {
  /** Descriptors kept at most. */
  entriesMax: number;
  /** Longest lifetime (expires − issued) a descriptor may claim. */
  descriptorLifetimeMaxMs: number;
  /** The most a peer's clock may lead ours. */
  clockSkewMs: number;
  /** Unpinned descriptors kept at most (rule 5); absent: no sampling. */
  sampleSize?: number;
  /** IDs pinned at most (absent: the default config's). */
  pinnedMax?: number;
}

export type AcceptOutcome =
  | 'new'
  | 'updated'
  | 'known'
  | 'revoked'
  | 'stale'
  | 'forged'
  | 'malformed'
  | 'expired'
  | 'full'
  | 'sampledOut';

export interface DirectoryCounters {
  forged: number;
  malformed: number;
  stale: number;
  expired: number;
  full: number;
  /** Valid descriptors of new nodes refused because they rank outside our sample. */
  sampledOut: number;
  /** Sample members evicted by a newcomer (or by an unpin), rule 7's included. */
  evicted: number;
  /** Of those, members we could not reach that gave up their slot to a newcomer (rule 7). */
  replacedUnreachable: number;
}

/** Pinning beyond `pinnedMax`: local misuse by the runtime. */
export class DirectoryPinError extends Error {
  override name = 'DirectoryPinError';
}

const NODE_ID_CHARS = 32;
/** `host:port` or `host` (IPv4, a bracketed IPv6 literal, or a DNS name). */
const ADDRESS_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

/**
 * The slot list sharedSlots fills, shared by every directory of the process: each caller
 * reads it to the end before anything else can call sharedSlots again (the engine is
 * single-threaded and none of them calls out). A new Int32Array of a directory's size per
 * sync request and digest was a backing store of its own each time (4 KiB at 1,000 nodes).
 */
let slotScratch = new Int32Array(1024);

function slotScratchOf(size: number): Int32Array {
  if (slotScratch.length < size) slotScratch = new Int32Array(2 ** Math.ceil(Math.log2(size)));
  return slotScratch;
}

export class Directory {
  private readonly entries = new DescriptorTable();
  /** Revoked nodes: the revocation's issue time, until the time it stops mattering. */
  private readonly revoked = new Map<NodeId, { issued: number; until: Millis }>();
  readonly counters: DirectoryCounters = {
    forged: 0,
    malformed: 0,
    stale: 0,
    expired: 0,
    full: 0,
    sampledOut: 0,
    evicted: 0,
    replacedUnreachable: 0,
  };
  /** IDs never evicted and always admitted (rule 5). */
  private readonly pinned = new Set<NodeId>();
  /** Of those, the ones shared with neighbours like sampled records (tryPin). */
  private readonly sharedPins = new Set<NodeId>();
  /** The unpinned entries we hold (rule 5). */
  private readonly members: BottomK;
  /** Members our dials failed to reach, oldest first (rule 7): at most the sample's size… */
  private readonly unreachable: NodeId[] = [];
  /** …and when each failed (`unreachable[i]` at `unreachableSince[i]`). */
  private readonly unreachableSince: Millis[] = [];
  /**
   * Whether our routing suspects `id` is down (rule 7: such a newcomer takes no unreachable
   * member's slot). The runtime sets it; by default nobody is suspected.
   */
  suspected: (id: NodeId) => boolean = () => false;

  /** `salt`: this node's sampling secret (sample.ts sampleSaltOf); empty is a valid key. */
  constructor(
    private readonly crypto: CryptoSuite,
    private readonly limits: DirectoryLimits,
    salt: Uint8Array = new Uint8Array(0),
    /** How records are opened: `openRecord`, or one the runtime passes in (src/sim/record-cache.ts). */
    private readonly open: RecordOpener = openRecord,
  ) {
    this.members = new BottomK(limits.sampleSize ?? Infinity, sampleRanker(crypto, salt));
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: NodeId): Descriptor | undefined {
    return this.entries.get(id);
  }

  /** Unpinned descriptors held: at most `sampleSize`. */
  get sampled(): number {
    return this.members.size;
  }

  /**
   * Keeps `id` whatever its rank and never evicts it (rule 5). Throws DirectoryPinError
   * beyond `pinnedMax` pins: the runtime decides what to pin, so too many is its bug.
   */
  pin(id: NodeId): void {
    if (!this.tryPin(id)) throw new DirectoryPinError(`more than ${this.pinnedMax} pinned IDs`);
  }

  /**
   * pin() that answers false instead of throwing when `pinnedMax` pins are taken. A `shared`
   * pin (a pending message's target, pins.ts) still goes into digests and sync answers like
   * a sampled record: leaving it out would tell a neighbour whom we write to, since in a
   * directory below its sample size every node holds every record. A secret pin (the
   * runtime's contacts) stays out of both. Pinning again sets the kind.
   */
  tryPin(id: NodeId, shared = false): boolean {
    if (!this.pinned.has(id)) {
      if (this.pinned.size >= this.pinnedMax) return false;
      this.pinned.add(id);
      this.leaveSample(id);
    }
    if (shared) this.sharedPins.add(id);
    else this.sharedPins.delete(id);
    this.entries.setState(id, this.pinState(id));
    return true;
  }

  /** A pinned ID's slot state: a secret pin or a shared one. */
  private pinState(id: NodeId): SlotState {
    return this.sharedPins.has(id) ? SLOT_HELD : SLOT_PINNED;
  }

  private get pinnedMax(): number {
    return this.limits.pinnedMax ?? DEFAULT_DIRECTORY.pinnedMax;
  }

  /** Ends a pin; a held descriptor rejoins the sample, which may then evict its worst. */
  unpin(id: NodeId): void {
    this.sharedPins.delete(id);
    if (!this.pinned.delete(id) || !this.entries.has(id)) return;
    this.entries.setState(id, SLOT_SAMPLED);
    this.members.add(id);
    if (this.members.size > this.members.capacity) this.evict(this.members.worst() as NodeId);
  }

  /**
   * Our own dial to `id` failed, or it stopped answering as a neighbour (rule 7): if it is a
   * sample member, it gives up its slot to the next newcomer. Full directories keep all.
   */
  memberUnreachable(id: NodeId, now: Millis): void {
    if (this.limits.sampleSize === undefined || this.unreachable.includes(id)) return;
    if (!this.members.has(id)) return;
    this.unreachable.push(id);
    this.unreachableSince.push(now);
  }

  /** We reached `id` after all (a link to it is up): it keeps its slot. */
  memberReachable(id: NodeId): void {
    if (this.unreachable.length === 0) return;
    const at = this.unreachable.indexOf(id);
    if (at >= 0) this.unmark(at);
  }

  private unmark(at: number): void {
    this.unreachable.splice(at, 1);
    this.unreachableSince.splice(at, 1);
  }

  /**
   * Verifies and applies a record from the network, or (`only: 'descriptor'`) one a runtime
   * saved to disk: the same checks, but there a revocation has no place and is malformed.
   */
  acceptBytes(bytes: Uint8Array, now: Millis, only?: 'descriptor'): AcceptOutcome {
    const record = this.open(this.crypto, bytes);
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
      if (current) this.remove(record.id);
      else if (!this.pinned.has(record.id) && this.members.admit(record.id).kind === 'refuse')
        return 'revoked'; // rule 6: nothing to remember
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
    const pinned = this.pinned.has(record.id);
    if (!current) {
      const admission = pinned ? ({ kind: 'room' } as const) : this.admit(record);
      if (admission.kind === 'refuse') return this.count('sampledOut');
      if (admission.kind === 'room' && this.entries.size >= this.limits.entriesMax)
        return this.count('full');
      if (admission.kind === 'evict') this.evict(admission.evict);
      if (!pinned)
        this.members.add(record.id, admission.kind === 'evict' ? admission.rank : undefined);
    } else if (this.unreachable.length > 0) {
      // It announced itself again since it failed us (rule 7).
      const at = this.unreachable.indexOf(record.id);
      if (at >= 0 && record.issued >= (this.unreachableSince[at] as Millis)) this.unmark(at);
    }
    // Re-insert so that iteration order stays by freshness (prune and sync read it so).
    this.entries.set(record, pinned ? this.pinState(record.id) : SLOT_SAMPLED);
    return current ? 'updated' : 'new';
  }

  /** Drops expired descriptors and revocations that no longer matter. */
  prune(now: Millis): void {
    // Over the expiry column, removing as it goes (the table allows it): no copy of the
    // directory, and no descriptor read but the expired ones'.
    const { entries } = this;
    for (let slot = 0; slot < entries.end; slot++) {
      if (entries.state[slot] !== SLOT_EMPTY && (entries.expires[slot] as number) <= now)
        this.remove((entries.at(slot) as Descriptor).id);
    }
    for (const [id, r] of this.revoked) if (r.until <= now) this.revoked.delete(id);
  }

  /**
   * Whether `id` is a node we would hold a descriptor of (room, or a rank inside our
   * sample) but have never heard of, nor of its leaving: its announcements do not reach us
   * (overlay island checks, hyparview.ts).
   */
  isStranger(id: NodeId): boolean {
    if (this.entries.get(id) !== undefined || this.revoked.has(id)) return false;
    return this.members.admit(id).kind !== 'refuse';
  }

  /** Whether a revocation of `id` is remembered (rules 3 and 6). */
  isRevoked(id: NodeId): boolean {
    return this.revoked.has(id);
  }

  /** Unexpired descriptors of nodes that volunteer as relays. */
  relays(now: Millis): Descriptor[] {
    const out: Descriptor[] = [];
    for (const d of this.entries.values()) if (d.relay && d.expires > now) out.push(d);
    return out;
  }

  /**
   * Every unexpired descriptor we may hand to a neighbour, as signed bytes (directory
   * sync): the sample's and `own`'s, never another pinned one — what the runtime pinned
   * (its contacts, its pending targets) would tell our neighbours whom we talk to.
   */
  records(now: Millis, own?: NodeId): Uint8Array[] {
    const { slots, count } = this.sharedSlots(now, own);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++)
      out.push((this.entries.at(slots[i] as number) as Descriptor).bytes);
    return out;
  }

  /**
   * The slots of the records we hand to neighbours (records()), in order: unexpired, and
   * ours or not pinned. Reads the table's columns only, but for a pinned record. The list is
   * the shared slotScratch: read it before anything else runs.
   */
  private sharedSlots(now: Millis, own: NodeId | undefined): { slots: Int32Array; count: number } {
    const { entries } = this;
    const { state, expires, end } = entries;
    const slots = slotScratchOf(end);
    let count = 0;
    for (let slot = 0; slot < end; slot++) {
      const kind = state[slot];
      if ((expires[slot] as number) <= now) continue;
      if (
        kind === SLOT_SAMPLED ||
        kind === SLOT_HELD ||
        (kind === SLOT_PINNED && (entries.at(slot) as Descriptor).id === own)
      )
        slots[count++] = slot;
    }
    return { slots, count };
  }

  /**
   * Up to `count` of `records(now, own)` drawn at random (a periodic sync, Cyclon-style: a
   * random part of the sample spreads it without sending it all).
   */
  randomRecords(now: Millis, count: number, random: Random, own?: NodeId): Uint8Array[] {
    return sample(random, this.records(now, own), count);
  }

  /**
   * A digest of the records we would share (records(now, own): never another pinned one,
   * whose presence in a filter a neighbour could test), covering slice `slice` (mod the
   * slice count) under `salt`, both drawn by the caller.
   */
  digest(now: Millis, salt: number, slice: number, own?: NodeId): DirectoryDigest {
    const { slots, count } = this.sharedSlots(now, own);
    const slices = slicesFor(count);
    return buildDigestOf(this.entries, slots, count, salt >>> 0, slices, slice % slices);
  }

  /** The records we would share that `digest` covers and does not hold, as signed bytes. */
  missingFrom(now: Millis, digest: DirectoryDigest, own?: NodeId): Uint8Array[] {
    const { entries } = this;
    const { idHashA, idHashB, issued } = entries;
    const { slots, count } = this.sharedSlots(now, own);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const slot = slots[i] as number;
      const a = idHashA[slot] as number;
      const b = idHashB[slot] as number;
      if (!digestCoversId(digest, a, b)) continue;
      if (!digestHoldsRecord(digest, a, b, issued[slot] as number))
        out.push((entries.at(slot) as Descriptor).bytes);
    }
    return out;
  }

  ids(): NodeId[] {
    return this.entries.values().map((d) => d.id);
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

  /**
   * The sample's admission of a new node's descriptor (rule 5), where the member that failed
   * us first gives way to one issued since (rule 7; the marks are in time order).
   */
  private admit(record: Descriptor): Admission {
    const admission = this.members.admit(record.id);
    const gone = this.unreachable[0];
    if (
      admission.kind === 'room' ||
      gone === undefined ||
      record.issued < (this.unreachableSince[0] as Millis) ||
      this.suspected(record.id)
    )
      return admission;
    this.counters.replacedUnreachable += 1;
    return { kind: 'evict', evict: gone, rank: Number.NaN };
  }

  private remove(id: NodeId): void {
    this.entries.delete(id);
    this.leaveSample(id);
  }

  /** `id` is no longer a sample member (removed or pinned): it has no slot to give up. */
  private leaveSample(id: NodeId): void {
    this.members.delete(id);
    this.memberReachable(id);
  }

  private evict(id: NodeId): void {
    this.remove(id);
    this.counters.evicted += 1;
  }

  private count(
    outcome: Exclude<keyof DirectoryCounters, 'evicted' | 'replacedUnreachable'>,
  ): AcceptOutcome {
    this.counters[outcome] += 1;
    return outcome;
  }
}
