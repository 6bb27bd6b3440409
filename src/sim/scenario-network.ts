/**
 * The `network:` section of a scenario (and the `latency:` event, which takes the same
 * latency models): latency model, loss, duplication and reordering. Part of scenario.ts's
 * schema; the same rules hold (closed mappings, durations with units, errors naming the key
 * path and what was expected).
 *
 *   network:
 *     latency:   { kind: constant, ms } | { kind: uniform, min, max }
 *              | { kind: lognormal, median, sigma } | { kind: matrix, file }
 *              | { kind: coordinates, size, base }
 *     loss:      probability a frame is lost
 *     duplicate: probability a frame is delivered twice
 *     reorder:   { probability, delay }: a frame held up to `delay` beyond its turn
 *
 * A matrix file is read here, at parse time, relative to the scenario file's directory
 * (`baseDir`), so the normalized scenario carries the numbers and a run never touches a file.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  DUPLICATE_DEFAULT,
  LATENCY_MAX_MS,
  LATENCY_MEDIAN_DEFAULT_MS,
  LATENCY_SIGMA_DEFAULT,
  LATENCY_SIGMA_MAX,
  LOSS_DEFAULT,
  LOSS_MAX,
  LOSS_MIN,
  REORDER_DELAY_MAX_MS,
} from './limits.js';
import { MatrixCsvError, loadMatrixCsv } from './matrix-csv.js';
import type { LatencyModel, NetworkParams, ReorderParams } from './scenario.js';
import { type Field, list, optional } from './yaml-reader.js';

export const LATENCY_KINDS: readonly LatencyModel['kind'][] = [
  'constant',
  'uniform',
  'lognormal',
  'matrix',
  'coordinates',
];

const NETWORK_KEYS = ['latency', 'loss', 'duplicate', 'reorder'] as const;
const REORDER_KEYS = ['probability', 'delay'] as const;
const LATENCY_KEYS = {
  constant: ['kind', 'ms'],
  uniform: ['kind', 'min', 'max'],
  lognormal: ['kind', 'median', 'sigma'],
  matrix: ['kind', 'file'],
  coordinates: ['kind', 'size', 'base'],
} as const;
const ALL_LATENCY_KEYS = [...new Set(Object.values(LATENCY_KEYS).flat())];

export const DEFAULT_LATENCY: LatencyModel = {
  kind: 'lognormal',
  medianMs: LATENCY_MEDIAN_DEFAULT_MS,
  sigma: LATENCY_SIGMA_DEFAULT,
};

/** `network:`; `baseDir` is where a matrix file's relative path starts. */
export function readNetwork(field: Field | undefined, baseDir: string): NetworkParams {
  const map = field?.map(NETWORK_KEYS);
  const get = <T>(key: string, read: (f: Field) => T, fallback: T): T =>
    map === undefined ? fallback : optional(map, key, read, fallback);
  return {
    latency: get('latency', (f) => readLatency(f, baseDir), DEFAULT_LATENCY),
    loss: get('loss', (f) => f.number(LOSS_MIN, LOSS_MAX), LOSS_DEFAULT),
    duplicate: get('duplicate', (f) => f.number(0, 1), DUPLICATE_DEFAULT),
    reorder: get('reorder', readReorder, null as ReorderParams | null),
  };
}

function readReorder(field: Field): ReorderParams {
  const map = field.map(REORDER_KEYS);
  return {
    probability: map
      .require('probability', 'a number above 0 up to 1')
      .number(0, 1, { minExclusive: true }),
    maxDelayMs: map
      .require('delay', 'a duration such as "50ms": the longest extra delay')
      .duration(1, REORDER_DELAY_MAX_MS),
  };
}

/** One latency model (the `network.latency` key and the `latency:` event). */
export function readLatency(field: Field, baseDir: string): LatencyModel {
  // Read `kind` first so the allowed keys can depend on it.
  const loose = field.map(ALL_LATENCY_KEYS);
  const kind = loose.require('kind', `one of ${list(LATENCY_KINDS)}`).oneOf(LATENCY_KINDS);
  const map = field.map(LATENCY_KEYS[kind]);
  const ms = (key: string, example = '40ms'): number =>
    map.require(key, `a duration such as "${example}"`).duration(0, LATENCY_MAX_MS);
  switch (kind) {
    case 'constant':
      return { kind, ms: ms('ms') };
    case 'uniform': {
      const minMs = ms('min');
      const maxMs = ms('max');
      if (minMs > maxMs) {
        (map.get('max') as Field).fail(`expected max ≥ min (${minMs}ms), found ${maxMs}ms`);
      }
      return { kind, minMs, maxMs };
    }
    case 'lognormal': {
      const medianMs = map
        .require('median', 'a duration such as "40ms"')
        .duration(1, LATENCY_MAX_MS);
      const sigma = optional(
        map,
        'sigma',
        (f) => f.number(0, LATENCY_SIGMA_MAX),
        LATENCY_SIGMA_DEFAULT,
      );
      return { kind, medianMs, sigma };
    }
    case 'matrix': {
      const fileField = map.require('file', 'the path of a CSV file of milliseconds');
      const file = fileField.string('the path of a CSV file of milliseconds');
      if (file === '') fileField.fail('expected the path of a CSV file of milliseconds, found ""');
      return { kind, file, ms: readMatrix(fileField, file, baseDir) };
    }
    case 'coordinates':
      return {
        kind,
        sizeMs: ms('size', '150ms'),
        baseMs: optional(map, 'base', (f) => f.duration(0, LATENCY_MAX_MS), 0),
      };
  }
}

/** The matrix a `file:` names; CSV problems are reported at the key with line and column. */
function readMatrix(field: Field, file: string, baseDir: string): number[][] {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return loadMatrixCsv(path);
  } catch (err) {
    if (err instanceof MatrixCsvError) field.fail(`matrix file ${file}: ${err.message}`);
    throw err;
  }
}
