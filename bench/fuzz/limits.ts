/**
 * The fuzzing campaigns' numbers, in one place (STYLE.md #4).
 */

/** Inputs per surface in the full campaign (issue 8: at least a million each). */
export const CAMPAIGN_INPUTS_DEFAULT = 1_000_000;

/**
 * An input that takes longer than this is a hang, reported with its seed and index. The
 * slowest surface (a node's `handle()` with real crypto, a fresh authenticated link per
 * input) needs well under 5 ms; a thousand is two orders of magnitude of headroom for GC
 * pauses and a busy shared 2-core machine, and still far below what a quadratic blow-up or a
 * loop over untrusted sizes costs.
 */
export const INPUT_HANG_MS = 1_000;

/**
 * An input still running after this long never ends: the campaign's watchdog stops the
 * worker and reports the seed and index. A synchronous loop cannot time itself, so this is
 * checked from another thread.
 */
export const INPUT_STUCK_MS = 30_000;

/** How often the watchdog looks at the worker, and the progress line is refreshed. */
export const WATCHDOG_POLL_MS = 500;

/** Progress is printed at most this often (a campaign runs for minutes). */
export const PROGRESS_EVERY_MS = 10_000;

/** Failures kept in full in the report; the rest are counted. */
export const FAILURES_KEPT = 20;

/** Distinct outcome labels tallied per surface; further ones are counted as 'other'. */
export const OUTCOME_LABELS_MAX = 64;

/** A failing input is shown in the report as at most this many characters (hex or text). */
export const INPUT_SHOWN_MAX_CHARS = 600;
