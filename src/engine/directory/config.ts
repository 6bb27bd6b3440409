/**
 * Directory limits and periods (STYLE.md #4).
 */

export interface DirectoryConfig {
  /** Whether this node volunteers as a relay (DESIGN.md §3: on by default, `--no-relay`). */
  relay: boolean;
  /** Our descriptor is re-announced this often. */
  announceIntervalMs: number;
  /**
   * A second announcement this long after joining. The first one, sent with our first
   * neighbour, may reach only part of a network that is still forming (many nodes joining at
   * once); by the second, the overlay around us has settled.
   */
  reannounceAfterJoinMs: number;
  /**
   * …but only if our directory has grown by this factor since the first announcement: then
   * the network was still forming (a mass join) and the first announcement may have missed
   * part of it. A node joining a settled network learns it whole by sync and skips it.
   */
  reannounceGrowth: number;
  /** Our descriptor is valid this long from its issue time. */
  descriptorLifetimeMs: number;
  /** The longest lifetime we accept in anyone's descriptor. */
  descriptorLifetimeMaxMs: number;
  /** The most a peer's clock may lead ours. */
  clockSkewMs: number;
  /** Descriptors kept at most. */
  entriesMax: number;
  /** A neighbour's directory-sync request is served at most once per this period. */
  syncCooldownMs: number;
}

/**
 * Defaults. Three announcements per lifetime (30 and 90 minutes) let a descriptor survive
 * two lost announcements; a crashed node drops out of every directory within 90 minutes.
 * Announcing is the directory's whole cost — every node hears every descriptor, O(N²)
 * messages per period across the network — so the period is as long as staleness allows
 * (Tor republishes descriptors every 18 hours; our relays churn far faster). 100,000
 * entries bound a directory to ~40 MB, above any network we simulate.
 */
export const DEFAULT_DIRECTORY: DirectoryConfig = {
  relay: true,
  announceIntervalMs: 30 * 60_000,
  reannounceAfterJoinMs: 60_000,
  reannounceGrowth: 2,
  descriptorLifetimeMs: 90 * 60_000,
  descriptorLifetimeMaxMs: 2 * 60 * 60_000,
  clockSkewMs: 10_000,
  entriesMax: 100_000,
  syncCooldownMs: 60_000,
};
