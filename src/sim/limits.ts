/**
 * Scenario limits and defaults: every number a scenario file may set, bounded in one place
 * (STYLE.md #4). The scenario parser (scenario.ts) rejects anything outside these ranges with
 * the key path and line; the runner may rely on them.
 *
 * Units come last in every name. Derived limits are written as expressions.
 */

import { DEFAULT_OVERLAY } from '../engine/overlay/config.js';
import { DEFAULT_ROUTING, messageLifetimeMaxMs } from '../engine/routing/config.js';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Longest duration anywhere in a scenario. A month of simulated time is far beyond any study
 * we plan (churn studies run hours to days) and keeps every time value a small safe integer.
 */
export const DURATION_MAX_MS = 30 * DAY_MS;

/** A duration literal longer than this is not a duration ("00000…1s"); stops silly input early. */
export const DURATION_TEXT_MAX_CHARS = 32;

/** Scenario files are small hand-written YAML; 1 MiB leaves room for long generated event lists. */
export const SCENARIO_FILE_MAX_BYTES = 1024 * 1024;

/** Scenario names become directory names (`reports/<name>-<seed>/`): short slugs only. */
export const NAME_MAX_CHARS = 64;
export const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Seeds are unsigned 32-bit: every PRNG we use accepts them and they stay short to type. */
export const SEED_MAX = 2 ** 32 - 1;
export const SEED_DEFAULT = 1;

/**
 * Node count. 200,000 is twice issue 2's 100,000-node goal: room to probe where memory ends
 * without letting a typo ask for ten million nodes.
 */
export const NODES_MIN = 1;
export const NODES_MAX = 200_000;
/** Node identities ever created in one run (initial nodes plus every `join` event). */
export const NODES_EVER_MAX = NODES_MAX;

/** Initial nodes join spread evenly over `nodes × JOIN_SPREAD_PER_NODE_MS` unless `join.over` says otherwise. */
export const JOIN_SPREAD_PER_NODE_MS = 20;

/** Scripted events in one scenario. Generated churn (issue 6) does not count against this. */
export const EVENTS_MAX = 10_000;

/**
 * Overlay defaults come from the engine's one table (engine/overlay/config.ts, where each
 * is justified); a scenario only overrides them.
 */
export const MIN_PEERS_DEFAULT = DEFAULT_OVERLAY.minPeers;
export const MAX_PEERS_DEFAULT = DEFAULT_OVERLAY.maxPeers;
export const PASSIVE_DEFAULT = DEFAULT_OVERLAY.passiveMax;
/** Largest active view a scenario may ask for; keeps the engine's per-node tables bounded. */
export const PEERS_MAX = 64;
/** Largest passive view; 16× PEERS_MAX is generous for any sweep. */
export const PASSIVE_MAX = 16 * PEERS_MAX;

export const SHUFFLE_INTERVAL_DEFAULT_MS = DEFAULT_OVERLAY.shuffleIntervalMs;
export const SHUFFLE_INTERVAL_MIN_MS = SECOND_MS;
export const SHUFFLE_INTERVAL_MAX_MS = HOUR_MS;

export const HEARTBEAT_INTERVAL_DEFAULT_MS = DEFAULT_OVERLAY.heartbeatIntervalMs;
export const HEARTBEAT_INTERVAL_MIN_MS = 100;
export const HEARTBEAT_INTERVAL_MAX_MS = 10 * MINUTE_MS;
export const HEARTBEAT_TIMEOUT_DEFAULT_MS = DEFAULT_OVERLAY.heartbeatTimeoutMs;
/** The timeout must exceed the interval, or every neighbour would time out between beats. */
export const HEARTBEAT_TIMEOUT_MAX_MS = HOUR_MS;

/**
 * One-way link latency bound. The slowest real paths (geostationary satellite) are ~600 ms;
 * 60 s leaves room for pathological experiments while catching unit mistakes ("40m").
 */
export const LATENCY_MAX_MS = 60 * SECOND_MS;
/** Default latency model: log-normal, median 40 ms, sigma 0.5 (a continental spread). */
export const LATENCY_MEDIAN_DEFAULT_MS = 40;
export const LATENCY_SIGMA_DEFAULT = 0.5;
/** sigma = 3 already puts the 99th percentile ~1,000× above the median. */
export const LATENCY_SIGMA_MAX = 3;

/**
 * Latency matrices (`kind: matrix`): the row limit is the simulated network's (a 4,096-row
 * table is 64 MiB); a CSV file of that many rows of 5-digit values is ~100 MiB, so 128 MiB
 * bounds the read without refusing any matrix the row limit allows.
 */
export { LATENCY_MATRIX_ROWS_MAX, REORDER_DELAY_MAX_MS } from '../transports/sim/limits.js';
export const LATENCY_MATRIX_FILE_MAX_BYTES = 128 * 1024 * 1024;

/** Duplication and reordering are probabilities per frame, like loss. */
export const DUPLICATE_DEFAULT = 0;

/** Loss is a probability per frame. */
export const LOSS_MIN = 0;
export const LOSS_MAX = 1;
export const LOSS_DEFAULT = 0;

/** A partition splits the live nodes into 2..16 random groups (or lists up to 16 groups). */
export const PARTITION_GROUPS_MIN = 2;
export const PARTITION_GROUPS_MAX = 16;

/**
 * Items in one list of named nodes (`nodes: [3, "10..19"]`): a range counts as one item, so
 * any set of nodes fits in a few items; the bound keeps a generated file from listing every
 * index one by one.
 */
export const NODE_LIST_ITEMS_MAX = 1000;

/** Broadcast workload: probes no closer than 10 ms apart network-wide (100/s). */
export const BROADCAST_INTERVAL_MIN_MS = 10;
/** A probe's body: small, like a revocation. */
export const BROADCAST_SIZE_DEFAULT = 64;
/** Directory re-announcements no more often than once a minute. */
export const ANNOUNCE_INTERVAL_MIN_MS = MINUTE_MS;
/**
 * Periodic directory syncs (anti-entropy) no more often than once a minute: each costs the
 * neighbour a scan of its directory. (A node's first 5 minutes run at 10 s regardless:
 * DirectoryConfig.joinSyncForMs.)
 */
export const DIRECTORY_SYNC_INTERVAL_MIN_MS = MINUTE_MS;
/** Measuring windows per scenario. */
export const WINDOWS_MAX = 32;
/** A sweep key: dotted path of map keys and list indexes. */
export const SWEEP_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]*(\.([A-Za-z][A-Za-z0-9]*|\d+))*$/;
/** Values in one sweep (each is a whole run). */
export const SWEEP_VALUES_MAX = 32;

/**
 * Message workload (end-to-end messages between random online pairs): no closer than 10 ms
 * apart network-wide (100 messages/s), like the broadcast workload.
 */
export const WORKLOAD_INTERVAL_MIN_MS = 10;
/** A message body: a few lines of chat. */
export const WORKLOAD_SIZE_DEFAULT = 256;
/** A message is retried this long by default: long enough for a few rounds of backoff. */
export const WORKLOAD_EXPIRY_DEFAULT_MS = 5 * MINUTE_MS;
/** Shortest expiry: less than one acknowledgement timeout would never see a retry. */
export const WORKLOAD_EXPIRY_MIN_MS = SECOND_MS;
/** Longest expiry: the engine retries a message no longer than this (routing/config.ts). */
export const WORKLOAD_EXPIRY_MAX_MS = messageLifetimeMaxMs(DEFAULT_ROUTING);

/**
 * Churn distributions: a shape above 10 is a near-constant duration (Weibull) or no tail at
 * all (Pareto), nothing a churn study needs; measured session shapes are 0.3–0.8.
 */
export const CHURN_SHAPE_MAX = 10;
/** Shortest scale or mean of a churn distribution: a node must get time to join. */
export const CHURN_DURATION_MIN_MS = SECOND_MS;
/**
 * A truncated normal whose [min, max] holds less than this share of the untruncated normal
 * is refused: such bounds sit many standard deviations from the mean, almost surely a unit
 * typo (mean in seconds, bounds in hours), and the draws would all pile up on one bound.
 */
export const TRUNCATED_NORMAL_MASS_MIN = 1e-6;
/**
 * Per-node churn factors: a log-normal sigma of 3 already spreads the middle 98% of nodes
 * over a factor of e^(2·2.33·3) ≈ 10^6; uniform factors within [1/1000, 1000].
 */
export const HETEROGENEITY_SIGMA_MAX = 3;
export const HETEROGENEITY_FACTOR_MIN = 0.001;
export const HETEROGENEITY_FACTOR_MAX = 1000;

/**
 * Zipf exponent of the hot-spot workload. Measured popularity exponents are ~0.6–1.2; at 5 the
 * top node already takes ~96% of all messages, so anything larger is a typo.
 */
export const ZIPF_EXPONENT_MAX = 5;
/**
 * Log-normal message sizes: sigma 3 spreads sizes over four orders of magnitude already; the
 * default 1 puts the middle half of messages within a factor of ~2 of the median, the spread
 * of chat message lengths.
 */
export const SIZE_SIGMA_MAX = 3;
export const SIZE_SIGMA_DEFAULT = 1;

// ---------------------------------------------------------------------------------------------
// Runs of `p2pmsg sim`: the trace, the determinism check, --set and --seeds

/**
 * Engine-event lines in one events.ndjson (`--trace`). A line is ~100–200 bytes; the smoke
 * scenario emits ~20,000 events and a 1,000-node hour a few million, so two million lines
 * keep the start of any run while a typo in `nodes` cannot fill the disk.
 */
export const TRACE_LINES_MAX = 2_000_000;
/** Bytes of event lines in one events.ndjson: whichever of the two limits comes first. */
export const TRACE_BYTES_MAX = 256 * 1024 * 1024;
/**
 * The trace is written in blocks of about this size. A run is synchronous, so a stream would
 * hold the whole file in memory until the end; blocks keep memory flat and syscalls few.
 */
export const TRACE_WRITE_BLOCK_BYTES = 64 * 1024;

/**
 * Engine events per hashed chunk in `--check-determinism`. The second run keeps at most one
 * chunk of lines in memory, and finding the first differing event replays the first run up
 * to the end of that chunk: 4,096 lines is ~0.5 MB and a small fraction of any real run.
 */
export const DETERMINISM_CHUNK_EVENTS = 4096;

/**
 * `p2pmsg sim --max-heap MiB`, V8's old-space limit for a run (cli/commands/sim-heap.ts):
 * 256 MiB is a floor with room for a small scenario and its report (Vega renders the plots
 * in the same heap; the CLI test runs smoke.yaml under 300); 1 TiB is above any machine.
 */
export const SIM_HEAP_MIB_MIN = 256;
export const SIM_HEAP_MIB_MAX = 1024 * 1024;
/**
 * The size of each of V8's two young-generation semi-spaces in a `p2pmsg sim` process (MiB;
 * cli/commands/sim-heap.ts). Node's default is 16: a 1,000-node run then scavenged every
 * ~0.2 s. At 64 it scavenged ~4× less often (3.7 → 2.2 s of a 10-minute run's collector
 * time) and took ~0.94 of the CPU in same-time pairs, for 70–200 MiB more peak RSS
 * (README "Scale and speed", session 21).
 */
export const SIM_SEMI_SPACE_MIB = 64;
/**
 * From this many nodes `p2pmsg sim` without --max-heap prints a note about the heap limit:
 * 20,000 nodes of scale-100k's settings peaked at 1.58 GiB of RSS even under a 1.5 GiB
 * limit (README "Scale and speed"), and without one V8 grows towards its 4 GiB default.
 */
export const SIM_HEAP_ADVICE_NODES = 20_000;

/** `--set` options in one command: far more than anyone types; bounds the work per run. */
export const OVERRIDES_MAX = 64;

/** Seeds in one `--seeds` run: each is a whole simulation, and 1,000 is hours already. */
export const SEEDS_MAX = 1000;
/**
 * Worker threads for `--seeds`, at most; fewer when os.availableParallelism() is lower. Each
 * worker holds a whole simulated network, so more threads than cores only adds memory.
 */
export const SEED_WORKERS_MAX = 8;
/** Confidence level of the intervals in a `--seeds` report (Student t, two-sided). */
export const SEEDS_CONFIDENCE = 0.95;

/**
 * Entries kept by default: a record in circulation per live node and a few of its re-issues
 * — enough for the largest simulated network (scenario `nodes` ≤ 200,000) to hit the cache
 * for every announcement it still hears.
 */
export const RECORD_CACHE_CAPACITY_DEFAULT = 262_144;
