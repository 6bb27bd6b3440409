/**
 * The random models of a scenario that are not durations of one distribution family: the
 * truncated normal (churn), per-node heterogeneity factors (churn), Zipf ranks (the hot-spot
 * workload) and message sizes (workload). Pure functions of a `Random`; the callers own the
 * streams (one per subsystem, so turning a model on never shifts another one's draws).
 *
 * Rules:
 * 1. Every draw consumes a fixed number of uniforms (one, except where said), by inverse CDF,
 *    so a stream's position depends only on how many values were drawn.
 * 2. The truncated normal is drawn by inverting the CDF on the tail where it is precise:
 *    an interval entirely above the mean is reflected below it first, so Φ never has to
 *    resolve 1 − ε (Φ near 1 has no digits left; Φ near 0 has all of them).
 * 3. Zipf: rank r (1-based) of n has probability r^−s / H(n, s); the cumulative weights are
 *    kept in one growing table, so a draw is a binary search (O(log n)) even when n changes
 *    between draws (nodes join and crash).
 */
import type { Random } from '../engine/random.js';
import { inverseNormalCdf } from '../transports/sim/latency.js';

// ---------------------------------------------------------------------------------------------
// The normal distribution

/**
 * The complementary error function (Numerical Recipes' `erfcc`, a Chebyshev fit): relative
 * error below 1.2e-7 everywhere, tails included, which is what inverse-CDF sampling needs.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal CDF Φ(z); Φ(−∞) = 0, Φ(∞) = 1. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Number.isFinite(z) ? Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) : 0;
}

/** Φ⁻¹ on the closed interval, clamped into (0, 1) where the inverse is finite. */
function inverseCdf(p: number): number {
  const q = p <= 0 ? Number.MIN_VALUE : p >= 1 ? 1 - Number.EPSILON / 2 : p;
  return inverseNormalCdf(q);
}

/** A normal of mean `mean` and standard deviation `sd`, restricted to [min, max]. */
export interface TruncatedNormal {
  mean: number;
  sd: number;
  min: number;
  /** Infinity for no upper bound. */
  max: number;
}

/**
 * The standardised bounds, reflected below the mean when the whole interval lies above it
 * (Rule 2): returns [a, b, sign] with the draw = mean + sign · sd · z, z ∈ [a, b], a ≤ 0 or b ≤ 0.
 */
function standardBounds(t: TruncatedNormal): [number, number, 1 | -1] {
  const a = (t.min - t.mean) / t.sd;
  const b = (t.max - t.mean) / t.sd;
  return a > 0 ? [-b, -a, -1] : [a, b, 1];
}

/** The share of the untruncated normal inside [min, max] (what validation bounds below). */
export function truncatedNormalMass(t: TruncatedNormal): number {
  const [a, b] = standardBounds(t);
  return normalCdf(b) - normalCdf(a);
}

/** The `u`-quantile, u ∈ [0, 1] (increasing in u): one draw per uniform. */
export function truncatedNormalQuantile(t: TruncatedNormal, u: number): number {
  const [a, b, sign] = standardBounds(t);
  const pa = normalCdf(a);
  const z = inverseCdf(pa + (sign === 1 ? u : 1 - u) * (normalCdf(b) - pa));
  const x = t.mean + sign * t.sd * z;
  return Math.min(t.max, Math.max(t.min, x));
}

export function sampleTruncatedNormal(t: TruncatedNormal, random: Random): number {
  return truncatedNormalQuantile(t, random.next());
}

/** E[X] = mean + sd · (φ(a) − φ(b)) / (Φ(b) − Φ(a)), with a, b the standardised bounds. */
export function truncatedNormalMean(t: TruncatedNormal): number {
  const [a, b, sign] = standardBounds(t);
  const shift = (normalPdf(a) - normalPdf(b)) / (normalCdf(b) - normalCdf(a));
  return t.mean + sign * t.sd * shift;
}

export function truncatedNormalMedian(t: TruncatedNormal): number {
  return truncatedNormalQuantile(t, 0.5);
}

// ---------------------------------------------------------------------------------------------
// Per-node factors and message sizes

/** A positive dimensionless factor: log-normal of median 1, or uniform in [min, max]. */
export type FactorDistribution =
  { kind: 'lognormal'; sigma: number } | { kind: 'uniform'; min: number; max: number };

/** One factor from one uniform. */
export function sampleFactor(d: FactorDistribution, random: Random): number {
  const u = random.next();
  if (d.kind === 'uniform') return d.min + u * (d.max - d.min);
  return Math.exp(d.sigma * inverseCdf(u));
}

/** How big each message body is, in bytes. */
export type SizeModel =
  | { kind: 'fixed'; bytes: number }
  | { kind: 'uniform'; minBytes: number; maxBytes: number }
  | { kind: 'lognormal'; medianBytes: number; sigma: number; maxBytes: number };

/** One size (an integer); fixed sizes consume no draw. */
export function sampleSize(model: SizeModel, random: Random): number {
  switch (model.kind) {
    case 'fixed':
      return model.bytes;
    case 'uniform':
      return model.minBytes + Math.floor(random.next() * (model.maxBytes - model.minBytes + 1));
    case 'lognormal': {
      const bytes = Math.round(
        model.medianBytes * Math.exp(model.sigma * inverseCdf(random.next())),
      );
      return Math.min(model.maxBytes, Math.max(0, bytes));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zipf ranks

/** Draws Zipf ranks over a population whose size may change between draws (Rule 3). */
export class ZipfSampler {
  /** cumulative[k] = Σ_{r=1..k+1} r^−s. */
  private cumulative = new Float64Array(0);
  private filled = 0;

  constructor(readonly exponent: number) {}

  /** A 0-based rank in [0, n): rank 0 is the most popular. */
  draw(random: Random, n: number): number {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`ZipfSampler.draw: n = ${n}`);
    this.extendTo(n);
    const target = random.next() * (this.cumulative[n - 1] as number);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** P(rank = r) for 0-based `r` of `n` (tests, docs). */
  probability(r: number, n: number): number {
    this.extendTo(n);
    return (r + 1) ** -this.exponent / (this.cumulative[n - 1] as number);
  }

  private extendTo(n: number): void {
    if (n <= this.filled) return;
    if (n > this.cumulative.length) {
      const grown = new Float64Array(Math.max(n, 2 * this.cumulative.length, 64));
      grown.set(this.cumulative.subarray(0, this.filled));
      this.cumulative = grown;
    }
    let sum = this.filled === 0 ? 0 : (this.cumulative[this.filled - 1] as number);
    for (let k = this.filled; k < n; k++) {
      sum += (k + 1) ** -this.exponent;
      this.cumulative[k] = sum;
    }
    this.filled = n;
  }
}
