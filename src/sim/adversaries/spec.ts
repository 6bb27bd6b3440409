/**
 * The normalized `adversaries:` of a scenario (read by scenario-adversaries.ts) and the
 * behaviours it names. One entry turns a share of the initial nodes into adversaries of one
 * behaviour; docs/scenarios.md describes each.
 */

export type AdversaryBehaviour =
  | 'garbage'
  | 'replay'
  | 'broadcast-flood'
  | 'lying-descriptors'
  | 'black-hole'
  | 'sybil'
  | 'eclipse'
  | 'announce-flood';

export const ADVERSARY_BEHAVIOURS: readonly AdversaryBehaviour[] = [
  'garbage',
  'replay',
  'broadcast-flood',
  'lying-descriptors',
  'black-hole',
  'sybil',
  'eclipse',
  'announce-flood',
];

/** Behaviours that act at a rate (`rate:` per second per adversary). */
export const RATED_BEHAVIOURS: ReadonlySet<AdversaryBehaviour> = new Set([
  'garbage',
  'replay',
  'broadcast-flood',
  'lying-descriptors',
  'eclipse',
  'announce-flood',
]);

export interface AdversarySpec {
  behaviour: AdversaryBehaviour;
  /** How many of the initial nodes: a share (rounded to the nearest count) or a count; 0 is none. */
  fraction: number | null;
  count: number | null;
  /** Actions per second per adversary (rated behaviours; 0 for the others). */
  ratePerS: number;
  /** The adversary acts in [fromMs, untilMs). */
  fromMs: number;
  untilMs: number;
  /** sybil: the /16 its nodes' addresses share, as "a.b" (else null). */
  prefix: string | null;
  /** eclipse: the node index the attackers surround (else null). */
  victim: number | null;
  /** 1-based line of the entry in the scenario file. */
  line: number;
}

/** How many nodes an entry turns into adversaries, out of `nodes` initial nodes. */
export function adversaryCount(spec: AdversarySpec, nodes: number): number {
  if (spec.count !== null) return spec.count;
  return Math.round((spec.fraction ?? 0) * nodes);
}
