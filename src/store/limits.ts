/**
 * Store limits: every size, count and age the store enforces, in one place (STYLE.md #4).
 * Units last. A value handed to the store outside these limits is local misuse
 * (`StoreInputError`); user-typed values (aliases) are checked with a result instead.
 */

/** File name of the database inside the data directory. */
export const STORE_FILE_NAME = 'store.sqlite';

/** Owner read/write only: the file holds the node's secret keys (DESIGN.md §3). */
export const STORE_FILE_MODE = 0o600;
/** Mode of a data directory the store has to create itself. */
export const DATA_DIR_MODE = 0o700;

/**
 * How long a writer waits for another connection's lock before failing with 'busy'. The
 * daemon is the only writer; a second process (a `p2pmsg` command reading the DB, a backup)
 * holds locks for milliseconds, so 5 s means something is wrong, not merely slow.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * The database never grows beyond this: a flood of incoming messages fills the store, not
 * the disk (issue 8 #3). Enforced with `PRAGMA max_page_count`; writes past it fail 'full'.
 */
export const DB_MAX_BYTES = 1024 * 1024 * 1024;

/** Both identity secrets (Ed25519 seed, X25519 scalar) are 32 bytes. */
export const IDENTITY_SECRET_BYTES = 32;

/** Message ids are 16 random bytes written as 32 lowercase hex characters. */
export const MESSAGE_ID_BYTES = 16;
export const MESSAGE_ID_HEX_CHARS = MESSAGE_ID_BYTES * 2;

/**
 * Largest message body, in UTF-8 bytes. A chat message, not a file transfer: 4 KiB is two
 * screens of text and fits the engine's fixed packet classes after a few fragments.
 */
export const BODY_MAX_BYTES = 4 * 1024;

/** A destination as the user typed it: an address, a node ID or an alias (seed `IP:`). */
export const DESTINATION_MAX_CHARS = 255;

/** A peer address kept for the seed's `IP: <SRC>` (wire ADDRESS_MAX_BYTES is 64). */
export const ADDRESS_MAX_CHARS = 64;

/** A node ID is 32 base32 characters (20 bytes); the store checks shape, not the hash. */
export const NODE_ID_CHARS = 32;

/** Contact aliases: 1..32 of [a-z0-9._-], starting with a letter or digit. */
export const ALIAS_MAX_CHARS = 32;
export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** A user keeps tens of contacts; 10,000 is generous and keeps `listContacts` one page. */
export const CONTACTS_MAX = 10_000;

/** Last error text stored on an outbox row or attempt (a reason, not a log). */
export const ERROR_TEXT_MAX_CHARS = 200;

/** Relays on one attempt's path: `hops` (3 by default) plus the target, with headroom. */
export const PATH_MAX_NODES = 16;
/** Attempts recorded per message before it is failed: retries with backoff until expiry. */
export const ATTEMPTS_MAX = 64;

/** Page sizes: the most rows one query returns. */
export const PULL_PAGE_MAX = 1_000;
export const HISTORY_PAGE_MAX = 1_000;
export const CONVERSATIONS_PAGE_MAX = 1_000;
export const DUE_PAGE_MAX = 1_000;
export const DIRECTORY_PAGE_MAX = 10_000;
/** `markRead` takes at most one pull page of ids per call. */
export const MARK_READ_MAX = PULL_PAGE_MAX;

/** A signed node descriptor fits in one wire frame (FRAME_MAX_BYTES is 8 KiB). */
export const DESCRIPTOR_MAX_BYTES = 8 * 1024;
/** Directory entries kept: tens of thousands of nodes is the simulator's upper range. */
export const DIRECTORY_MAX_ENTRIES = 100_000;

/**
 * Descriptors written or removed per `saveDescriptors` call: one transaction, one fsync. A
 * daemon that has just synced a directory of thousands writes it in a few such calls.
 */
export const DIRECTORY_BATCH_MAX = 1_000;

/** Replay tags are hashes or ids: 8..64 bytes. */
export const REPLAY_TAG_MIN_BYTES = 8;
export const REPLAY_TAG_MAX_BYTES = 64;
/**
 * Tags per `rememberReplayMany` call. Every commit is an fsync (~1 ms here), so a daemon
 * that persists replay state at packet rate batches it; 1,000 keeps one call short.
 */
export const REPLAY_BATCH_MAX = 1_000;

/**
 * Replay tags kept at most; beyond it the ones expiring first go. The relay's in-memory
 * replay cache holds 65,536 (the engine's DEFAULT_ROUTING.replayCacheMax, ~1 MB of rows
 * here), so the table keeps everything the cache can, and a flood cannot grow it further.
 */
export const REPLAY_MAX_ENTRIES = 65_536;

/**
 * One prune call deletes at most this many expired rows, so pruning a big backlog never
 * blocks the event loop for long; the daemon calls it periodically until it returns 0.
 */
export const PRUNE_BATCH_ROWS = 5_000;
