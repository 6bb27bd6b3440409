/**
 * Swarm mode's numbers (STYLE.md #4): the shape of the random scenarios the generator makes
 * (generate.ts) and the bounds the checker holds a run to (checker.ts).
 *
 * The scenarios are small on purpose — VOPR's lesson: many short, hostile runs find more
 * than a few long ones, and a failure small enough to read in a trace gets fixed. Every
 * generated scenario has the same three acts: the network forms; faults (crashes,
 * restarts, leaves, joins, partitions, loss, churn) fire for a while; then every fault ends
 * and the run goes on quiet for LIVENESS_SETTLE_MS plus a measuring window, so liveness can
 * be required of it.
 */

import { MINUTE_MS, SECOND_MS } from '../limits.js';

/** Nodes at the start: enough for 3-relay paths and a real overlay, small enough to read. */
export const SWARM_NODES_MIN = 10;
export const SWARM_NODES_MAX = 60;

/** The initial nodes join this far apart (ms per node): from a burst to a trickle. */
export const SWARM_JOIN_SPREAD_MIN_MS = 50;
export const SWARM_JOIN_SPREAD_MAX_MS = 300;

/**
 * Faults begin this long after the start: the last initial join (≤ 60 × 300 ms = 18 s) has
 * had a few heartbeats and shuffles to settle by then.
 */
export const SWARM_FAULTS_FROM_MIN_MS = 40 * SECOND_MS;
export const SWARM_FAULTS_FROM_MAX_MS = 70 * SECOND_MS;
/** How long faults go on: one to three minutes, several failure-detection rounds. */
export const SWARM_FAULT_WINDOW_MIN_MS = MINUTE_MS;
export const SWARM_FAULT_WINDOW_MAX_MS = 3 * MINUTE_MS;
/** Scripted faults per scenario (partitions and loss episodes count once, with their end). */
export const SWARM_FAULTS_MIN = 2;
export const SWARM_FAULTS_MAX = 8;
/** A partition or a loss episode lasts this long (always shorter than the fault window). */
export const SWARM_EPISODE_MIN_MS = 10 * SECOND_MS;
export const SWARM_EPISODE_MAX_MS = MINUTE_MS;
/** Background loss of the whole run, when there is any (half the scenarios have none). */
export const SWARM_BASE_LOSS_MAX = 0.01;
/**
 * Crashes and leaves never take the (estimated) live nodes below this share of all nodes,
 * nor below SWARM_LIVE_FLOOR_NODES: a network of two nodes tests nothing the others don't.
 */
export const SWARM_LIVE_FLOOR_FRACTION = 0.4;
export const SWARM_LIVE_FLOOR_NODES = 5;

/** An inclusive range the generator draws one value from (times in ms). */
export interface DrawRange {
  min: number;
  max: number;
}

/**
 * The network and workload knobs the generator draws, each around the defaults and a little
 * past them on both sides, so the engine is exercised off its tuned point too.
 */
export const SWARM_DRAWS = {
  /** Active view bounds: from tight (2..4) to roomy (4..9), around the default 4..8. */
  minPeers: { min: 2, max: 4 },
  /** maxPeers minus minPeers. */
  peersSpread: { min: 2, max: 5 },
  /** Keep-alives from twice the default rate to the default (5 s); timeout 3× (scenario.ts). */
  heartbeatIntervalMs: { min: 2 * SECOND_MS, max: 5 * SECOND_MS },
  /** Shuffles from six times the default rate (30 s) to half of it. */
  shuffleIntervalMs: { min: 10 * SECOND_MS, max: 60 * SECOND_MS },
  /** Latency parameters: a LAN to a continent (ms), lognormal spread from narrow to wide. */
  latencyConstantMs: { min: 5, max: 80 },
  latencyUniformMinMs: { min: 1, max: 50 },
  latencyUniformWidthMs: { min: 0, max: 100 },
  latencyMedianMs: { min: 10, max: 80 },
  latencySigma: { min: 0.1, max: 0.8 },
  /** Frame loss during a loss episode: lossy enough to break paths and heartbeats. */
  episodeLoss: { min: 0.05, max: 0.3 },
  /** Background loss, when there is any. */
  baseLoss: { min: 0.001, max: SWARM_BASE_LOSS_MAX },
  /** Relays per path: every length the routing layer allows in a network this small. */
  hops: { min: 1, max: 3 },
  /** Shards per message when sharded (n of "n/k"); k is drawn from 1..n. */
  shardsN: { min: 2, max: 3 },
  /** Network-wide gap between messages: 0.33 to 2 messages a second. */
  messageIntervalMs: { min: 500, max: 3 * SECOND_MS },
  /** Message bodies from empty to the one-packet maximum (ROUTING_BODY_MAX). */
  messageBytes: { min: 0, max: 1024 },
  /** Retries go on at least one delivery bound past the liveness window, at most 5 minutes. */
  expiryMs: { min: 2 * MINUTE_MS, max: 5 * MINUTE_MS },
  /** Broadcast probes: one every 2 to 10 s, small bodies. */
  probeIntervalMs: { min: 2 * SECOND_MS, max: 10 * SECOND_MS },
  probeBytes: { min: 0, max: 200 },
  /** Churn sessions: Weibull shape around 1 (exponential), Pareto shapes with a finite mean. */
  weibullSessionShape: { min: 0.5, max: 1.5 },
  paretoSessionShape: { min: 1.5, max: 3 },
  /** Churn offline periods: Weibull with a light tail (see SWARM_CHURN_OFFLINE_SCALE_MAX_MS). */
  offlineShape: { min: 2, max: 4 },
  offlineScaleMs: { min: 5 * SECOND_MS, max: 30 * SECOND_MS },
  /** A sampled directory's share of the network (its sample size over the node count). */
  directorySampleShare: { min: 0.3, max: 0.7 },
  /** Its anti-entropy period, from the shortest the scenario language allows. */
  directorySyncIntervalMs: { min: MINUTE_MS, max: 3 * MINUTE_MS },
  /** Partitions split the live nodes in two or three. */
  partitionGroups: { min: 2, max: 3 },
  /** Nodes a join event adds. */
  joinCount: { min: 1, max: 5 },
  /** Nodes a crash or leave takes by count; by fraction, this share of the live nodes. */
  removeCount: { min: 1, max: 3 },
  removeFraction: { min: 0.05, max: 0.3 },
} as const satisfies Record<string, DrawRange>;

/** How often the generator picks each option (probabilities). */
export const SWARM_CHANCES = {
  /** A background loss at all (else none). */
  baseLoss: 0.5,
  /** A churn model over the fault window, besides the scripted faults. */
  churn: 0.3,
  /** Sharded messages (when the network is big enough for n·hops relays, 3 times over). */
  shards: 0.2,
  /** No probe broadcasts (directory announcements still go through the broadcast layer). */
  noProbes: 0.3,
  /** A crash or leave by count rather than by fraction; a restart of some rather than all. */
  byCount: 0.5,
  /**
   * Directories that are samples of the network, messages only to known nodes: relays then
   * reach next hops outside their sample by the address in the onion slot.
   */
  sampledDirectory: 0.3,
} as const;

/**
 * A sampled directory keeps at least this many relays: the smallest that failed (seed 106
 * of session 12's generators, samples of 6, before samples healed: directory rule 7).
 */
export const SWARM_DIRECTORY_SAMPLE_MIN = 6;
/**
 * …and this many times the nodes one message needs (its relays and the target) among the
 * share of the sample the faults may leave alive (SWARM_LIVE_FLOOR_FRACTION): one path's
 * worth, as seed 1049's samples of 10 for 3-relay paths. (Twice that, and at least 16
 * relays, while a sample kept its dead members until their descriptors expired.)
 */
export const SWARM_SAMPLE_LIVE_MARGIN = 1;

/** Churn sessions last at least this long on average (more often, a node never settles). */
export const SWARM_CHURN_SESSION_MIN_MS = 20 * SECOND_MS;
/**
 * Offline periods of the churn model are Weibull with a shape of at least 2 (a light tail)
 * and a scale of at most 30 s (SWARM_DRAWS.offlineScaleMs): every churned node is back
 * within a minute or so of the churn window's end, well inside the settle period, so it is
 * part of the healed network.
 */

/**
 * Directory re-announcements every 1–2 minutes. A crashed node's descriptor counts as stale
 * (paths avoid it) 1.5 announce periods plus a minute after it was issued (routing/config.ts
 * relayStaleAfterMs): at most 4 minutes with these periods, which LIVENESS_SETTLE_MS covers.
 * The daemon's default of 30 minutes would make "healed" mean half an hour later.
 */
export const SWARM_ANNOUNCE_MIN_MS = MINUTE_MS;
export const SWARM_ANNOUNCE_MAX_MS = 2 * MINUTE_MS;

/**
 * After the last fault (scripted event, end of the churn window, last initial join), the
 * network gets this long to heal before liveness is required: failure detection (≤ 15 s),
 * view repair, the overlay's suspect retries after a partition (15 s, 30 s, 60 s, …) and
 * the crashed relays' descriptors going stale (≤ 4 min, SWARM_ANNOUNCE_MAX_MS).
 */
export const LIVENESS_SETTLE_MS = 4 * MINUTE_MS;
/**
 * Every message sent after the settle period, between two nodes that have been live since
 * the faults ended, must be delivered within this long of being sent. A healed network
 * delivers in about a second; the bound leaves room for a few retries on paths through
 * relays that crashed unseen (ack timeout ≥ 2 s, doubling up to 30 s).
 */
export const LIVENESS_DELIVERY_BOUND_MS = 90 * SECOND_MS;
/** The messages checked for liveness are sent in a window of this length. */
export const LIVENESS_WINDOW_MIN_MS = 30 * SECOND_MS;
export const LIVENESS_WINDOW_MAX_MS = 90 * SECOND_MS;
/** Liveness failures described in full (the rest are counted): the first few tell the story. */
export const LIVENESS_REPORTED_MAX = 5;

/** `--swarm N`: scenarios in one command (each is a whole run of a few seconds). */
export const SWARM_RUNS_MAX = 100_000;

// Messages must be retried for longer than the bound they are held to.
if (SWARM_DRAWS.expiryMs.min < LIVENESS_DELIVERY_BOUND_MS) {
  throw new Error('SWARM_DRAWS.expiryMs.min is below LIVENESS_DELIVERY_BOUND_MS');
}
