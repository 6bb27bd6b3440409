/**
 * The simulator's event queue as a calendar of milliseconds: the same pop order as the
 * binary heap (`EventQueue`, scheduler.ts) — by time, then `first` items, then push order —
 * at a constant cost a push or pop instead of a sift over ~17 levels of a heap whose lower
 * levels are out of the caches by the time the next event comes.
 *
 * Theory of operation. The simulator's times are whole milliseconds, and nearly every event
 * falls within a minute of now (frames in tens of ms, timers in seconds). A ring of
 * `CALENDAR_WINDOW_MS` buckets covers [base, base + window): the bucket of time t is
 * `t mod window`, and holds two FIFO lists, the `first` items and the rest, chained through
 * the items themselves (`queueNext`), so a pop reads the event it returns and nothing else
 * cold. An occupancy bit per bucket finds the next non-empty one. Later times wait in an
 * overflow heap and move into their buckets as the window reaches them.
 *
 * Rules:
 * 1. Times are whole numbers, never before the last popped time (the network's clock): a
 *    bucket holds one time, and the window only moves forward.
 * 2. Order within a time is the heap's: `first` items before the rest, each in push order.
 *    An overflow item was pushed before any direct push to its time (the window reaches the
 *    time only later), and moves in (time, push) order, so appending keeps push order.
 * 3. Every overflow item is at or after base + window: `base` moves only in `pop`, and each
 *    move brings in what it uncovered before anything else is pushed.
 * 4. A popped item's `queueNext` is cleared, so the queue never keeps a dead item alive.
 */
import { EventQueue } from './scheduler.js';

/** Buckets in the ring (a power of two): 65.5 s of milliseconds, beyond every frame delay. */
export const CALENDAR_WINDOW_MS = 1 << 16;

/** What the calendar chains: any object with a spare link field. */
export interface CalendarItem<T> {
  queueNext: T | null;
}

export class CalendarQueue<T extends CalendarItem<T>> {
  private readonly window: number;
  private readonly mask: number;
  private readonly words: number;
  private readonly firstHead: (T | null)[];
  private readonly firstTail: (T | null)[];
  private readonly restHead: (T | null)[];
  private readonly restTail: (T | null)[];
  /** Bit b of word b >> 5: bucket b holds an item. */
  private readonly occupied: Int32Array;
  private readonly overflow = new EventQueue<T>();
  /** No pending item is earlier; the ring covers [base, base + window). */
  private base = 0;
  private inRing = 0;
  private lastTime = 0;

  /** `windowMs`: the ring's size, a power of two (smaller ones let tests cross it often). */
  constructor(windowMs: number = CALENDAR_WINDOW_MS) {
    if (!Number.isInteger(Math.log2(windowMs))) {
      throw new RangeError(`calendar: window ${windowMs} is not a power of two`);
    }
    this.window = windowMs;
    this.mask = windowMs - 1;
    this.words = Math.ceil(windowMs / 32);
    this.firstHead = new Array<T | null>(windowMs).fill(null);
    this.firstTail = new Array<T | null>(windowMs).fill(null);
    this.restHead = new Array<T | null>(windowMs).fill(null);
    this.restTail = new Array<T | null>(windowMs).fill(null);
    this.occupied = new Int32Array(this.words);
  }

  /** Number of pending items. */
  get size(): number {
    return this.inRing + this.overflow.size;
  }

  /**
   * Pushes `item` at whole-millisecond `time` (≥ the last popped time); ties pop in push
   * order, except that `first` items pop before every other item of their time.
   */
  push(time: number, item: T, first = false): void {
    if (!Number.isInteger(time) || time < this.base) {
      throw new RangeError(`calendar: time ${time} is not a whole ms at or after ${this.base}`);
    }
    if (time - this.base >= this.window) this.overflow.push(time, item, first);
    else this.append(time & this.mask, item, first);
  }

  /** Time of the earliest item, or `Infinity` when empty. */
  peekTime(): number {
    if (this.inRing === 0) return this.overflow.peekTime();
    return this.base + ((this.nextOccupied() - this.base) & this.mask);
  }

  /** Removes and returns the earliest item (its time is then `lastPoppedTime`). */
  pop(): T | undefined {
    return this.popAtOrBefore(Infinity);
  }

  /**
   * Removes and returns the earliest item if its time is ≤ `limit`, else leaves the queue as
   * it is and returns undefined: the simulator's loop finds the next bucket once an event,
   * where peekTime() and then pop() found it twice.
   */
  popAtOrBefore(limit: number): T | undefined {
    if (this.inRing === 0) {
      const next = this.overflow.peekTime(); // Infinity when empty
      if (next > limit || next === Infinity) return undefined;
      this.moveBase(next);
    }
    const bucket = this.nextOccupied();
    const time = this.base + ((bucket - this.base) & this.mask);
    if (time > limit) return undefined;
    if (time !== this.base) this.moveBase(time);
    let item = this.firstHead[bucket] as T | null;
    if (item !== null) {
      this.firstHead[bucket] = item.queueNext;
      if (item.queueNext === null) this.firstTail[bucket] = null;
    } else {
      item = this.restHead[bucket] as T;
      this.restHead[bucket] = item.queueNext;
      if (item.queueNext === null) this.restTail[bucket] = null;
    }
    item.queueNext = null;
    if (this.firstHead[bucket] === null && this.restHead[bucket] === null) {
      (this.occupied[bucket >>> 5] as number) &= ~(1 << (bucket & 31));
    }
    this.inRing--;
    this.lastTime = time;
    return item;
  }

  /** Time of the item most recently returned by `pop`. */
  get lastPoppedTime(): number {
    return this.lastTime;
  }

  private append(bucket: number, item: T, first: boolean): void {
    const heads = first ? this.firstHead : this.restHead;
    const tails = first ? this.firstTail : this.restTail;
    const tail = tails[bucket] as T | null;
    item.queueNext = null;
    if (tail === null) heads[bucket] = item;
    else tail.queueNext = item;
    tails[bucket] = item;
    (this.occupied[bucket >>> 5] as number) |= 1 << (bucket & 31);
    this.inRing++;
  }

  /** Moves the window's start to `time` and brings in the overflow it now covers (Rule 3). */
  private moveBase(time: number): void {
    this.base = time;
    const overflow = this.overflow;
    const end = time + this.window;
    while (overflow.size > 0 && overflow.peekTime() < end) {
      const first = overflow.peekFirst();
      const at = overflow.peekTime();
      this.append(at & this.mask, overflow.pop() as T, first);
    }
  }

  /** The first occupied bucket at or after base's, in ring order (the ring is not empty). */
  private nextOccupied(): number {
    const start = this.base & this.mask;
    let word = start >>> 5;
    let bits = (this.occupied[word] as number) & (-1 << (start & 31));
    for (let scanned = 0; bits === 0; scanned++) {
      word = word + 1 === this.words ? 0 : word + 1;
      // After a full turn, the start word's low bits (buckets before base's, i.e. the
      // ring's far end) are the only ones left.
      bits = this.occupied[word] as number;
      if (scanned > this.words) throw new Error('calendar: occupancy bits lost');
    }
    return (word << 5) + (31 - Math.clz32(bits & -bits));
  }
}
