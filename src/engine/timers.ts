/**
 * A table of named deadlines (quinn-proto's `timer.rs`, STYLE.md #3). The node asks its
 * runtime for one wake-up at the earliest deadline; on a tick it fires whatever is due.
 */
import type { Millis } from './types.js';

export class TimerTable<Kind extends string> {
  private readonly deadlines = new Map<Kind, Millis>();

  set(kind: Kind, at: Millis): void {
    this.deadlines.set(kind, at);
  }

  clear(kind: Kind): void {
    this.deadlines.delete(kind);
  }

  get(kind: Kind): Millis | undefined {
    return this.deadlines.get(kind);
  }

  /** Removes and returns the kinds due at `now`, in a fixed order (insertion order). */
  takeDue(now: Millis): Kind[] {
    const due: Kind[] = [];
    for (const [kind, at] of this.deadlines) if (at <= now) due.push(kind);
    for (const kind of due) this.deadlines.delete(kind);
    return due;
  }

  /** The earliest deadline, or undefined when nothing is scheduled. */
  next(): Millis | undefined {
    let earliest: Millis | undefined;
    for (const at of this.deadlines.values())
      if (earliest === undefined || at < earliest) earliest = at;
    return earliest;
  }
}
