/** A CliIo that records what a command prints, for in-process CLI tests (no TTY, clock at 0). */
import type { CliIo } from '../../src/cli/context.js';

export function captureIo(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: false, columns: 80, write: () => true },
    clock: () => 0,
    env: {},
  };
  return { io, out, err };
}
