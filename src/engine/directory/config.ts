/**
 * Directory limits and periods (STYLE.md #4).
 */
import { BROADCAST_HOPS_MAX, DIRECTORY_CHUNK_MAX } from '../wire/limits.js';

export interface DirectoryConfig {
  /** Whether this node volunteers as a relay (DESIGN.md §3: on by default, `--no-relay`). */
  relay: boolean;
  /** Our descriptor is re-announced this often. */
  announceIntervalMs: number;
  /**
   * Our first announcement goes out this long after our first neighbour, not with it. The
   * first neighbour alone may already have dropped us (a contact taking a burst of joins
   * evicts a random neighbour for each), and a broadcast from a node it no longer counts as
   * a neighbour stops there: nobody learns of us. Two seconds later the walks of our JOIN
   * have brought us several neighbours, and the announcement leaves on all of them.
   */
  announceAfterJoinMs: number;
  /** Our descriptor is valid this long from its issue time. */
  descriptorLifetimeMs: number;
  /** The longest lifetime we accept in anyone's descriptor. */
  descriptorLifetimeMaxMs: number;
  /** The most a peer's clock may lead ours. */
  clockSkewMs: number;
  /** Descriptors kept at most. */
  entriesMax: number;
  /**
   * A neighbour's directory-sync request is served at most once per this period: a request
   * costs a scan of the directory, so a neighbour asking faster is refused, not served.
   */
  syncCooldownMs: number;
  /**
   * Descriptors of other nodes kept at most, pinned ones aside: beyond it the directory is
   * a bottom-k sample (sample.ts). At or above the network's size the directory is full.
   */
  sampleSize: number;
  /** IDs the runtime may pin at once (its contacts, targets of pending messages). */
  pinnedMax: number;
  /**
   * Hop limit of our announcements and revocations. At BROADCAST_HOPS_MAX (the default)
   * they reach the whole network; smaller, a ball of that radius around us, and the sample
   * spreads further by directory sync.
   */
  announceHops: number;
  /**
   * Anti-entropy: ask a random neighbour for the records we lack (directory/digest.ts) this
   * often; 0: only when joining.
   */
  syncIntervalMs: number;
  /**
   * For this long after joining (our first neighbour), anti-entropy runs every
   * `joinSyncIntervalMs` instead (when it runs at all: syncIntervalMs > 0). See the defaults.
   */
  joinSyncForMs: number;
  joinSyncIntervalMs: number;
  /** A periodic sync is answered with at most this many descriptors (Cyclon's ℓ). */
  syncRecordsMax: number;
}

/**
 * Defaults. Three announcements per lifetime (30 and 90 minutes) let a descriptor survive
 * two lost announcements; a crashed node drops out of every directory within 90 minutes.
 * Announcing is the directory's whole cost — every node hears every descriptor, O(N²)
 * messages per period across the network — so the period is as long as staleness allows
 * (Tor republishes descriptors every 18 hours; our relays churn far faster). 100,000
 * entries bound a directory to ~40 MB, above any network we simulate.
 *
 * Scaling (directory/sample.ts): a sample of 2,000 keeps every network of the shipped
 * scenarios (≤ 1,000 nodes) in full, as before; larger networks set a smaller `sampleSize`
 * with a small `announceHops` and a `syncIntervalMs`, so that memory and announcement
 * traffic per node stop growing with the network. 1,024 pins cover a user's contacts and
 * pending messages; a periodic sync answer of one chunk (24 descriptors, ~5 KB) is the
 * size of a Cyclon shuffle.
 *
 * Anti-entropy every minute: a descriptor whose announcement a node missed (it was across a
 * partition, the overlay around it was repairing, a graft timed out) is learned from a
 * neighbour's answer to our digest within a few minutes instead of at the next
 * announcement, 30 minutes later. Found by the routing property (a node joining during a
 * partition stayed unknown to the other side after healing) and by CI on real daemons.
 *
 * For 5 minutes after joining, anti-entropy runs every 10 s: a mass join (a network
 * starting, or a partition healing into joins) loses announcements to the forming overlay,
 * and the regions that missed one heal from their edges one pull per round. This replaced a
 * second announcement a minute after joining, which re-flooded every descriptor (O(N²)
 * frames) to repair a few: at 1,000 nodes joining at once, 36% fewer events and 32% fewer
 * bytes in the first 5 minutes, and directories more complete at minute 5 (99.973% of node
 * pairs known, against 99.947%; less at minute 3, 99.806% against 99.918%). The 5 s
 * cooldown lets a neighbour be asked again within that phase and still bounds what a
 * neighbour can make us scan.
 */
export const DEFAULT_DIRECTORY: DirectoryConfig = {
  relay: true,
  announceIntervalMs: 30 * 60_000,
  announceAfterJoinMs: 2_000,
  descriptorLifetimeMs: 90 * 60_000,
  descriptorLifetimeMaxMs: 2 * 60 * 60_000,
  clockSkewMs: 10_000,
  entriesMax: 100_000,
  syncCooldownMs: 5_000,
  sampleSize: 2_000,
  pinnedMax: 1_024,
  announceHops: BROADCAST_HOPS_MAX,
  syncIntervalMs: 60_000,
  joinSyncForMs: 5 * 60_000,
  joinSyncIntervalMs: 10_000,
  syncRecordsMax: DIRECTORY_CHUNK_MAX,
};

/**
 * Anti-entropy backs off like Trickle (RFC 6206): a round that hears no inconsistency (the
 * last answer brought nothing new, and no neighbour's digest lacked one of our records)
 * doubles the period, up to this multiple; one that hears one goes back to the base period.
 * In churn.yaml 85% of the answers were empty (61,414 of 72,692 in the hour).
 */
export const SYNC_BACKOFF_MAX = 4;

/**
 * Whether every announcement reaches us, so a node our directory would hold but does not is
 * evidence of another component (overlay island checks, Directory.isStranger). With
 * hop-limited announcements a sample misses most of the nodes it would hold (scale-10k at
 * 400 nodes: 92 of 1,126 island checks found a majority of strangers in one connected
 * overlay), so it cannot judge.
 */
export function announcementsReachAll(config: DirectoryConfig): boolean {
  return config.announceHops >= BROADCAST_HOPS_MAX;
}

export class DirectoryConfigError extends Error {
  override name = 'DirectoryConfigError';
}

/** Checks the limits whose bad values would silently break the directory; returns `config`. */
export function validateDirectoryConfig(config: DirectoryConfig): DirectoryConfig {
  const { sampleSize, pinnedMax, announceHops, syncIntervalMs, syncRecordsMax } = config;
  const { joinSyncForMs, joinSyncIntervalMs } = config;
  const positive = { sampleSize, pinnedMax, syncRecordsMax, joinSyncIntervalMs };
  for (const [key, value] of Object.entries(positive)) {
    if (!(Number.isInteger(value) && value >= 1))
      throw new DirectoryConfigError(`${key} must be a positive integer, not ${value}`);
  }
  if (!(Number.isInteger(announceHops) && announceHops >= 1 && announceHops <= BROADCAST_HOPS_MAX))
    throw new DirectoryConfigError(
      `announceHops must be 1..${BROADCAST_HOPS_MAX}, not ${announceHops}`,
    );
  for (const [key, value] of Object.entries({ syncIntervalMs, joinSyncForMs })) {
    if (!(Number.isInteger(value) && value >= 0))
      throw new DirectoryConfigError(`${key} must be a non-negative integer, not ${value}`);
  }
  return config;
}
