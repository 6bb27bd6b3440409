/**
 * The `adversaries:` section of a scenario: which initial nodes misbehave, and how. Part of
 * scenario.ts's schema; the same rules hold (closed mappings, durations with units, errors
 * naming the key path and what was expected).
 *
 *   adversaries:
 *     - behaviour: garbage | replay | broadcast-flood | lying-descriptors | black-hole
 *                  | sybil | eclipse | announce-flood
 *       fraction: 0..1 of the initial nodes   (or)   count: 0..nodes
 *       rate:     actions per second per adversary (garbage, replay, broadcast-flood,
 *                 lying-descriptors, eclipse, announce-flood only)
 *       from, until: durations, the window in which it acts (default: the whole run)
 *       prefix:   "a.b", the /16 its nodes share (sybil only; default 10.66)
 *       victim:   the node index the attackers surround (eclipse only; default 1)
 *
 * Rules: the adversaries of all entries together are at most the initial nodes less one
 * (someone must be honest), at most one sybil and one eclipse entry, and a victim cannot be
 * an attacker (attackers are drawn among the nodes after it, which join after it).
 */
import {
  ADVERSARY_ENTRIES_MAX,
  ADVERSARY_RATE_MAX_PER_S,
  ANNOUNCE_RATE_DEFAULT_PER_S,
  ECLIPSE_RATE_DEFAULT_PER_S,
  FLOOD_RATE_DEFAULT_PER_S,
  GARBAGE_RATE_DEFAULT_PER_S,
  HONEST_FIRST_OCTET,
  HONEST_OCTETS,
  LYING_RATE_DEFAULT_PER_S,
  REPLAY_RATE_DEFAULT_PER_S,
  SYBIL_PREFIX_DEFAULT,
} from './adversaries/limits.js';
import {
  ADVERSARY_BEHAVIOURS,
  type AdversaryBehaviour,
  type AdversarySpec,
  adversaryCount,
  RATED_BEHAVIOURS,
} from './adversaries/spec.js';
import { type Field, optional } from './yaml-reader.js';

const COMMON_KEYS = ['behaviour', 'fraction', 'count', 'from', 'until'] as const;
const EXTRA_KEYS: Record<AdversaryBehaviour, readonly string[]> = {
  garbage: ['rate'],
  replay: ['rate'],
  'broadcast-flood': ['rate'],
  'lying-descriptors': ['rate'],
  'black-hole': [],
  sybil: ['prefix'],
  eclipse: ['rate', 'victim'],
  'announce-flood': ['rate'],
};
const RATE_DEFAULTS: Record<AdversaryBehaviour, number> = {
  garbage: GARBAGE_RATE_DEFAULT_PER_S,
  replay: REPLAY_RATE_DEFAULT_PER_S,
  'broadcast-flood': FLOOD_RATE_DEFAULT_PER_S,
  'lying-descriptors': LYING_RATE_DEFAULT_PER_S,
  'black-hole': 0,
  sybil: 0,
  eclipse: ECLIPSE_RATE_DEFAULT_PER_S,
  'announce-flood': ANNOUNCE_RATE_DEFAULT_PER_S,
};
const ALL_KEYS = [...new Set([...COMMON_KEYS, ...Object.values(EXTRA_KEYS).flat()])];
const PREFIX = /^(\d{1,3})\.(\d{1,3})$/;

export function readAdversaries(
  field: Field | undefined,
  nodes: number,
  durationMs: number,
): AdversarySpec[] {
  if (field === undefined) return [];
  const specs = field.list(ADVERSARY_ENTRIES_MAX).map((item) => readEntry(item, nodes, durationMs));
  const total = specs.reduce((sum, s) => sum + adversaryCount(s, nodes), 0);
  if (total > nodes - 1) {
    field.fail(
      `expected at most ${nodes - 1} adversaries in all (the initial nodes less one), found ${total}`,
    );
  }
  for (const once of ['sybil', 'eclipse'] as const) {
    const entries = specs.filter((s) => s.behaviour === once);
    if (entries.length > 1) {
      field.fail(
        `expected at most one ${once} entry, found ${entries.length} (lines ${entries.map((e) => e.line).join(', ')})`,
      );
    }
  }
  return specs;
}

function readEntry(item: Field, nodes: number, durationMs: number): AdversarySpec {
  const map = item.map(ALL_KEYS);
  const behaviour = map
    .require('behaviour', `one of ${ADVERSARY_BEHAVIOURS.join(', ')}`)
    .oneOf(ADVERSARY_BEHAVIOURS);
  const allowed = new Set<string>([...COMMON_KEYS, ...EXTRA_KEYS[behaviour]]);
  for (const key of map.keys()) {
    if (!allowed.has(key)) {
      item.failKey(key, `not a key of behaviour ${behaviour}; it takes ${[...allowed].join(', ')}`);
    }
  }
  const fraction = map.get('fraction');
  const count = map.get('count');
  if ((fraction === undefined) === (count === undefined)) {
    item.fail(
      `expected exactly one of fraction (0 ≤ f ≤ 1 of the initial nodes) or count (0 to ${nodes}), found ${fraction === undefined ? 'none' : 'both'}`,
    );
  }
  const fromMs = optional(
    map,
    'from',
    (f) => f.duration(0, durationMs, 'the scenario duration'),
    0,
  );
  const victimField = map.get('victim');
  const victim = behaviour === 'eclipse' ? (victimField?.int(0, nodes - 2) ?? 1) : null;
  const spec: AdversarySpec = {
    behaviour,
    fraction: fraction === undefined ? null : fraction.number(0, 1),
    count: count === undefined ? null : count.int(0, nodes),
    ratePerS: RATED_BEHAVIOURS.has(behaviour)
      ? optional(
          map,
          'rate',
          (f) => f.number(0, ADVERSARY_RATE_MAX_PER_S, { minExclusive: true }),
          RATE_DEFAULTS[behaviour],
        )
      : 0,
    fromMs,
    untilMs: optional(
      map,
      'until',
      (f) => f.duration(fromMs, durationMs, 'the scenario duration'),
      durationMs,
    ),
    prefix:
      behaviour === 'sybil' ? optional(map, 'prefix', readPrefix, SYBIL_PREFIX_DEFAULT) : null,
    victim,
    line: item.line,
  };
  if (victim !== null && victim >= nodes - 1) {
    (victimField ?? item).fail(`expected a victim index below ${nodes - 1}, found ${victim}`);
  }
  if (victim !== null && adversaryCount(spec, nodes) > nodes - 1 - victim) {
    (fraction ?? count ?? item).fail(
      `expected at most ${nodes - 1 - victim} attackers (the nodes after the victim, node ${victim}), found ${adversaryCount(spec, nodes)}`,
    );
  }
  return spec;
}

/** "a.b": a /16 outside the honest nodes' first octets. */
function readPrefix(field: Field): string {
  const text = field.string('a /16 prefix such as "10.66"');
  const m = PREFIX.exec(text);
  const first = Number(m?.[1]);
  const second = Number(m?.[2]);
  if (m === null || first > 255 || second > 255) {
    field.fail(
      `expected a /16 prefix "a.b" with a and b from 0 to 255, found ${JSON.stringify(text)}`,
    );
  }
  const honestLast = HONEST_FIRST_OCTET + HONEST_OCTETS - 1;
  if (first >= HONEST_FIRST_OCTET && first <= honestLast) {
    field.fail(
      `expected a first octet outside ${HONEST_FIRST_OCTET}..${honestLast} (where honest nodes live), found ${first}`,
    );
  }
  return `${first}.${second}`;
}
