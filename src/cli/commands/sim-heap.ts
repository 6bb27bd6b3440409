/**
 * `p2pmsg sim --max-heap MiB`: the simulation's JavaScript heap limit (V8's old space).
 *
 * Why: Node's default limit is a fixed share of the machine (4 GiB here): too small for the
 * largest scenarios (scale-100k), and for the others a ceiling V8 grows towards before it
 * collects — a 10,000-node hour held 2.7 GiB, most of it garbage. With a limit sized to the
 * run V8 collects sooner and the process stays small, for some CPU (README "Scale and
 * speed" has the numbers).
 *
 * V8 fixes the limit when a process starts, so the command runs itself again, once, with
 * `--max-old-space-size` and passes on its exit code; an environment variable tells the
 * second process that its limit is set. A run that outgrows the limit dies in V8 (SIGABRT
 * after "JavaScript heap out of memory"): the first process says so and what to do.
 */
import { getHeapStatistics } from 'node:v8';
import type { CliIo, Ended } from '../context.js';
import { EXIT_INTERNAL, UsageError } from '../errors.js';

/** Set to the limit (MiB) in the environment of the process that runs with it. */
export const MAX_HEAP_ENV = 'P2PMSG_SIM_MAX_HEAP';

const MIB = 1024 * 1024;

/**
 * Runs the command again under a heap limit of `maxHeapMiB`, unless this process is that
 * run: null means "go on here", a number is the exit code of the run that went elsewhere.
 */
export async function runUnderHeapLimit(io: CliIo, maxHeapMiB: number): Promise<number | null> {
  if (io.env[MAX_HEAP_ENV] === String(maxHeapMiB)) return null;
  if (io.relaunch === undefined) {
    throw new UsageError('--max-heap needs the p2pmsg executable (it restarts the process)');
  }
  const ended = await io.relaunch([`--max-old-space-size=${maxHeapMiB}`], {
    [MAX_HEAP_ENV]: String(maxHeapMiB),
  });
  if (ended.code !== null) return ended.code;
  io.err(`error: ${describeEnd(ended, maxHeapMiB)}`);
  return EXIT_INTERNAL;
}

function describeEnd(ended: Ended, maxHeapMiB: number): string {
  if (ended.signal === 'SIGABRT') {
    return (
      `the simulation outgrew its heap limit of ${maxHeapMiB} MiB (--max-heap) and V8 ` +
      'stopped it; give it more, or run fewer nodes'
    );
  }
  return `the simulation process was ended by ${ended.signal ?? 'an unknown cause'}`;
}

/** V8's whole heap limit in this process (old space + young generation), MiB. */
function heapLimitMiB(): number {
  return Math.round(getHeapStatistics().heap_size_limit / MIB);
}

/** The line that shows the limit took. */
export function heapLimitLine(maxHeapMiB: number): string {
  return `heap: V8 limit ${heapLimitMiB()} MiB (--max-heap ${maxHeapMiB} for the old space)`;
}

/** For a large network run without --max-heap: the limit it has, and what to do about it. */
export function heapAdviceLine(): string {
  return (
    `note: a large network under Node's default heap limit (${heapLimitMiB()} MiB here); if V8 ` +
    'stops it out of memory, or to keep its memory down, give it --max-heap MiB (see --help)'
  );
}
