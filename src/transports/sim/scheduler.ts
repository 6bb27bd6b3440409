/**
 * A binary min-heap ordered by (time, seq): the simulator's event queue until session 19,
 * now the calendar queue's store for events beyond its ring (calendar-queue.ts) and the
 * order that queue is tested against.
 *
 * Theory of operation. Every pending event has an integer virtual time in milliseconds and
 * a sequence number taken from a counter that only grows, so two events at the same time
 * come out in the order they were pushed (FIFO). That tie-break is what makes a run
 * deterministic: the order of pops depends only on the order of pushes, never on the heap's
 * internal layout. Items pushed `first` (the network's wake-ups) come out before the rest
 * of their millisecond, so when a timer fires relative to the frames of its millisecond
 * does not depend on when it was asked for.
 *
 * Layout. Keys live in one interleaved Float64Array (`keys[2k]` = time, `keys[2k+1]` = seq)
 * and payloads in a plain array, so a sift touches two cache-friendly numbers per level
 * instead of chasing one object pointer per comparison. Measured on this machine it runs
 * several times faster than a heap of `{time, seq, item}` objects once ~100k events are
 * pending (TOOLCHAIN.md: ~0.4M/s with objects). Sifts move a "hole" rather than swapping.
 *
 * Rules:
 * 1. Times are finite numbers; the queue does not check that they are integers (the
 *    network rounds every delay to whole milliseconds).
 * 2. `seq` is a float64 counter: exact up to 2^53 pushes, far beyond any run.
 * 3. A popped slot's payload is cleared so the queue never keeps a dead event alive.
 */

const INITIAL_CAPACITY = 1024;
/** Subtracted from a `first` item's seq: below every plain seq, still exact (Rule 2). */
const FIRST_OFFSET = 2 ** 52;

export class EventQueue<T> {
  private keys: Float64Array;
  private items: (T | undefined)[];
  private count = 0;
  private nextSeq = 0;
  private lastTime = 0;
  private lastSeq = -1;

  constructor(initialCapacity: number = INITIAL_CAPACITY) {
    const capacity = Math.max(16, initialCapacity | 0);
    this.keys = new Float64Array(capacity * 2);
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Number of pending events. */
  get size(): number {
    return this.count;
  }

  /**
   * Pushes `item` at `time`; ties with equal time pop in push order, except that `first`
   * items pop before every other item of their time (in push order among themselves).
   */
  push(time: number, item: T, first = false): void {
    if (this.count * 2 === this.keys.length) this.grow();
    const keys = this.keys;
    const items = this.items;
    const seq = first ? this.nextSeq++ - FIRST_OFFSET : this.nextSeq++;
    // Sift the hole up from the new leaf.
    let hole = this.count++;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const pt = keys[2 * parent] as number;
      if (pt < time || (pt === time && (keys[2 * parent + 1] as number) < seq)) break;
      keys[2 * hole] = pt;
      keys[2 * hole + 1] = keys[2 * parent + 1] as number;
      items[hole] = items[parent];
      hole = parent;
    }
    keys[2 * hole] = time;
    keys[2 * hole + 1] = seq;
    items[hole] = item;
  }

  /** Time of the earliest event, or `Infinity` when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : (this.keys[0] as number);
  }

  /** Whether the earliest event was pushed `first` (false when empty). */
  peekFirst(): boolean {
    return this.count > 0 && (this.keys[1] as number) < 0;
  }

  /** The earliest event without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[0];
  }

  /**
   * Removes and returns the earliest event; its time and seq are then readable from
   * `lastPoppedTime` / `lastPoppedSeq`. Returns undefined when empty.
   */
  pop(): T | undefined {
    const n = this.count;
    if (n === 0) return undefined;
    const keys = this.keys;
    const items = this.items;
    const top = items[0];
    this.lastTime = keys[0] as number;
    this.lastSeq = keys[1] as number;
    const last = n - 1;
    this.count = last;
    if (last > 0) {
      // Sift the former last leaf down from the root.
      const time = keys[2 * last] as number;
      const seq = keys[2 * last + 1] as number;
      const item = items[last];
      let hole = 0;
      for (;;) {
        let child = 2 * hole + 1;
        if (child >= last) break;
        let ct = keys[2 * child] as number;
        let cs = keys[2 * child + 1] as number;
        const right = child + 1;
        if (right < last) {
          const rt = keys[2 * right] as number;
          const rs = keys[2 * right + 1] as number;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (time < ct || (time === ct && seq < cs)) break;
        keys[2 * hole] = ct;
        keys[2 * hole + 1] = cs;
        items[hole] = items[child];
        hole = child;
      }
      keys[2 * hole] = time;
      keys[2 * hole + 1] = seq;
      items[hole] = item;
    }
    items[last] = undefined;
    return top;
  }

  /** Time of the event most recently returned by `pop`. */
  get lastPoppedTime(): number {
    return this.lastTime;
  }

  /** Sequence number of the event most recently returned by `pop`. */
  get lastPoppedSeq(): number {
    return this.lastSeq;
  }

  /** Drops every pending event (the seq counter keeps counting). */
  clear(): void {
    this.items.fill(undefined, 0, this.count);
    this.count = 0;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const capacity = keys.length / 2;
    for (let i = this.items.length; i < capacity; i++) this.items.push(undefined);
  }
}
