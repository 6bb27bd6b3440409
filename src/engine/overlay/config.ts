/**
 * Overlay limits and periods (STYLE.md #4): every number the membership protocol uses,
 * with the reason for its default. HyParView = Leitão, Pereira, Rodrigues, "HyParView: a
 * membership protocol for reliable gossip-based broadcast", DSN 2007 (§4, §5.1). The link
 * table's limits (links.ts LinkLimits) live here too.
 */
import { DEFAULT_DIRECTORY } from '../directory/config.js';
import { DIRECTORY_CHUNK_MAX } from '../wire/limits.js';

export interface OverlayConfig {
  /** Below this the node repairs urgently (high-priority NEIGHBOR requests are never refused). */
  minPeers: number;
  /** The node asks for neighbours until it has this many. */
  targetPeers: number;
  /**
   * Hard cap on the active view; a join or high-priority request evicts a random neighbour
   * (but never one of the longest-standing EVICTION_PROTECTED_SHARE of them).
   */
  maxPeers: number;
  /** Capacity of the passive view (known, unconnected nodes used for repair). */
  passiveMax: number;
  /** Active random walk length of FORWARD_JOIN (HyParView ARWL). */
  activeWalkLength: number;
  /** At this remaining TTL a FORWARD_JOIN adds the newcomer to the passive view (PRWL). */
  passiveWalkLength: number;
  shuffleIntervalMs: number;
  /**
   * A shuffle this long after start goes through a bootstrap address instead of a neighbour
   * (an island check, hyparview.ts); the gap to the next one doubles up to
   * `bootstrapWalkMaxMs`. 0: never.
   */
  bootstrapWalkFirstMs: number;
  bootstrapWalkMaxMs: number;
  /** Entries of the active / passive view sent in a shuffle (HyParView k_a, k_p). */
  shuffleActiveCount: number;
  shufflePassiveCount: number;
  /**
   * The heartbeat's period: a keep-alive goes to every neighbour that has heard nothing from
   * us for more than this and KEEP_ALIVE_SLACK of it; silent neighbours are checked.
   */
  heartbeatIntervalMs: number;
  /** A neighbour silent for this long is declared failed. */
  heartbeatTimeoutMs: number;
  /** A NEIGHBOR or JOIN request unanswered for this long is abandoned. */
  requestTimeoutMs: number;
  /** A link not yet authenticated after this long is closed. */
  handshakeTimeoutMs: number;
  /** A link carrying no active neighbour and unused for this long is closed. */
  linkIdleMs: number;
  /** Capacity of the suspect list (nodes that failed us, retried with back-off). */
  suspectsMax: number;
  /** First retry of a suspect; doubles per failure. */
  suspectRetryBaseMs: number;
  /** A suspect that failed this many times in a row is forgotten. */
  suspectMaxFailures: number;
  /** Delay before retrying a join that got no answer (doubles, capped at 8×). */
  joinRetryMs: number;
  /** Messages queued for a link still being set up; more are dropped and counted. */
  pendingQueueMax: number;
  /** Links (active, handshaking, temporary) and dials in progress together. */
  linksMax: number;
  /** Control frames (every type but onion) a peer may send per second on one link. */
  controlRatePerS: number;
  /** …and at once, after a quiet spell (the token bucket's depth). */
  controlBurst: number;
  /** Control frames dropped over the rate on one link before we close it ('control-rate'). */
  controlDropsBeforeClose: number;
}

/**
 * Control traffic of an honest neighbour, per link: a ping per 5 s, a shuffle per 30 s,
 * IHAVE batches at most every 250 ms, and its share of the network's broadcasts — every
 * node announces every 30 minutes (~55/s in a network of 10^5), and a mass join announces
 * twice within a minute (~330/s for 10^4 nodes joining in a minute). 1,000/s is three times
 * the largest of these, while a flooding peer (~100,000 frames/s on loopback, TOOLCHAIN.md)
 * is cut to 1%.
 */
export const CONTROL_RATE_PER_S = 1_000;
/**
 * The largest honest burst is a directory sync: a neighbour answers with the whole
 * directory at once, in chunks of DIRECTORY_CHUNK_MAX. Twice a full directory's chunks.
 */
export const CONTROL_BURST = 2 * Math.ceil(DEFAULT_DIRECTORY.entriesMax / DIRECTORY_CHUNK_MAX);
/**
 * An honest peer never exceeds the rate (the simulator's scenarios count zero drops), so a
 * second's worth of excess is proof enough: the link closes and frees its slot.
 */
export const CONTROL_DROPS_BEFORE_CLOSE = CONTROL_RATE_PER_S;

/**
 * The share of the active view, its longest-standing neighbours, that a JOIN or a
 * high-priority NEIGHBOR request cannot evict (hyparview.ts, "eviction protection"). Such
 * requests are never refused, so without it attackers that keep asking took every slot of a
 * victim's view in seconds (sim/scenarios/adversary-eclipse.yaml); with half the view kept,
 * they take at most the other half, as Bitcoin Core protects part of its inbound peers from
 * eviction. Newcomers still get in, at the younger neighbours' expense.
 */
export const EVICTION_PROTECTED_SHARE = 0.5;
/** …once they have been neighbours this long. */
export const EVICTION_PROTECTED_AFTER_MS = 60_000;
/**
 * Nor can they evict the neighbours, this many, that most recently brought us a broadcast we
 * had not seen, whatever their age (Bitcoin Core likewise keeps the peers that last relayed
 * it a new block or transaction). Attackers that surround a node to cut it off drop what it
 * should hear, so they never earn it; honest neighbours do as long as anything is broadcast.
 * Under churn the longest-standing places pass to whoever stays — attackers that persist
 * took 5–8 of 8 slots (README, "Adversarial peers") — while these follow current service.
 */
export const EVICTION_PROTECTED_NOVEL = 2;

/**
 * A keep-alive goes to a neighbour only when we have been silent on its link for more than
 * a heartbeat interval and this fraction of one. The heartbeat runs once an interval, so an
 * idle link gets a keep-alive at every second heartbeat instead of every one (pings were 17%
 * of churn.yaml's inputs and 28% of scale-10k's), while the longest silence a live neighbour
 * can see grows only from 2 intervals to 2.1 (10.5 s of the 15 s timeout): a frame sent just
 * after a heartbeat already waited almost two intervals for the next keep-alive. The fraction
 * absorbs a daemon's late timers, with which an exact threshold would ping every time.
 */
export const KEEP_ALIVE_SLACK = 0.1;

/**
 * Island checks: the first a minute after start, when a mass join has settled into its
 * components (seed 1826157213 of the broadcast property split 24 + 9 within 5 s), then
 * after 2, 4, 8, 16 and every 30 minutes. The steady rate is each node's announcement
 * rate, so a seed node named by every daemon of a 10^5-node network answers ~55 walks per
 * second, as many frames as it already floods.
 */
export const BOOTSTRAP_WALK_FIRST_MS = 60_000;
export const BOOTSTRAP_WALK_MAX_MS = 30 * 60_000;

/**
 * Defaults. The active view follows libp2p gossipsub's D_lo = 4 / D = 6 / D_hi = 12 band,
 * tightened at the top: HyParView shows an active view of fanout + 1 = 5 (fanout
 * ln(10^4) ≈ 4) already keeps flooding ~100% reliable after 80% failures, and every extra
 * neighbour costs one more copy of every broadcast. So: 4 (repair urgently below), 6
 * (fill to), 8 (hard cap, room for joins without evicting). The passive view of 30 is the
 * paper's k·(log10 N + c) = 6 × 5 for 10^4 nodes, with k_a = 3, k_p = 4, ARWL 6, PRWL 3.
 *
 * Suspects: retried after 15, 30, 60, 120 and 240 s, then forgotten: a partition shorter than
 * ~8 minutes heals by itself, and a crashed node costs five failed dials in all.
 *
 * Failure detection: a silent crash is only seen by missing keep-alives. A 5 s heartbeat
 * and a 15 s timeout detect it in 15–20 s without costing more than one small frame per
 * idle link per 10 s (KEEP_ALIVE_SLACK).
 */
export const DEFAULT_OVERLAY: OverlayConfig = {
  minPeers: 4,
  targetPeers: 6,
  maxPeers: 8,
  passiveMax: 30,
  activeWalkLength: 6,
  passiveWalkLength: 3,
  shuffleIntervalMs: 30_000,
  bootstrapWalkFirstMs: BOOTSTRAP_WALK_FIRST_MS,
  bootstrapWalkMaxMs: BOOTSTRAP_WALK_MAX_MS,
  shuffleActiveCount: 3,
  shufflePassiveCount: 4,
  heartbeatIntervalMs: 5_000,
  heartbeatTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  linkIdleMs: 20_000,
  suspectsMax: 16,
  suspectRetryBaseMs: 15_000,
  suspectMaxFailures: 5,
  joinRetryMs: 5_000,
  pendingQueueMax: 16,
  linksMax: 64,
  controlRatePerS: CONTROL_RATE_PER_S,
  controlBurst: CONTROL_BURST,
  controlDropsBeforeClose: CONTROL_DROPS_BEFORE_CLOSE,
};

/** Small limits so tests reach every edge in a few steps (STYLE.md #6). */
export const TEST_OVERLAY: OverlayConfig = {
  ...DEFAULT_OVERLAY,
  minPeers: 2,
  targetPeers: 3,
  maxPeers: 4,
  passiveMax: 8,
  suspectsMax: 8,
  activeWalkLength: 3,
  passiveWalkLength: 1,
  shuffleActiveCount: 2,
  shufflePassiveCount: 2,
  pendingQueueMax: 4,
  linksMax: 16,
};

/** Local misuse: a configuration that cannot work. */
export class OverlayConfigError extends Error {
  override name = 'OverlayConfigError';
}

export function validateOverlayConfig(config: OverlayConfig): OverlayConfig {
  const { minPeers, targetPeers, maxPeers, passiveMax } = config;
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new OverlayConfigError(what);
  };
  for (const [key, value] of Object.entries(config)) {
    check(Number.isInteger(value) && value >= 0, `${key} must be a non-negative integer`);
  }
  check(minPeers >= 1, 'minPeers must be at least 1');
  check(
    minPeers <= targetPeers && targetPeers <= maxPeers,
    'need minPeers ≤ targetPeers ≤ maxPeers',
  );
  check(passiveMax >= maxPeers, 'passiveMax must be at least maxPeers');
  check(config.linksMax >= maxPeers * 2, 'linksMax must be at least 2 × maxPeers');
  check(
    config.controlRatePerS >= 1 && config.controlDropsBeforeClose >= 1,
    'controlRatePerS and controlDropsBeforeClose must be at least 1',
  );
  // HELLO and AUTH arrive back to back and count as control frames.
  check(config.controlBurst >= 2, 'controlBurst must be at least 2 (HELLO and AUTH)');
  check(
    config.passiveWalkLength <= config.activeWalkLength,
    'passiveWalkLength ≤ activeWalkLength',
  );
  check(
    config.heartbeatTimeoutMs > config.heartbeatIntervalMs,
    'heartbeatTimeoutMs > heartbeatIntervalMs',
  );
  check(config.heartbeatIntervalMs > 0 && config.shuffleIntervalMs > 0, 'periods must be positive');
  check(
    config.bootstrapWalkMaxMs >= config.bootstrapWalkFirstMs,
    'bootstrapWalkMaxMs ≥ bootstrapWalkFirstMs',
  );
  return config;
}
