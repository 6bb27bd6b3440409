/**
 * Shortens a scenario file: fewer nodes and a shorter run, with the whole timeline scaled to
 * fit. The determinism test runs every shipped scenario shortened (determinism-shipped), and
 * `npm run examples` writes the small example reports of reports/examples/ from them.
 *
 * It edits the file through the `--set` machinery (src/sim/overrides.ts), so the shortened
 * text is validated by the scenario reader like any file. Which values move: every duration
 * under a timeline key (TIMELINE_KEYS: when things happen, how long the run and its windows
 * last) and every duration under `churn:` (session and offline lengths, so the same share of
 * the run is spent offline). Rates, latencies, timeouts and expiries keep their values: they
 * describe the network, not the run's length. Scaling rounds down, so `a ≤ b` and
 * `at ≤ duration − settle` still hold afterwards (⌊x⌋ + ⌊y⌋ ≤ ⌊x + y⌋).
 */
import YAML from 'yaml';
import { DurationError, formatDuration, parseDuration } from './duration.js';
import { OVERRIDES_MAX, SECOND_MS } from './limits.js';
import { type Assignment, applyOverrides, parseAssignment } from './overrides.js';

/** Keys whose durations are positions or lengths on the run's timeline. */
const TIMELINE_KEYS = new Set(['duration', 'at', 'from', 'until', 'to', 'over', 'settle']);
/** A churn distribution's scale or mean is never below this (limits.ts CHURN_DURATION_MIN_MS). */
const CHURN_MIN_MS = SECOND_MS;

export interface Shortening {
  nodes: number;
  durationMs: number;
}

/**
 * The `--set` assignments that shorten `text` to at most `nodes` nodes and at most
 * `durationMs` of simulated time (none if it is already that small).
 */
export function shorteningAssignments(text: string, target: Shortening): Assignment[] {
  const doc = YAML.parse(text) as Record<string, unknown>;
  const factor = Math.min(1, target.durationMs / parseDuration(doc['duration']));
  const sets: Assignment[] = [];
  if (typeof doc['nodes'] === 'number' && doc['nodes'] > target.nodes) {
    sets.push(parseAssignment(`nodes=${target.nodes}`));
  }
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
      return;
    }
    const key = path[path.length - 1];
    const inChurn = path[0] === 'churn';
    if (typeof value !== 'string' || !(inChurn || TIMELINE_KEYS.has(String(key)))) return;
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      if (err instanceof DurationError) return; // not a duration: the reader will judge it
      throw err;
    }
    const scaled = Math.floor(ms * factor);
    const shortened = inChurn ? Math.max(CHURN_MIN_MS, scaled) : scaled;
    if (shortened !== ms)
      sets.push(parseAssignment(`${path.join('.')}=${formatDuration(shortened)}`));
  };
  if (factor < 1) visit(doc, []);
  return sets;
}

/** `text` with at most `nodes` nodes and at most `durationMs` of simulated time. */
export function shortenScenarioText(text: string, target: Shortening): string {
  const sets = shorteningAssignments(text, target);
  let out = text;
  for (let i = 0; i < sets.length; i += OVERRIDES_MAX) {
    out = applyOverrides(out, sets.slice(i, i + OVERRIDES_MAX));
  }
  return out;
}
