/**
 * The daemon's own limits, names and periods (STYLE.md #4), in one place. Units last. The
 * transport's limits live in src/transports/tcp/limits.ts, the client socket's in
 * src/client/limits.ts and the store's in src/store/limits.ts; the daemon runs all of them
 * at their defaults and only adds what composing them needs.
 */
import { HOPS_MAX as ONION_HOPS_MAX } from '../engine/onion/limits.js';
import { DEFAULT_ROUTING } from '../engine/routing/config.js';

// ---- the data directory ----------------------------------------------------------------

/** `~/.p2pmsg` unless `--data-dir` says otherwise. */
export const DATA_DIR_DEFAULT_NAME = '.p2pmsg';
/** Owner only: the directory holds the store (identity secrets) and the client socket. */
export const DATA_DIR_MODE = 0o700;
/** Created with O_EXCL and holding the owner's pid: two daemons never share a data dir. */
export const LOCK_FILE_NAME = 'daemon.lock';
/** The running daemon's pid, for `kill`, scripts and systemd's PIDFile=. */
export const PID_FILE_NAME = 'daemon.pid';
/** Where a `--detach`ed daemon's stdout and stderr go (appended). */
export const LOG_FILE_NAME = 'daemon.log';
/** Settings with the same names as the flags (config.ts). */
export const CONFIG_FILE_NAME = 'config.json';
/** A config file is a handful of keys; anything bigger is not one. */
export const CONFIG_MAX_BYTES = 64 * 1024;
/** A lock or pid file is one decimal number and a newline. */
export const PID_FILE_MAX_BYTES = 64;
/** Files the daemon writes for others to read (pid, log): owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600;

// ---- addresses ---------------------------------------------------------------------------

/**
 * Where a node listens when nothing says otherwise. Loopback, so a first `p2pmsg node` never
 * exposes a port by surprise; a real node passes `--listen <its public address>:7000`.
 */
export const LISTEN_DEFAULT = '127.0.0.1:7000';
/** The port a testnet's first daemon uses; the others use the same port on their own IP. */
export const TESTNET_PORT_DEFAULT = 7000;
/** 127.0.0.2 … 127.0.0.(1+N): loopback addresses work without setup on Linux. */
export const TESTNET_NODES_MAX = 64;
export const TESTNET_NODES_DEFAULT = 5;

// ---- messaging -----------------------------------------------------------------------------

/**
 * How long a message is retried before it fails. A day covers a friend whose machine sleeps
 * overnight; beyond that the sender should hear that the message did not arrive.
 */
export const MESSAGE_TTL_MS = 24 * 60 * 60_000;
/** Relays per path (DESIGN.md §3, default 3, the engine's). */
export const HOPS_DEFAULT = DEFAULT_ROUTING.hops;
/** An onion has room for ONION_HOPS_MAX hops, and the target is the last of them. */
export const HOPS_MAX = ONION_HOPS_MAX - 1;
/**
 * Messages handed to the engine and not yet acknowledged or failed, in this engine's life:
 * the engine's own bound on pending messages (it fails a send beyond it at once). Beyond
 * it a PUSH answers FAIL ('busy'): a script flooding the socket cannot queue without bound
 * (issue 8 #3). A person sends a few messages per minute.
 */
export const OUTBOX_IN_FLIGHT_MAX = DEFAULT_ROUTING.pendingMax;
/** Expired outbox rows are failed and pending ones not yet issued are issued this often. */
export const OUTBOX_SWEEP_INTERVAL_MS = 30_000;
/**
 * After a start, queued messages wait until the directory can build a path (the target is
 * known and `hops` other relays are) — or this long, whichever comes first — so a restart
 * does not hand the engine messages it cannot route yet.
 */
export const READY_WAIT_MAX_MS = 20_000;
/** Client `watch` streams open at once (each is one client connection, CONNECTIONS_MAX). */
export const WATCHERS_MAX = 64;

// ---- the engine's durable state (engine-state.ts) ------------------------------------------

/**
 * The directory and the relay's replay tags are saved this often (and at a graceful stop).
 * Each save is a few transactions whatever the traffic, so the cost is a few fsyncs per
 * period. A crash loses the last period's changes: descriptors come back by sync, and only
 * a packet first forwarded in those last 10 s can be replayed through the restarted relay
 * (its target's message dedup still refuses the message itself).
 */
export const STATE_SAVE_INTERVAL_MS = 10_000;
/**
 * Descriptors given back to the engine at start, the freshest first. Each costs one Ed25519
 * verification (~5,500/s on an idle core, TOOLCHAIN.md): 10,000 is about 2 s of start-up
 * (3.7 s measured with a full replay cache on a busy 2-core machine), and far more relays
 * than path choice needs; the rest of a bigger directory arrives by sync.
 */
export const RESTORE_DESCRIPTORS_MAX = 10_000;

// ---- the clock (clock.ts) ------------------------------------------------------------------

/**
 * A wall clock that moved this far from the daemon's own (monotonic since start) is worth a
 * log line: half the 10 s clock skew peers allow on signed times (directory/config.ts), so
 * the line comes before peers start refusing what we sign, and well above NTP's slewing.
 */
export const CLOCK_SKEW_WARN_MS = 5_000;
/** How often the wall clock is compared with the daemon's. */
export const CLOCK_CHECK_INTERVAL_MS = 10_000;

// ---- shutdown ------------------------------------------------------------------------------

/**
 * After `leave`, how long the goodbye frames (revocation, disconnects) may take to reach
 * the kernel before the sockets are destroyed. They are a few hundred bytes per link.
 */
export const LEAVE_FLUSH_MAX_MS = 2_000;
/** The whole graceful stop; a second signal or this deadline exits at once. */
export const SHUTDOWN_MAX_MS = 8_000;
/** `--detach`: how long the parent waits for the child to say it is up. */
export const DETACH_READY_MAX_MS = 20_000;
/** Polling period of the few bounded waits (flush, detach, testnet start). */
export const POLL_INTERVAL_MS = 25;
