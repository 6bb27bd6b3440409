/**
 * The simulated network's internal records: event kinds, link-side states, and the event,
 * link and node records `SimNetwork` keeps. Plain classes with fixed fields, so V8 gives
 * each one shape and the hot loop stays monomorphic.
 *
 * Rules:
 * 1. A link's side 0 is the dialer, side 1 the callee; direction d carries what side d sends.
 * 2. A side is "done" from CLOSED on; the network forgets a link when both sides are done.
 */
import type { Random } from '../../engine/random.js';
import type { Engine } from '../../engine/types.js';
import { NODE_PORT } from './limits.js';

// Event kinds (also the trace's kind codes, with INPUT_COMMAND and TRACE_DROP).
export const EV_START = 1;
export const EV_WAKE = 2;
export const EV_OPEN_CALLEE = 3;
export const EV_OPEN_CALLER = 4;
export const EV_DIAL_FAILED = 5;
export const EV_FIN = 6;
export const EV_FRAME = 7;
export const EV_RST = 8;
export const EV_ACTION = 9;
export const INPUT_COMMAND = 10;
export const TRACE_DROP = 11;

// Link side states. A side is "done" from CLOSED on; a link is forgotten when both are.
export const PENDING = 0; // the caller's side before its linkOpened
export const OPEN = 1;
export const CLOSED = 2; // closed by its owner, or told of the peer's close/reset, or dial failed
export const DEAD = 3; // its node crashed or left without closing it
export const RESET_SENT = 4; // answered a frame with an RST; later frames vanish

/**
 * One pending event; one monomorphic shape for every kind. Records are recycled through a
 * free list once processed: pending events outlive young-generation GC, so allocating one
 * per event made old-generation collection the largest cost of a run.
 */
export class SimEvent {
  kind = 0;
  /** Receiving node (start, wake, dialFailed, frame, FIN, RST, open). */
  node = 0;
  /** Receiving node's incarnation (start, wake, dialFailed). */
  inc = 0;
  /** Link id; dial number for dialFailed; wake token for wake. */
  arg = 0;
  /** Receiving side of the link (0 = dialer, 1 = callee) for frame, FIN, RST. */
  side = 0;
  bytes: Uint8Array | null = null;
  /** dialFailed reason, or the scripted action. */
  extra: string | (() => void) | null = null;
  /** The link of a frame, FIN, RST or open event (`arg` is its id): no lookup by id to find it. */
  link: SimLink | null = null;
  /** The next event of its millisecond in the calendar (calendar-queue.ts). */
  queueNext: SimEvent | null = null;
}

/** A link: side 0 is the dialer, side 1 the callee. Direction d carries frames from side d. */
export class SimLink {
  inc1 = -1;
  state0 = PENDING;
  state1 = PENDING;
  /** Latest scheduled arrival on direction 0→1 and 1→0 (FIFO). */
  last0 = 0;
  last1 = 0;
  /**
   * The fixed one-way delay of each direction (0→1, 1→0), once asked (NaN before): a pure
   * function of the pair for every latency model but `uniform`, computed per frame otherwise.
   */
  delay0 = NaN;
  delay1 = NaN;
  /** The network's latency model when delay0/delay1 were kept (a scripted change resets them). */
  delayEpoch = 0;
  /** Out of the network's link table (both sides done): events still in flight find nothing. */
  forgotten = false;

  constructor(
    readonly id: number,
    readonly node0: number,
    readonly inc0: number,
    readonly node1: number,
    readonly dial: number,
    readonly dialAt: number,
  ) {}
}

export class SimNode {
  incarnation = 0;
  live = true;
  engine: Engine | undefined = undefined;
  /** Links with a side of this incarnation that is PENDING or OPEN. */
  readonly links = new Set<number>();
  /** The latest requested wake time (Infinity: none). */
  wakeAt = Infinity;
  /** Time and token of the one valid queued wake event (others are stale). */
  wakeQueuedAt = Infinity;
  wakeToken = 0;
  /** Partition group: 0 while none is in force (network.ts `cut`). */
  group = 0;
  lossRandom: Random | undefined = undefined;
  jitterRandom: Random | undefined = undefined;
  duplicateRandom: Random | undefined = undefined;
  reorderRandom: Random | undefined = undefined;

  constructor(
    readonly index: number,
    readonly address: string,
  ) {}
}

const ADDRESS_RE = /^10\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d+)$/;

/** The address of node `i`: `10.a.b.c:7000` with a.b.c the 24-bit index. */
export function simAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${NODE_PORT}`;
}

/**
 * The node index an address names if it has the shape of `simAddress(i)`, else undefined.
 * The caller still checks that node `i` exists and its address is exactly this string.
 */
export function parseSimAddress(address: string): number | undefined {
  const m = ADDRESS_RE.exec(address);
  if (m === null) return undefined;
  return (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
}
