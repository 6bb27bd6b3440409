/**
 * Network-wide broadcast over the overlay's active view: plain flooding, or Plumtree
 * (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007).
 *
 * Theory of operation:
 * - Every broadcast carries an ID, its origin, an absolute expiry and a hop limit. A node
 *   accepts one only while now ≤ expiry ≤ now + lifetime + skew, delivers it once, and
 *   remembers the ID in the drop list until expiry + skew (drop-list.ts), so repeats and
 *   expired copies are dropped.
 * - At most `originQuota` broadcasts of one origin per period are passed on (origin-quota.ts):
 *   beyond that a broadcast stops here, undelivered, so a flooding origin floods only its
 *   own neighbours.
 * - The body is checked by the layer above (`validate`, e.g. the directory checks the
 *   signature) before it is delivered or forwarded: invalid broadcasts stop at the first
 *   honest node.
 * - flood: forward to every neighbour but the sender.
 * - tree: neighbours are *eager* (tree links: full payload) or *lazy* (IHAVE with the ID
 *   only, batched per neighbour for up to `lazyFlushMs`). New neighbours start eager. A
 *   duplicate payload prunes the link it came over (PRUNE: both ends make it lazy), unless
 *   it is one of our last `eagerMin` eager links: the eager links stay a connected mesh of
 *   small diameter instead of a tree that many origins' prunes keep cutting (EAGER_MIN). An
 *   IHAVE for an ID we lack starts a timer; if the payload does not arrive in time we GRAFT
 *   the announcer (it re-sends the payload and the link becomes eager), trying the next
 *   announcer after each retry period: this is the tree's repair after a failure.
 * - tree: an IHAVE only tells a neighbour it may lack the ID, so none goes to a neighbour
 *   that showed it has it — it announced the ID to us or sent us the payload — before our
 *   batch left. Both ends of a lazy link used to announce every broadcast to each other;
 *   now mostly the first does (a third fewer IHAVE frames at 300 nodes, same coverage).
 */
import { hexMatches, hexOf } from '../hex.js';
import { prefixKey, StringCache } from '../string-cache.js';
import type { Millis, NodeId } from '../types.js';
import { encodeMessage, withBroadcastHops } from '../wire/codec.js';
import type { BroadcastKind, Message } from '../wire/messages.js';
import { IHAVE_IDS_MAX, INTERNED_STRINGS_MAX } from '../wire/limits.js';
import type { BroadcastConfig } from './config.js';
import { DropList } from './drop-list.js';
import { OriginQuota } from './origin-quota.js';

type BroadcastMessage = Extract<Message, { type: 'broadcast' }>;

/**
 * What the broadcaster needs from its node. The node implements it itself (no object of
 * closures in between: one object fewer to read per broadcast, which counts at scale).
 */
export interface BroadcastHost {
  broadcastNeighbours(): Iterable<NodeId>;
  sendToNeighbour(peer: NodeId, message: Message): void;
  /** A broadcast's frame, encoded once, to several neighbours. */
  sendFrameToNeighbours(peers: readonly NodeId[], frame: Uint8Array): void;
  /** Checks a body before delivery; false drops the broadcast (counted by the host). */
  validateBroadcast(kind: BroadcastKind, body: Uint8Array, origin: NodeId): boolean;
  /** A broadcast seen for the first time, brought by `from`; `key` is broadcastKey(message.id). */
  deliverBroadcast(message: BroadcastMessage, key: string, from: NodeId): void;
  duplicateBroadcast(id: string): void;
}

/** An ID waiting in a lazy neighbour's IHAVE batch, with its key to withdraw it by. */
interface Queued {
  key: string;
  id: Uint8Array;
}

interface Missing {
  /** Neighbours that announced the ID, in order; the next GRAFT goes to the first. */
  announcers: NodeId[];
  deadline: Millis;
  expiresAt: Millis;
}

/**
 * Keys made so far (broadcast IDs are random): one string per key per process, not one per
 * node that sees the broadcast — a simulated network's drop lists held each key thousands
 * of times at a join's peak — and not built again to be looked up.
 */
const keys = new StringCache(INTERNED_STRINGS_MAX, hexMatches, hexOf);

/** A broadcast ID as the drop list, the payload cache and events key it: lowercase hex. */
export function broadcastKey(id: Uint8Array): string {
  return id.length < 4 ? hexOf(id) : keys.get(prefixKey(id, 0), id, 0, id.length);
}

export class Broadcaster {
  readonly dropList: DropList;
  /** Broadcasts passed on per origin and period; over it they stop here (origin-quota.ts). */
  readonly quota: OriginQuota;
  private readonly eager = new Set<NodeId>();
  private readonly lazy = new Set<NodeId>();
  /**
   * Tree mode: payloads we can re-send on GRAFT, by ID, oldest first, as the frame we sent
   * (a decoded message held its ID and body as two more arrays each).
   */
  private readonly cache = new Map<string, { frame: Uint8Array; until: Millis }>();
  /**
   * At most the first cached payload's `until` (Infinity: none; -Infinity: not known), so the
   * timer skips the cache until something in it may be due, as DropList's `headUntil`.
   */
  private cacheFirstUntil: Millis = Infinity;
  private readonly missing = new Map<string, Missing>();
  /** Tree mode: IDs waiting to be announced to each lazy neighbour. */
  private readonly lazyQueue = new Map<NodeId, Queued[]>();
  private lazyFlushAt: Millis | undefined;
  /**
   * nextDeadline()'s answer, kept until `missing` or `lazyFlushAt` changes: the node asks
   * after every input, and scanning `missing` each time cost as much as a broadcast burst's
   * real work.
   */
  private earliestKnown = false;
  private earliestAt: Millis | undefined;
  /** Broadcasts refused for being expired or too far in the future. */
  refusedExpired = 0;
  /** Tree repairs: GRAFTs sent. */
  grafts = 0;

  constructor(
    private readonly config: BroadcastConfig,
    private readonly host: BroadcastHost,
  ) {
    this.dropList = new DropList(config.dropListMax);
    this.quota = new OriginQuota({
      quota: config.originQuota,
      periodMs: config.originQuotaPeriodMs,
      trackedMax: config.originQuotaTrackedMax,
    });
  }

  get mode(): BroadcastConfig['mode'] {
    return this.config.mode;
  }

  neighbourUp(peer: NodeId): void {
    this.lazy.delete(peer);
    this.eager.add(peer);
  }

  neighbourDown(peer: NodeId): void {
    this.eager.delete(peer);
    this.lazy.delete(peer);
    this.lazyQueue.delete(peer);
    this.earliestKnown = false;
    for (const [key, m] of this.missing) {
      const i = m.announcers.indexOf(peer);
      if (i >= 0) m.announcers.splice(i, 1);
      if (m.announcers.length === 0) this.missing.delete(key);
    }
  }

  /** Sends a broadcast of our own. Returns its ID key. */
  originate(message: BroadcastMessage, now: Millis): string {
    const key = broadcastKey(message.id);
    this.dropList.add(key, message.expiresAt + this.config.clockSkewMs);
    const frame = encodeMessage(message);
    this.remember(key, frame, message.expiresAt, now);
    this.forward(frame, message.id, key, undefined, [], now);
    return key;
  }

  /**
   * A broadcast from neighbour `from`; `received` is its frame as it came, if the caller has
   * it: passed on, it is that frame with one hop less (withBroadcastHops), not re-encoded.
   */
  onBroadcast(from: NodeId, message: BroadcastMessage, now: Millis, received?: Uint8Array): void {
    const key = broadcastKey(message.id);
    if (this.dropList.seen(key)) {
      this.host.duplicateBroadcast(key);
      this.withdraw(from, key);
      // Prune the link, unless it is one of the last eagerMin eager ones (EAGER_MIN).
      if (
        this.config.mode === 'tree' &&
        this.eager.size > this.config.eagerMin &&
        this.eager.has(from)
      ) {
        this.eager.delete(from);
        this.lazy.add(from);
        this.host.sendToNeighbour(from, { type: 'prune' });
      }
      return;
    }
    const { lifetimeMs, clockSkewMs } = this.config;
    if (message.expiresAt < now || message.expiresAt > now + lifetimeMs + clockSkewMs) {
      this.refusedExpired += 1;
      return;
    }
    if (this.quota.over(message.origin, message.expiresAt)) {
      // Remembered as seen, so other copies and IHAVEs of it do not make us graft it, and
      // no longer missing (it may have come because we grafted it).
      this.dropList.add(key, message.expiresAt + clockSkewMs);
      this.forgetMissing(key);
      return;
    }
    if (!this.host.validateBroadcast(message.kind, message.body, message.origin)) return;
    this.quota.record(message.origin, message.expiresAt);
    this.dropList.add(key, message.expiresAt + clockSkewMs);
    // Neighbours that announced it to us have it: no IHAVE to them.
    const holders = this.missing.get(key)?.announcers ?? [];
    this.forgetMissing(key);
    const { type, id, origin, expiresAt, kind, body } = message;
    // Fields listed in the decoder's order: a forwarded copy has a decoded message's shape.
    const onward = { type, id, origin, expiresAt, hops: Math.max(0, message.hops - 1), kind, body };
    let frame: Uint8Array | undefined;
    if (this.config.mode === 'tree') {
      // The link that brought the payload first is a tree link.
      this.lazy.delete(from);
      this.eager.add(from);
      frame = this.onwardFrame(onward, received);
      this.remember(key, frame, expiresAt, now);
    }
    this.host.deliverBroadcast(message, key, from);
    if (message.hops > 0) {
      this.forward(frame ?? this.onwardFrame(onward, received), id, key, from, holders, now);
    }
  }

  /** The frame that passes `onward` on: the received one re-stamped, else encoded anew. */
  private onwardFrame(onward: BroadcastMessage, received: Uint8Array | undefined): Uint8Array {
    return received === undefined
      ? encodeMessage(onward)
      : withBroadcastHops(received, onward.hops);
  }

  onIHave(from: NodeId, ids: Uint8Array[], now: Millis): void {
    if (this.config.mode !== 'tree') return;
    for (const id of ids) {
      const key = broadcastKey(id);
      if (this.dropList.has(key)) {
        this.withdraw(from, key);
        continue;
      }
      const known = this.missing.get(key);
      if (known) {
        if (!known.announcers.includes(from)) known.announcers.push(from);
      } else if (this.missing.size < this.config.missingMax) {
        this.earliestKnown = false;
        this.missing.set(key, {
          announcers: [from],
          deadline: now + this.config.graftTimeoutMs,
          expiresAt: now + this.config.lifetimeMs,
        });
      }
    }
  }

  onGraft(from: NodeId, id: Uint8Array): void {
    if (this.config.mode !== 'tree') return;
    this.lazy.delete(from);
    this.eager.add(from);
    const cached = this.cache.get(broadcastKey(id));
    if (cached) this.host.sendFrameToNeighbours([from], cached.frame);
  }

  onPrune(from: NodeId): void {
    if (this.config.mode !== 'tree' || !this.eager.has(from)) return;
    this.eager.delete(from);
    this.lazy.add(from);
  }

  /** The earliest GRAFT deadline, for the node's timer table. */
  nextDeadline(): Millis | undefined {
    if (this.earliestKnown) return this.earliestAt;
    let at: Millis | undefined = this.lazyFlushAt;
    for (const m of this.missing.values()) if (at === undefined || m.deadline < at) at = m.deadline;
    this.earliestKnown = true;
    this.earliestAt = at;
    return at;
  }

  /** Grafts what is overdue; forgets expired payloads and drop-list entries. */
  tick(now: Millis): void {
    this.earliestKnown = false;
    if (this.lazyFlushAt !== undefined && this.lazyFlushAt <= now) this.flushLazy();
    // Live iteration (no copy: this runs at every timer): only deletions happen inside.
    for (const [key, m] of this.missing) {
      if (m.expiresAt <= now) {
        this.missing.delete(key);
        continue;
      }
      if (m.deadline > now) continue;
      const announcer = m.announcers.shift();
      if (announcer === undefined) {
        this.missing.delete(key);
        continue;
      }
      this.grafts += 1;
      this.lazy.delete(announcer);
      this.eager.add(announcer);
      this.host.sendToNeighbour(announcer, { type: 'graft', id: hexToBytes(key) });
      m.deadline = now + this.config.graftRetryMs;
      if (m.announcers.length === 0) m.announcers.push(announcer); // retry it if nobody else
    }
    this.dropList.flush(now);
    this.quota.flush(now);
    if (this.cacheFirstUntil <= now) this.forgetCached(now);
  }

  private forgetCached(now: Millis): void {
    for (const [key, cached] of this.cache) {
      if (cached.until > now) {
        this.cacheFirstUntil = cached.until; // inserted in time order: the rest are younger
        return;
      }
      this.cache.delete(key);
    }
    this.cacheFirstUntil = Infinity;
  }

  /** Passes a broadcast (`frame`, ID `id`) on; `holders` are neighbours known to have it. */
  private forward(
    frame: Uint8Array,
    id: Uint8Array,
    key: string,
    from: NodeId | undefined,
    holders: readonly NodeId[],
    now: Millis,
  ): void {
    const others = (peers: Iterable<NodeId>): NodeId[] => {
      const out: NodeId[] = [];
      for (const peer of peers) if (peer !== from) out.push(peer);
      return out;
    };
    if (this.config.mode === 'flood') {
      this.host.sendFrameToNeighbours(others(this.host.broadcastNeighbours()), frame);
      return;
    }
    this.host.sendFrameToNeighbours(others(this.eager), frame);
    const queued: Queued = { key, id }; // one for every lazy neighbour's batch: never changed
    for (const peer of this.lazy) {
      if (peer === from || holders.includes(peer)) continue;
      let queue = this.lazyQueue.get(peer);
      if (queue === undefined) this.lazyQueue.set(peer, (queue = []));
      queue.push(queued);
      if (queue.length >= IHAVE_IDS_MAX) this.flushLazyTo(peer);
    }
    if (this.lazyQueue.size > 0 && this.lazyFlushAt === undefined) {
      this.lazyFlushAt = now + this.config.lazyFlushMs;
      this.earliestKnown = false;
    }
  }

  private flushLazy(): void {
    // Live iteration: flushLazyTo only deletes, and only the batch it is sending.
    for (const peer of this.lazyQueue.keys()) this.flushLazyTo(peer);
    this.lazyFlushAt = undefined;
  }

  private flushLazyTo(peer: NodeId): void {
    const queue = this.lazyQueue.get(peer);
    this.lazyQueue.delete(peer);
    if (queue && queue.length > 0 && this.lazy.has(peer))
      this.host.sendToNeighbour(peer, { type: 'ihave', ids: queue.map((q) => q.id) });
  }

  /** `peer` showed it has broadcast `key`: it leaves the IHAVE batch waiting for it. */
  private withdraw(peer: NodeId, key: string): void {
    const queue = this.lazyQueue.get(peer);
    if (queue === undefined) return;
    // A plain loop: this runs for every IHAVE of an ID we hold, and batches are short.
    for (let i = 0; i < queue.length; i++) {
      if ((queue[i] as Queued).key !== key) continue;
      queue.splice(i, 1);
      if (queue.length === 0) this.lazyQueue.delete(peer);
      return;
    }
  }

  private forgetMissing(key: string): void {
    if (this.missing.delete(key)) this.earliestKnown = false;
  }

  private remember(key: string, frame: Uint8Array, expiresAt: Millis, now: Millis): void {
    if (this.config.mode !== 'tree') return;
    if (this.cache.size >= this.config.messageCacheMax) {
      this.cache.delete(this.cache.keys().next().value as string);
      this.cacheFirstUntil = -Infinity;
    }
    const until = Math.min(expiresAt, now + this.config.messageCacheMs);
    // A lower bound of the first entry's, whichever entry is first (a key set again stays put).
    if (until < this.cacheFirstUntil) this.cacheFirstUntil = until;
    this.cache.set(key, { frame, until });
  }

  /** Tree-mode sets for invariant checks: disjoint, and only neighbours. */
  links(): { eager: NodeId[]; lazy: NodeId[] } {
    return { eager: [...this.eager], lazy: [...this.lazy] };
  }
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
