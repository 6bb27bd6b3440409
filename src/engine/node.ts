/**
 * A node: the link table, the overlay, broadcast and the directory composed behind the
 * engine contract (`handle(input, now) → outputs`, see types.ts). The routing layer plugs
 * in here the same way.
 *
 * Rules:
 * - Every call drains into a fresh output list; nothing is kept between calls but state.
 * - Periodic work is a timer table; the node asks for one wake-up at the earliest deadline.
 * - Broadcast and directory traffic is accepted from active neighbours only: the overlay
 *   decides who may inject network-wide messages into this node.
 * - Onion packets are accepted from any authenticated link: relays open links to the next
 *   hop on demand (routing/), and a packet needs no trust in the hop it came from.
 * - After `leave` the node is inert: every later input yields no output.
 * - State saved by the runtime in an earlier life (`restore`) is put back at `start`, before
 *   the node joins, and checked exactly as input from the network would be.
 */
import { Broadcaster, type BroadcastHost } from './broadcast/broadcaster.js';
import {
  DEFAULT_BROADCAST,
  validateBroadcastConfig,
  type BroadcastConfig,
} from './broadcast/config.js';
import type { CryptoSuite } from './crypto/suite.js';
import {
  announcementsReachAll,
  DEFAULT_DIRECTORY,
  SYNC_BACKOFF_MAX,
  validateDirectoryConfig,
  type DirectoryConfig,
} from './directory/config.js';
import type { RecordOpener } from './directory/records.js';
import { DirectoryService } from './directory/service.js';
import { Pins } from './directory/pins.js';
import type { Identity } from './identity.js';
import {
  LinkTable,
  type Link,
  type LinkEvents,
  type OutputSink,
  type Peer,
  type Target,
} from './links.js';
import { PACKET_BYTES, REPLAY_TAG_BYTES } from './onion/limits.js';
import { relayStaleAfterMs } from './routing/config.js';
import { DEFAULT_ROUTING, Routing, type RoutingConfig } from './routing/index.js';
import { hexOf, type PacketOutcome } from './routing/host.js';
import { DEFAULT_OVERLAY, validateOverlayConfig, type OverlayConfig } from './overlay/config.js';
import { HyParView } from './overlay/hyparview.js';
import { pick, type Random, type RandomSource } from './random.js';
import { TimerTable } from './timers.js';
import type {
  Command,
  Engine,
  EngineEvent,
  Input,
  Millis,
  NodeId,
  NodeSnapshot,
  Output,
  RestoreState,
  SavedDescriptor,
  SavedReplayTag,
} from './types.js';
import { encodeMessage } from './wire/codec.js';
import { BROADCAST_ID_BYTES, FRAME_HEADER_BYTES } from './wire/limits.js';
import {
  MESSAGE_CODES,
  type BroadcastKind,
  type Message,
  type MessageType,
} from './wire/messages.js';

export interface NodeOptions {
  identity: Identity;
  crypto: CryptoSuite;
  /** Split per subsystem, so one subsystem's draws never shift another's. */
  random: RandomSource;
  /** The address this node listens on and advertises ('' when it accepts no links). */
  address: string;
  /** Addresses to join through; empty for the first node of a network. */
  bootstrap: readonly string[];
  overlay?: OverlayConfig;
  broadcast?: BroadcastConfig;
  directory?: DirectoryConfig;
  routing?: RoutingConfig;
  /** Check every invariant after every call (tests and simulations). */
  checkInvariants?: boolean;
  /**
   * What the runtime saved in an earlier life of this node (types.ts RestoreState), put
   * back at `start` with the start's time: every descriptor goes through the network's
   * checks, replay tags of the wrong size or aged out are dropped; both are counted.
   */
  restore?: RestoreState;
  /**
   * Opens directory records (default: `openRecord`). A simulator gives every node one
   * shared cache (src/sim/record-cache.ts): each record is then checked and held once.
   */
  openRecord?: RecordOpener;
}

type TimerKind =
  'heartbeat' | 'shuffle' | 'announce' | 'directorySync' | 'graft' | 'prune' | 'routing';
/** The type byte of onion frames, and their one size (checked on every frame we emit). */
const ONION_CODE = MESSAGE_CODES.onion.code;
const ONION_FRAME_BYTES = FRAME_HEADER_BYTES + PACKET_BYTES;
/** Expired directory entries are dropped this often (a full scan: not every heartbeat). */
const PRUNE_INTERVAL_MS = 60_000;

export class Node implements Engine, LinkEvents, OutputSink, BroadcastHost {
  readonly identity: Identity;
  private readonly links: LinkTable;
  private readonly overlay: HyParView;
  private readonly broadcaster: Broadcaster;
  private readonly directory: DirectoryService;
  private readonly routing: Routing;
  /** The directory's pins: the runtime's and pending messages' targets (directory/pins.ts). */
  private readonly pins: Pins;
  private readonly timers = new TimerTable<TimerKind>();
  /**
   * The 'graft' and 'routing' deadlines as last given to the timer table (undefined: none
   * there), so that an input which moved neither — most inputs — does not touch the table.
   */
  private graftTimerAt: Millis | undefined;
  private routingTimerAt: Millis | undefined;
  private readonly timerRandom: Random;
  private readonly broadcastRandom: Random;
  private readonly config: OverlayConfig;
  private readonly broadcastConfig: BroadcastConfig;
  private readonly directoryConfig: DirectoryConfig;
  private readonly checking: boolean;
  private out: Output[] = [];
  private now: Millis = 0;
  private requestedWake: Millis | undefined;
  private phase: 'new' | 'running' | 'left' = 'new';
  private announced = false;
  /** Anti-entropy runs at its joining pace until then (DirectoryConfig.joinSyncForMs). */
  private joinSyncUntil: Millis = 0;
  /** The anti-entropy period's multiple: doubles while rounds hear no inconsistency. */
  private syncBackoff = 1;
  /** Saved state waiting for `start` (then dropped, so it is not held twice). */
  private pendingRestore: RestoreState | undefined;
  private readonly restoreCounts = {
    descriptors: 0,
    descriptorsRejected: 0,
    replayTags: 0,
    replayTagsRejected: 0,
  };

  constructor(options: NodeOptions) {
    this.identity = options.identity;
    this.config = validateOverlayConfig(options.overlay ?? DEFAULT_OVERLAY);
    this.broadcastConfig = validateBroadcastConfig(options.broadcast ?? DEFAULT_BROADCAST);
    this.directoryConfig = validateDirectoryConfig(options.directory ?? DEFAULT_DIRECTORY);
    this.checking = options.checkInvariants ?? false;
    this.pendingRestore = options.restore;
    this.timerRandom = options.random.fork('timers');
    this.broadcastRandom = options.random.fork('broadcast');
    this.links = new LinkTable(
      options.identity,
      options.address,
      options.crypto,
      options.random.fork('links'),
      this.config,
      this,
      this,
    );
    this.overlay = new HyParView({
      self: { id: options.identity.id, address: options.address },
      config: this.config,
      links: this.links,
      random: options.random.fork('overlay'),
      bootstrap: options.bootstrap,
      ...(announcementsReachAll(this.directoryConfig)
        ? { isStranger: (id: NodeId) => this.directory.directory.isStranger(id) }
        : {}),
      event: (event) => this.onOverlayEvent(event),
    });
    this.broadcaster = new Broadcaster(this.broadcastConfig, this);
    this.directory = new DirectoryService(
      options.identity,
      options.address,
      options.crypto,
      this.directoryConfig,
      {
        broadcast: (kind, body, hops) => this.originate(kind, body, hops),
        send: (peer, message) => this.sendToNeighbour(peer, message),
      },
      options.random,
      options.openRecord,
    );
    const directory = this.directory.directory;
    directory.suspected = (id) => this.routing.suspects.has(id, this.now);
    const pins = new Pins(directory);
    this.pins = pins;
    this.routing = new Routing(
      {
        identity: options.identity,
        address: options.address,
        crypto: options.crypto,
        descriptor: (id, now) => {
          const found = directory.get(id);
          return found !== undefined && found.expires > now ? found : undefined;
        },
        revoked: (id) => directory.isRevoked(id),
        relays: (now) => directory.relays(now),
        sendPacket: (id, address, packet) => this.sendPacket(id, address, packet),
        event: (event) => this.event(event),
        deliver: (message) => void this.out.push({ type: 'deliver', message }),
        holdTarget: (id) => pins.hold(id),
        releaseTarget: (id) => pins.release(id),
      },
      options.routing ?? {
        ...DEFAULT_ROUTING,
        relayStaleAfterMs: relayStaleAfterMs(this.directoryConfig.announceIntervalMs),
      },
      options.random,
    );
  }

  handle(input: Input, now: Millis): Output[] {
    this.out = [];
    if (this.phase === 'left') return this.out;
    this.now = now;
    switch (input.type) {
      case 'start':
        this.start(now);
        break;
      case 'tick':
        this.requestedWake = undefined; // the runtime's wake is spent: always ask again
        this.fireTimers(now);
        break;
      case 'linkOpened':
        this.links.linkOpened(
          input.link,
          input.dial,
          input.remoteAddress,
          input.remoteStaticKey,
          now,
        );
        break;
      case 'dialFailed':
        this.links.dialFailed(input.dial, input.reason);
        break;
      case 'linkClosed':
        this.links.linkClosed(input.link, input.reason);
        break;
      case 'frame':
        this.links.frame(input.link, input.bytes, now);
        break;
      case 'command':
        this.command(input.command, now);
        break;
    }
    if (this.phase === 'running') {
      this.scheduleGraft();
      this.scheduleRouting();
      this.requestWake();
      if (this.checking) this.checkInvariants();
    }
    return this.out;
  }

  snapshot(): NodeSnapshot {
    return {
      id: this.identity.id,
      active: [...this.overlay.active.keys()],
      passive: this.overlay.passive.ids(),
      relays: this.directory.directory.relays(this.now).map((d) => d.id),
    };
  }

  /** Bytes this node has sent, by message type. */
  bytesSent(): Partial<Record<MessageType, number>> {
    const out: Partial<Record<MessageType, number>> = {};
    for (const [type, { code }] of Object.entries(MESSAGE_CODES)) {
      const bytes = this.links.bytesSentOf(code);
      if (bytes > 0) out[type as MessageType] = bytes;
    }
    return out;
  }

  /**
   * The directory entry a destination names (node ID, contact alias through `aliases`, or
   * `IP[:port]`; Directory.resolve) and unexpired at `now`, for the daemon's PUSH.
   * Read-only: no outputs, no state change.
   */
  resolve(
    destination: string,
    now: Millis,
    aliases?: (alias: string) => NodeId | undefined,
  ): { id: NodeId; address: string; relay: boolean } | undefined {
    const found = this.directory.directory.resolve(destination, aliases);
    return found === undefined || found.expires <= now
      ? undefined
      : { id: found.id, address: found.address, relay: found.relay };
  }

  /**
   * The directory's unexpired descriptors, ours included, for the runtime to save. Ours lets
   * a node restarted within its announce period skip announcing again (`firstNeighbour`);
   * after a graceful leave we hold our revocation instead, so it is not saved. Read-only,
   * like `snapshot`.
   */
  savedDescriptors(now: Millis): SavedDescriptor[] {
    const out: SavedDescriptor[] = [];
    for (const id of this.directory.directory.ids()) {
      const d = this.directory.directory.get(id);
      if (d === undefined || d.expires <= now) continue;
      out.push({ id, bytes: d.bytes, expires: d.expires });
    }
    return out;
  }

  /** The relay's replay tags first seen at `since` or later, oldest first, to save. */
  replayTags(since: Millis): SavedReplayTag[] {
    return this.routing.replayTags(since);
  }

  /** Counters for metrics (drop list, directory rejections, tree repairs, routing). */
  counters(): Record<string, number> {
    const d = this.directory.directory.counters;
    return {
      dropListHits: this.broadcaster.dropList.hits,
      dropListEvictions: this.broadcaster.dropList.evictions,
      dropListSize: this.broadcaster.dropList.size,
      broadcastRefusedExpired: this.broadcaster.refusedExpired,
      broadcastQuotaExceeded: this.broadcaster.quota.exceeded,
      grafts: this.broadcaster.grafts,
      directorySize: this.directory.directory.size,
      directoryForged: d.forged,
      directoryMalformed: d.malformed,
      directoryStale: d.stale,
      directoryExpired: d.expired,
      directorySampledOut: d.sampledOut,
      directoryEvicted: d.evicted,
      directoryReplacedUnreachable: d.replacedUnreachable,
      directoryTargetsUnpinned: this.pins.holdsUnpinned,
      directoryRestored: this.restoreCounts.descriptors,
      directoryRestoreRejected: this.restoreCounts.descriptorsRejected,
      replayTagsRestored: this.restoreCounts.replayTags,
      replayTagsRestoreRejected: this.restoreCounts.replayTagsRejected,
      controlRateDrops: this.links.controlRateDrops,
      controlRateCloses: this.links.controlRateCloses,
      ...this.routing.counters(),
    };
  }

  // ---- the node as host of its parts (LinkEvents, OutputSink, BroadcastHost) -------------
  // Methods rather than objects of closures: a closure object per node is one more object,
  // function and context to read, cold, on every frame of a large simulation.

  emit(output: Output): void {
    this.out.push(output);
  }

  onLinkReady(link: Link, peer: Peer): void {
    this.routing.onReachable(peer.id);
    this.directory.directory.memberReachable(peer.id);
    this.overlay.onLinkReady(link, peer, this.now);
  }

  onLinkLost(_link: Link, peer: Peer): void {
    this.overlay.onLinkLost(peer, this.now);
  }

  onUnreachable(target: Target, reason: string, lost: readonly Message[]): void {
    // Our own limits and our own leaving say nothing about the other node.
    if (target.id !== undefined && reason !== 'links-full' && reason !== 'leaving')
      this.unreachable(target.id);
    for (const message of lost) {
      if (message.type !== 'onion') continue;
      this.event({ type: 'packetDropped', reason: 'next-hop-unreachable' });
      this.routing.onPacketLost(message.packet, this.now);
    }
    this.overlay.onUnreachable(target, this.now);
  }

  onDrop(what: string): void {
    this.event({ type: 'drop', what });
  }

  broadcastNeighbours(): Iterable<NodeId> {
    return this.overlay.active.keys();
  }

  validateBroadcast(kind: BroadcastKind, body: Uint8Array): boolean {
    return kind === 'probe' || this.directory.onRecord(body, this.now);
  }

  deliverBroadcast(
    message: Extract<Message, { type: 'broadcast' }>,
    key: string,
    from: NodeId,
  ): void {
    this.overlay.noteNovel(from, this.now);
    this.event({ type: 'broadcastDelivered', id: key, origin: message.origin, kind: message.kind });
  }

  duplicateBroadcast(id: string): void {
    this.event({ type: 'broadcastDuplicate', id });
  }

  private start(now: Millis): void {
    if (this.phase !== 'new') return;
    this.phase = 'running';
    const { heartbeatIntervalMs, shuffleIntervalMs } = this.config;
    // Random first deadlines spread the periodic work of nodes started together.
    this.timers.set('heartbeat', now + 1 + this.timerRandom.int(heartbeatIntervalMs));
    this.timers.set('shuffle', now + this.jittered(shuffleIntervalMs));
    this.timers.set('prune', now + this.jittered(PRUNE_INTERVAL_MS));
    this.restoreSaved(now);
    this.overlay.start(now);
  }

  /** Puts back what the runtime saved (NodeOptions.restore) before the node joins. */
  private restoreSaved(now: Millis): void {
    const saved = this.pendingRestore;
    if (saved === undefined) return;
    this.pendingRestore = undefined;
    const directory = this.directory.restore(saved.descriptors, now);
    // Our own tags are 16 bytes; anything else on disk was not written by us.
    const tags = saved.replayTags.filter(
      (t) => t.tag instanceof Uint8Array && t.tag.length === REPLAY_TAG_BYTES,
    );
    const replay = this.routing.restoreReplayTags(tags, now);
    const counts = {
      descriptors: directory.accepted,
      descriptorsRejected: directory.rejected,
      replayTags: replay.restored,
      replayTagsRejected: saved.replayTags.length - replay.restored,
    };
    Object.assign(this.restoreCounts, counts);
    this.event({ type: 'restored', ...counts });
  }

  private command(command: Command, now: Millis): void {
    switch (command.type) {
      case 'leave':
        return this.leave(now);
      case 'broadcast':
        if (this.phase === 'running') this.originate('probe', command.body);
        return;
      case 'pin':
        return this.pins.pin(command.id);
      case 'unpin':
        return this.pins.unpin(command.id);
      case 'send':
        if (this.phase === 'running') return this.routing.send(command, now);
        return this.event({
          type: 'messageFailed',
          messageId: hexOf(command.messageId),
          reason: 'not-running',
        });
    }
  }

  private leave(now: Millis): void {
    if (this.phase !== 'running') return;
    this.routing.failAll('node-left');
    this.directory.revoke(now);
    this.overlay.leave(now);
    this.links.closeAll('leaving');
    this.phase = 'left';
    this.event({ type: 'left' });
  }

  private fireTimers(now: Millis): void {
    for (const kind of this.timers.takeDue(now)) {
      switch (kind) {
        case 'heartbeat':
          this.overlay.heartbeat(now);
          this.links.sweep(now, (peer) => this.overlay.inUse(peer));
          this.broadcaster.tick(now);
          this.timers.set('heartbeat', now + this.config.heartbeatIntervalMs);
          break;
        case 'prune':
          this.directory.prune(now);
          this.timers.set('prune', now + PRUNE_INTERVAL_MS);
          break;
        case 'shuffle':
          this.overlay.shuffle(now);
          this.timers.set('shuffle', now + this.jittered(this.config.shuffleIntervalMs));
          break;
        case 'announce': {
          this.directory.announce(now);
          this.timers.set('announce', now + this.jittered(this.directoryConfig.announceIntervalMs));
          break;
        }
        case 'directorySync': {
          // Anti-entropy with a random neighbour (DirectoryService.requestAntiEntropy).
          const peers = [...this.overlay.active.keys()];
          const peer = pick(this.timerRandom, peers);
          if (peer !== undefined) this.directory.requestAntiEntropy(peer, now);
          this.timers.set('directorySync', now + this.jittered(this.nextSyncPeriod(now)));
          break;
        }
        case 'graft':
          this.graftTimerAt = undefined; // taken from the table
          this.broadcaster.tick(now);
          break;
        case 'routing':
          this.routingTimerAt = undefined; // taken from the table
          this.routing.tick(now);
          break;
      }
    }
  }

  onMessage(link: Link, peer: Peer, message: Message, frame: Uint8Array): void {
    const now = this.now;
    switch (message.type) {
      case 'broadcast':
      case 'ihave':
      case 'graft':
      case 'prune':
      case 'directoryRequest':
      case 'directoryChunk':
        if (!this.overlay.active.has(peer.id))
          return this.event({ type: 'drop', what: `${message.type}-from-non-neighbour` });
        return this.onNeighbourMessage(peer.id, message, frame, now);
      case 'onion':
        return this.routing.onPacket(message.packet, now);
      default:
        return this.overlay.onMessage(link, peer, message, now, frame);
    }
  }

  /** An onion packet to `id`: on a ready link, else on one opened on demand to `address`. */
  private sendPacket(id: NodeId, address: string | undefined, packet: Uint8Array): PacketOutcome {
    const message: Message = { type: 'onion', packet };
    const ready = this.links.readyLink(id);
    if (ready) {
      this.links.send(ready, message, this.now);
      return 'sent';
    }
    if (address === undefined) return 'no-address';
    return this.links.sendTo({ id, address }, message, this.now);
  }

  private onNeighbourMessage(peer: NodeId, message: Message, frame: Uint8Array, now: Millis): void {
    switch (message.type) {
      case 'broadcast':
        return this.broadcaster.onBroadcast(peer, message, now, frame);
      case 'ihave':
        return this.broadcaster.onIHave(peer, message.ids, now);
      case 'graft':
        return this.broadcaster.onGraft(peer, message.id);
      case 'prune':
        return this.broadcaster.onPrune(peer);
      case 'directoryRequest':
        return this.directory.onSyncRequest(peer, now, message.digest);
      case 'directoryChunk':
        return this.directory.onSyncChunk(message.descriptors, now);
      default:
        return;
    }
  }

  /**
   * We could not reach `id` ourselves (a failed dial, a silent neighbour): our paths avoid it
   * for a while, and a sampled directory lets a newcomer take its slot (directory rule 7).
   */
  private unreachable(id: NodeId): void {
    this.routing.onUnreachable(id, this.now);
    this.directory.directory.memberUnreachable(id, this.now);
  }

  /** Overlay events go out as they are; neighbour changes also drive broadcast and sync. */
  private onOverlayEvent(event: EngineEvent): void {
    if (event.type === 'neighbourUp') {
      this.broadcaster.neighbourUp(event.peer);
      if (!this.announced) this.firstNeighbour(event.peer, this.now);
    } else if (event.type === 'neighbourDown') {
      this.broadcaster.neighbourDown(event.peer);
      this.directory.forgetPeer(event.peer);
      if (event.reason === 'heartbeat-timeout') this.unreachable(event.peer);
    }
    this.event(event);
  }

  /**
   * Our first neighbour: learn the directory from it and introduce ourselves once more
   * neighbours have come (DirectoryConfig.announceAfterJoinMs). A node restarted with its
   * saved directory asks only for what it lacks (a digest) and skips the joining phase's
   * fast pulls (what it lacks is mostly newer copies of records it holds); if it holds our
   * own descriptor, unchanged and issued within the announce period, the network still holds
   * it too (descriptors outlive a crash, records.ts): the next announcement is simply due
   * when it would have been, instead of one more network-wide broadcast now.
   */
  private firstNeighbour(peer: NodeId, now: Millis): void {
    this.announced = true;
    const config = this.directoryConfig;
    // More than our own descriptor restored: a digest asks for just what we lack, and the
    // pulls keep their usual pace (the joining phase is for an empty directory).
    const restored = this.restoreCounts.descriptors > 1;
    if (restored) this.directory.requestAntiEntropy(peer, now);
    else this.directory.requestSync(peer);
    const periodEnd = this.directory.restoredAnnouncementEnd(now);
    const announceAt = periodEnd ?? now + config.announceAfterJoinMs;
    this.timers.set('announce', announceAt);
    this.joinSyncUntil = restored ? now : now + config.joinSyncForMs;
    if (config.syncIntervalMs > 0)
      this.timers.set('directorySync', now + this.jittered(this.nextSyncPeriod(now)));
  }

  /** Broadcasts `body`, at most `hopsMax` hops (the directory's announceHops) if given. */
  private originate(kind: BroadcastKind, body: Uint8Array, hopsMax?: number): void {
    const { hops, lifetimeMs } = this.broadcastConfig;
    const message = {
      type: 'broadcast' as const,
      id: this.broadcastRandom.bytes(BROADCAST_ID_BYTES),
      origin: this.identity.id,
      expiresAt: this.now + lifetimeMs,
      hops: Math.min(hops, hopsMax ?? hops),
      kind,
      body,
    };
    const id = this.broadcaster.originate(message, this.now);
    this.event({ type: 'broadcastSent', id, kind });
  }

  /** A broadcast's frame to several neighbours (the same bytes on every link). */
  sendFrameToNeighbours(peers: readonly NodeId[], frame: Uint8Array): void {
    for (const peer of peers) {
      const link = this.links.readyLink(peer);
      if (link) this.links.sendEncoded(link, frame, false, this.now);
      else this.event({ type: 'drop', what: 'broadcast-no-link' });
    }
  }

  sendToNeighbour(peer: NodeId, message: Message): void {
    const link = this.links.readyLink(peer);
    if (link) this.links.send(link, message, this.now);
    else this.event({ type: 'drop', what: `${message.type}-no-link` });
  }

  private scheduleRouting(): void {
    const next = this.routing.nextDeadline();
    if (next === this.routingTimerAt) return;
    this.routingTimerAt = next;
    if (next === undefined) this.timers.clear('routing');
    else this.timers.set('routing', next);
  }

  private scheduleGraft(): void {
    const next = this.broadcaster.nextDeadline();
    if (next === this.graftTimerAt) return;
    this.graftTimerAt = next;
    if (next === undefined) this.timers.clear('graft');
    else this.timers.set('graft', next);
  }

  /**
   * The anti-entropy period: faster for a while after joining (DirectoryConfig.joinSyncForMs),
   * while the directory is still filling. A sampled directory is full once its sample is:
   * its neighbours' samples differ from it by design, so fast pulls would only bring records
   * that rank out of it (at 2,000 nodes with samples of 100: 7× the sync bytes, nothing kept).
   * After that, the period doubles while rounds hear no inconsistency (SYNC_BACKOFF_MAX):
   * each call takes what the directory heard since the last one and moves the back-off.
   */
  private nextSyncPeriod(now: Millis): Millis {
    const { syncIntervalMs, joinSyncIntervalMs, sampleSize } = this.directoryConfig;
    const filling = this.directory.directory.sampled < sampleSize;
    const heard = this.directory.takeInconsistent();
    if (now < this.joinSyncUntil && filling) return Math.min(joinSyncIntervalMs, syncIntervalMs);
    // Past joining, Trickle's back-off (SYNC_BACKOFF_MAX).
    this.syncBackoff = heard ? 1 : Math.min(2 * this.syncBackoff, SYNC_BACKOFF_MAX);
    return this.syncBackoff * syncIntervalMs;
  }

  /** A period drawn uniformly from [0.5, 1.5) × `ms`, so periodic work never synchronises. */
  private jittered(ms: number): number {
    return Math.floor(ms / 2) + this.timerRandom.int(ms);
  }

  private requestWake(): void {
    const next = this.timers.next();
    if (next !== undefined && next !== this.requestedWake) {
      this.requestedWake = next;
      this.out.push({ type: 'wake', at: next });
    }
  }

  private checkInvariants(): void {
    this.overlay.checkInvariants();
    const { eager, lazy } = this.broadcaster.links();
    for (const peer of [...eager, ...lazy]) {
      if (!this.overlay.active.has(peer))
        throw new Error(`broadcast link to non-neighbour ${peer}`);
    }
    if (eager.some((p) => lazy.includes(p))) throw new Error('a neighbour both eager and lazy');
    if (this.broadcaster.dropList.size > this.broadcastConfig.dropListMax)
      throw new Error('drop list over capacity');
    this.routing.checkInvariants();
    const answered = new Set<string>();
    for (const output of this.out) {
      if (output.type === 'send' && output.bytes[FRAME_HEADER_BYTES - 1] === ONION_CODE) {
        if (output.bytes.length !== ONION_FRAME_BYTES)
          throw new Error(`onion frame of ${output.bytes.length} bytes`);
      } else if (
        output.type === 'event' &&
        (output.event.type === 'messageAcked' || output.event.type === 'messageFailed')
      ) {
        if (answered.has(output.event.messageId))
          throw new Error(`message ${output.event.messageId} answered twice`);
        answered.add(output.event.messageId);
      }
    }
  }

  private event(event: EngineEvent): void {
    this.out.push({ type: 'event', event });
  }
}
