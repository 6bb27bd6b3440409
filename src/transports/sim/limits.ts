/**
 * The simulated network's limits, in one place (STYLE.md #4). Units last.
 */

/**
 * How long a dial to an unknown or unreachable (partitioned) address takes to fail. Nothing
 * answers such a dial, so the caller only learns from its own connect timeout; 5 s is the
 * order of magnitude real clients use (Linux's default SYN retries take ~127 s, far longer
 * than any node should wait for one peer). A dial to a known but dead node fails after one
 * round trip instead (connection refused).
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/** Every delay is at least this long, so no event chain can spin at one virtual instant. */
export const LATENCY_MIN_MS = 1;

/**
 * The longest one-way delay the models produce (a lognormal tail is clamped to it). One
 * minute is far above any real one-way internet delay yet keeps a pathological pair from
 * pushing events past the end of a run.
 */
export const LATENCY_MAX_MS = 60_000;

/**
 * Largest lognormal sigma accepted. Measured internet RTT spreads fit sigma ≈ 0.5–1; 4 means
 * the 99th percentile pair is e^(4·2.33) ≈ 11,000× the median, surely a configuration typo.
 */
export const LOGNORMAL_SIGMA_MAX = 4;

/**
 * Largest latency matrix (rows = columns). Public all-pairs measurements have ~1,700 hosts
 * (the King data set) or fewer (PlanetLab): 4,096 rows hold them with room, and bound the
 * table at 64 MiB of int32 so a typo cannot exhaust memory.
 */
export const LATENCY_MATRIX_ROWS_MAX = 4096;

/**
 * Longest extra delay a reordered frame may get. A reordering fault models a frame that
 * overtakes or is overtaken by its neighbours, not a frame parked for minutes: a little above
 * a heartbeat timeout is already far past any real reordering.
 */
export const REORDER_DELAY_MAX_MS = 60_000;

/**
 * Most nodes one network can address: addresses are `10.x.y.z:7000`, 24 bits of node index.
 */
export const NODES_MAX = 1 << 24;

/** The port every simulated node listens on (addresses differ by IP only). */
export const NODE_PORT = 7000;

/** Bytes of each frame's head mixed into the trace hash (with its length). */
export const TRACE_FRAME_HEAD_BYTES = 16;

/** Reasons the network reports to engines. */
export const REASON_REMOTE_CLOSED = 'remote-closed';
export const REASON_RESET = 'reset';
export const REASON_REFUSED = 'refused';
export const REASON_TIMEOUT = 'timeout';
