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
import { RecordCache } from './record-cache.js';
import type { RecordOpener } from '../engine/directory/records.js';
import { identityFromSecrets } from '../engine/identity.js';
import { Node } from '../engine/node.js';
import type { BroadcastConfig } from '../engine/broadcast/config.js';
import type { DirectoryConfig } from '../engine/directory/config.js';
import type { OverlayConfig } from '../engine/overlay/config.js';
import type { RoutingConfig } from '../engine/routing/config.js';
import { pick, sample, type Random } from '../engine/random.js';
import type {
  DeliveredMessage,
  Engine,
  EngineEvent,
  NodeId,
  NodeSnapshot,
  RestoreState,
} from '../engine/types.js';
import type { LatencyModel } from '../transports/sim/latency.js';
import { type ReorderOptions, SimNetwork, type SimNodeContext } from '../transports/sim/network.js';
import { SeededRandomSource } from '../transports/sim/rng.js';
import type { AdversaryPlan } from './adversaries/plan.js';
import { engineNode } from './adversaries/shell.js';

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
  /** Misbehaving hosts (adversaries/plan.ts); default: none. */
  adversaries?: AdversaryPlan;
  /** Run every node's invariant checks after every input (tests). */
  checkInvariants?: boolean;
  /** Node `index`'s record opener, given the shared cache's (adversaries/tracker.ts watches it). */
  recordOpenerOf?(index: number, open: RecordOpener): RecordOpener;
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

/** The saved state for node `index`'s next engine, once (the map lets go of it). */
function restoreOf(saved: Map<number, RestoreState>, index: number): { restore?: RestoreState } {
  const state = saved.get(index);
  if (state === undefined) return {};
  saved.delete(index);
  return { restore: state };
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
  /**
   * Directory records opened once for every node: each announcement is checked and held
   * once, not once per node that hears it (record-cache.ts; the outcome is the same).
   */
  private readonly records = new RecordCache();
  /** Restarts per node: its engine life (0 for the first). */
  private readonly lives: number[] = [];
  /**
   * What each down node's runtime saved, handed to its next engine at restart, as the
   * daemon does (engine-state.ts): its directory and replay tags. Taken at the moment it
   * went down, where the daemon's last save is at most STATE_SAVE_INTERVAL_MS older.
   */
  private readonly saved = new Map<number, RestoreState>();

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
      ...(options.adversaries?.addressPlan() === undefined
        ? {}
        : { addressOf: options.adversaries.addressPlan() }),
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
    this.save(index, false);
    this.net.crash(index);
    this.downSince.set(index, this.net.now);
    this.options.onDown?.(index);
  }

  leave(index: number): void {
    this.save(index, true);
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

  /**
   * Keeps what node `index`'s runtime would have saved. After a graceful leave the daemon
   * saves after revoking, so our own descriptor is not among them (it is saved before the
   * leave here and left out).
   */
  private save(index: number, leaving: boolean): void {
    const node = this.nodeOf(index);
    if (node === undefined) return;
    const now = this.net.now;
    const own = node.identity.id;
    const descriptors = node
      .savedDescriptors(now)
      .filter((d) => !leaving || d.id !== own)
      .map((d) => d.bytes);
    this.saved.set(index, { descriptors, replayTags: node.replayTags(0) });
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
    return this.net.liveNodes().map((i) => engineNode(this.net.engineOf(i) as Node).snapshot());
  }

  /** Live nodes that send and receive the workload's messages: the honest ones. */
  liveHonestNodes(): number[] {
    const live = this.net.liveNodes();
    return this.options.adversaries === undefined ? live : live.filter((i) => !this.isAdversary(i));
  }

  /** Whether node `index` is an adversary (adversaries/plan.ts). */
  isAdversary(index: number): boolean {
    return this.options.adversaries?.isAdversary(index) ?? false;
  }

  /** Whether node `index` is kept out of the churn model (adversaries/plan.ts staysOnline). */
  staysOnline(index: number): boolean {
    return this.options.adversaries?.staysOnline(index) ?? false;
  }

  /** Whether node `index` volunteers as a relay: a draw of its own, the same on every restart. */
  isRelay(index: number): boolean {
    const fraction = this.options.relayFraction ?? 1;
    // Adversaries volunteer: relaying is how they get traffic to misuse.
    if (this.isAdversary(index)) return true;
    return fraction >= 1 || this.root.fork(`relay/${index}`).next() < fraction;
  }

  /** The live node's engine (the production `Node`). */
  nodeOf(index: number): Node | undefined {
    const engine = this.net.engineOf(index);
    return engine === undefined ? undefined : engineNode(engine);
  }

  /** A random live honest node (adversaries/plan.ts): the origin of a measured probe. */
  randomHonestLiveNode(): number | undefined {
    if (this.options.adversaries === undefined) return this.randomLiveNode();
    return pick(this.bootstrapRandom, this.liveHonestNodes());
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

  private createNode(ctx: SimNodeContext): Engine {
    const identity = identityFromSecrets(
      this.crypto,
      ctx.keyRandom.bytes(32),
      ctx.keyRandom.bytes(32),
    );
    this.ids[ctx.index] = identity.id;
    this.indexById.set(identity.id, ctx.index);
    const plan = this.options.adversaries;
    const contacts = new Set<number>();
    // Eclipse attackers join through their victim alone (adversaries/eclipse.ts).
    const only = plan?.bootstrapOf(ctx.index);
    if (only !== undefined && this.net.isLive(only)) contacts.add(only);
    for (let k = 0; k < BOOTSTRAP_CONTACTS && !contacts.has(only ?? -1); k++) {
      const contact = this.randomLiveNode(ctx.index);
      if (contact !== undefined) contacts.add(contact);
    }
    const node = new Node({
      identity,
      crypto: this.crypto,
      random: ctx.random,
      address: ctx.address,
      bootstrap: [...contacts].map((i) => this.net.addressOf(i)),
      overlay: plan?.overlayOf(ctx.index, this.options.overlay) ?? this.options.overlay,
      broadcast: this.options.broadcast,
      directory: { ...this.options.directory, relay: this.isRelay(ctx.index) },
      ...(this.options.routing === undefined ? {} : { routing: this.options.routing }),
      checkInvariants: this.options.checkInvariants ?? false,
      openRecord: this.options.recordOpenerOf?.(ctx.index, this.records.open) ?? this.records.open,
      ...restoreOf(this.saved, ctx.index),
    });
    if (plan === undefined) return node;
    return plan.wrap(ctx.index, node, identity, this.crypto, ctx.random, (i) =>
      this.net.addressOf(i),
    );
  }
}
