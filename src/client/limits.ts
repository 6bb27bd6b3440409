/**
 * Client protocol limits (STYLE.md #4, issue 8 #3): every size, count and time the local
 * socket enforces, for the server (daemon) and the client (CLI). Units last. Tests shrink
 * the server's through `ClientServerLimits`.
 */

/**
 * Largest message body in UTF-8 bytes after unescaping. Equal to the store's
 * BODY_MAX_BYTES (a test checks it): anything PUSH accepts, the store accepts.
 */
export const MESSAGE_MAX_BYTES = 4 * 1024;

/**
 * A destination as typed after `IP:`: an address (`203.0.113.7:7000`, `[::1]:7000`), a node
 * ID (32 chars) or an alias. 255 is the DNS name limit and covers all three.
 */
export const DESTINATION_MAX_BYTES = 255;

/** A source address in `IP: <SRC>` (the wire's ADDRESS_MAX_BYTES). */
export const SOURCE_MAX_BYTES = 64;

/** Short string fields of NDJSON requests (alias, node ID, peer): generous, checked again. */
export const FIELD_MAX_CHARS = 255;

/** `PUSH IP:` + destination + ` MSG:` + a body where every byte needs escaping + CRLF. */
export const SEED_REQUEST_MAX_BYTES =
  'PUSH IP: '.length + DESTINATION_MAX_BYTES + ' MSG:'.length + 2 * MESSAGE_MAX_BYTES + 2;

/**
 * Largest request line. An NDJSON push whose body is all control characters escapes each
 * byte as `\u00XX` (6 bytes); 1 KiB covers the keys and the other fields.
 */
export const REQUEST_MAX_BYTES = Math.max(SEED_REQUEST_MAX_BYTES, 6 * MESSAGE_MAX_BYTES + 1024);

/** Messages in one PULL response; the rest wait for the next PULL (SUCCESS <n> says how many). */
export const PULL_MESSAGES_MAX = 1_000;
/** Page sizes of the NDJSON listing ops. */
export const HISTORY_LIMIT_MAX = 1_000;
export const CONVERSATIONS_LIMIT_MAX = 1_000;
export const HISTORY_LIMIT_DEFAULT = 50;
export const CONVERSATIONS_LIMIT_DEFAULT = 100;

/** One `IP: <SRC> MSG:<escaped body>\n` line at its largest. */
export const PULL_LINE_MAX_BYTES =
  'IP: '.length + SOURCE_MAX_BYTES + ' MSG:'.length + 2 * MESSAGE_MAX_BYTES + 1;

/**
 * Largest response the CLI reads before calling it a protocol error: a full page of
 * JSON-escaped history (6 bytes per body byte) plus per-entry fields, rounded up.
 */
export const RESPONSE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Concurrent client connections. A person runs a few commands and a chat or two at once;
 * 64 leaves room for scripts while a connection flood cannot exhaust file descriptors.
 */
export const CONNECTIONS_MAX = 64;

/**
 * Time for a client to send its whole request line. A CLI writes it in one go; 5 s cuts a
 * slowloris client (a partial request, then silence) off quickly.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Time from a complete request to the response being flushed: the handler's work (a PUSH
 * is one fsynced insert) plus writing to a client that reads. Past it: FAIL and close.
 */
export const RESPONSE_TIMEOUT_MS = 15_000;

/**
 * Unsent bytes a `watch` stream may queue for a client that stops reading before the
 * server closes it: a slow watcher cannot make the daemon buffer without bound.
 */
export const WATCH_BUFFER_MAX_BYTES = 1024 * 1024;

/** How long the CLI waits for a whole response by default. */
export const CLIENT_TIMEOUT_MS = 20_000;

/** Longest Unix socket path (sun_path is 108 bytes on Linux, including the NUL). */
export const SOCKET_PATH_MAX_BYTES = 107;

/** The socket file's name in the data directory. */
export const SOCKET_FILE_NAME = 'client.sock';
export const SOCKET_FILE_MODE = 0o600;

/** How long `close()` lets in-flight responses finish before destroying their sockets. */
export const CLOSE_GRACE_MS = 1_000;
