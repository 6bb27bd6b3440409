/**
 * Durations with units, as scenario files write them: "250ms", "90s", "10m", "1.5h".
 *
 * Rules:
 * 1. The unit is mandatory. A bare number is ambiguous (seconds? milliseconds?) and a wrong
 *    guess silently changes an experiment by 1,000×, so `90` is an error, not 90 ms.
 * 2. One number, one unit: digits with an optional decimal part, then `ms`, `s`, `m` or `h`.
 *    No sign, no exponent, no spaces inside, no compound forms ("1h30m"; write "90m").
 * 3. The result is an exact integer number of milliseconds, computed without floating-point
 *    rounding ("1.1s" is 1100, not 1100.0000000000002); a value that is not a whole number of
 *    milliseconds ("0.5ms") is an error.
 * 4. At most DURATION_MAX_MS.
 */

import {
  DAY_MS,
  DURATION_MAX_MS,
  DURATION_TEXT_MAX_CHARS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
} from './limits.js';

export const DURATION_UNITS_MS = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS } as const;
export type DurationUnit = keyof typeof DURATION_UNITS_MS;

const DURATION_PATTERN = /^(\d+)(?:\.(\d+))?(ms|s|m|h)$/;
const EXAMPLES = '"250ms", "90s", "10m", "1.5h"';

/** A value that is not a valid duration; `message` says what was expected and what was found. */
export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses a duration with a unit into integer milliseconds; throws DurationError otherwise. */
export function parseDuration(input: unknown): number {
  if (typeof input === 'number') {
    throw new DurationError(
      `expected a duration with a unit (e.g. ${EXAMPLES}), found the plain number ${input}: ` +
        `units are mandatory (write "${input}s" or "${input}ms")`,
    );
  }
  if (typeof input !== 'string') {
    throw new DurationError(
      `expected a duration with a unit (e.g. ${EXAMPLES}), found ${describeValue(input)}`,
    );
  }
  const text = input.trim();
  const match = text.length <= DURATION_TEXT_MAX_CHARS ? DURATION_PATTERN.exec(text) : null;
  if (match === null) {
    throw new DurationError(
      `expected a duration: a number followed by ms, s, m or h (e.g. ${EXAMPLES}), ` +
        `found ${JSON.stringify(truncate(input))}`,
    );
  }
  const [, whole = '', fraction = '', unit = 'ms'] = match;
  // Exact arithmetic: (whole.fraction × unit) as a ratio of big integers.
  const scale = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole + fraction) * BigInt(DURATION_UNITS_MS[unit as DurationUnit]);
  if (numerator % scale !== 0n) {
    throw new DurationError(
      `expected a whole number of milliseconds, found ${JSON.stringify(text)} ` +
        `(the simulator's clock ticks in milliseconds)`,
    );
  }
  const ms = numerator / scale;
  if (ms > BigInt(DURATION_MAX_MS)) {
    throw new DurationError(
      `expected a duration of at most ${formatDuration(DURATION_MAX_MS)}, found ${JSON.stringify(text)}`,
    );
  }
  return Number(ms);
}

/**
 * The shortest exact form of a millisecond count, in the largest unit that divides it:
 * 600000 → "10m", 90000 → "90s", 1500 → "1500ms", 2592000000 → "720h".
 * parseDuration(formatDuration(ms)) === ms for every integer 0 ≤ ms ≤ DURATION_MAX_MS.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration: expected a non-negative integer, got ${ms}`);
  }
  if (ms === 0) return '0s';
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS}m`;
  if (ms % SECOND_MS === 0) return `${ms / SECOND_MS}s`;
  return `${ms}ms`;
}

/**
 * A human reading of a millisecond count for terminals and reports: "1h 30m", "2m 5.5s",
 * "250ms". Not meant to be parsed back.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < SECOND_MS) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms);
  const days = Math.floor(rest / DAY_MS);
  rest -= days * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  rest -= minutes * MINUTE_MS;
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  // Floor to tenths so 59,999 ms reads "59.9s", never "60s".
  const tenths = Math.floor(rest / 100);
  if (tenths > 0) parts.push(`${tenths / 10}s`);
  return parts.join(' ');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function truncate(text: string): string {
  return text.length > DURATION_TEXT_MAX_CHARS
    ? `${text.slice(0, DURATION_TEXT_MAX_CHARS)}…`
    : text;
}
