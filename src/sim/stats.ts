/**
 * Small, exact statistics for simulation summaries.
 *
 * Rules:
 * 1. No NaN ever leaves this file: an empty input gives null, a NaN or infinite input is a bug
 *    in the caller and throws.
 * 2. Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the
 *    value at 1-based rank ceil(p/100 × n) (rank 1 for p = 0). It is always one of the
 *    observed values (no interpolation), so "p99 repair time = 812 ms" means some repair
 *    really took 812 ms, and it is the same on every platform.
 * 3. Inputs are never modified.
 */

/** Histograms wider than this are a caller's mistake (a degree, not a timestamp). */
export const HISTOGRAM_BINS_MAX = 10_000;

/** Nearest-rank p-th percentile (0 ≤ p ≤ 100) of `values` in any order; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  return percentiles(values, [p])[0] ?? null;
}

/** Several percentiles with one sort; one entry (null when `values` is empty) per p. */
export function percentiles(values: readonly number[], ps: readonly number[]): (number | null)[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
  }
  checkFinite(values, 'percentile');
  if (values.length === 0) return ps.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1] as number;
  });
}

/** Arithmetic mean; null when empty. */
export function mean(values: readonly number[]): number | null {
  checkFinite(values, 'mean');
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Smallest and largest value; null when empty. */
export function minMax(values: readonly number[]): { min: number; max: number } | null {
  checkFinite(values, 'minMax');
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

/**
 * Counts per bin of width `binWidth`, as `[lower bound, count]` pairs in ascending order.
 * The bins are contiguous from the lowest to the highest occupied one (empty bins inside the
 * range count 0, so a table or plot shows the gaps). Empty input gives [].
 */
export function histogram(values: readonly number[], binWidth = 1): [number, number][] {
  if (!(binWidth > 0 && Number.isFinite(binWidth))) {
    throw new RangeError(`histogram: binWidth must be a positive number, got ${binWidth}`);
  }
  const range = minMax(values);
  if (range === null) return [];
  const first = Math.floor(range.min / binWidth);
  const bins = Math.floor(range.max / binWidth) - first + 1;
  if (bins > HISTOGRAM_BINS_MAX) {
    throw new RangeError(
      `histogram: ${bins} bins exceed HISTOGRAM_BINS_MAX (${HISTOGRAM_BINS_MAX})`,
    );
  }
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    const index = Math.floor(value / binWidth) - first;
    counts[index] = (counts[index] as number) + 1;
  }
  return counts.map((count, i) => [(first + i) * binWidth, count]);
}

/** One point of an empirical CDF: `fraction` of the values are ≤ `value`. */
export interface CdfPoint {
  value: number;
  fraction: number;
}

/**
 * The empirical CDF of `values` in at most `pointsMax` points, for plots. Every point lies
 * exactly on the CDF (value = the value at nearest rank r, fraction = r / n); equal values
 * keep only their highest rank. Up to `pointsMax` distinct values it is the whole CDF;
 * beyond, the ranks ceil(k·n / pointsMax) for k = 1..pointsMax, so the plot stays bounded
 * whatever the run's size. Empty input gives [].
 */
export function empiricalCdf(values: readonly number[], pointsMax: number): CdfPoint[] {
  if (!(Number.isInteger(pointsMax) && pointsMax >= 1)) {
    throw new RangeError(`empiricalCdf: pointsMax must be a positive integer, got ${pointsMax}`);
  }
  checkFinite(values, 'empiricalCdf');
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const ranks: number[] = [];
  if (n <= pointsMax) for (let r = 1; r <= n; r++) ranks.push(r);
  else for (let k = 1; k <= pointsMax; k++) ranks.push(Math.ceil((k * n) / pointsMax));
  const points: CdfPoint[] = [];
  for (const rank of ranks) {
    const value = sorted[rank - 1] as number;
    // A rank inside a run of ties: the CDF at `value` counts the whole run.
    let atOrBelow = rank;
    while (atOrBelow < n && sorted[atOrBelow] === value) atOrBelow++;
    const point = { value, fraction: atOrBelow / n };
    if (points.length > 0 && points[points.length - 1]?.value === value) points.pop();
    points.push(point);
  }
  return points;
}

/**
 * Degree histogram for summary.json: `{ "4": 120, "5": 0, "6": 871, … }`, keys ascending.
 * Degrees are non-negative integers, so the keys are array-index-like and JSON keeps them in
 * ascending numeric order.
 */
export function degreeHistogram(degrees: readonly number[]): Record<string, number> {
  for (const degree of degrees) {
    if (!Number.isInteger(degree) || degree < 0) {
      throw new RangeError(`degreeHistogram: degrees must be non-negative integers, got ${degree}`);
    }
  }
  const record: Record<string, number> = {};
  for (const [degree, count] of histogram(degrees)) record[String(degree)] = count;
  return record;
}

function checkFinite(values: readonly number[], what: string): void {
  for (const value of values) {
    if (!Number.isFinite(value))
      throw new RangeError(`${what}: values must be finite, got ${value}`);
  }
}
