/**
 * Latency models: how long a frame (or a connection set-up leg) takes from one node to
 * another, in whole virtual milliseconds.
 *
 * - `constant`: every one-way trip takes `ms`.
 * - `uniform`: each frame draws its own delay from the integers in [minMs, maxMs], from the
 *   sender's jitter stream. Links still deliver in order: the network never delivers a
 *   frame before the previous one on the same direction (DESIGN.md §5, TCP semantics).
 * - `lognormal`: each ORDERED pair (from, to) has one fixed delay for the whole run,
 *   `medianMs * exp(sigma * z)` with z a standard normal derived from a hash of
 *   (seed, from, to). No stream is consumed, so the value is independent of event order
 *   and of which other pairs ever talk — the shape of measured internet RTTs, where a
 *   pair's delay is mostly a property of the path.
 * - `matrix`: a measured matrix of one-way delays (e.g. from a CSV file of milliseconds,
 *   src/sim/matrix-csv.ts): node i uses row `i mod n`, node j column `j mod n`, so n rows
 *   serve any number of nodes; the delay of (i → j) is `ms[i mod n][j mod n]`. Two nodes on
 *   the same row get the diagonal value (usually 0, so the 1 ms floor).
 * - `coordinates`: every node sits at a point drawn uniformly in a square of side `sizeMs`
 *   (a pure hash of (seed, node), like the log-normal pairs) and the delay of a pair is
 *   `baseMs` plus the euclidean distance between their points: a metric space, so delays are
 *   symmetric and obey the triangle inequality (Vivaldi-style network coordinates).
 *
 * Rules:
 * 1. Every delay is rounded to an integer and clamped to [LATENCY_MIN_MS, LATENCY_MAX_MS].
 * 2. Parameters are validated once (`validateLatencyModel`); a bad one is a SimConfigError.
 */
import type { Random } from '../../engine/random.js';
import { SimConfigError } from './errors.js';
import {
  LATENCY_MAX_MS,
  LATENCY_MIN_MS,
  LATENCY_MATRIX_ROWS_MAX,
  LOGNORMAL_SIGMA_MAX,
} from './limits.js';
import { hashSeed, pairUniform, type SeedHash } from './rng.js';

export interface ConstantLatency {
  kind: 'constant';
  ms: number;
}

export interface UniformLatency {
  kind: 'uniform';
  minMs: number;
  maxMs: number;
}

export interface LognormalLatency {
  kind: 'lognormal';
  medianMs: number;
  sigma: number;
}

/** A square matrix of one-way delays in ms: `ms[from][to]`, rows = columns = n ≥ 1. */
export interface MatrixLatency {
  kind: 'matrix';
  ms: readonly (readonly number[])[];
}

/** Points in a square of side `sizeMs`; delay = `baseMs` + euclidean distance. */
export interface CoordinatesLatency {
  kind: 'coordinates';
  sizeMs: number;
  baseMs: number;
}

export type LatencyModel =
  ConstantLatency | UniformLatency | LognormalLatency | MatrixLatency | CoordinatesLatency;

function isNumberIn(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max;
}

/** Throws a SimConfigError naming the bad field; returns the model for chaining. */
export function validateLatencyModel(model: LatencyModel): LatencyModel {
  const m = model as unknown as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) throw new SimConfigError('latency: expected an object');
  switch (m.kind) {
    case 'constant':
      if (!isNumberIn(m.ms, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.ms: expected a number in [0, ${LATENCY_MAX_MS}]`);
      }
      return model;
    case 'uniform': {
      const { minMs, maxMs } = m;
      if (!isNumberIn(minMs, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.minMs: expected a number in [0, ${LATENCY_MAX_MS}]`);
      }
      if (!isNumberIn(maxMs, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.maxMs: expected a number in [0, ${LATENCY_MAX_MS}]`);
      }
      if (Math.ceil(minMs) > Math.floor(maxMs)) {
        throw new SimConfigError('latency: minMs..maxMs must contain a whole millisecond');
      }
      return model;
    }
    case 'lognormal':
      if (!isNumberIn(m.medianMs, Number.MIN_VALUE, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.medianMs: expected a number in (0, ${LATENCY_MAX_MS}]`);
      }
      if (!isNumberIn(m.sigma, 0, LOGNORMAL_SIGMA_MAX)) {
        throw new SimConfigError(`latency.sigma: expected a number in [0, ${LOGNORMAL_SIGMA_MAX}]`);
      }
      return model;
    case 'matrix':
      validateMatrix(m.ms);
      return model;
    case 'coordinates':
      if (!isNumberIn(m.sizeMs, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.sizeMs: expected a number in [0, ${LATENCY_MAX_MS}]`);
      }
      if (!isNumberIn(m.baseMs, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(`latency.baseMs: expected a number in [0, ${LATENCY_MAX_MS}]`);
      }
      return model;
    default:
      throw new SimConfigError(
        `latency.kind: expected 'constant', 'uniform', 'lognormal', 'matrix' or 'coordinates', ` +
          `got ${JSON.stringify(m.kind)}`,
      );
  }
}

function validateMatrix(ms: unknown): void {
  if (!Array.isArray(ms) || ms.length === 0 || ms.length > LATENCY_MATRIX_ROWS_MAX) {
    throw new SimConfigError(
      `latency.ms: expected 1 to ${LATENCY_MATRIX_ROWS_MAX} rows, got ` +
        (Array.isArray(ms) ? `${ms.length}` : 'no list'),
    );
  }
  const n = ms.length;
  ms.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new SimConfigError(`latency.ms[${i}]: expected ${n} values (a square matrix)`);
    }
    row.forEach((value: unknown, j) => {
      if (!isNumberIn(value, 0, LATENCY_MAX_MS)) {
        throw new SimConfigError(
          `latency.ms[${i}][${j}]: expected a number in [0, ${LATENCY_MAX_MS}], got ${String(value)}`,
        );
      }
    });
  });
}

function clampMs(ms: number): number {
  const r = Math.round(ms);
  return r < LATENCY_MIN_MS ? LATENCY_MIN_MS : r > LATENCY_MAX_MS ? LATENCY_MAX_MS : r;
}

/**
 * The inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * below 1.2e-9 over (0, 1)). `p` must be in the open interval (0, 1).
 */
export function inverseNormalCdf(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q -
        2.549732539343734) *
        q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q +
        3.754408661907416) *
        q +
        1)
    );
  }
  if (p > 1 - pLow) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r +
      1.38357751867269e2) *
      r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r +
      6.680131188771972e1) *
      r -
      1.328068155288572e1) *
      r +
      1)
  );
}

/**
 * A validated latency model bound to a run's seed. `perFrame` tells the network whether to
 * call `drawMs` with the sender's jitter stream or the pure `pairMs`.
 */
export class Latency {
  readonly perFrame: boolean;
  private readonly kind: LatencyModel['kind'];
  private readonly constantMs: number;
  private readonly lo: number;
  private readonly span: number;
  private readonly medianMs: number;
  private readonly sigma: number;
  private readonly seedHash: SeedHash;
  /** matrix: n×n delays, row-major, already clamped; n = `rows` (0 for other models). */
  private readonly matrix: Int32Array;
  private readonly rows: number;
  /** coordinates: side of the square and base delay; points cached as (x, y), NaN = unset. */
  private readonly sizeMs: number;
  private readonly baseMs: number;
  private readonly coordHash: SeedHash;
  private points = new Float64Array(0);

  /** `seed` is the run's seed; pair values are hashed from `${seed}/latency`. */
  constructor(
    readonly model: LatencyModel,
    seed: string,
  ) {
    validateLatencyModel(model);
    this.kind = model.kind;
    this.perFrame = model.kind === 'uniform';
    this.constantMs = model.kind === 'constant' ? clampMs(model.ms) : 0;
    this.lo = model.kind === 'uniform' ? Math.ceil(model.minMs) : 0;
    this.span = model.kind === 'uniform' ? Math.floor(model.maxMs) - this.lo + 1 : 0;
    this.medianMs = model.kind === 'lognormal' ? model.medianMs : 0;
    this.sigma = model.kind === 'lognormal' ? model.sigma : 0;
    this.seedHash = hashSeed(`${seed}/latency`);
    this.rows = model.kind === 'matrix' ? model.ms.length : 0;
    this.matrix = new Int32Array(this.rows * this.rows);
    if (model.kind === 'matrix') {
      model.ms.forEach((row, i) =>
        row.forEach((ms, j) => (this.matrix[i * this.rows + j] = clampMs(ms))),
      );
    }
    this.sizeMs = model.kind === 'coordinates' ? model.sizeMs : 0;
    this.baseMs = model.kind === 'coordinates' ? model.baseMs : 0;
    this.coordHash = hashSeed(`${seed}/coordinates`);
  }

  /** The fixed one-way delay of (from → to) for every model but `uniform`. */
  pairMs(from: number, to: number): number {
    switch (this.kind) {
      case 'constant':
        return this.constantMs;
      case 'lognormal': {
        const z = inverseNormalCdf(pairUniform(this.seedHash, from, to));
        return clampMs(this.medianMs * Math.exp(this.sigma * z));
      }
      case 'matrix':
        return this.matrix[(from % this.rows) * this.rows + (to % this.rows)] as number;
      case 'coordinates': {
        const dx = this.coordinate(from, 0) - this.coordinate(to, 0);
        const dy = this.coordinate(from, 1) - this.coordinate(to, 1);
        return clampMs(this.baseMs + Math.sqrt(dx * dx + dy * dy));
      }
      case 'uniform':
        throw new Error('sim bug: pairMs called on the per-frame uniform model');
    }
  }

  /** Node `index`'s point (axis 0 = x, 1 = y) in ms: a pure hash, cached per node. */
  point(index: number): { x: number; y: number } {
    return { x: this.coordinate(index, 0), y: this.coordinate(index, 1) };
  }

  private coordinate(index: number, axis: 0 | 1): number {
    if (2 * index + 1 >= this.points.length) {
      const grown = new Float64Array(Math.max(64, 4 * (index + 1))).fill(NaN);
      grown.set(this.points);
      this.points = grown;
    }
    const slot = 2 * index + axis;
    let value = this.points[slot] as number;
    if (Number.isNaN(value)) {
      value = this.sizeMs * pairUniform(this.coordHash, index, axis);
      this.points[slot] = value;
    }
    return value;
  }

  /** One per-frame draw for `uniform`, from the sender's jitter stream. */
  drawMs(random: Random): number {
    return clampMs(this.lo + Math.floor(random.next() * this.span));
  }
}
