/**
 * The `events:` section of a scenario: scripted actions at fixed times. Part of
 * scenario.ts's schema; the same rules hold (closed mappings, durations with units, errors
 * naming the key path and what was expected, events in time order).
 *
 *   - at: 10m
 *     crash | leave | restart: { fraction } | { count } | { nodes }
 *     join:      { count, over }          over: the joins spread at random over this window
 *     partition: { groups: n } | { groups: [nodes, nodes, …] } | { isolate: selection },
 *                oneWay: true|false
 *     heal:      (nothing)
 *     loss:      probability
 *     latency:   a latency model (as network.latency)
 *
 * Named nodes are node indexes: the initial nodes are 0..nodes−1 in join order, and every
 * `join` event's nodes take the next indexes in file order. A list item is an index (`7`) or
 * an inclusive range (`"10..19"`); an index must name a node that exists by the event (the
 * initial nodes plus the nodes of earlier join events).
 */
import { formatDuration } from './duration.js';
import {
  NODE_LIST_ITEMS_MAX,
  NODES_EVER_MAX,
  LOSS_MAX,
  LOSS_MIN,
  PARTITION_GROUPS_MAX,
  PARTITION_GROUPS_MIN,
  EVENTS_MAX,
} from './limits.js';
import { readLatency } from './scenario-network.js';
import type {
  ActionType,
  NodeRange,
  NodeSelection,
  PartitionSplit,
  ScenarioAction,
  ScenarioEvent,
} from './scenario.js';
import { type Field, list, optional } from './yaml-reader.js';

/** Every action, in the order reports list them. */
export const ACTION_TYPES: readonly ActionType[] = [
  'crash',
  'leave',
  'join',
  'restart',
  'partition',
  'heal',
  'loss',
  'latency',
];

const EVENT_KEYS = ['at', ...ACTION_TYPES] as const;
const SELECTION_KEYS = ['fraction', 'count', 'nodes'] as const;
const JOIN_KEYS = ['count', 'over'] as const;
const PARTITION_KEYS = ['groups', 'isolate', 'oneWay'] as const;
const RANGE = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/;

/** What an action may refer to at its place in the timeline. */
interface EventContext {
  at: number;
  /** Nodes that exist by this event: the initial ones plus earlier joins. */
  knownNodes: number;
  /** The last time anything may happen (duration minus settle). */
  lastAllowedMs: number;
  baseDir: string;
}

export function readEvents(
  field: Field | undefined,
  nodes: number,
  durationMs: number,
  settleMs: number | null,
  baseDir: string,
): ScenarioEvent[] {
  if (field === undefined) return [];
  const events: ScenarioEvent[] = [];
  let joinedTotal = nodes;
  const lastAllowedMs = durationMs - (settleMs ?? 0);
  for (const item of field.list(EVENTS_MAX)) {
    const map = item.map(EVENT_KEYS);
    const atField = map.require('at', 'a duration such as "10m"');
    const at = atField.duration(0, durationMs, 'the scenario duration');
    if (at > lastAllowedMs) {
      atField.fail(
        `expected at most ${formatDuration(lastAllowedMs)} (duration ${formatDuration(durationMs)} ` +
          `minus settle ${formatDuration(settleMs ?? 0)}: no events while the network settles), ` +
          `found ${formatDuration(at)}`,
      );
    }
    const previous = events[events.length - 1];
    if (previous !== undefined && at < previous.at) {
      atField.fail(
        `expected events in time order: this one (${formatDuration(at)}) comes before the one ` +
          `above it (${formatDuration(previous.at)}, line ${previous.line})`,
      );
    }
    const actionKeys = map.keys().filter((key) => key !== 'at');
    if (actionKeys.length !== 1) {
      const found = actionKeys.length === 0 ? 'none' : actionKeys.join(' and ');
      item.fail(`expected exactly one action (${list(ACTION_TYPES)}) besides at, found ${found}`);
    }
    const type = actionKeys[0] as ActionType;
    const context = { at, knownNodes: joinedTotal, lastAllowedMs, baseDir };
    const action = readAction(type, map.get(type) as Field, context);
    if (action.type === 'join') {
      joinedTotal += action.count;
      if (joinedTotal > NODES_EVER_MAX) {
        (map.get('join') as Field).fail(
          `expected at most ${NODES_EVER_MAX} nodes over the whole run (nodes plus every join), ` +
            `found ${joinedTotal} by this event`,
        );
      }
    }
    events.push({ at, action, line: item.line });
  }
  return events;
}

function readAction(type: ActionType, field: Field, context: EventContext): ScenarioAction {
  switch (type) {
    case 'crash':
    case 'leave':
    case 'restart':
      return { type, ...readSelection(field, context) };
    case 'join':
      return { type, ...readJoin(field, context) };
    case 'partition':
      return { type, ...readPartition(field, context) };
    case 'heal': {
      // `heal:`, `heal: {}` and `heal: true` all read naturally; nothing else does.
      if (field.isNull() || field.isEmptyMapping() || field.scalar() === true) return { type };
      field.fail(
        `expected nothing, {} or true (heal takes no parameters), found ${field.describe()}`,
      );
    }
    case 'loss':
      return { type, loss: field.number(LOSS_MIN, LOSS_MAX) };
    case 'latency':
      return { type, latency: readLatency(field, context.baseDir) };
  }
}

function readJoin(field: Field, context: EventContext): { count: number; overMs: number } {
  const map = field.map(JOIN_KEYS);
  const count = map.require('count', 'an integer ≥ 1').int(1, NODES_EVER_MAX);
  const room = context.lastAllowedMs - context.at;
  const overMs = optional(
    map,
    'over',
    (f) =>
      f.duration(
        0,
        room,
        `the time left after this event (${formatDuration(context.at)}) before the run ends or settles`,
      ),
    0,
  );
  return { count, overMs };
}

function readPartition(
  field: Field,
  context: EventContext,
): { split: PartitionSplit; oneWay: boolean } {
  const map = field.map(PARTITION_KEYS);
  const groups = map.get('groups');
  const isolate = map.get('isolate');
  if ((groups === undefined) === (isolate === undefined)) {
    field.fail(
      `expected exactly one of groups (a count from ${PARTITION_GROUPS_MIN} to ` +
        `${PARTITION_GROUPS_MAX}, or a list of node lists) or isolate (fraction, count or nodes), ` +
        `found ${groups === undefined ? 'neither' : 'both'}`,
    );
  }
  const oneWay = optional(map, 'oneWay', (f) => f.boolean(), false);
  if (isolate !== undefined) {
    return { split: { kind: 'isolate', nodes: readSelection(isolate, context) }, oneWay };
  }
  const g = groups as Field;
  if (typeof g.scalar() === 'number') {
    return {
      split: { kind: 'random', groups: g.int(PARTITION_GROUPS_MIN, PARTITION_GROUPS_MAX) },
      oneWay,
    };
  }
  if (g.scalar() !== undefined) {
    g.fail(
      `expected a number of random groups (${PARTITION_GROUPS_MIN} to ${PARTITION_GROUPS_MAX}) ` +
        `or a list of node lists, found ${g.describe()}`,
    );
  }
  const items = g.list(PARTITION_GROUPS_MAX);
  if (items.length === 0) g.fail('expected at least one group of nodes, found an empty list');
  const lists = items.map((item) => readNodeList(item, context.knownNodes));
  lists.forEach((ranges, i) => {
    for (let j = 0; j < i; j++) {
      const shared = firstShared(ranges, lists[j] as NodeRange[]);
      if (shared !== undefined) {
        (items[i] as Field).fail(
          `expected groups without common nodes, found node ${shared} in groups[${j}] and here`,
        );
      }
    }
  });
  return { split: { kind: 'groups', groups: lists }, oneWay };
}

/** The smallest node in both lists, if any. */
function firstShared(a: NodeRange[], b: NodeRange[]): number | undefined {
  let best: number | undefined;
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      if (from <= Math.min(x.to, y.to) && (best === undefined || from < best)) best = from;
    }
  }
  return best;
}

export function readSelection(field: Field, context: EventContext): NodeSelection {
  const map = field.map(SELECTION_KEYS);
  const present = SELECTION_KEYS.filter((key) => map.has(key));
  if (present.length !== 1) {
    field.fail(
      `expected exactly one of fraction (0 < f ≤ 1), count (an integer ≥ 1) or nodes (a list ` +
        `of node indexes and ranges), found ${present.length === 0 ? 'none' : present.join(' and ')}`,
    );
  }
  const fraction = map.get('fraction');
  const count = map.get('count');
  const nodes = map.get('nodes');
  if (fraction !== undefined) return { fraction: fraction.number(0, 1, { minExclusive: true }) };
  if (count !== undefined) return { count: count.int(1, NODES_EVER_MAX) };
  return { nodes: readNodeList(nodes as Field, context.knownNodes) };
}

/** `7`, `"10..19"` or a list of those: node indexes below `known`. */
export function readNodeList(field: Field, known: number): NodeRange[] {
  const items = field.scalar() === undefined ? field.list(NODE_LIST_ITEMS_MAX) : [field];
  if (items.length === 0) field.fail('expected at least one node index or range, found none');
  return items.map((item) => readNodeRange(item, known));
}

function readNodeRange(field: Field, known: number): NodeRange {
  const expected =
    `a node index (an integer from 0 to ${known - 1}) or an inclusive range such as "10..19"` +
    ` (nodes that exist by this event: the initial nodes, then joined nodes in join order)`;
  const value = field.scalar();
  let range: NodeRange | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    range = { from: value, to: value };
  } else if (typeof value === 'string') {
    const m = RANGE.exec(value);
    if (m !== null) range = { from: Number(m[1]), to: Number(m[2]) };
    if (range !== undefined && range.from > range.to) {
      field.fail(`expected a range whose start is at most its end, found ${JSON.stringify(value)}`);
    }
  }
  if (range === undefined) field.fail(`expected ${expected}, found ${field.describe()}`);
  if (range.to >= known) {
    field.fail(
      `expected node indexes below ${known} (the nodes that exist by this event), found ${range.to}`,
    );
  }
  return range;
}
