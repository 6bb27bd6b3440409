/**
 * Command-line option values as cac hands them over (mri has turned digit strings into
 * numbers, and a repeated option into an array), checked into what a command uses. Every
 * problem is a UsageError naming the flag: one line, exit 2.
 */
import { UsageError } from './errors.js';

/** A string option given once, or undefined. */
export function stringOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`${flag} given more than once`);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new UsageError(`${flag}: expected a value`);
}

/** A flag without a value: true if given. */
export function flagOption(value: unknown, flag: string): boolean {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  throw new UsageError(`${flag} takes no value, found ${showOption(value)}`);
}

/** An integer option in [min, max] given at most once, or `dflt`. */
export function intOption<D extends number | undefined>(
  value: unknown,
  flag: string,
  min: number,
  max: number,
  dflt: D,
): number | D {
  if (value === undefined) return dflt;
  if (Array.isArray(value)) throw new UsageError(`${flag} given more than once`);
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  throw new UsageError(
    `${flag}: expected an integer from ${min} to ${max}, found ${showOption(value)}`,
  );
}

/** A value as an error message quotes it. */
export function showOption(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : Array.isArray(value)
      ? 'a list'
      : String(value);
}
