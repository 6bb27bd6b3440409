/**
 * Outcome tallies for the fuzz tests: every input is labelled by the campaign's check for
 * its surface (bench/fuzz/surfaces/), and tests assert on how the labels are spread.
 */
import fc from 'fast-check';

/** Runs `outcomeOf` on `numRuns` inputs under fc.assert (a throw fails it) and counts labels. */
export function tallyOutcomes<T>(
  arbitrary: fc.Arbitrary<T>,
  outcomeOf: (input: T) => string,
  params: fc.Parameters<[T]>,
): Map<string, number> {
  const tally = new Map<string, number>();
  fc.assert(
    fc.property(arbitrary, (input) => {
      const outcome = outcomeOf(input);
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    }),
    params,
  );
  return tally;
}

/** Inputs whose label starts with `prefix`. */
export function countOutcomes(
  outcomes: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  prefix: string,
): number {
  const entries = outcomes instanceof Map ? [...outcomes] : Object.entries(outcomes);
  return entries.filter(([label]) => label.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);
}

/** Distinct labels that start with `prefix`. */
export function distinctOutcomes(outcomes: ReadonlyMap<string, number>, prefix: string): number {
  return [...outcomes.keys()].filter((label) => label.startsWith(prefix)).length;
}
