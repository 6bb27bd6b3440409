/**
 * A table of named deadlines (quinn-proto's `timer.rs`, STYLE.md #3). The node asks its
 * runtime for one wake-up at the earliest deadline; on a tick it fires whatever is due.
 *
 * The node asks for the earliest deadline after every input, and most inputs change no
 * deadline or only move one later that was not the earliest, so the answer is kept until
 * a change could alter it (`earliestKnown`).
 */
import type { Millis } from './types.js';

export class TimerTable<Kind extends string> {
  private readonly deadlines = new Map<Kind, Millis>();
  /** The earliest deadline (undefined: none), valid while `earliestKnown`. */
  private earliest: Millis | undefined;
  private earliestKnown = true;

  set(kind: Kind, at: Millis): void {
    if (!this.earliestKnown) {
      this.deadlines.set(kind, at);
      return;
    }
    const before = this.deadlines.get(kind);
    this.deadlines.set(kind, at);
    if (this.earliest === undefined || at < this.earliest) this.earliest = at;
    else if (before === this.earliest && at !== before) this.earliestKnown = false;
  }

  clear(kind: Kind): void {
    const before = this.deadlines.get(kind);
    if (before === undefined) return;
    this.deadlines.delete(kind);
    if (before === this.earliest) this.earliestKnown = false;
  }

  get(kind: Kind): Millis | undefined {
    return this.deadlines.get(kind);
  }

  /** Removes and returns the kinds due at `now`, in a fixed order (insertion order). */
  takeDue(now: Millis): Kind[] {
    const due: Kind[] = [];
    for (const [kind, at] of this.deadlines) if (at <= now) due.push(kind);
    for (const kind of due) this.deadlines.delete(kind);
    if (due.length > 0) this.earliestKnown = false;
    return due;
  }

  /** The earliest deadline, or undefined when nothing is scheduled. */
  next(): Millis | undefined {
    if (this.earliestKnown) return this.earliest;
    let earliest: Millis | undefined;
    for (const at of this.deadlines.values())
      if (earliest === undefined || at < earliest) earliest = at;
    this.earliest = earliest;
    this.earliestKnown = true;
    return earliest;
  }
}
