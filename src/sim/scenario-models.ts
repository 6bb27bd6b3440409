/**
 * The random models of a scenario's `churn:` and `workload:` sections: duration
 * distributions (session and offline lengths), per-node heterogeneity, pair choice and
 * message sizes. Part of scenario.ts's schema; the same rules hold (closed mappings,
 * durations with units, errors naming the key path and what was expected).
 *
 *   <distribution>:  { exponential: { mean } } | { weibull: { shape, scale } }
 *                  | { pareto: { shape, scale } } | { truncatedNormal: { mean, sd, min, max } }
 *   heterogeneity:   { factor: { lognormal: { sigma } } | { uniform: { min, max } },
 *                      applies: session | offline | both }
 *   pairs:           uniform | { zipf: { s } }
 *   size:            bytes | { uniform: { min, max } } | { lognormal: { median, sigma } }
 */
import { ROUTING_BODY_MAX } from '../engine/routing/config.js';
import { formatDuration } from './duration.js';
import { type FactorDistribution, type SizeModel, truncatedNormalMass } from './distributions.js';
import {
  CHURN_DURATION_MIN_MS,
  CHURN_SHAPE_MAX,
  DURATION_MAX_MS,
  HETEROGENEITY_FACTOR_MAX,
  HETEROGENEITY_FACTOR_MIN,
  HETEROGENEITY_SIGMA_MAX,
  SIZE_SIGMA_DEFAULT,
  SIZE_SIGMA_MAX,
  TRUNCATED_NORMAL_MASS_MIN,
  WORKLOAD_SIZE_DEFAULT,
  ZIPF_EXPONENT_MAX,
} from './limits.js';
import type { Distribution, Heterogeneity, PairsModel } from './scenario.js';
import { type Field, type MapField, list, optional } from './yaml-reader.js';

export const DISTRIBUTION_KINDS: readonly Distribution['kind'][] = [
  'weibull',
  'exponential',
  'pareto',
  'truncatedNormal',
];
const DISTRIBUTION_KEYS = {
  weibull: ['shape', 'scale'],
  exponential: ['mean'],
  pareto: ['shape', 'scale'],
  truncatedNormal: ['mean', 'sd', 'min', 'max'],
} as const;
const HETEROGENEITY_KEYS = ['factor', 'applies'] as const;
const FACTOR_KEYS = { lognormal: ['sigma'], uniform: ['min', 'max'] } as const;
const FACTOR_KINDS = ['lognormal', 'uniform'] as const;
export const HETEROGENEITY_APPLIES: readonly Heterogeneity['applies'][] = [
  'session',
  'offline',
  'both',
];
const SIZE_KEYS = { uniform: ['min', 'max'], lognormal: ['median', 'sigma'] } as const;
const SIZE_KINDS = ['uniform', 'lognormal'] as const;

/** A mapping with exactly one key out of `kinds`; returns that key and its value. */
function oneKind<K extends string>(field: Field, kinds: readonly K[]): [K, Field] {
  const outer = field.map(kinds);
  const found = outer.keys();
  if (found.length !== 1) {
    field.fail(
      `expected exactly one of ${list(kinds)}, found ` +
        (found.length === 0 ? 'none' : found.join(' and ')),
    );
  }
  const kind = found[0] as K;
  return [kind, outer.get(kind) as Field];
}

/** A distribution of durations (churn session and offline lengths). */
export function readDistribution(field: Field): Distribution {
  const [kind, inner] = oneKind(field, DISTRIBUTION_KINDS);
  const map = inner.map(DISTRIBUTION_KEYS[kind]);
  const shape = (): number =>
    map
      .require('shape', `a number in (0, ${CHURN_SHAPE_MAX}]`)
      .number(0, CHURN_SHAPE_MAX, { minExclusive: true });
  const duration = (key: string): number =>
    map.require(key, 'a duration such as "30m"').duration(CHURN_DURATION_MIN_MS, DURATION_MAX_MS);
  switch (kind) {
    case 'exponential':
      return { kind, meanMs: duration('mean') };
    case 'weibull':
      return { kind, shape: shape(), scaleMs: duration('scale') };
    case 'pareto':
      return { kind, shape: shape(), scaleMs: duration('scale') };
    case 'truncatedNormal':
      return readTruncatedNormal(inner, map);
  }
}

function readTruncatedNormal(field: Field, map: MapField): Distribution {
  const meanMs = map.require('mean', 'a duration such as "30m"').duration(0, DURATION_MAX_MS);
  const sdMs = map
    .require('sd', 'a duration such as "10m": the standard deviation')
    .duration(1, DURATION_MAX_MS);
  const minMs = optional(map, 'min', (f) => f.duration(0, DURATION_MAX_MS), 0);
  const maxMs = optional(
    map,
    'max',
    (f) => {
      const ms = f.duration(0, DURATION_MAX_MS);
      if (ms <= minMs) {
        f.fail(`expected more than min (${formatDuration(minMs)}), found ${formatDuration(ms)}`);
      }
      return ms;
    },
    DURATION_MAX_MS,
  );
  if (maxMs <= minMs) {
    (map.get('min') as Field).fail(
      `expected less than max (${formatDuration(maxMs)}), found ${formatDuration(minMs)}`,
    );
  }
  const mass = truncatedNormalMass({ mean: meanMs, sd: sdMs, min: minMs, max: maxMs });
  if (!(mass >= TRUNCATED_NORMAL_MASS_MIN)) {
    field.fail(
      `expected [min, max] to hold at least ${TRUNCATED_NORMAL_MASS_MIN} of the normal ` +
        `distribution (mean ${formatDuration(meanMs)}, sd ${formatDuration(sdMs)}), found ` +
        `${mass === 0 ? '0' : mass.toPrecision(2)}: the bounds lie many standard deviations from the mean`,
    );
  }
  return { kind: 'truncatedNormal', meanMs, sdMs, minMs, maxMs };
}

/** `churn.heterogeneity`: one factor per node scales its session and/or offline lengths. */
export function readHeterogeneity(field: Field): Heterogeneity {
  const map = field.map(HETEROGENEITY_KEYS);
  const factorField = map.require(
    'factor',
    '{ lognormal: { sigma } } or { uniform: { min, max } }',
  );
  const [kind, inner] = oneKind(factorField, FACTOR_KINDS);
  const params = inner.map(FACTOR_KEYS[kind]);
  let factor: FactorDistribution;
  if (kind === 'lognormal') {
    factor = {
      kind,
      sigma: params
        .require('sigma', `a number from 0 to ${HETEROGENEITY_SIGMA_MAX}`)
        .number(0, HETEROGENEITY_SIGMA_MAX),
    };
  } else {
    const bound = (key: string): number =>
      params
        .require(key, `a number from ${HETEROGENEITY_FACTOR_MIN} to ${HETEROGENEITY_FACTOR_MAX}`)
        .number(HETEROGENEITY_FACTOR_MIN, HETEROGENEITY_FACTOR_MAX);
    const min = bound('min');
    const max = bound('max');
    if (max < min) (params.get('max') as Field).fail(`expected max ≥ min (${min}), found ${max}`);
    factor = { kind, min, max };
  }
  const applies = optional(
    map,
    'applies',
    (f) => f.oneOf(HETEROGENEITY_APPLIES),
    'session' as Heterogeneity['applies'],
  );
  return { factor, applies };
}

/** `workload.pairs`: `uniform` or `{ zipf: { s } }`. */
export function readPairs(field: Field): PairsModel {
  if (field.scalar() === 'uniform') return { kind: 'uniform' };
  if (field.scalar() === 'known') return { kind: 'known' };
  if (field.scalar() !== undefined) {
    field.fail(`expected uniform, known or { zipf: { s: <exponent> } }, found ${field.describe()}`);
  }
  const map = field.map(['zipf']);
  const s = map
    .require('zipf', '{ s: <exponent> }')
    .map(['s'])
    .require('s', `a number from 0 to ${ZIPF_EXPONENT_MAX}`)
    .number(0, ZIPF_EXPONENT_MAX);
  return { kind: 'zipf', s };
}

/** `workload.size`: bytes, `{ uniform: { min, max } }` or `{ lognormal: { median, sigma } }`. */
export function readSize(field: Field | undefined): SizeModel {
  if (field === undefined) return { kind: 'fixed', bytes: WORKLOAD_SIZE_DEFAULT };
  if (field.scalar() !== undefined) return { kind: 'fixed', bytes: field.int(0, ROUTING_BODY_MAX) };
  const [kind, inner] = oneKind(field, SIZE_KINDS);
  const map = inner.map(SIZE_KEYS[kind]);
  if (kind === 'uniform') {
    const minBytes = map.require('min', `bytes, 0 to ${ROUTING_BODY_MAX}`).int(0, ROUTING_BODY_MAX);
    const maxField = map.require('max', `bytes, 0 to ${ROUTING_BODY_MAX}`);
    const maxBytes = maxField.int(0, ROUTING_BODY_MAX);
    if (maxBytes < minBytes) maxField.fail(`expected max ≥ min (${minBytes}), found ${maxBytes}`);
    return { kind, minBytes, maxBytes };
  }
  return {
    kind,
    medianBytes: map.require('median', `bytes, 1 to ${ROUTING_BODY_MAX}`).int(1, ROUTING_BODY_MAX),
    sigma: optional(map, 'sigma', (f) => f.number(0, SIZE_SIGMA_MAX), SIZE_SIGMA_DEFAULT),
    maxBytes: ROUTING_BODY_MAX,
  };
}
