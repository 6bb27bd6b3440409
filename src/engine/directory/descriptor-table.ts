/**
 * The descriptors a directory holds, in the order of their last insert or update (so by
 * freshness), with the fields a pass over the whole directory reads kept in typed columns:
 * the ID's two hashes, the issue and expiry times, and whether the ID is pinned.
 *
 * Why columns: anti-entropy (digest.ts) reads every record of a node's directory about once
 * a minute on every node, and an answer reads them all again. From a Map of descriptor
 * objects each record cost a Map entry, a descriptor and its boxed hash numbers, each a
 * cache miss once a thousand simulated directories share the cache; here a record is ~25
 * contiguous bytes, and the descriptor itself is read only for the records a pass keeps.
 *
 * Slots: an insert or update appends; a removal leaves a hole. The holes are closed (the
 * order kept) on the next append once they are a quarter of the live slots, never during
 * a pass, so a caller may remove records while it walks the slots. A sampled directory
 * replaces members all the time: looser, its columns doubled (100,000 simulated nodes).
 */
import type { NodeId } from '../types.js';
import type { Descriptor } from './records.js';

/** A slot's state (`state` column). */
export const SLOT_EMPTY = 0;
export const SLOT_SAMPLED = 1;
export const SLOT_PINNED = 2;

/** Slots allocated at first; the columns double when full. */
const INITIAL_SLOTS = 16;
/** Holes tolerated before compaction, whatever the live count. */
const HOLES_MIN = 8;
/** Past this share of the live slots, holes are closed on the next append. */
const HOLES_SHARE_MAX = 0.25;

export class DescriptorTable {
  private readonly slotOf = new Map<NodeId, number>();
  private records: (Descriptor | undefined)[] = [];
  /** Columns, valid for slots below `end`; callers read them, only the table writes. */
  idHashA = new Int32Array(INITIAL_SLOTS);
  idHashB = new Int32Array(INITIAL_SLOTS);
  issued = new Float64Array(INITIAL_SLOTS);
  expires = new Float64Array(INITIAL_SLOTS);
  state = new Uint8Array(INITIAL_SLOTS);
  /** Slots in use, live or holes: a pass walks slots 0 … end − 1. */
  end = 0;
  private holes = 0;

  get size(): number {
    return this.slotOf.size;
  }

  has(id: NodeId): boolean {
    return this.slotOf.has(id);
  }

  get(id: NodeId): Descriptor | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.records[slot];
  }

  /** The descriptor in `slot`, or undefined for a hole. */
  at(slot: number): Descriptor | undefined {
    return this.records[slot];
  }

  /** The descriptors held, in order (a copy: the caller may remove while it reads). */
  values(): Descriptor[] {
    const out: Descriptor[] = [];
    for (let slot = 0; slot < this.end; slot++) {
      const d = this.records[slot];
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  /** Inserts `d`, or replaces the ID's descriptor; either way it becomes the freshest. */
  set(d: Descriptor, pinned: boolean): void {
    this.delete(d.id);
    if (this.holes >= HOLES_MIN && this.holes > HOLES_SHARE_MAX * this.slotOf.size) this.compact();
    if (this.end === this.state.length) this.grow();
    const slot = this.end++;
    this.records[slot] = d;
    this.idHashA[slot] = d.idHashA;
    this.idHashB[slot] = d.idHashB;
    this.issued[slot] = d.issued;
    this.expires[slot] = d.expires;
    this.state[slot] = pinned ? SLOT_PINNED : SLOT_SAMPLED;
    this.slotOf.set(d.id, slot);
  }

  delete(id: NodeId): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.records[slot] = undefined;
    this.state[slot] = SLOT_EMPTY;
    this.holes += 1;
    return true;
  }

  /** Marks a held ID pinned or not (no-op for one not held). */
  setPinned(id: NodeId, pinned: boolean): void {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) this.state[slot] = pinned ? SLOT_PINNED : SLOT_SAMPLED;
  }

  private grow(): void {
    const capacity = this.state.length * 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(column: T, next: T): T => {
      next.set(column);
      return next;
    };
    this.idHashA = widen(this.idHashA, new Int32Array(capacity));
    this.idHashB = widen(this.idHashB, new Int32Array(capacity));
    this.issued = widen(this.issued, new Float64Array(capacity));
    this.expires = widen(this.expires, new Float64Array(capacity));
    this.state = widen(this.state, new Uint8Array(capacity));
  }

  /** Moves the live slots down over the holes, in order. */
  private compact(): void {
    let to = 0;
    for (let from = 0; from < this.end; from++) {
      const d = this.records[from];
      if (d === undefined) continue;
      if (to !== from) {
        this.records[to] = d;
        this.idHashA[to] = this.idHashA[from] as number;
        this.idHashB[to] = this.idHashB[from] as number;
        this.issued[to] = this.issued[from] as number;
        this.expires[to] = this.expires[from] as number;
        this.state[to] = this.state[from] as number;
        this.slotOf.set(d.id, to);
      }
      to++;
    }
    this.state.fill(SLOT_EMPTY, to, this.end);
    this.records.length = to;
    this.end = to;
    this.holes = 0;
  }
}
