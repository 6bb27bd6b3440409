/**
 * Broadcast limits and periods (STYLE.md #4), with the reason for each default.
 */

export type BroadcastMode = 'flood' | 'tree';

export interface BroadcastConfig {
  /** flood: every neighbour but the sender; tree: Plumtree eager/lazy push. */
  mode: BroadcastMode;
  /** Hop limit given to a broadcast we originate (BROADCAST_HOPS_MAX on the wire). */
  hops: number;
  /** How long a broadcast we originate may circulate. */
  lifetimeMs: number;
  /**
   * The most a peer's clock may lead ours. A broadcast expiring later than now + lifetime +
   * skew is refused (it could outlive our drop-list entry); drop-list entries live until
   * expiry + skew, so a flushed ID can never be accepted again.
   */
  clockSkewMs: number;
  /** Drop-list capacity (IDs seen); reaching it evicts the oldest entry and counts it. */
  dropListMax: number;
  /** Tree mode: payloads kept to answer GRAFTs, at most this many… */
  messageCacheMax: number;
  /**
   * …for this long. A GRAFT comes at most a lazy flush, a graft timeout and a few retries
   * after the payload passed (≈ 3 s with the defaults); keeping payloads for their whole
   * lifetime instead held every announcement of a mass join in every node's memory.
   */
  messageCacheMs: number;
  /** Tree mode: IDs announced by IHAVE that we wait for, at most this many. */
  missingMax: number;
  /**
   * Tree mode: a duplicate prunes the link it came over only while more than this many
   * eager neighbours remain (EAGER_MIN); 0 is Plumtree's rule, pruning on every duplicate.
   */
  eagerMin: number;
  /** Tree mode: wait this long after an IHAVE before grafting (Plumtree's timer). */
  graftTimeoutMs: number;
  /** Tree mode: after a GRAFT, wait this long before grafting the next announcer. */
  graftRetryMs: number;
  /**
   * Tree mode: IHAVEs to a lazy neighbour are batched for at most this long (Plumtree's lazy
   * queue). A burst of broadcasts (a mass join announcing itself) then costs one IHAVE
   * frame per lazy link per period instead of one per broadcast.
   */
  lazyFlushMs: number;
  /** Broadcasts of one origin a node passes on per `originQuotaPeriodMs` (origin-quota.ts). */
  originQuota: number;
  originQuotaPeriodMs: number;
  /** Origins whose quota windows a node keeps at once (the one seen least recently goes first). */
  originQuotaTrackedMax: number;
}

/**
 * The broadcast quota per origin (issue 8 #3). An honest origin broadcasts its descriptor
 * on joining, once more a minute later, then every announce interval (30 minutes; a
 * scenario may shorten it to 1 minute), and a revocation when it leaves: a few per minute
 * even for a node that restarts every few seconds. The simulator's probes come from random
 * origins, ~3 a minute per origin in the busiest shipped scenario shortened to 24 nodes.
 * 30 a minute is ten times that, while an origin flooding at 10/s has 95% of its
 * broadcasts stopped at its neighbours (choosing its expiries, at most 2 × 30 in a minute). The period is at least the broadcast lifetime, so an
 * honest broadcast is never two windows behind its origin's latest (origin-quota.ts Rule 1).
 */
export const ORIGIN_QUOTA = 30;
export const ORIGIN_QUOTA_PERIOD_MS = 60_000;
/**
 * An origin's entry is ~80 bytes; 16,384 of them (the drop list's capacity) bound the quota's memory
 * below 1 MB and cover every origin active within a period in networks far beyond the
 * simulated ones (an origin is rarely active: one announcement per 30 minutes).
 */
export const ORIGIN_QUOTA_TRACKED_MAX = 16_384;

/**
 * The eager neighbours a node keeps through its own prunes. Plumtree's single shared tree
 * works badly with many origins at once: each duplicate prunes a link that is another
 * origin's tree edge, concurrent prunes cut the eager links apart, and every gap is
 * repaired by IHAVE and GRAFT, whose next duplicate prunes again. Keeping three eager links
 * (a random graph of minimum degree 3 is connected and of small diameter) ended that churn:
 * on churn.yaml's hour 88% fewer GRAFTs and 11% fewer frames, and a probe's p99 latency fell
 * from ~3 s to ~0.7 s, for ~0.4 more payload copies per node per broadcast, and fewer
 * bytes (README, "Broadcast and the drop list"). Two kept most of the grafts; four doubled
 * the duplicates.
 */
export const EAGER_MIN = 3;

/**
 * Defaults. A 1,000-node overlay of degree 6–8 has a diameter of about 5 and a flood
 * covers it in ~5 × (40 ms + processing); a 60 s lifetime outlasts that by orders of
 * magnitude, and keeps drop lists small: a node remembers one minute of broadcasts. The
 * graft timeout exceeds a typical eager-path delay, as Plumtree advises, so a lazy link is
 * used only when the tree really lost the message: with random origins a shared tree's
 * paths run to ~10 hops × 40–80 ms in a 1,000-node overlay (measured p99 ≈ 750 ms), and a
 * shorter timeout grafts needlessly, creating cycles that the next duplicate prunes again.
 */
export const DEFAULT_BROADCAST: BroadcastConfig = {
  mode: 'tree',
  hops: 16,
  lifetimeMs: 60_000,
  clockSkewMs: 10_000,
  dropListMax: 16_384,
  messageCacheMax: 1_024,
  messageCacheMs: 10_000,
  missingMax: 4_096,
  eagerMin: EAGER_MIN,
  graftTimeoutMs: 1_000,
  graftRetryMs: 500,
  lazyFlushMs: 250,
  originQuota: ORIGIN_QUOTA,
  originQuotaPeriodMs: ORIGIN_QUOTA_PERIOD_MS,
  originQuotaTrackedMax: ORIGIN_QUOTA_TRACKED_MAX,
};

export class BroadcastConfigError extends Error {
  override name = 'BroadcastConfigError';
}

export function validateBroadcastConfig(config: BroadcastConfig): BroadcastConfig {
  if (config.mode !== 'flood' && config.mode !== 'tree') {
    throw new BroadcastConfigError(`mode must be flood or tree, not ${String(config.mode)}`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (key !== 'mode' && !(Number.isInteger(value) && (value as number) >= 0)) {
      throw new BroadcastConfigError(`${key} must be a non-negative integer`);
    }
  }
  if (config.dropListMax < 1) throw new BroadcastConfigError('dropListMax must be at least 1');
  for (const key of ['originQuota', 'originQuotaPeriodMs', 'originQuotaTrackedMax'] as const) {
    if (config[key] < 1) throw new BroadcastConfigError(`${key} must be at least 1`);
  }
  return config;
}
