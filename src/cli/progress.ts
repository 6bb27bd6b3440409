/**
 * A one-line progress bar of simulated time, drawn on a terminal only.
 *
 * Rules:
 * 1. Only when the stream is a TTY (createProgressBar returns null otherwise): piped or
 *    redirected output and CI logs never see carriage returns or escape codes.
 * 2. Throttled to one redraw per PROGRESS_REDRAW_MS of wall time (~10/s), whatever the rate
 *    of `update` calls; the runner may call it after every simulated event batch.
 * 3. `finish()` erases the line, so the next message starts on a clean line.
 * Wall time belongs here (the terminal), never in report files.
 */

import { humanDuration } from '../sim/duration.js';

/** Redraw at most ten times per second: smooth to the eye, negligible cost. */
export const PROGRESS_REDRAW_MS = 100;
/** Bar width bounds in characters; the bar shrinks on narrow terminals. */
export const PROGRESS_BAR_MIN_CHARS = 10;
export const PROGRESS_BAR_MAX_CHARS = 40;
const TERMINAL_COLUMNS_DEFAULT = 80;

/** The part of a tty.WriteStream the bar uses. */
export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Wall clock in ms (injected for tests). */
  clock?: () => number;
  /** Minimum wall time between redraws. */
  redrawMs?: number;
}

export class ProgressBar {
  private readonly clock: () => number;
  private readonly redrawMs: number;
  private readonly startedAt: number;
  private lastDrawAt = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private totalMs: number,
    options: ProgressOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.redrawMs = options.redrawMs ?? PROGRESS_REDRAW_MS;
    this.startedAt = this.clock();
  }

  /** Simulated time has reached `nowMs` of `totalMs`; redraws if enough wall time has passed. */
  update(nowMs: number, totalMs: number = this.totalMs): void {
    this.totalMs = totalMs;
    const wall = this.clock();
    const done = nowMs >= totalMs;
    if (!done && wall - this.lastDrawAt < this.redrawMs) return;
    this.lastDrawAt = wall;
    this.stream.write(`\r${this.render(nowMs, wall)}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar (if one was drawn). */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The text of the bar, without control characters. */
  render(nowMs: number, wallNow: number = this.clock()): string {
    const fraction = this.totalMs > 0 ? Math.min(1, Math.max(0, nowMs / this.totalMs)) : 1;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const times =
      `${humanDuration(Math.min(nowMs, this.totalMs))} / ${humanDuration(this.totalMs)} simulated, ` +
      `${humanDuration(wallNow - this.startedAt)} wall`;
    const columns = this.stream.columns ?? TERMINAL_COLUMNS_DEFAULT;
    const room = columns - percent.length - times.length - 4;
    const width = Math.max(PROGRESS_BAR_MIN_CHARS, Math.min(PROGRESS_BAR_MAX_CHARS, room));
    const filled = Math.round(fraction * width);
    return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${percent}  ${times}`;
  }
}

/** A progress bar on `stream` if it is a terminal, else null. */
export function createProgressBar(
  stream: ProgressStream,
  totalMs: number,
  options?: ProgressOptions,
): ProgressBar | null {
  return stream.isTTY === true ? new ProgressBar(stream, totalMs, options) : null;
}
