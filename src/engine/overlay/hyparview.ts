/**
 * HyParView membership (Leitão, Pereira, Rodrigues, DSN 2007) over the link table.
 *
 * Theory of operation:
 * - The *active view* holds the neighbours: symmetric, each backed by a ready link, at
 *   most `maxPeers`. The node asks for neighbours until it has `targetPeers`; below
 *   `minPeers` its requests are high priority and cannot be refused.
 * - JOIN: the contact always accepts the newcomer (evicting a random neighbour when full)
 *   and sends FORWARD_JOIN random walks to its other neighbours; a walk ending at TTL 0
 *   (or at a node with a single neighbour) makes that node ask the newcomer to be its
 *   neighbour; at TTL = PRWL the newcomer also enters a passive view.
 * - Failures (link closed, keep-alives missed) and graceful leaves remove a neighbour; the
 *   node refills from its *passive view* at once. A failed attempt backs the passive entry
 *   off and tries the next one; an entry that keeps failing is forgotten.
 * - SHUFFLE random walks keep passive views fresh; the walk's last node answers with a
 *   sample of its own passive view on a short-lived link.
 * - A keep-alive from a node that is not our neighbour gets a DISCONNECT, so a
 *   half-established neighbour relation (a lost reply) cannot last.
 * - Island checks: now and then a shuffle starts at a bootstrap address instead of a
 *   neighbour (`bootstrapWalk`); a reply that names mostly strangers to our directory
 *   makes one of them a neighbour (deviations below).
 *
 * Deviations from the paper, and why:
 * - A node that failed us (silent neighbour, failed dial, refused request) goes to a
 *   *suspect list* instead of being forgotten at once; it is retried with back-off and
 *   forgotten after a few failures. Without that the two sides of a partition forget each
 *   other while it lasts and never reconnect after it heals (views.ts, SuspectList).
 * - Eviction protection: a JOIN or high-priority request evicts a random neighbour among
 *   the younger ones, never one of the longest-standing EVICTION_PROTECTED_SHARE of the view
 *   that have been neighbours for EVICTION_PROTECTED_AFTER_MS (config.ts). Those requests
 *   cannot be refused, so attackers that kept asking took a victim's whole view (an
 *   eclipse); now they get at most the unprotected part of an established view. Without
 *   the minimum age, the overlay that joins build was less random and lost resilience to
 *   massive failures (README, "Adversarial peers"). The active map's insertion order is the
 *   order neighbours came in, so the oldest are its first keys. Nor do they evict the
 *   EVICTION_PROTECTED_NOVEL neighbours that most recently brought us a broadcast we had not
 *   seen (`noteNovel`): attackers that cut a node off drop its traffic and never earn it, so
 *   under churn, when the oldest places pass to whoever stays, and from a node's own join,
 *   honest neighbours that serve it keep a foothold.
 * - Island checks. HyParView never merges two components: nothing in either one's views
 *   names the other. Nodes joining fast through one another can split for good (seed
 *   1826157213 of the broadcast property: 33 nodes, 24 + 9 within 5 s, every node at its
 *   target with a full passive view of its own side). The bootstrap addresses a node was
 *   given are the only names that may cross, so a shuffle walk starts at one of them at
 *   growing intervals (config.ts BOOTSTRAP_WALK_*). Its reply comes from wherever the walk
 *   ended. If most of the nodes it names are ones our directory would hold but has never
 *   heard of (`isStranger`), it ended where our announcements do not reach, so we ask one of
 *   them at high priority, as a suspect: the link may be the only one between two
 *   components. In one component strangers are only nodes whose announcements are still on
 *   their way, rarely most of a reply, so a connected overlay almost never changes for it.
 *   A lying walk end gets one request per walk.
 */
import type { Link, LinkTable, Peer } from '../links.js';
import { pick, sample, type Random } from '../random.js';
import type { EngineEvent, Millis, NeighbourLossReason, NodeId } from '../types.js';
import type { Message, PeerEntry } from '../wire/messages.js';
import { transientShuffleWithTtl } from '../wire/codec.js';
import {
  EVICTION_PROTECTED_AFTER_MS,
  EVICTION_PROTECTED_NOVEL,
  EVICTION_PROTECTED_SHARE,
  KEEP_ALIVE_SLACK,
  type OverlayConfig,
} from './config.js';
import { PassiveView, SuspectList } from './views.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

interface Request {
  entry: PeerEntry;
  deadline: Millis;
  priority: 'high' | 'low';
  /** A JOIN rather than a NEIGHBOR request (the contact cannot refuse it). */
  join: boolean;
}

/** Losses that count as failures for the repair-time metric (not evictions or drops). */
const FAILURE_REASONS: ReadonlySet<NeighbourLossReason> = new Set([
  'link-closed',
  'heartbeat-timeout',
  'left',
]);
/** Most failed neighbours remembered per repair episode (a node has at most maxPeers). */
const REPAIR_LOST_MAX = 64;

export interface OverlayContext {
  readonly self: PeerEntry;
  readonly config: OverlayConfig;
  readonly links: LinkTable;
  readonly random: Random;
  readonly bootstrap: readonly string[];
  /**
   * A node our directory would hold but has never heard of (island checks, header); absent
   * when the directory cannot tell (hop-limited announcements): then no island checks.
   */
  readonly isStranger?: (id: NodeId) => boolean;
  event(event: EngineEvent): void;
}

export class HyParView {
  readonly active = new Map<NodeId, PeerEntry>();
  /** When each neighbour entered the active view (eviction protection, header). */
  private readonly activeSince = new Map<NodeId, Millis>();
  /** When a neighbour last brought us a broadcast we had not seen (eviction protection). */
  private readonly novelAt = new Map<NodeId, Millis>();
  readonly passive: PassiveView;
  readonly suspects: SuspectList;
  /** Our outstanding NEIGHBOR / JOIN requests, by the node asked. */
  private readonly requests = new Map<NodeId, Request>();
  /**
   * Passive entries that refused a low-priority request (alive, but full), and until when
   * refill leaves them alone. They stay in the passive view: dropping them drained it, and
   * a small group cut off from the rest (three nodes that joined through each other) then
   * kept an empty passive view and stayed an island forever.
   */
  private readonly refusedUntil = new Map<NodeId, Millis>();
  /** A JOIN to a bootstrap address whose node ID we do not know yet. */
  private joinDialDeadline: Millis | undefined;
  /** An island check's dial to a bootstrap address (never while a JOIN dial is pending). */
  private walkDialDeadline: Millis | undefined;
  /**
   * Until when a shuffle reply may answer our island check. The check took the place of a
   * shuffle, so the reply is almost always its own; a late one of the shuffle before would
   * only be judged the same way.
   */
  private walkReplyDeadline: Millis = -Infinity;
  private walkCount = 0;
  private nextWalkAt = Infinity;
  private walkGap = 0;
  private joinAttempts = 0;
  private nextJoinAt: Millis = 0;
  private joined = false;
  /** When we got our first neighbour (Infinity before). */
  private joinedAt = Infinity;
  /** The current repair episode: when the first failure happened and who was lost. */
  private repair: { since: Millis; lost: NodeId[]; sizeBefore: number } | undefined;

  constructor(private readonly ctx: OverlayContext) {
    this.passive = new PassiveView(ctx.config.passiveMax);
    this.suspects = new SuspectList(
      ctx.config.suspectsMax,
      ctx.config.suspectRetryBaseMs,
      ctx.config.suspectMaxFailures,
    );
  }

  private get config(): OverlayConfig {
    return this.ctx.config;
  }

  /** Neighbour `peer` brought us a broadcast we had not seen (eviction protection, header). */
  noteNovel(peer: NodeId, now: Millis): void {
    if (this.active.has(peer)) this.novelAt.set(peer, now);
  }

  /** Whether `peer` needs its link kept open (neighbour or a pending request). */
  inUse(peer: NodeId): boolean {
    return this.active.has(peer) || this.requests.has(peer);
  }

  // ---- life cycle -------------------------------------------------------------------------

  start(now: Millis): void {
    const first = this.config.bootstrapWalkFirstMs;
    if (first > 0 && this.ctx.isStranger !== undefined) {
      this.walkGap = first;
      this.nextWalkAt = now + first;
    }
    this.tryJoin(now);
  }

  /** Graceful leave: tell every neighbour, with suggestions so they reconnect onward. */
  leave(now: Millis): void {
    const neighbours = [...this.active.values()];
    for (const n of neighbours) {
      const others = neighbours.filter((o) => o.id !== n.id);
      const suggestions = [...others, ...this.passive.sample(this.ctx.random, this.config.maxPeers)]
        .filter((e) => e.id !== n.id)
        .slice(0, this.config.maxPeers);
      this.ctx.links.sendTo(n, { type: 'disconnect', leaving: true, suggestions }, now);
    }
    this.active.clear();
    this.activeSince.clear();
    this.novelAt.clear();
    this.requests.clear();
  }

  /** Periodic work: keep-alives, failure detection, request timeouts, refilling. */
  heartbeat(now: Millis): void {
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.config;
    const keepAliveAfter = heartbeatIntervalMs * (1 + KEEP_ALIVE_SLACK);
    for (const id of [...this.active.keys()]) {
      const link = this.ctx.links.readyLink(id);
      if (!link || now - link.lastHeard >= heartbeatTimeoutMs) {
        const entry = this.active.get(id) as PeerEntry;
        this.removeActive(id, 'heartbeat-timeout', now);
        this.suspect(entry, now);
        if (link) this.ctx.links.close(link, 'heartbeat-timeout');
      } else if (now - link.lastSent > keepAliveAfter) {
        this.ctx.links.send(link, { type: 'ping' }, now);
      }
    }
    for (const [id, request] of [...this.requests]) {
      if (request.deadline <= now) {
        this.requests.delete(id);
        this.suspect(request.entry, now);
      }
    }
    if (this.joinDialDeadline !== undefined && this.joinDialDeadline <= now)
      this.joinDialDeadline = undefined;
    if (this.walkDialDeadline !== undefined && this.walkDialDeadline <= now)
      this.walkDialDeadline = undefined;
    this.refill(now);
    this.probeSuspect(now);
  }

  /**
   * Starts a shuffle random walk (HyParView §4.4) at a random neighbour, or when an island
   * check is due, at a bootstrap address (header).
   */
  shuffle(now: Millis): void {
    if (now >= this.nextWalkAt && this.bootstrapWalk(now)) return;
    const target = pick(this.ctx.random, [...this.active.values()]);
    if (target) this.sendShuffle(target, target.id, now);
  }

  /** An island check (header): false when it cannot run now, so a plain shuffle runs. */
  private bootstrapWalk(now: Millis): boolean {
    const { bootstrap, self } = this.ctx;
    if (!this.joined || bootstrap.length === 0) return false;
    if (this.joinDialDeadline !== undefined || this.walkDialDeadline !== undefined) return false;
    for (const r of this.requests.values()) if (r.join) return false;
    this.walkGap = Math.min(2 * this.walkGap, this.config.bootstrapWalkMaxMs);
    this.nextWalkAt = now + this.walkGap;
    const address = bootstrap[this.walkCount++ % bootstrap.length] as string;
    if (address === self.address) return false;
    this.walkReplyDeadline = now + this.config.requestTimeoutMs;
    this.ctx.event({ type: 'islandCheck', address });
    // A neighbour's own link, if the address is one; otherwise a dial whose peer we learn.
    for (const n of this.active.values())
      if (n.address === address) return this.sendShuffle(n, n.id, now);
    this.walkDialDeadline = now + this.config.requestTimeoutMs;
    return this.sendShuffle({ address }, undefined, now);
  }

  /** Sends a shuffle of our views to `target`, leaving `skip` (the target) out of them. */
  private sendShuffle(
    target: { id?: NodeId; address: string },
    skip: NodeId | undefined,
    now: Millis,
  ): true {
    const { shuffleActiveCount, shufflePassiveCount } = this.config;
    const entries = [
      this.ctx.self,
      ...sample(
        this.ctx.random,
        [...this.active.values()].filter((e) => e.id !== skip),
        shuffleActiveCount,
      ),
      ...this.passive.sample(this.ctx.random, shufflePassiveCount),
    ];
    this.ctx.links.sendTo(
      target,
      { type: 'shuffle', origin: this.ctx.self, ttl: this.config.activeWalkLength, entries },
      now,
    );
    return true;
  }

  // ---- link events ------------------------------------------------------------------------

  onLinkReady(link: Link, peer: Peer, now: Millis): void {
    // Only a bootstrap dial has no expected identity: now we know who the contact is.
    if (link.outbound && link.expectedId === undefined && this.walkDialDeadline !== undefined) {
      this.walkDialDeadline = undefined; // an island check's (never pending with a JOIN's)
      return;
    }
    if (link.outbound && link.expectedId === undefined && this.joinDialDeadline !== undefined) {
      this.joinDialDeadline = undefined;
      this.requests.set(peer.id, {
        entry: { id: peer.id, address: peer.address },
        deadline: now + this.config.requestTimeoutMs,
        priority: 'high',
        join: true,
      });
    }
  }

  onLinkLost(peer: Peer, now: Millis): void {
    const entry = { id: peer.id, address: peer.address };
    if (this.requests.delete(peer.id)) this.suspect(entry, now);
    if (this.active.has(peer.id)) {
      this.removeActive(peer.id, 'link-closed', now);
      this.suspect(entry, now);
    }
  }

  onUnreachable(target: { id?: NodeId; address: string }, now: Millis): void {
    if (target.id === undefined) {
      // A bootstrap address unreachable: a JOIN retries later; an island check waits its turn.
      this.joinDialDeadline = undefined;
      this.walkDialDeadline = undefined;
      return;
    }
    const entry = { id: target.id, address: target.address };
    const wasRequested = this.requests.delete(entry.id);
    if (this.active.has(entry.id)) this.removeActive(entry.id, 'link-closed', now);
    this.suspect(entry, now);
    if (wasRequested) this.refill(now);
  }

  /** `frame`: the message's frame as received, if the caller has it (a walk passes it on). */
  onMessage(link: Link, peer: Peer, message: Message, now: Millis, frame?: Uint8Array): void {
    switch (message.type) {
      case 'join':
        return this.onJoin(peer, now);
      case 'forwardJoin':
        return this.onForwardJoin(peer, message, now);
      case 'neighbour':
        return this.onNeighbour(peer, message.priority, now);
      case 'neighbourReply':
        return this.onNeighbourReply(peer, message.accepted, now);
      case 'disconnect':
        return this.onDisconnect(peer, message, now);
      case 'shuffle':
        return this.onShuffle(peer, message, now, frame);
      case 'shuffleReply':
        this.integrate(message.entries, []);
        if (now <= this.walkReplyDeadline) this.afterBootstrapWalk(peer, message.entries, now);
        return;
      case 'ping':
        if (!this.active.has(peer.id) && !this.requests.has(peer.id)) {
          this.ctx.links.send(link, { type: 'disconnect', leaving: false, suggestions: [] }, now);
        }
        return;
      case 'hello':
      case 'auth':
        return; // handled by the link table
    }
  }

  // ---- protocol handlers --------------------------------------------------------------------

  private onJoin(peer: Peer, now: Millis): void {
    const newcomer = { id: peer.id, address: peer.address };
    // Reply first: adding a neighbour can make this node talk to it at once (a directory
    // sync), and the newcomer must have us as its neighbour before that arrives.
    this.ctx.links.sendTo(newcomer, { type: 'neighbourReply', accepted: true }, now);
    this.addActive(newcomer, now, true);
    for (const n of this.active.values()) {
      if (n.id === peer.id) continue;
      this.ctx.links.sendTo(
        n,
        { type: 'forwardJoin', newcomer, ttl: this.config.activeWalkLength },
        now,
      );
    }
  }

  /**
   * A uniformly random active neighbour other than `a` and `b`: the same draw as `pick` over
   * the filtered list of entries, found by the map's keys (the IDs) so that only the chosen
   * entry is read. A walk step runs on every forwarding node, and each entry read was a
   * cache line of its own.
   */
  private randomNeighbourExcept(a: NodeId, b: NodeId): PeerEntry | undefined {
    let count = 0;
    for (const id of this.active.keys()) if (id !== a && id !== b) count++;
    if (count === 0) return undefined;
    let k = this.ctx.random.int(count);
    for (const id of this.active.keys()) {
      if (id === a || id === b) continue;
      if (k === 0) return this.active.get(id);
      k--;
    }
    return undefined; // not reached: k < count
  }

  private onForwardJoin(from: Peer, message: Msg<'forwardJoin'>, now: Millis): void {
    const { newcomer, ttl } = message;
    if (newcomer.id === this.ctx.self.id) return;
    const next = this.randomNeighbourExcept(from.id, newcomer.id);
    if (ttl === 0 || this.active.size <= 1 || !next) {
      if (!this.active.has(newcomer.id) && !this.requests.has(newcomer.id))
        this.request(newcomer, 'high', now);
      return;
    }
    if (ttl === this.config.passiveWalkLength && !this.active.has(newcomer.id)) {
      this.toPassive(newcomer);
    }
    this.ctx.links.sendTo(next, { type: 'forwardJoin', newcomer, ttl: ttl - 1 }, now);
  }

  private onNeighbour(peer: Peer, priority: 'high' | 'low', now: Millis): void {
    const entry = { id: peer.id, address: peer.address };
    const accept =
      this.active.has(peer.id) || priority === 'high' || this.active.size < this.config.maxPeers;
    this.ctx.links.sendTo(entry, { type: 'neighbourReply', accepted: accept }, now);
    if (accept) this.addActive(entry, now, true); // after the reply, as in onJoin
  }

  private onNeighbourReply(peer: Peer, accepted: boolean, now: Millis): void {
    const request = this.requests.get(peer.id);
    this.requests.delete(peer.id);
    const entry = { id: peer.id, address: peer.address };
    if (!accepted) {
      // Refused: alive but full. Keep it, ask it again after a shuffle period, try another.
      this.toPassive(entry);
      if (this.refusedUntil.size >= this.config.passiveMax) this.pruneRefused(now, true);
      this.refusedUntil.set(peer.id, now + this.config.shuffleIntervalMs);
      this.refill(now);
      return;
    }
    if (request?.join && !this.joined) this.ctx.event({ type: 'joined' });
    this.suspects.delete(peer.id);
    const mayEvict = request?.priority === 'high';
    if (this.active.has(peer.id) || mayEvict || this.active.size < this.config.maxPeers) {
      this.addActive(entry, now, mayEvict);
    } else {
      // An acceptance we no longer have room for (late, or we filled up meanwhile).
      this.ctx.links.sendTo(entry, { type: 'disconnect', leaving: false, suggestions: [] }, now);
      this.toPassive(entry);
    }
  }

  private onDisconnect(peer: Peer, message: Msg<'disconnect'>, now: Millis): void {
    if (this.active.has(peer.id))
      this.removeActive(peer.id, message.leaving ? 'left' : 'disconnected', now);
    this.requests.delete(peer.id);
    if (message.leaving) {
      this.passive.delete(peer.id);
      this.integrate(message.suggestions, []);
    } else {
      this.toPassive({ id: peer.id, address: peer.address });
    }
    this.refill(now);
  }

  private onShuffle(
    from: Peer,
    message: Msg<'shuffle'>,
    now: Millis,
    frame: Uint8Array | undefined,
  ): void {
    const { origin, ttl, entries } = message;
    if (origin.id === this.ctx.self.id) return;
    const next = this.randomNeighbourExcept(from.id, origin.id);
    if (ttl > 1 && next) {
      // The frame as it came with one TTL less: the same bytes as encoding it again.
      const link = frame && this.ctx.links.readyLink(next.id);
      if (frame && link) {
        this.ctx.links.sendEncoded(link, transientShuffleWithTtl(frame, ttl - 1), false, now);
      } else {
        this.ctx.links.sendTo(next, { type: 'shuffle', origin, ttl: ttl - 1, entries }, now);
      }
      return;
    }
    const reply = this.passive.sample(this.ctx.random, entries.length);
    this.ctx.links.sendTo(origin, { type: 'shuffleReply', entries: reply }, now);
    this.integrate(
      entries,
      reply.map((e) => e.id),
    );
  }

  /**
   * The island check's answer (header). Most of it unknown to our directory: the walk ended
   * in another component, so ask a stranger in it to be a neighbour. One stranger among
   * known nodes is only a node whose announcement has not reached us yet (a mass join's
   * directories take minutes to agree).
   */
  private afterBootstrapWalk(from: Peer, entries: readonly PeerEntry[], now: Millis): void {
    this.walkReplyDeadline = -Infinity;
    const isStranger = this.ctx.isStranger;
    if (isStranger === undefined) return; // no checks start without it (start())
    const heard = [{ id: from.id, address: from.address }, ...entries].filter(
      (e) => e.id !== this.ctx.self.id,
    );
    const strangers = heard.filter((e) => isStranger(e.id));
    if (2 * strangers.length < heard.length) return;
    const bridge = strangers.find((e) => !this.inUse(e.id));
    if (bridge === undefined) return;
    this.ctx.event({ type: 'islandBridge', peer: bridge.id });
    this.passive.delete(bridge.id);
    this.request(bridge, 'high', now);
  }

  // ---- view maintenance -------------------------------------------------------------------

  /** Puts received entries into the passive view (HyParView §4.4 integration rule). */
  private integrate(entries: readonly PeerEntry[], preferEvict: readonly NodeId[]): void {
    for (const entry of entries) {
      if (entry.id === this.ctx.self.id || this.active.has(entry.id)) continue;
      if (this.suspects.has(entry.id)) continue; // hearsay does not clear a suspicion
      this.passive.add(entry, this.ctx.random, preferEvict);
    }
  }

  private addActive(entry: PeerEntry, now: Millis, mayEvict: boolean): void {
    if (entry.id === this.ctx.self.id || this.active.has(entry.id)) return;
    if (this.active.size >= this.config.maxPeers) {
      if (!mayEvict) return;
      const victim = pick(this.ctx.random, this.evictable(now));
      if (victim !== undefined) {
        const victimEntry = this.active.get(victim) as PeerEntry;
        this.ctx.links.sendTo(
          victimEntry,
          { type: 'disconnect', leaving: false, suggestions: [] },
          now,
        );
        this.removeActive(victim, 'evicted', now);
        this.toPassive(victimEntry);
      }
    }
    this.passive.delete(entry.id);
    this.suspects.delete(entry.id);
    this.active.set(entry.id, entry);
    this.activeSince.set(entry.id, now);
    if (!this.joined) this.joinedAt = now;
    this.joined = true;
    this.ctx.event({ type: 'neighbourUp', peer: entry.id, activeSize: this.active.size });
    this.checkRepaired();
  }

  /**
   * The neighbours a JOIN or high-priority request may evict: all but the oldest
   * EVICTION_PROTECTED_SHARE of the view among those in it for EVICTION_PROTECTED_AFTER_MS,
   * and of the rest, all but the EVICTION_PROTECTED_NOVEL that most recently brought us a
   * broadcast we had not seen (header). The map's order is arrival order, so the old enough
   * are a prefix of it.
   */
  private evictable(now: Millis): NodeId[] {
    const ids = [...this.active.keys()];
    let protectedCount = 0;
    const most = Math.floor(this.config.maxPeers * EVICTION_PROTECTED_SHARE);
    while (
      protectedCount < most &&
      protectedCount < ids.length &&
      now - (this.activeSince.get(ids[protectedCount] as NodeId) as Millis) >=
        EVICTION_PROTECTED_AFTER_MS
    )
      protectedCount += 1;
    const rest = ids.slice(protectedCount);
    // One stays evictable, or a full view of two to four would take the newcomer past maxPeers.
    for (let kept = 0; kept < EVICTION_PROTECTED_NOVEL && rest.length > 1; kept++) {
      // The latest to bring something new; the earlier in arrival order on a tie.
      let latest = -1;
      for (let i = 0; i < rest.length; i++) {
        const at = this.novelAt.get(rest[i] as NodeId);
        if (
          at !== undefined &&
          (latest < 0 || at > (this.novelAt.get(rest[latest] as NodeId) as Millis))
        )
          latest = i;
      }
      if (latest < 0) break;
      rest.splice(latest, 1);
    }
    return rest;
  }

  private removeActive(id: NodeId, reason: NeighbourLossReason, now: Millis): void {
    if (!this.active.delete(id)) return;
    this.activeSince.delete(id);
    this.novelAt.delete(id);
    this.ctx.event({ type: 'neighbourDown', peer: id, reason, activeSize: this.active.size });
    if (FAILURE_REASONS.has(reason)) {
      if (!this.repair) this.repair = { since: now, lost: [], sizeBefore: this.active.size + 1 };
      if (this.repair.lost.length < REPAIR_LOST_MAX) this.repair.lost.push(id);
    }
    this.refill(now);
  }

  private checkRepaired(): void {
    const repair = this.repair;
    if (!repair) return;
    if (this.active.size >= Math.min(repair.sizeBefore, this.config.targetPeers)) {
      this.repair = undefined;
      this.ctx.event({ type: 'viewRepaired', since: repair.since, lost: repair.lost });
    }
  }

  /**
   * Asks nodes to become neighbours until the target would be met: passive-view nodes
   * first, suspects due for a retry when the passive view has none left.
   */
  private refill(now: Millis): void {
    if (!this.joined && this.active.size === 0) return this.tryJoin(now);
    const { targetPeers, minPeers } = this.config;
    this.pruneRefused(now, false);
    const eligible = (id: NodeId): boolean =>
      !this.requests.has(id) && !this.active.has(id) && !this.refusedUntil.has(id);
    let attempts = targetPeers - this.active.size - this.requests.size;
    let noneToAsk = false;
    while (attempts-- > 0) {
      const candidate =
        this.passive.pickCandidate(this.ctx.random, eligible) ??
        this.suspects.pickDue(this.ctx.random, now, eligible);
      if (candidate === undefined) {
        noneToAsk = true;
        break;
      }
      this.passive.delete(candidate.id);
      this.request(candidate, this.active.size < minPeers ? 'high' : 'low', now);
    }
    // Nobody left to ask and still below the minimum — or, two shuffle periods after joining,
    // still below the target with nobody to ask (an empty passive view, or only nodes that
    // refused us): back in through a bootstrap node, whose FORWARD_JOIN walks land us in
    // fresh views. (Nodes that joined through each other while their other contacts were cut
    // off formed an island, with nothing in their passive views to leave it by but full nodes
    // that refused them — FC_SEED=2146350550, a triangle whose only passive entry was full;
    // in a network of at most maxPeers + 1 nodes this costs one JOIN per backoff period,
    // ≤ 8 × joinRetryMs.)
    const stranded =
      (this.passive.size === 0 || (noneToAsk && this.active.size < targetPeers)) &&
      now - this.joinedAt >= 2 * this.config.shuffleIntervalMs;
    if ((this.active.size < minPeers || stranded) && this.requests.size === 0) this.tryJoin(now);
  }

  /** Forgets refusals whose wait is over (all of them when `all`: the map is at its bound). */
  private pruneRefused(now: Millis, all: boolean): void {
    if (all) return this.refusedUntil.clear();
    for (const [id, until] of this.refusedUntil) if (until <= now) this.refusedUntil.delete(id);
  }

  /**
   * Retries one suspect at a time, whatever our degree, at high priority: a suspect that
   * answers was cut off from us (a partition, a transient fault), and the link back may be
   * the only one between two halves of the network, so neither side may refuse it for
   * being full (each evicts a random neighbour instead, keeping the cap).
   */
  private probeSuspect(now: Millis): void {
    if (this.requests.size > 0) return;
    const eligible = (id: NodeId): boolean => !this.active.has(id);
    const candidate = this.suspects.pickDue(this.ctx.random, now, eligible);
    if (candidate) this.request(candidate, 'high', now);
  }

  /** A node that just proved alive (it spoke to us) becomes a passive entry, cleared of suspicion. */
  private toPassive(entry: PeerEntry): void {
    if (entry.id === this.ctx.self.id || this.active.has(entry.id)) return;
    this.suspects.delete(entry.id);
    this.passive.add(entry, this.ctx.random);
  }

  /** `entry` failed us: from the passive view to the suspect list (views.ts). */
  private suspect(entry: PeerEntry, now: Millis): void {
    if (this.active.has(entry.id)) return; // a late timeout of a node that is our neighbour now
    this.passive.delete(entry.id);
    this.suspects.recordFailure(entry, now);
  }

  private request(entry: PeerEntry, priority: 'high' | 'low', now: Millis): void {
    this.requests.set(entry.id, {
      entry,
      deadline: now + this.config.requestTimeoutMs,
      priority,
      join: false,
    });
    this.ctx.links.sendTo(entry, { type: 'neighbour', priority }, now);
  }

  /** (Re)joins through a bootstrap address, with backoff between attempts. */
  private tryJoin(now: Millis): void {
    if (this.ctx.bootstrap.length === 0 || this.joinDialDeadline !== undefined) return;
    if (this.walkDialDeadline !== undefined) return; // its link would pass for the JOIN's
    if (now < this.nextJoinAt) return;
    for (const r of this.requests.values()) if (r.join) return;
    const address = this.ctx.bootstrap[this.joinAttempts % this.ctx.bootstrap.length] as string;
    this.joinAttempts += 1;
    const backoff = this.config.joinRetryMs * 2 ** Math.min(3, this.joinAttempts - 1);
    this.nextJoinAt = now + backoff;
    this.joinDialDeadline = now + this.config.requestTimeoutMs;
    this.ctx.links.sendTo({ address }, { type: 'join' }, now);
  }

  /** Broken invariants are bugs (STYLE.md #8). */
  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`overlay invariant broken at ${this.ctx.self.id}: ${what}`);
    };
    if (this.active.size > this.config.maxPeers) fail(`active ${this.active.size} > maxPeers`);
    if (this.activeSince.size !== this.active.size) fail('activeSince out of step with active');
    for (const id of this.novelAt.keys()) if (!this.active.has(id)) fail(`novelAt holds ${id}`);
    if (this.passive.size > this.config.passiveMax)
      fail(`passive ${this.passive.size} > passiveMax`);
    if (this.active.has(this.ctx.self.id) || this.passive.has(this.ctx.self.id))
      fail('self in a view');
    if (this.suspects.size > this.config.suspectsMax) fail(`suspects > suspectsMax`);
    for (const id of this.passive.ids())
      if (this.suspects.has(id)) fail(`${id} passive and suspect`);
    for (const id of this.active.keys()) {
      if (this.passive.has(id) || this.suspects.has(id)) fail(`${id} active and passive/suspect`);
      if (!this.ctx.links.readyLink(id)) fail(`neighbour ${id} without a ready link`);
    }
  }
}
