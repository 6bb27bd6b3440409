/**
 * The shard setting of a message, in the one text form every interface shares (issue 7):
 * `p2pmsg send --shards 3/2`, the daemon's `shards` setting, the NDJSON push field
 * `"shards"` and the scenario key `workload.shards`.
 *
 *   "n/k"   split the message into n shards, any k of which rebuild it, each on its own
 *           node-disjoint path (1 ≤ k ≤ n ≤ SHARDS_PER_MESSAGE_MAX);
 *   "none"  one packet on one path (what a message is without a shard setting).
 *
 * Rule: every interface parses with `parseShardSpec` and shows its error message after
 * naming its own source, so a bad value reads the same wherever it was typed.
 */
import { SHARD_THRESHOLD_MIN } from '../shards/limits.js';
import { SHARDS_PER_MESSAGE_MAX } from './config.js';

export interface ShardSpec {
  /** Shards the message is split into. */
  n: number;
  /** Shards that rebuild it. */
  k: number;
}

/** The text for "no shards": one packet. */
export const SHARD_SPEC_NONE = 'none';

export type ShardSpecResult = { ok: true; spec: ShardSpec | null } | { ok: false; message: string };

const SPEC = /^(\d{1,3})\/(\d{1,3})$/;
const EXPECTED =
  `expected n/k with ${SHARD_THRESHOLD_MIN} ≤ k ≤ n ≤ ${SHARDS_PER_MESSAGE_MAX} ` +
  `(e.g. 3/2) or "${SHARD_SPEC_NONE}"`;

/** What is wrong with n and k, or null (integers, 1 ≤ k ≤ n ≤ SHARDS_PER_MESSAGE_MAX). */
export function shardSpecProblem(n: unknown, k: unknown): string | null {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    return `n must be a whole number of shards from 1 to ${SHARDS_PER_MESSAGE_MAX}, found ${String(n)}`;
  }
  if (n > SHARDS_PER_MESSAGE_MAX) {
    return `at most ${SHARDS_PER_MESSAGE_MAX} shards per message, found n = ${n}`;
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < SHARD_THRESHOLD_MIN) {
    return `k must be a whole number from ${SHARD_THRESHOLD_MIN} to n (${n}), found ${String(k)}`;
  }
  if (k > n) return `k (${k}) cannot exceed n (${n}): any k of the n shards rebuild the message`;
  return null;
}

/** Parses "n/k" or "none" (module header); anything else is a message saying what was expected. */
export function parseShardSpec(value: unknown): ShardSpecResult {
  if (typeof value !== 'string') return { ok: false, message: `${EXPECTED}, found ${show(value)}` };
  const text = value.trim();
  if (text === SHARD_SPEC_NONE) return { ok: true, spec: null };
  const match = SPEC.exec(text);
  if (match === null) return { ok: false, message: `${EXPECTED}, found ${show(value)}` };
  const n = Number(match[1]);
  const k = Number(match[2]);
  const problem = shardSpecProblem(n, k);
  return problem === null ? { ok: true, spec: { n, k } } : { ok: false, message: problem };
}

/** The text form of a setting: "n/k" or "none". */
export function formatShardSpec(spec: ShardSpec | null): string {
  return spec === null ? SHARD_SPEC_NONE : `${spec.n}/${spec.k}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}
