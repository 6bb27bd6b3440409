/**
 * A simulated world: the production engine (`Node`) on every host of a `SimNetwork`, with
 * the bookkeeping the metrics need (which node ID lives where, when each node failed).
 * The runner drives it from a scenario; property tests drive it directly.
 *
 * Randomness: the network seeds every node's streams; the world's own choices (bootstrap
 * contacts, which nodes a scripted event hits) come from streams of their own, so they
 * never shift a node's draws.
 */
import { suiteByName } from '../engine/crypto/index.js';
import type { CryptoSuite } from '../engine/crypto/suite.js';
import { identityFromSecrets } from '../engine/identity.js';
import { Node } from '../engine/node.js';
import type { BroadcastConfig } from '../engine/broadcast/config.js';
import type { DirectoryConfig } from '../engine/directory/config.js';
import type { OverlayConfig } from '../engine/overlay/config.js';
import type { RoutingConfig } from '../engine/routing/config.js';
import { pick, sample, type Random } from '../engine/random.js';
import type { DeliveredMessage, EngineEvent, NodeId, NodeSnapshot } from '../engine/types.js';
import type { LatencyModel } from '../transports/sim/latency.js';
import { type ReorderOptions, SimNetwork, type SimNodeContext } from '../transports/sim/network.js';
import { SeededRandomSource } from '../transports/sim/rng.js';

/** Bootstrap addresses each node is given (the daemon takes several `--bootstrap` too). */
const BOOTSTRAP_CONTACTS = 3;
/** Random draws for a bootstrap contact before falling back to listing the live nodes. */
const BOOTSTRAP_DRAWS = 16;

export interface WorldOptions {
  seed: string;
  crypto: 'real' | 'modelled';
  overlay: OverlayConfig;
  broadcast: BroadcastConfig;
  directory: DirectoryConfig;
  /** The data plane's limits (default: DEFAULT_ROUTING). */
  routing?: RoutingConfig;
  /** Fraction of nodes that volunteer as relays (drawn per node, fixed across restarts). */
  relayFraction?: number;
  latency: LatencyModel;
  loss: number;
  /** Probability that a frame is delivered twice (default 0). */
  duplicate?: number;
  /** Frames held back out of order (default: none). */
  reorder?: ReorderOptions;
  /** Run every node's invariant checks after every input (tests). */
  checkInvariants?: boolean;
  onEvent?(nodeIndex: number, event: EngineEvent, now: number): void;
  /** Messages delivered to their target (the engines' `deliver` outputs). */
  onDeliver?(nodeIndex: number, message: DeliveredMessage, now: number): void;
  /** A node crashed or left (called as it happens). */
  onDown?(nodeIndex: number): void;
  /** A crashed or departed node came back (after its engine got `start`). */
  onRestart?(nodeIndex: number): void;
  /** Every frame sent on a link (metrics: onion frame sizes). */
  onSend?(nodeIndex: number, bytes: Uint8Array, now: number, link: number): void;
}

export class SimWorld {
  readonly net: SimNetwork;
  private readonly crypto: CryptoSuite;
  private readonly bootstrapRandom: Random;
  private readonly root: SeededRandomSource;
  /** For scripted events: which nodes crash, leave, restart, and partition groups. */
  readonly eventRandom: Random;
  private readonly ids: NodeId[] = [];
  private readonly indexById = new Map<NodeId, number>();
  /** When each node last crashed or left, while it is down. */
  private readonly downSince = new Map<number, number>();
  /** Restarts per node: its engine life (0 for the first). */
  private readonly lives: number[] = [];

  constructor(private readonly options: WorldOptions) {
    this.crypto = suiteByName(options.crypto === 'real' ? 'node' : 'modelled');
    const root = new SeededRandomSource(`${options.seed}/world`);
    this.root = root;
    this.bootstrapRandom = root.fork('bootstrap');
    this.eventRandom = root.fork('events');
    this.net = new SimNetwork({
      seed: options.seed,
      latency: options.latency,
      loss: options.loss,
      ...(options.duplicate === undefined ? {} : { duplicate: options.duplicate }),
      ...(options.reorder === undefined ? {} : { reorder: options.reorder }),
      createEngine: (ctx) => this.createNode(ctx),
      onEvent: options.onEvent,
      onDeliver: options.onDeliver,
      onSend: options.onSend,
    });
  }

  get now(): number {
    return this.net.now;
  }

  /** A new node that joins through a random live node (none for the very first). */
  addNode(): number {
    return this.net.addNode();
  }

  crash(index: number): void {
    this.net.crash(index);
    this.downSince.set(index, this.net.now);
    this.options.onDown?.(index);
  }

  leave(index: number): void {
    this.net.leave(index);
    this.downSince.set(index, this.net.now);
    this.options.onDown?.(index);
  }

  restart(index: number): void {
    this.downSince.delete(index);
    this.net.restart(index);
    this.lives[index] = this.lifeOf(index) + 1;
    const onRestart = this.options.onRestart;
    // After the engine's `start`, which the network queued for now (FIFO at equal times).
    if (onRestart) this.net.at(this.net.now, () => onRestart(index));
  }

  /** How many times node `index` has restarted: which engine life it is in. */
  lifeOf(index: number): number {
    return this.lives[index] ?? 0;
  }

  crashedNodes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.net.nodeCount; i++) if (!this.net.isLive(i)) out.push(i);
    return out;
  }

  /** Splits the live nodes into `groups` random groups (oneWay: see SimNetwork.partition). */
  partition(groups: number, oneWay = false): void {
    const live = sample(this.eventRandom, this.net.liveNodes(), Infinity);
    const split: number[][] = Array.from({ length: groups }, () => []);
    live.forEach((node, i) => split[i % groups]?.push(node));
    this.net.partition(split, { oneWay });
  }

  idOf(index: number): NodeId | undefined {
    return this.ids[index];
  }

  indexOf(id: NodeId): number | undefined {
    return this.indexById.get(id);
  }

  /** When `id` went down, if it is down now. */
  downTime(id: NodeId): number | undefined {
    const index = this.indexById.get(id);
    return index === undefined ? undefined : this.downSince.get(index);
  }

  /** Snapshots of every live node. */
  liveSnapshots(): NodeSnapshot[] {
    return this.net.liveNodes().map((i) => (this.net.engineOf(i) as Node).snapshot());
  }

  /** Whether node `index` volunteers as a relay: a draw of its own, the same on every restart. */
  isRelay(index: number): boolean {
    const fraction = this.options.relayFraction ?? 1;
    return fraction >= 1 || this.root.fork(`relay/${index}`).next() < fraction;
  }

  /** The live node's engine (the production `Node`). */
  nodeOf(index: number): Node | undefined {
    return this.net.isLive(index) ? (this.net.engineOf(index) as Node) : undefined;
  }

  /** A random live node other than `except`: a few O(1) draws, then a full scan. */
  randomLiveNode(except = -1): number | undefined {
    const count = this.net.nodeCount;
    for (let attempt = 0; attempt < BOOTSTRAP_DRAWS; attempt++) {
      const i = this.bootstrapRandom.int(count);
      if (i !== except && this.net.isLive(i)) return i;
    }
    return pick(
      this.bootstrapRandom,
      this.net.liveNodes().filter((i) => i !== except),
    );
  }

  private createNode(ctx: SimNodeContext): Node {
    const identity = identityFromSecrets(
      this.crypto,
      ctx.keyRandom.bytes(32),
      ctx.keyRandom.bytes(32),
    );
    this.ids[ctx.index] = identity.id;
    this.indexById.set(identity.id, ctx.index);
    const contacts = new Set<number>();
    for (let k = 0; k < BOOTSTRAP_CONTACTS; k++) {
      const contact = this.randomLiveNode(ctx.index);
      if (contact !== undefined) contacts.add(contact);
    }
    return new Node({
      identity,
      crypto: this.crypto,
      random: ctx.random,
      address: ctx.address,
      bootstrap: [...contacts].map((i) => this.net.addressOf(i)),
      overlay: this.options.overlay,
      broadcast: this.options.broadcast,
      directory: { ...this.options.directory, relay: this.isRelay(ctx.index) },
      ...(this.options.routing === undefined ? {} : { routing: this.options.routing }),
      checkInvariants: this.options.checkInvariants ?? false,
    });
  }
}
