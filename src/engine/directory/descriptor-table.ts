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
 *
 * Finding an ID's slot: an open-addressing index over the `idHashA` column (linear
 * probing, twice the columns' length, so at most half full), rebuilt whenever the slots
 * move. A Map did this at ~3.5 KiB per 50-record sample (its table doubles as removals
 * accumulate); the index is 4 bytes a cell.
 */
import type { NodeId } from '../types.js';
import { idHashAOf } from './digest.js';
import type { Descriptor } from './records.js';

/** A slot's state (`state` column). */
export const SLOT_EMPTY = 0;
export const SLOT_SAMPLED = 1;
export const SLOT_PINNED = 2;
/** Pinned, yet shared with neighbours like a sampled record (a pending message's target). */
export const SLOT_HELD = 3;

/** A live slot's state. */
export type SlotState = typeof SLOT_SAMPLED | typeof SLOT_PINNED | typeof SLOT_HELD;

/** Slots allocated at first; the columns double when full. */
const INITIAL_SLOTS = 16;
/** Holes tolerated before compaction, whatever the live count. */
const HOLES_MIN = 8;
/** Past this share of the live slots, holes are closed on the next append. */
const HOLES_SHARE_MAX = 0.25;
/** Index cells per slot of the columns: the index is at most half full. */
const INDEX_CELLS_PER_SLOT = 2;
/** An index cell: EMPTY, GONE (a removed slot; probes go on past it), or slot + 1. */
const CELL_EMPTY = 0;
const CELL_GONE = -1;

export class DescriptorTable {
  private records: (Descriptor | undefined)[] = [];
  private index = new Int32Array(INITIAL_SLOTS * INDEX_CELLS_PER_SLOT);
  private live = 0;
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
    return this.live;
  }

  has(id: NodeId): boolean {
    return this.cellOf(id) >= 0;
  }

  get(id: NodeId): Descriptor | undefined {
    const cell = this.cellOf(id);
    return cell < 0 ? undefined : this.records[(this.index[cell] as number) - 1];
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
  set(d: Descriptor, state: SlotState): void {
    this.delete(d.id);
    if (this.holes >= HOLES_MIN && this.holes > HOLES_SHARE_MAX * this.live) this.compact();
    if (this.end === this.state.length) this.grow();
    const slot = this.end++;
    this.records[slot] = d;
    this.idHashA[slot] = d.idHashA;
    this.idHashB[slot] = d.idHashB;
    this.issued[slot] = d.issued;
    this.expires[slot] = d.expires;
    this.state[slot] = state;
    this.indexSlot(slot);
    this.live += 1;
  }

  delete(id: NodeId): boolean {
    const cell = this.cellOf(id);
    if (cell < 0) return false;
    const slot = (this.index[cell] as number) - 1;
    this.index[cell] = CELL_GONE;
    this.records[slot] = undefined;
    this.state[slot] = SLOT_EMPTY;
    this.holes += 1;
    this.live -= 1;
    return true;
  }

  /** Sets a held ID's state (no-op for one not held). */
  setState(id: NodeId, state: SlotState): void {
    const cell = this.cellOf(id);
    if (cell >= 0) this.state[(this.index[cell] as number) - 1] = state;
  }

  /** The index cell holding `id`'s slot, or -1. */
  private cellOf(id: NodeId): number {
    const { index, idHashA, records } = this;
    const hash = idHashAOf(id);
    const mask = index.length - 1;
    for (let cell = hash & mask; ; cell = (cell + 1) & mask) {
      const entry = index[cell] as number;
      if (entry === CELL_EMPTY) return -1;
      if (entry > 0 && idHashA[entry - 1] === hash && (records[entry - 1] as Descriptor).id === id)
        return cell;
    }
  }

  /** Enters a new slot in the index, in the first free cell (the ID is not held). */
  private indexSlot(slot: number): void {
    const { index } = this;
    const mask = index.length - 1;
    let cell = (this.idHashA[slot] as number) & mask;
    while ((index[cell] as number) > 0) cell = (cell + 1) & mask;
    index[cell] = slot + 1;
  }

  /** Builds the index anew for the slots as they are (after they moved or grew). */
  private reindex(): void {
    const cells = this.state.length * INDEX_CELLS_PER_SLOT;
    if (this.index.length === cells) this.index.fill(CELL_EMPTY);
    else this.index = new Int32Array(cells);
    for (let slot = 0; slot < this.end; slot++) {
      if (this.records[slot] !== undefined) this.indexSlot(slot);
    }
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
    this.reindex();
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
      }
      to++;
    }
    this.state.fill(SLOT_EMPTY, to, this.end);
    this.records.length = to;
    this.end = to;
    this.holes = 0;
    this.reindex();
  }
}
