/**
 * Routing limits and periods (STYLE.md #4): every number the data plane uses, with the
 * reason for its default. Sizes of the onion packet itself are in onion/limits.ts; the
 * end-to-end envelope's layout is in e2e.ts, which checks at load that its largest
 * envelope fits one packet.
 */
import { DEFAULT_DIRECTORY } from '../directory/config.js';
import { HOPS_MAX } from '../onion/limits.js';
import { SHARDS_MAX } from '../shards/limits.js';

/**
 * Largest message body one packet carries, 1 KiB. The envelope around it (sender keys,
 * message ID, timestamp, sender address, reply path, signature, AEAD overhead) takes at
 * most 302 bytes, so 1,024 + 302 = 1,326 bytes fit the onion payload (PAYLOAD_MAX = 1,558)
 * with room to spare.
 * A chat line is far shorter; longer bodies are the shard layer's job (DESIGN.md "Shards").
 */
export const ROUTING_BODY_MAX = 1024;

/** Relays in a reply path: the recipient is the last hop of a packet, so HOPS_MAX − 1. */
export const REPLY_PATH_MAX = HOPS_MAX - 1;

/**
 * Most shards of one message on the data plane (`send --shards n/k`: 1 ≤ k ≤ n ≤ this).
 * Each shard takes a path of its own that shares no relay with its siblings', so n shards
 * need n·hops distinct relays (24 at the default three hops, a small network's worth), and
 * each costs a packet out and an ack back: 8 packets for a 1 KiB message is already more
 * redundancy than anything but a very lossy network repays. The shard library allows 16
 * (shards/limits.ts); 8 also keeps a shard ack's set of held shards within 16 bits.
 */
export const SHARDS_PER_MESSAGE_MAX = 8;
if (SHARDS_PER_MESSAGE_MAX > SHARDS_MAX || SHARDS_PER_MESSAGE_MAX > 16) {
  throw new Error('SHARDS_PER_MESSAGE_MAX exceeds what the shard layer or a shard ack holds');
}

export interface RoutingConfig {
  /** Relays per path (DESIGN.md §3: 3 by default). The packet adds the recipient as a hop. */
  hops: number;
  /** Fewest relays a path may have when the directory knows fewer than `hops`. */
  hopsMin: number;
  /**
   * The ack's way back: 'reverse' — the forward path's relays in reverse order (they were
   * alive a moment ago and have links open towards us), or 'fresh' — relays drawn anew.
   */
  replyPath: 'reverse' | 'fresh';
  /**
   * A relay whose descriptor was issued longer ago than this has missed a re-announcement
   * and is probably down: paths use it only when nothing fresher will do. node.ts derives
   * it from the directory's announce period.
   */
  relayStaleAfterMs: number;
  /**
   * Wait this long for the first attempt's acknowledgement until round trips have been
   * measured; then the wait is learned (rtt.ts), within [ackTimeoutMinMs, ackTimeoutMaxMs].
   */
  ackTimeoutMs: number;
  /** The learned first wait is never shorter than this. */
  ackTimeoutMinMs: number;
  /** Each retry waits `backoffFactor` times longer than the one before … */
  backoffFactor: number;
  /** … but never longer than this. */
  ackTimeoutMaxMs: number;
  /** Every wait is drawn uniformly from ±jitterPercent % of its nominal value. */
  jitterPercent: number;
  /** Relays suspected to be down (suspects.ts), at most … */
  suspectsMax: number;
  /** … each for this long, unless reached again sooner. */
  suspectMs: number;
  /** Messages of ours awaiting an acknowledgement, at most. */
  pendingMax: number;
  /** A message to a node missing from our directory waits this long for its descriptor. */
  unknownDestinationWaitMs: number;
  /** A message waiting for a descriptor or for relays looks again this often. */
  directoryPollMs: number;
  /**
   * A message whose packet could not reach its first relay (our dial refused or timed out)
   * retries at once this many times in a row; after that it waits directoryPollMs between
   * tries. Why: when most relays a directory names are gone (a sample after a mass failure,
   * before their descriptors expire) every first hop fails within a round trip, and retrying
   * at once made thousands of dials a minute for nothing (swarm seed 51).
   */
  firstHopRetriesAtOnce: number;
  /** Onion replay tags remembered by a relay, at most (onion/replay-cache.ts). */
  replayCacheMax: number;
  /** An onion replay tag is remembered this long. */
  replayMaxAgeMs: number;
  /** Messages a target remembers having delivered (dedup by sender and message ID). */
  seenMax: number;
  /** A delivered message is remembered this long; older messages are refused, not redelivered. */
  seenMaxAgeMs: number;
  /** The most a sender's clock may differ from ours (judging a message's `sentAt`). */
  clockSkewMs: number;
  /** Sharded messages a target holds partly (some shards, fewer than k), at most. */
  shardBuffersMax: number;
  /** A partly received sharded message waits this long for its other shards. */
  shardBufferMaxAgeMs: number;
}

/**
 * Defaults.
 * - 3 relays: Tor's circuit length. One relay knows both ends; two collude easily; each
 *   relay more costs a hop of latency both ways.
 * - Reply over the reverse path: a round trip then needs 3 relays alive, not 6 (under
 *   churn the directory holds descriptors of nodes that crashed minutes ago: with 15 % of
 *   them dead, 0.85³ = 61 % of attempts succeed instead of 0.85⁶ = 38 %), and the ack
 *   rides links the message just opened. A relay learns nothing new from it — it already
 *   knows both its neighbours on the path — as in Tor, whose circuits carry both ways.
 * - Stale after 1.5 announce periods plus a minute (46 minutes with the directory's
 *   defaults): a live node re-announces every period ± 50 % (directory/config.ts), so a
 *   descriptor older than that belongs to a node that missed a re-announcement.
 * - Acknowledgement timeout: 5 s until learned. A message crosses 4 hops and its ack 4
 *   back; with ~40 ms median one-way delay and a link dialed on demand at every forward
 *   hop (TCP + hello + auth ≈ 4 one-way delays before the frame) a round trip is ~1 s at
 *   the median and under 2 s at the 99.9th percentile (simulated, churn scenario), and over
 *   the Internet with Noise a few seconds: 5 s rarely fires before a live path answers.
 *   Learned (RFC 6298) it settles near SRTT + 4 RTTVAR; never under 2 s, so a slow but live
 *   path is not cut off and re-sent on every jitter of the tail. Then ×2 per timeout up to
 *   30 s: a target that is briefly down costs few packets, and a message whose path broke
 *   gets a dozen tries within five minutes.
 * - Jitter ±20 %: retries of messages sent together spread out.
 * - Suspects: 1,024 nodes (a few tens of kB) for 10 minutes: a node that failed us is
 *   skipped while it is likely still down (median offline periods in measured networks
 *   are minutes to tens of minutes), and cleared as soon as we reach it again.
 * - 1,024 pending messages: a user's outbox, far above what one person types, and a bound
 *   on the retransmission work (1,024 packets per timeout at worst).
 * - Unknown destination: 30 s covers a directory sync after joining (the first neighbour's
 *   directory arrives within a few round trips) and one announce round of a new node.
 * - Replay cache: 65,536 tags of 16 bytes (~6 MB with map overhead) and one hour: a relay
 *   forwarding 10 packets a second holds 36,000 tags in an hour, so a replay is caught for
 *   the whole hour unless the relay is flooded, and then eviction is counted. Replays older
 *   than that reach the target, whose dedup catches them (it re-acks, never redelivers).
 * - Seen set: 65,536 messages for 24 hours. A message is retried for at most the seen
 *   window minus twice the clock skew (sender.ts), and the target refuses anything older,
 *   so within one engine's life a message is delivered at most once.
 * - Clock skew 10 s, as the directory accepts (directory/config.ts).
 * - Shard buffers: 256 partial messages of at most 16 shards (shard-buffers.ts) of ≤ 1.2 KiB
 *   (~5 MB at worst, reached only by senders that split their messages twice) for 10 minutes. A partial message is normal only for a few round
 *   trips (k shards arrive together unless n − k + 1 paths broke); after that the sender's
 *   resends arrive within its backoff cap (30 s), so 10 minutes spans many of them. Losing a
 *   buffer early (expiry, eviction of the oldest at capacity, a restart) costs a resend,
 *   never a wrong or lost message: every shard ack says which shards the target holds, and
 *   the sender resends the rest (shard-sender.ts).
 */
export const DEFAULT_ROUTING: RoutingConfig = {
  hops: 3,
  hopsMin: 1,
  replyPath: 'reverse',
  relayStaleAfterMs: relayStaleAfterMs(DEFAULT_DIRECTORY.announceIntervalMs),
  ackTimeoutMs: 5_000,
  ackTimeoutMinMs: 2_000,
  backoffFactor: 2,
  ackTimeoutMaxMs: 30_000,
  jitterPercent: 20,
  suspectsMax: 1_024,
  suspectMs: 10 * 60_000,
  pendingMax: 1_024,
  unknownDestinationWaitMs: 30_000,
  directoryPollMs: 1_000,
  firstHopRetriesAtOnce: 2,
  replayCacheMax: 65_536,
  replayMaxAgeMs: 60 * 60_000,
  seenMax: 65_536,
  seenMaxAgeMs: 24 * 60 * 60_000,
  clockSkewMs: 10_000,
  shardBuffersMax: 256,
  shardBufferMaxAgeMs: 10 * 60_000,
};

/** Small limits so tests reach every edge in a few steps (STYLE.md #6). */
export const TEST_ROUTING: RoutingConfig = {
  ...DEFAULT_ROUTING,
  ackTimeoutMs: 2_000,
  ackTimeoutMinMs: 1_000,
  ackTimeoutMaxMs: 8_000,
  pendingMax: 8,
  unknownDestinationWaitMs: 5_000,
  directoryPollMs: 500,
  replayCacheMax: 64,
  suspectsMax: 8,
  replayMaxAgeMs: 10 * 60_000,
  seenMax: 16,
  seenMaxAgeMs: 10 * 60_000,
  shardBuffersMax: 4,
  shardBufferMaxAgeMs: 60_000,
};

/** Local misuse: a configuration that cannot work. */
export class RoutingConfigError extends Error {
  override name = 'RoutingConfigError';
}

export function validateRoutingConfig(config: RoutingConfig): RoutingConfig {
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RoutingConfigError(what);
  };
  for (const [key, value] of Object.entries(config)) {
    if (key === 'replyPath') continue;
    check(Number.isInteger(value) && value >= 0, `${key} must be a non-negative integer`);
  }
  check(
    config.replyPath === 'reverse' || config.replyPath === 'fresh',
    "replyPath must be 'reverse' or 'fresh'",
  );
  check(config.hops >= 1 && config.hops <= REPLY_PATH_MAX, `hops must be in 1..${REPLY_PATH_MAX}`);
  check(config.hopsMin >= 1 && config.hopsMin <= config.hops, 'need 1 ≤ hopsMin ≤ hops');
  check(config.ackTimeoutMs >= 1, 'ackTimeoutMs must be positive');
  check(
    config.ackTimeoutMinMs <= config.ackTimeoutMs && config.ackTimeoutMs <= config.ackTimeoutMaxMs,
    'need ackTimeoutMinMs ≤ ackTimeoutMs ≤ ackTimeoutMaxMs',
  );
  check(config.backoffFactor >= 1, 'backoffFactor must be at least 1');
  check(config.jitterPercent < 100, 'jitterPercent must be below 100');
  check(config.directoryPollMs >= 1, 'directoryPollMs must be positive');
  for (const key of [
    'pendingMax',
    'replayCacheMax',
    'seenMax',
    'replayMaxAgeMs',
    'suspectsMax',
    'shardBuffersMax',
    'shardBufferMaxAgeMs',
  ] as const) {
    check(config[key] >= 1, `${key} must be positive`);
  }
  check(
    config.seenMaxAgeMs > 2 * config.clockSkewMs,
    'seenMaxAgeMs must exceed twice clockSkewMs (a message must be retryable at all)',
  );
  return config;
}

/** The directory's announce period → when a relay's descriptor counts as stale. */
export function relayStaleAfterMs(announceIntervalMs: number): number {
  return Math.floor(1.5 * announceIntervalMs) + 60_000;
}

/** How long a message may be retried after it was first sent (see DEFAULT_ROUTING). */
export function messageLifetimeMaxMs(config: RoutingConfig): number {
  return config.seenMaxAgeMs - 2 * config.clockSkewMs;
}
