/**
 * Adversary limits and defaults (STYLE.md #4): what a scenario's `adversaries:` may ask for,
 * and the fixed sizes of what an adversary keeps. Each with why.
 */

/** Entries in `adversaries:` — one per behaviour is the intended use; a few more for mixes. */
export const ADVERSARY_ENTRIES_MAX = 16;

/**
 * Actions per second per adversary (garbage frames, replays, broadcasts, lying records).
 * 100/s is far beyond what any behaviour needs to show its effect, and bounds the events an
 * adversary adds to a run (300 adversaries × 100/s is already a heavy run).
 */
export const ADVERSARY_RATE_MAX_PER_S = 100;
/** Defaults per behaviour: enough to hit every neighbour within seconds, small next to honest traffic. */
export const GARBAGE_RATE_DEFAULT_PER_S = 0.5;
export const REPLAY_RATE_DEFAULT_PER_S = 2;
/** Ten times an honest origin's quota per period (engine/broadcast/config.ts ORIGIN_QUOTA). */
export const FLOOD_RATE_DEFAULT_PER_S = 5;
/** Below the broadcast quota (30 a minute), so lying records are judged on their content. */
export const LYING_RATE_DEFAULT_PER_S = 0.2;
/**
 * An announcement flooder re-announces every 5 s: 12 a minute, below the per-origin broadcast
 * quota (30 a minute), so every copy travels; honest nodes announce every 30 minutes.
 */
export const ANNOUNCE_RATE_DEFAULT_PER_S = 0.2;
/** An eclipse attacker asks the victim to take it as a neighbour this often. */
export const ECLIPSE_RATE_DEFAULT_PER_S = 0.5;

/** Onion frames a replaying relay keeps to send again (the most recent ones). */
export const REPLAY_CAPTURE_MAX = 64;
/** Descriptors a lying node keeps from what it heard, to forge and replay. */
export const LYING_CAPTURE_MAX = 32;
/** How long a lying broadcast may circulate (well within the broadcast lifetime, 60 s). */
export const LIE_BROADCAST_MS = 30_000;
/** How long a flooder's announcement may circulate (as a lie's). */
export const ANNOUNCE_BROADCAST_MS = 30_000;
/** Lifetime of the signed lies: long enough to be drawn onto paths, below any lifetime max. */
export const LIE_LIFETIME_MS = 10 * 60_000;
/** "Issued an hour ahead": far beyond the directory's clock skew (10 s). */
export const LIE_FUTURE_MS = 60 * 60_000;
/**
 * An eclipse attacker's active view may grow to this many times the honest maximum, so it
 * always has room to keep the victim (an honest full view would turn the victim away).
 */
export const ECLIPSE_VIEW_FACTOR = 2;
/** Frames a garbage node keeps to mutate (its own recent control frames). */
export const GARBAGE_CAPTURE_MAX = 16;
/** A random garbage frame is 1..this many bytes: around a frame header and a small message. */
export const GARBAGE_RANDOM_BYTES_MAX = 256;
/** Bytes flipped in a mutated frame: 1..this many. */
export const GARBAGE_FLIPS_MAX = 3;

/** The /16 a Sybil operator's nodes live in, unless the scenario names another. */
export const SYBIL_PREFIX_DEFAULT = '10.66';
/**
 * Honest nodes are given addresses in first octets HONEST_FIRST_OCTET.. +HONEST_OCTETS−1,
 * each in a /16 of its own up to HONEST_OCTETS × 256 nodes (scenario.ts `adversaries` with a
 * sybil entry): a Sybil prefix must lie outside them.
 */
export const HONEST_FIRST_OCTET = 11;
export const HONEST_OCTETS = 200;
