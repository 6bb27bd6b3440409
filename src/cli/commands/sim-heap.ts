/**
 * The simulation's own V8 heap settings: the young generation's size always, and with
 * `p2pmsg sim --max-heap MiB` the JavaScript heap limit (V8's old space).
 *
 * Why the young generation: a simulation allocates ~1.7 KB an event, most of it dead within
 * the event, and under Node's default young generation V8 scavenges so often that it copies
 * whatever happens to be alive each time (SIM_SEMI_SPACE_MIB has the measurements).
 *
 * Why the limit: Node's default is a fixed share of the machine (4 GiB here): too small for
 * the largest scenarios (scale-100k), and for the others a ceiling V8 grows towards before it
 * collects — a 10,000-node hour held 2.7 GiB, most of it garbage. With a limit sized to the
 * run V8 collects sooner and the process stays small, for some CPU.
 *
 * V8 fixes both when a process starts, so the command runs itself again, once, with the
 * flags and passes on its exit code; an environment variable tells the second process that
 * its flags are set. Where the command cannot restart itself (in-process callers such as the
 * tests) it runs where it is with V8's defaults, unless --max-heap asked for a limit. A run
 * that outgrows the limit dies in V8 (SIGABRT after "JavaScript heap out of memory"): the
 * first process says so and what to do.
 */
import { getHeapStatistics } from 'node:v8';
import { SIM_SEMI_SPACE_MIB } from '../../sim/limits.js';
import type { CliIo, Ended } from '../context.js';
import { EXIT_INTERNAL, UsageError } from '../errors.js';

/** Set to the V8 flags (simHeapFlags, space-separated) in the process that runs with them. */
export const SIM_HEAP_ENV = 'P2PMSG_SIM_HEAP_FLAGS';

const MIB = 1024 * 1024;

/** The Node flags a simulation runs under: the young generation's, and the limit if given. */
export function simHeapFlags(maxHeapMiB: number | undefined): string[] {
  return [
    `--min-semi-space-size=${SIM_SEMI_SPACE_MIB}`,
    `--max-semi-space-size=${SIM_SEMI_SPACE_MIB}`,
    ...(maxHeapMiB === undefined ? [] : [`--max-old-space-size=${maxHeapMiB}`]),
  ];
}

/**
 * Runs the command again under simHeapFlags, unless this process is that run or cannot
 * restart itself: null means "go on here", a number is the exit code of the run that went
 * elsewhere.
 */
export async function runUnderSimHeap(
  io: CliIo,
  maxHeapMiB: number | undefined,
): Promise<number | null> {
  const flags = simHeapFlags(maxHeapMiB);
  const marker = flags.join(' ');
  if (io.env[SIM_HEAP_ENV] === marker) return null;
  if (io.relaunch === undefined) {
    if (maxHeapMiB === undefined) return null; // V8's defaults: slower, the same results
    throw new UsageError('--max-heap needs the p2pmsg executable (it restarts the process)');
  }
  const ended = await io.relaunch(flags, { [SIM_HEAP_ENV]: marker });
  if (ended.code !== null) return ended.code;
  io.err(`error: ${describeEnd(ended, maxHeapMiB)}`);
  return EXIT_INTERNAL;
}

function describeEnd(ended: Ended, maxHeapMiB: number | undefined): string {
  if (ended.signal === 'SIGABRT') {
    return maxHeapMiB === undefined
      ? `V8 stopped the simulation (SIGABRT), most often because it outgrew Node's default ` +
          'heap limit; give it --max-heap MiB (see --help), or run fewer nodes'
      : `the simulation outgrew its heap limit of ${maxHeapMiB} MiB (--max-heap) and V8 ` +
          'stopped it; give it more, or run fewer nodes';
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
