/**
 * The simulated network: many engines in one process, driven by one event queue in virtual
 * time (DESIGN.md §5). Same seed ⇒ the same events in the same order ⇒ the same trace hash.
 *
 * Theory of operation. Everything that happens later is an event in the calendar queue
 * (calendar-queue.ts): a node's start, a wake-up, half of a connection set-up, a frame
 * arriving, a close (FIN) or reset (RST) arriving, a scripted action. Popping an event
 * delivers at most one input to one engine and then carries out that call's outputs in order
 * (STYLE.md #1), which may push more events. Links model TCP between processes:
 *
 * - dial: the callee sees `linkOpened` one one-way delay later, the caller one round trip
 *   later. A dial to a known but dead address is refused after a round trip; to an unknown or
 *   partitioned one it times out after CONNECT_TIMEOUT_MS.
 * - send: each direction of a link is FIFO: a frame is delivered at
 *   max(now + delay, previous delivery on that direction). Lost frames (loss probability,
 *   partitions) just vanish; the engine finds out by its own heartbeats.
 * - close: the closer's side is gone at once; the peer gets `linkClosed` after the frames
 *   already in flight towards it (a FIN on the same FIFO).
 * - crash: silent. The node's sides become DEAD; frames to them vanish. Once the node is back
 *   (a new incarnation), a frame reaching an old DEAD side — or a side its owner closed —
 *   answers the sender with an RST: `linkClosed` 'reset'.
 * - partition: nodes are put in numbered groups; a frame, FIN or connection set-up leg from
 *   one group to another vanishes (checked when sent and again when it arrives). One-way: a
 *   group only loses what it sends to LATER groups (listed order; unlisted nodes last), so
 *   group 1 cannot reach group 2 while group 2 still reaches group 1. A TCP connection needs
 *   both directions, so a dial across a one-way cut fails either way (the SYN or the SYN-ACK
 *   is lost); frames on links that were open before still flow the permitted way.
 * - duplication and reordering (fault options, off by default): a frame is delivered twice
 *   (the copy right after the original) with probability `duplicate`; with probability
 *   `reorder.probability` it gets an extra delay of 1..`reorder.maxDelayMs` ms on top of its
 *   FIFO arrival time and leaves the FIFO, so frames sent after it may overtake it.
 *
 * Rules:
 * 1. Integer virtual milliseconds; every delay is ≥ 1 ms (limits.ts).
 * 2. Randomness only from forks of the run's seed: per node and incarnation for engines,
 *    per sender node for loss, jitter, duplication and reordering (created on first use,
 *    drawn only while that fault is on). No stream is shared, so adding a node or turning
 *    on one fault never changes another node's or another fault's draws.
 * 3. Each side of a link belongs to one (node, incarnation); an output naming a link that is
 *    not open on the caller's side is ignored and counted (`stats.outputsIgnored`).
 * 4. Frames are not copied: `send` hands the buffer to the network. An engine must not mutate
 *    a buffer after sending it and must treat received bytes as read-only (one buffer sent on
 *    several links reaches several receivers). Copying every frame made whole runs ~2.5×
 *    slower (the copies outlive young-generation GC while in flight); `copyFrames: true`
 *    copies at send, as a socket write does, to hunt aliasing bugs.
 * 5. An engine that throws is a bug: re-thrown as SimEngineError naming node, time, input.
 */
import type {
  Command,
  DeliveredMessage,
  Engine,
  EngineEvent,
  Input,
  Output,
} from '../../engine/types.js';
import type { Random, RandomSource } from '../../engine/random.js';
import { SimConfigError, SimEngineError, SimUsageError } from './errors.js';
import { Latency, type LatencyModel } from './latency.js';
import {
  CONNECT_TIMEOUT_MS,
  NODES_MAX,
  REORDER_DELAY_MAX_MS,
  REASON_REFUSED,
  REASON_REMOTE_CLOSED,
  REASON_RESET,
  REASON_TIMEOUT,
} from './limits.js';
import { PrefixedRandomSource, SeededRandomSource } from './rng.js';
import {
  CLOSED,
  DEAD,
  EV_ACTION,
  EV_DIAL_FAILED,
  EV_FIN,
  EV_FRAME,
  EV_OPEN_CALLEE,
  EV_OPEN_CALLER,
  EV_RST,
  EV_START,
  EV_WAKE,
  INPUT_COMMAND,
  OPEN,
  parseSimAddress,
  PENDING,
  RESET_SENT,
  SimEvent,
  SimLink,
  SimNode,
  simAddress,
  TRACE_DROP,
} from './records.js';
import { CalendarQueue } from './calendar-queue.js';
import { TraceHash } from './trace.js';

export { simAddress };

export interface SimNodeContext {
  index: number;
  /** 0 on the first join, +1 on every restart. */
  incarnation: number;
  address: string;
  /** Streams for this node and incarnation: fork(label) = `node/${index}/${incarnation}/${label}`. */
  random: RandomSource;
  /** `node/${index}/keys`, the same stream on every incarnation: a restart keeps its keys. */
  keyRandom: Random;
}

/** Reordering: with `probability`, a frame is held 1..`maxDelayMs` ms beyond its FIFO time. */
export interface ReorderOptions {
  probability: number;
  maxDelayMs: number;
}

export interface SimNetworkOptions {
  seed: string;
  latency: LatencyModel;
  /** Probability that a sent frame is silently lost, 0..1 (default 0). */
  loss?: number;
  /** Probability that a frame is delivered twice, 0..1 (default 0). */
  duplicate?: number;
  /** Frames delayed out of order (default: none). */
  reorder?: ReorderOptions;
  /** Called on join and on every restart. */
  createEngine(node: SimNodeContext): Engine;
  /** The engines' `event` outputs. */
  onEvent?(nodeIndex: number, event: EngineEvent, now: number): void;
  /** The engines' `deliver` outputs (messages that reached their target). */
  onDeliver?(nodeIndex: number, message: DeliveredMessage, now: number): void;
  /** Every frame that leaves on an open link (before loss and partitions), for metrics. */
  onSend?(nodeIndex: number, bytes: Uint8Array, now: number, link: number): void;
  /** Copy every sent frame (as a socket write would); off by default for speed (rule 4). */
  copyFrames?: boolean;
  /**
   * The address of node `index` (default `simAddress`): the simulator's adversaries place
   * Sybil nodes in one /16 this way. Addresses must be distinct.
   */
  addressOf?: (index: number) => string;
}

export interface SimStats {
  /** Events processed (stale wake-ups excluded). */
  events: number;
  /** Engine `handle` calls. */
  inputs: number;
  framesSent: number;
  framesDelivered: number;
  /** Frames that vanished: loss draw, partition, or a receiver that is closed or dead. */
  framesLost: number;
  /** Frames lost to the loss probability (part of framesLost). */
  lossDrops: number;
  /** Frames, FINs and connection set-up legs a partition stopped (frames: part of framesLost). */
  partitionCuts: number;
  /** Frames delivered a second time (the duplication fault). */
  duplicated: number;
  /** Frames given an extra delay out of FIFO order (the reordering fault). */
  reordered: number;
  bytesSent: number;
  dials: number;
  dialsFailed: number;
  /** send/close outputs naming a link that is not open on that node's side. */
  outputsIgnored: number;
}

function checkProbability(p: number, name: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new SimConfigError(`${name}: expected a probability in [0, 1], got ${String(p)}`);
  }
  return p;
}

function checkReorder(r: ReorderOptions | undefined): ReorderOptions {
  if (r === undefined) return { probability: 0, maxDelayMs: 1 };
  checkProbability(r.probability, 'reorder.probability');
  const max = r.maxDelayMs;
  if (!(Number.isInteger(max) && max >= 1 && max <= REORDER_DELAY_MAX_MS)) {
    throw new SimConfigError(
      `reorder.maxDelayMs: expected an integer in [1, ${REORDER_DELAY_MAX_MS}], got ${String(max)}`,
    );
  }
  return { ...r };
}

export class SimNetwork {
  readonly stats: Readonly<SimStats>;
  private readonly counters: SimStats = {
    events: 0,
    inputs: 0,
    framesSent: 0,
    framesDelivered: 0,
    framesLost: 0,
    lossDrops: 0,
    partitionCuts: 0,
    duplicated: 0,
    reordered: 0,
    bytesSent: 0,
    dials: 0,
    dialsFailed: 0,
    outputsIgnored: 0,
  };
  private readonly seed: string;
  private readonly root: SeededRandomSource;
  private readonly queue = new CalendarQueue<SimEvent>();
  /** Processed event records, reused by `schedule` (never more than the peak queue size). */
  private readonly pool: SimEvent[] = [];
  private readonly nodes: SimNode[] = [];
  private readonly links = new Map<number, SimLink>();
  private readonly trace = new TraceHash();
  private readonly createEngine: (node: SimNodeContext) => Engine;
  private readonly onEvent: ((i: number, e: EngineEvent, now: number) => void) | undefined;
  private readonly onDeliver: ((i: number, m: DeliveredMessage, now: number) => void) | undefined;
  private readonly onSend:
    ((i: number, bytes: Uint8Array, now: number, link: number) => void) | undefined;
  private readonly copyFrames: boolean;
  private readonly addressPlan: ((index: number) => string) | undefined;
  /** Node index by address, when `addressOf` chose the addresses. */
  private readonly byAddress = new Map<string, number>();
  private latency: Latency;
  /** Bumped by setLatency: links drop the pair delays they kept (SimLink.delayEpoch). */
  private latencyEpoch = 0;
  private loss: number;
  private readonly duplicate: number;
  private readonly reorder: ReorderOptions;
  private clock = 0;
  private nextLinkId = 1;
  private partitioned_ = false;
  /** Only traffic towards a later group is cut (see the header). */
  private oneWay = false;
  /** The group of nodes a partition did not list (and of nodes added during it). */
  private unlistedGroup = 0;
  private running = false;

  constructor(options: SimNetworkOptions) {
    if (typeof options.seed !== 'string') throw new SimConfigError('seed: expected a string');
    this.seed = options.seed;
    this.root = new SeededRandomSource(options.seed);
    this.latency = new Latency(options.latency, options.seed);
    this.loss = checkProbability(options.loss ?? 0, 'loss');
    this.duplicate = checkProbability(options.duplicate ?? 0, 'duplicate');
    this.reorder = checkReorder(options.reorder);
    this.createEngine = options.createEngine;
    this.onEvent = options.onEvent;
    this.onDeliver = options.onDeliver;
    this.onSend = options.onSend;
    this.copyFrames = options.copyFrames ?? false;
    this.addressPlan = options.addressOf;
    this.stats = this.counters;
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.clock;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Events waiting in the queue (stale wake-ups included). */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Time of the next pending event, or Infinity. */
  nextEventTime(): number {
    return this.queue.peekTime();
  }

  // ---- scenario verbs -------------------------------------------------------------------

  /** Adds a node; its engine is created now and gets `start` at the current time. */
  addNode(): number {
    const index = this.nodes.length;
    if (index >= NODES_MAX) throw new SimUsageError(`addNode: at most ${NODES_MAX} nodes`);
    const address = this.addressPlan?.(index) ?? simAddress(index);
    if (this.addressPlan !== undefined) {
      if (this.byAddress.has(address)) {
        throw new SimConfigError(`addressOf: node ${index} got the address ${address} again`);
      }
      this.byAddress.set(address, index);
    }
    const node = new SimNode(index, address);
    if (this.partitioned_) node.group = this.unlistedGroup;
    this.nodes.push(node);
    this.boot(node);
    return index;
  }

  /** Silent failure: no goodbye, peers are not told, frames to it vanish, dials are refused. */
  crash(index: number): void {
    this.takeDown(this.liveNode(index, 'crash'));
  }

  /** A crashed (or departed) node comes back: same keys, fresh engine, new incarnation. */
  restart(index: number): void {
    const node = this.nodeAt(index, 'restart');
    if (node.live) throw new SimUsageError(`restart: node ${index} is live`);
    node.incarnation++;
    node.live = true;
    this.boot(node);
  }

  /** Graceful leave: the engine handles a `leave` command now, its outputs go out, then it is gone. */
  leave(index: number): void {
    const node = this.liveNode(index, 'leave');
    this.deliver(node, { type: 'command', command: { type: 'leave' } }, INPUT_COMMAND, 0);
    if (node.live) this.takeDown(node);
  }

  /** Hands a live node a local command (the simulator's workload: broadcasts, later sends). */
  command(index: number, command: Command): void {
    const node = this.liveNode(index, 'command');
    this.deliver(node, { type: 'command', command }, INPUT_COMMAND, 0);
  }

  /**
   * Frames and dials between different groups fail; unlisted nodes (and nodes added later)
   * form one more group, after the listed ones. With `oneWay`, only what a group sends to a
   * later group is cut. Replaces any partition in force.
   */
  partition(groups: number[][], options: { oneWay?: boolean } = {}): void {
    const seen = new Set<number>();
    for (const group of groups) {
      for (const i of group) {
        this.nodeAt(i, 'partition');
        if (seen.has(i)) throw new SimUsageError(`partition: node ${i} is in two groups`);
        seen.add(i);
      }
    }
    this.unlistedGroup = groups.length + 1;
    for (const node of this.nodes) node.group = this.unlistedGroup;
    groups.forEach((group, g) => {
      for (const i of group) (this.nodes[i] as SimNode).group = g + 1;
    });
    this.partitioned_ = true;
    this.oneWay = options.oneWay ?? false;
  }

  heal(): void {
    for (const node of this.nodes) node.group = 0;
    this.partitioned_ = false;
    this.oneWay = false;
    this.unlistedGroup = 0;
  }

  /** Whether a partition is in force. */
  get partitioned(): boolean {
    return this.partitioned_;
  }

  /** Whether a frame from `from` to `to` would be cut by the partition in force now. */
  isCut(from: number, to: number): boolean {
    this.nodeAt(from, 'isCut');
    this.nodeAt(to, 'isCut');
    return this.cut(from, to);
  }

  setLoss(p: number): void {
    this.loss = checkProbability(p, 'loss');
  }

  setLatency(model: LatencyModel): void {
    this.latency = new Latency(model, this.seed);
    this.latencyEpoch += 1;
  }

  /** Runs `action` at virtual `time` (≥ now), in queue order with everything else. */
  at(time: number, action: () => void): void {
    if (!Number.isFinite(time) || time < this.clock) {
      throw new SimUsageError(`at: time ${time} is not finite or before now (${this.clock})`);
    }
    this.schedule(Math.ceil(time), EV_ACTION, -1, 0, 0, 0, null, action);
  }

  /** Processes every event with time ≤ `time`, then sets now = `time`. */
  runUntil(time: number): void {
    if (Number.isNaN(time) || time < this.clock) {
      throw new SimUsageError(`runUntil: time ${time} is before now (${this.clock})`);
    }
    if (this.running) throw new SimUsageError('runUntil: already running (called from an event)');
    this.running = true;
    try {
      const queue = this.queue;
      for (let ev = queue.popAtOrBefore(time); ev !== undefined; ev = queue.popAtOrBefore(time)) {
        this.clock = queue.lastPoppedTime;
        this.dispatch(ev);
        ev.bytes = null;
        ev.extra = null;
        ev.link = null;
        this.pool.push(ev);
      }
      if (time !== Infinity) this.clock = time;
    } finally {
      this.running = false;
    }
  }

  // ---- queries --------------------------------------------------------------------------

  isLive(index: number): boolean {
    return this.nodes[index]?.live ?? false;
  }

  liveNodes(): number[] {
    const out: number[] = [];
    for (const node of this.nodes) if (node.live) out.push(node.index);
    return out;
  }

  engineOf(index: number): Engine | undefined {
    const node = this.nodes[index];
    return node?.live ? node.engine : undefined;
  }

  addressOf(index: number): string {
    return this.nodeAt(index, 'addressOf').address;
  }

  indexOfAddress(address: string): number | undefined {
    if (this.addressPlan !== undefined) return this.byAddress.get(address);
    const i = parseSimAddress(address);
    if (i === undefined) return undefined;
    const node = this.nodes[i];
    return node !== undefined && node.address === address ? i : undefined;
  }

  /** Open links (at least one side not done) — for tests and leak checks. */
  get linkCount(): number {
    return this.links.size;
  }

  /** A 16-hex-digit fingerprint of everything processed so far. */
  traceHash(): string {
    return this.trace.digest();
  }

  // ---- nodes ----------------------------------------------------------------------------

  private nodeAt(index: number, verb: string): SimNode {
    const node = Number.isInteger(index) ? this.nodes[index] : undefined;
    if (node === undefined) throw new SimUsageError(`${verb}: no node ${index}`);
    return node;
  }

  private liveNode(index: number, verb: string): SimNode {
    const node = this.nodeAt(index, verb);
    if (!node.live) throw new SimUsageError(`${verb}: node ${index} is not live`);
    return node;
  }

  private boot(node: SimNode): void {
    const { index, incarnation } = node;
    const context: SimNodeContext = {
      index,
      incarnation,
      address: node.address,
      random: new PrefixedRandomSource(this.root, `node/${index}/${incarnation}`),
      keyRandom: this.root.fork(`node/${index}/keys`),
    };
    try {
      node.engine = this.createEngine(context);
    } catch (cause) {
      throw new SimEngineError(
        `createEngine threw for node ${index} (incarnation ${incarnation}) at t=${this.clock}: ` +
          String(cause),
        index,
        this.clock,
        { cause },
      );
    }
    this.schedule(this.clock, EV_START, index, incarnation, 0, 0, null, null);
  }

  /** Crash or the end of a leave: the engine is dropped and its link sides become DEAD. */
  private takeDown(node: SimNode): void {
    node.live = false;
    node.engine = undefined;
    node.wakeAt = Infinity;
    node.wakeQueuedAt = Infinity;
    node.wakeToken++;
    for (const id of node.links) {
      const link = this.links.get(id) as SimLink;
      if (link.node0 === node.index && link.inc0 === node.incarnation) link.state0 = DEAD;
      else link.state1 = DEAD;
      this.forgetIfDone(link);
    }
    node.links.clear();
  }

  // ---- events ---------------------------------------------------------------------------

  private dispatch(ev: SimEvent): void {
    switch (ev.kind) {
      case EV_FRAME:
        return this.onFrame(ev);
      case EV_WAKE:
        return this.onWake(ev);
      case EV_START: {
        this.counters.events++;
        const node = this.nodes[ev.node] as SimNode;
        if (node.live && node.incarnation === ev.inc)
          this.deliver(node, { type: 'start' }, EV_START, 0);
        return;
      }
      case EV_OPEN_CALLEE:
        return this.onOpenCallee(ev);
      case EV_OPEN_CALLER:
        return this.onOpenCaller(ev);
      case EV_DIAL_FAILED: {
        this.counters.events++;
        const node = this.nodes[ev.node] as SimNode;
        if (!node.live || node.incarnation !== ev.inc) return;
        this.counters.dialsFailed++;
        const input: Input = { type: 'dialFailed', dial: ev.arg, reason: ev.extra as string };
        return this.deliver(node, input, EV_DIAL_FAILED, ev.arg);
      }
      case EV_FIN:
        return this.onFin(ev);
      case EV_RST:
        return this.onRst(ev);
      case EV_ACTION:
        this.counters.events++;
        (ev.extra as () => void)();
        return;
      default:
        throw new Error(`sim bug: unknown event kind ${ev.kind}`);
    }
  }

  private onWake(ev: SimEvent): void {
    const node = this.nodes[ev.node] as SimNode;
    if (!node.live || node.incarnation !== ev.inc || node.wakeToken !== ev.arg) return; // stale
    this.counters.events++;
    node.wakeQueuedAt = Infinity;
    if (node.wakeAt > this.clock) {
      // The engine moved its wake-up later since this event was queued: queue it again.
      if (node.wakeAt !== Infinity) this.queueWake(node, node.wakeAt);
      return;
    }
    node.wakeAt = Infinity;
    this.deliver(node, { type: 'tick' }, EV_WAKE, 0);
  }

  private onOpenCallee(ev: SimEvent): void {
    this.counters.events++;
    const link = this.linkOf(ev);
    if (link === undefined) return;
    if (link.state0 !== PENDING) {
      // The caller crashed after sending the SYN: the handshake never completes, so the
      // callee never accepts the connection.
      link.state1 = CLOSED;
      return this.forgetIfDone(link);
    }
    const callee = this.nodes[link.node1] as SimNode;
    if (this.cut(link.node0, link.node1)) {
      this.counters.partitionCuts++;
      return this.failPendingDial(link, REASON_TIMEOUT, link.dialAt + CONNECT_TIMEOUT_MS);
    }
    if (!callee.live) {
      const at = this.clock + this.delay(link.node1, link.node0);
      return this.failPendingDial(link, REASON_REFUSED, at);
    }
    link.inc1 = callee.incarnation;
    link.state1 = OPEN;
    callee.links.add(link.id);
    // The SYN-ACK travels back; nothing the callee sends can overtake it (FIFO on 1→0).
    const openAt = this.clock + this.delay(link.node1, link.node0);
    link.last1 = openAt;
    link.last0 = this.clock;
    this.scheduleOnLink(openAt, EV_OPEN_CALLER, link.node0, link.inc0, link, 0, null);
    const caller = this.nodes[link.node0] as SimNode;
    const input: Input = { type: 'linkOpened', link: link.id, remoteAddress: caller.address };
    this.deliver(callee, input, EV_OPEN_CALLEE, link.id);
  }

  private onOpenCaller(ev: SimEvent): void {
    this.counters.events++;
    const link = this.linkOf(ev);
    if (link === undefined || link.state0 !== PENDING) return; // the caller crashed meanwhile
    const caller = this.nodes[link.node0] as SimNode;
    if (this.cut(link.node1, link.node0)) {
      // The SYN-ACK was cut off: the caller times out; the callee's side lingers (half-open).
      this.counters.partitionCuts++;
      return this.failPendingDial(link, REASON_TIMEOUT, link.dialAt + CONNECT_TIMEOUT_MS);
    }
    link.state0 = OPEN;
    const callee = this.nodes[link.node1] as SimNode;
    const input: Input = {
      type: 'linkOpened',
      link: link.id,
      dial: link.dial,
      remoteAddress: callee.address,
    };
    this.deliver(caller, input, EV_OPEN_CALLER, link.id);
  }

  /** The caller's side gives up; it learns at `at` (never before now). */
  private failPendingDial(link: SimLink, reason: string, at: number): void {
    if (link.state1 === PENDING) link.state1 = CLOSED;
    if (link.state0 === PENDING) {
      link.state0 = CLOSED;
      (this.nodes[link.node0] as SimNode).links.delete(link.id);
      this.pushDialFailed(link.node0, link.inc0, link.dial, reason, Math.max(at, this.clock));
    }
    this.forgetIfDone(link);
  }

  private onFrame(ev: SimEvent): void {
    this.counters.events++;
    const link = this.linkOf(ev);
    const r = ev.side;
    if (link !== undefined) {
      const state = r === 0 ? link.state0 : link.state1;
      const to = r === 0 ? link.node0 : link.node1;
      const from = r === 0 ? link.node1 : link.node0;
      if (state === OPEN) {
        if (!this.cut(from, to)) {
          this.counters.framesDelivered++;
          const bytes = ev.bytes as Uint8Array;
          const input: Input = { type: 'frame', link: link.id, bytes };
          this.deliver(this.nodes[to] as SimNode, input, EV_FRAME, link.id, bytes);
          return;
        }
        this.counters.partitionCuts++;
      } else if (state === CLOSED || (state === DEAD && (this.nodes[to] as SimNode).live)) {
        // Nobody owns this side any more but the host is up: answer with an RST.
        if (r === 0) link.state0 = RESET_SENT;
        else link.state1 = RESET_SENT;
        const at = this.onLinkAt(link, r, to, from);
        this.scheduleOnLink(at, EV_RST, from, 0, link, 1 - r, null);
      } else if (state === PENDING) {
        throw new Error(`sim bug: frame reached the pending side of link ${link.id}`);
      }
    }
    this.counters.framesLost++;
    this.trace.event(this.clock, ev.node, TRACE_DROP, ev.arg);
  }

  private onFin(ev: SimEvent): void {
    this.counters.events++;
    const link = this.linkOf(ev);
    if (link === undefined) return;
    const r = ev.side;
    const state = r === 0 ? link.state0 : link.state1;
    if (state === PENDING) throw new Error(`sim bug: FIN reached the pending side of ${link.id}`);
    if (state === OPEN) {
      const to = r === 0 ? link.node0 : link.node1;
      if (this.cut(r === 0 ? link.node1 : link.node0, to)) {
        this.counters.partitionCuts++;
        return; // FIN lost; heartbeats tell
      }
      this.closeSide(link, r);
      const input: Input = { type: 'linkClosed', link: link.id, reason: REASON_REMOTE_CLOSED };
      this.deliver(this.nodes[to] as SimNode, input, EV_FIN, link.id);
    }
    this.forgetIfDone(link);
  }

  private onRst(ev: SimEvent): void {
    this.counters.events++;
    const link = this.linkOf(ev);
    if (link === undefined) return;
    const r = ev.side;
    if ((r === 0 ? link.state0 : link.state1) === OPEN) {
      this.closeSide(link, r);
      const to = r === 0 ? link.node0 : link.node1;
      const input: Input = { type: 'linkClosed', link: link.id, reason: REASON_RESET };
      this.deliver(this.nodes[to] as SimNode, input, EV_RST, link.id);
    }
    this.forgetIfDone(link);
  }

  // ---- engine calls and outputs ---------------------------------------------------------

  private deliver(
    node: SimNode,
    input: Input,
    kind: number,
    arg: number,
    bytes?: Uint8Array,
  ): void {
    const now = this.clock;
    this.trace.event(now, node.index, kind, arg);
    if (bytes !== undefined) this.trace.frame(bytes);
    this.counters.inputs++;
    const inc = node.incarnation;
    let outputs: Output[];
    try {
      outputs = (node.engine as Engine).handle(input, now);
    } catch (cause) {
      throw new SimEngineError(
        `engine of node ${node.index} (incarnation ${inc}) threw at t=${now} on ` +
          `'${input.type}': ${cause instanceof Error ? cause.message : String(cause)}`,
        node.index,
        now,
        { cause },
      );
    }
    for (let k = 0; k < outputs.length; k++) {
      // An onEvent hook may crash the node mid-batch: a dead process sends nothing more.
      if (!node.live || node.incarnation !== inc) return;
      const out = outputs[k] as Output;
      switch (out.type) {
        case 'send':
          this.send(node, out.link, out.bytes);
          break;
        case 'dial':
          this.dial(node, out.dial, out.address);
          break;
        case 'close':
          this.close(node, out.link);
          break;
        case 'wake':
          this.wake(node, out.at);
          break;
        case 'event':
          this.onEvent?.(node.index, out.event, now);
          break;
        case 'deliver':
          this.onDeliver?.(node.index, out.message, now);
          break;
      }
    }
  }

  /** Which side of `link` `node` may use (OPEN and of its incarnation), or -1. */
  private sideOf(link: SimLink | undefined, node: SimNode): number {
    if (link === undefined) return -1;
    if (link.node0 === node.index && link.inc0 === node.incarnation && link.state0 === OPEN) {
      return 0;
    }
    if (link.node1 === node.index && link.inc1 === node.incarnation && link.state1 === OPEN) {
      return 1;
    }
    return -1;
  }

  private send(node: SimNode, id: number, bytes: Uint8Array): void {
    const link = this.links.get(id);
    const side = this.sideOf(link, node);
    if (side < 0) {
      this.counters.outputsIgnored++;
      return;
    }
    const l = link as SimLink;
    const c = this.counters;
    c.framesSent++;
    c.bytesSent += bytes.length;
    this.onSend?.(node.index, bytes, this.clock, id);
    const to = side === 0 ? l.node1 : l.node0;
    if (this.cut(node.index, to)) {
      c.framesLost++;
      c.partitionCuts++;
      return;
    }
    if (this.loss > 0 && this.lossDraw(node) < this.loss) {
      c.framesLost++;
      c.lossDrops++;
      return;
    }
    const reorder = this.reorder;
    let at: number;
    if (reorder.probability > 0 && this.reorderDraw(node) < reorder.probability) {
      // Held back beyond its FIFO time, without holding back what follows it.
      at =
        this.fifoAt(l, side, node.index, to) +
        1 +
        Math.floor(this.reorderDraw(node) * reorder.maxDelayMs);
      c.reordered++;
    } else {
      at = this.onLinkAt(l, side, node.index, to);
    }
    const frame = this.copyFrames ? bytes.slice() : bytes;
    this.scheduleOnLink(at, EV_FRAME, to, 0, l, 1 - side, frame);
    if (this.duplicate > 0 && this.duplicateDraw(node) < this.duplicate) {
      c.duplicated++;
      this.scheduleOnLink(
        at,
        EV_FRAME,
        to,
        0,
        l,
        1 - side,
        this.copyFrames ? bytes.slice() : bytes,
      );
    }
  }

  private close(node: SimNode, id: number): void {
    const link = this.links.get(id);
    const side = this.sideOf(link, node);
    if (side < 0) {
      this.counters.outputsIgnored++;
      return;
    }
    const l = link as SimLink;
    this.closeSide(l, side);
    const other = side === 0 ? l.state1 : l.state0;
    const to = side === 0 ? l.node1 : l.node0;
    if (other === OPEN || other === PENDING) {
      if (this.cut(node.index, to)) {
        this.counters.partitionCuts++;
      } else {
        const at = this.onLinkAt(l, side, node.index, to);
        this.scheduleOnLink(at, EV_FIN, to, 0, l, 1 - side, null);
      }
    }
    this.forgetIfDone(l);
  }

  private dial(node: SimNode, dial: number, address: string): void {
    this.counters.dials++;
    const now = this.clock;
    const target = this.indexOfAddress(address);
    const cut = target !== undefined && this.cut(node.index, target);
    if (cut) this.counters.partitionCuts++;
    if (target === undefined || cut) {
      return this.pushDialFailed(
        node.index,
        node.incarnation,
        dial,
        REASON_TIMEOUT,
        now + CONNECT_TIMEOUT_MS,
      );
    }
    if (target === node.index || !(this.nodes[target] as SimNode).live) {
      const rtt = this.delay(node.index, target) + this.delay(target, node.index);
      return this.pushDialFailed(node.index, node.incarnation, dial, REASON_REFUSED, now + rtt);
    }
    const link = new SimLink(this.nextLinkId++, node.index, node.incarnation, target, dial, now);
    this.links.set(link.id, link);
    node.links.add(link.id);
    const synAt = now + this.delay(node.index, target);
    this.scheduleOnLink(synAt, EV_OPEN_CALLEE, target, 0, link, 1, null);
  }

  private wake(node: SimNode, at: number): void {
    if (Number.isNaN(at)) {
      throw new SimEngineError(
        `node ${node.index} asked for a wake at NaN`,
        node.index,
        this.clock,
      );
    }
    const t = at > this.clock ? Math.ceil(at) : this.clock;
    node.wakeAt = t;
    if (t < node.wakeQueuedAt) this.queueWake(node, t);
  }

  private queueWake(node: SimNode, t: number): void {
    node.wakeToken++;
    node.wakeQueuedAt = t;
    this.schedule(t, EV_WAKE, node.index, node.incarnation, node.wakeToken, 0, null, null, true);
  }

  private pushDialFailed(
    index: number,
    inc: number,
    dial: number,
    reason: string,
    at: number,
  ): void {
    this.schedule(at, EV_DIAL_FAILED, index, inc, dial, 0, null, reason);
  }

  private schedule(
    at: number,
    kind: number,
    node: number,
    inc: number,
    arg: number,
    side: number,
    bytes: Uint8Array | null,
    extra: string | (() => void) | null,
    /** Before the other events of its millisecond (wake-ups: CalendarQueue.push). */
    first = false,
  ): SimEvent {
    const ev = this.pool.pop() ?? new SimEvent();
    ev.kind = kind;
    ev.node = node;
    ev.inc = inc;
    ev.arg = arg;
    ev.side = side;
    ev.bytes = bytes;
    ev.extra = extra;
    this.queue.push(at, ev, first);
    return ev;
  }

  /** A frame, FIN, RST or open event on `link`: it carries the link, so none is looked up. */
  private scheduleOnLink(
    at: number,
    kind: number,
    node: number,
    inc: number,
    link: SimLink,
    side: number,
    bytes: Uint8Array | null,
  ): void {
    this.schedule(at, kind, node, inc, link.id, side, bytes, null).link = link;
  }

  /** The link of a link event (scheduleOnLink), if still in the link table. */
  private linkOf(ev: SimEvent): SimLink | undefined {
    const link = ev.link as SimLink;
    return link.forgotten ? undefined : link;
  }

  // ---- link helpers ---------------------------------------------------------------------

  /** Arrival time of the next thing sent from `side` (FIFO per direction). */
  private onLinkAt(link: SimLink, side: number, from: number, to: number): number {
    const at = this.fifoAt(link, side, from, to);
    if (side === 0) link.last0 = at;
    else link.last1 = at;
    return at;
  }

  /** The FIFO arrival time of something sent now from `side`, without claiming it. */
  private fifoAt(link: SimLink, side: number, from: number, to: number): number {
    const at = this.clock + this.linkDelay(link, side, from, to);
    const last = side === 0 ? link.last0 : link.last1;
    return at < last ? last : at;
  }

  private closeSide(link: SimLink, side: number): void {
    if (side === 0) {
      link.state0 = CLOSED;
      (this.nodes[link.node0] as SimNode).links.delete(link.id);
    } else {
      link.state1 = CLOSED;
      (this.nodes[link.node1] as SimNode).links.delete(link.id);
    }
  }

  private forgetIfDone(link: SimLink): void {
    if (link.state0 >= CLOSED && link.state1 >= CLOSED) {
      this.links.delete(link.id);
      link.forgotten = true;
    }
  }

  /** True when the partition in force stops what `from` sends to `to` (one-way aware). */
  private cut(from: number, to: number): boolean {
    if (!this.partitioned_) return false;
    const g = (this.nodes[from] as SimNode).group;
    const h = (this.nodes[to] as SimNode).group;
    return g !== h && (!this.oneWay || g < h);
  }

  /** delay(from, to) for a frame on `link` from `side`, kept on the link when fixed. */
  private linkDelay(link: SimLink, side: number, from: number, to: number): number {
    if (this.latency.perFrame) return this.delay(from, to);
    if (link.delayEpoch !== this.latencyEpoch) {
      link.delayEpoch = this.latencyEpoch;
      link.delay0 = link.delay1 = NaN;
    }
    const known = side === 0 ? link.delay0 : link.delay1;
    if (known === known) return known; // not NaN
    const ms = this.latency.pairMs(from, to);
    if (side === 0) link.delay0 = ms;
    else link.delay1 = ms;
    return ms;
  }

  private delay(from: number, to: number): number {
    const latency = this.latency;
    if (!latency.perFrame) return latency.pairMs(from, to);
    const node = this.nodes[from] as SimNode;
    node.jitterRandom ??= this.root.fork(`net/${from}/jitter`);
    return latency.drawMs(node.jitterRandom);
  }

  private lossDraw(node: SimNode): number {
    node.lossRandom ??= this.root.fork(`net/${node.index}/loss`);
    return node.lossRandom.next();
  }

  private duplicateDraw(node: SimNode): number {
    node.duplicateRandom ??= this.root.fork(`net/${node.index}/duplicate`);
    return node.duplicateRandom.next();
  }

  private reorderDraw(node: SimNode): number {
    node.reorderRandom ??= this.root.fork(`net/${node.index}/reorder`);
    return node.reorderRandom.next();
  }
}
