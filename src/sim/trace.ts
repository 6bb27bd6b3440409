/**
 * The engine-event trace of one run: `events.ndjson`, one JSON line per engine event, in the
 * order the simulator emitted them (`p2pmsg sim --trace`).
 *
 * A line is `{"t":<simulated ms>,"node":<node index>,"event":<the EngineEvent>}`. The same
 * scenario and seed give the same file byte for byte, like summary.json: nothing in a line
 * comes from the wall clock, and the determinism check hashes exactly these lines.
 *
 * Rules:
 * 1. Bounded: at most TRACE_LINES_MAX lines and TRACE_BYTES_MAX bytes of event lines. Past
 *    either limit events are counted, not written, and the file ends with one note line
 *    `{"truncated":true,...}` saying which limit stopped it and how many events there were.
 * 2. Written in blocks through a file descriptor, not a stream: the run is synchronous, so a
 *    stream would buffer the whole trace in memory until the run returns.
 * 3. Written to `events.ndjson.partial` and renamed by `close`, so a file named events.ndjson
 *    is always complete (or ends with its truncation note). `close` is also right after a
 *    failed run: the trace up to the failure is what one debugs with.
 */

import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../engine/types.js';
import { TRACE_BYTES_MAX, TRACE_LINES_MAX, TRACE_WRITE_BLOCK_BYTES } from './limits.js';

export const TRACE_FILE = 'events.ndjson';

/** One engine event as the trace stores it. */
export interface TraceRecord {
  t: number;
  node: number;
  event: EngineEvent;
}

/** The line of one engine event (no newline). */
export function traceLine(node: number, event: EngineEvent, now: number): string {
  return `{"t":${now},"node":${node},"event":${JSON.stringify(event)}}`;
}

export interface TraceLimits {
  linesMax: number;
  bytesMax: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  linesMax: TRACE_LINES_MAX,
  bytesMax: TRACE_BYTES_MAX,
};

/** What a closed trace holds. */
export interface TraceResult {
  path: string;
  /** Event lines written (the truncation note not counted). */
  lines: number;
  /** Bytes of event lines written. */
  bytes: number;
  /** Engine events seen, written or not. */
  events: number;
  /** Which limit stopped the trace, or null when every event is in it. */
  truncatedBy: 'lines' | 'bytes' | null;
}

export class TraceWriter {
  readonly path: string;
  private readonly partialPath: string;
  private fd: number | null;
  private block: string[] = [];
  private blockBytes = 0;
  private lines = 0;
  private bytes = 0;
  private events = 0;
  private truncatedBy: 'lines' | 'bytes' | null = null;

  /** Opens `<dir>/events.ndjson.partial` (creating `dir`). */
  constructor(
    dir: string,
    private readonly limits: TraceLimits = DEFAULT_TRACE_LIMITS,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, TRACE_FILE);
    this.partialPath = `${this.path}.partial`;
    this.fd = openSync(this.partialPath, 'w');
  }

  /** The hook for RunOptions.onTrace. */
  readonly record = (node: number, event: EngineEvent, now: number): void => {
    this.events += 1;
    if (this.truncatedBy !== null) return;
    if (this.lines >= this.limits.linesMax) {
      this.truncatedBy = 'lines';
      return;
    }
    const line = `${traceLine(node, event, now)}\n`;
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.limits.bytesMax) {
      this.truncatedBy = 'bytes';
      return;
    }
    this.lines += 1;
    this.bytes += size;
    this.block.push(line);
    this.blockBytes += size;
    if (this.blockBytes >= TRACE_WRITE_BLOCK_BYTES) this.flush();
  };

  /** Writes what is buffered and the truncation note, and renames the file into place. */
  close(): TraceResult {
    if (this.fd !== null) {
      if (this.truncatedBy !== null) {
        const limit = this.truncatedBy === 'lines' ? 'TRACE_LINES_MAX' : 'TRACE_BYTES_MAX';
        const note = {
          truncated: true,
          limit,
          linesMax: this.limits.linesMax,
          bytesMax: this.limits.bytesMax,
          linesWritten: this.lines,
          eventsTotal: this.events,
        };
        this.block.push(`${JSON.stringify(note)}\n`);
      }
      this.flush();
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.partialPath, this.path);
    }
    return {
      path: this.path,
      lines: this.lines,
      bytes: this.bytes,
      events: this.events,
      truncatedBy: this.truncatedBy,
    };
  }

  private flush(): void {
    if (this.fd === null || this.block.length === 0) return;
    writeSync(this.fd, this.block.join(''));
    this.block = [];
    this.blockBytes = 0;
  }
}
