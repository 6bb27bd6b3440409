/**
 * A sweep's points and its metrics as columns (sweep.ts runs them): what planning a sweep and
 * aggregating seeds need, without the runner and the plots, so that the CLI checks a sweep
 * before it loads the simulator.
 */
import { dirname } from 'node:path';
import YAML from 'yaml';
import { parseScenario, type Scenario } from './scenario.js';

/** The scenario of one sweep point: the file with `key` set to `value` and no sweep. */
export function sweepVariant(
  text: string,
  sourceName: string,
  key: string,
  value: number | string,
  seed: number,
): Scenario {
  // The label names the point; files the scenario names stay relative to the scenario file.
  return parseScenario(
    sweepVariantText(text, key, value, seed),
    `${sourceName} (${key}=${value})`,
    {
      baseDir: dirname(sourceName),
    },
  );
}

/** The YAML text of one sweep point (what sweepVariant validates). */
export function sweepVariantText(
  text: string,
  key: string,
  value: number | string,
  seed: number,
): string {
  const doc = YAML.parseDocument(text);
  const path = key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  doc.setIn(path, value);
  doc.delete('sweep');
  doc.set('seed', seed);
  return doc.toString();
}

/** Every numeric metric, by dotted path (histograms left out: they are per-point tables). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, number | null> = {},
): Record<string, number | null> {
  if (value === null || typeof value === 'number') out[prefix] = value;
  else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (/histogram$/i.test(k)) continue;
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    }
  }
  return out;
}
