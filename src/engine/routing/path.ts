/**
 * Path choice (DESIGN.md §3 "Data plane"): the relays one packet crosses before its target.
 *
 * Theory of operation. For every attempt of every message the sender draws a fresh path of
 * `hops` relays from the relays its directory knows. Relays are drawn one at a time,
 * uniformly among the candidates that are best by three preferences, in this order:
 *
 *   1. not stale (a descriptor issued before `staleBefore`: its node missed a
 *      re-announcement and is probably down);
 *   2. not in `avoid` and not `suspected` (relays of this message's failed attempts, and
 *      nodes this node saw fail: suspects.ts);
 *   3. not in a network group already on the path — the /16 of an IPv4 address, the /32 of
 *      an IPv6 one, as Tor's EnforceDistinctSubnets does, so that one operator with many
 *      addresses in one block (a Sybil) is less likely to hold two hops of one path.
 *
 * Preferences are preferences: when every remaining candidate breaks one, the draw goes on
 * among those that break fewest, so a small or single-block network still gets paths.
 *
 * Rules:
 * 1. Never a relay twice, never an `exclude`d node (the source and the target).
 * 2. Fewer eligible relays than `hops` ⇒ a shorter path of all of them, if at least
 *    `hopsMin`; fewer than that ⇒ null (the caller fails the attempt and retries later).
 * 3. Exactly one `random.int` draw per relay on the path, whatever the directory holds, so
 *    two runs that see the same directory draw the same paths.
 * 4. `chooseDisjointPaths` (the shards of one message, DESIGN.md §3 "Shards"): no relay on
 *    two of its paths, ever; the rules above hold for each path.
 */
import type { Descriptor } from '../directory/records.js';
import { parseIpv6 } from '../ipv6.js';
import type { Random } from '../random.js';
import type { NodeId } from '../types.js';

export interface PathOptions {
  hops: number;
  hopsMin: number;
  /** Never on the path (the source and the target). */
  exclude: ReadonlySet<NodeId>;
  /** On the path only when nothing else will do (the previous attempts' relays). */
  avoid?: ReadonlySet<NodeId>;
  /** Nodes believed down, treated like `avoid`. */
  suspected?: (id: NodeId) => boolean;
  /** Descriptors issued before this are stale (preference 1); default: none is. */
  staleBefore?: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}(?::\d{1,5})?$/;
const IPV6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i;

/**
 * The network group of an address: `a.b` for IPv4 `a.b.c.d[:port]`, the first two 16-bit
 * groups for a bracketed IPv6 literal, and the host itself for anything else (a DNS name
 * is its own group: we cannot tell where it points without a lookup).
 */
export function networkGroup(address: string): string {
  const v4 = IPV4.exec(address);
  if (v4 !== null) return `${v4[1]}.${v4[2]}`;
  const v6 = IPV6.exec(address);
  if (v6 !== null) {
    const groups = parseIpv6(v6[1] as string);
    if (groups !== null)
      return `[${(groups[0] as number).toString(16)}:${(groups[1] as number).toString(16)}]`;
  }
  return address.replace(/:\d{1,5}$/, '');
}

/**
 * Network groups of descriptors, computed once per descriptor. A memo of a pure function of
 * an immutable record: it changes no result, so determinism is untouched, and simulated
 * nodes sharing decoded records share the work.
 */
const GROUPS = new WeakMap<Descriptor, string>();

function groupOf(relay: Descriptor): string {
  let group = GROUPS.get(relay);
  if (group === undefined) {
    group = networkGroup(relay.address);
    GROUPS.set(relay, group);
  }
  return group;
}

/** A path of relays for one packet (module header), or null when too few relays exist. */
export function choosePath(
  random: Random,
  relays: readonly Descriptor[],
  options: PathOptions,
): Descriptor[] | null {
  const { hops, hopsMin, exclude } = options;
  const avoid = options.avoid;
  const staleBefore = options.staleBefore ?? -Infinity;
  const suspected = options.suspected;
  const eligible = relays.filter((r) => !exclude.has(r.id));
  const length = Math.min(hops, eligible.length);
  if (length < hopsMin || length === 0) return null;
  const groups = eligible.map(groupOf);
  // Preferences 1 and 2 do not change along the path: one lookup per relay, not one per hop.
  const baseTiers = eligible.map(
    (relay) =>
      (relay.issued < staleBefore ? 4 : 0) +
      (avoid?.has(relay.id) === true || suspected?.(relay.id) === true ? 2 : 0),
  );
  const taken = new Uint8Array(eligible.length);
  const usedGroups = new Set<string>();
  const path: Descriptor[] = [];
  // Scratch list of the best candidates' indexes, refilled for every hop.
  const best: number[] = [];
  for (let hop = 0; hop < length; hop++) {
    let bestTier = Infinity;
    best.length = 0;
    for (let i = 0; i < eligible.length; i++) {
      if (taken[i] === 1) continue;
      const tier = (baseTiers[i] as number) + (usedGroups.has(groups[i] as string) ? 1 : 0);
      if (tier < bestTier) {
        bestTier = tier;
        best.length = 0;
      }
      if (tier === bestTier) best.push(i);
    }
    const index = best[random.int(best.length)] as number;
    taken[index] = 1;
    usedGroups.add(groups[index] as string);
    path.push(eligible[index] as Descriptor);
  }
  return path;
}

/** A path as one string (node IDs joined), to compare paths of different attempts. */
export function pathKey(path: readonly { id: NodeId }[]): string {
  return path.map((r) => r.id).join(',');
}

/** One path of a set of node-disjoint paths (one shard of a message). */
export interface DisjointRequest {
  /** Relays this path may use at all (default any): the sender keeps a relay to one shard. */
  allowed?: (id: NodeId) => boolean;
  /** As PathOptions.avoid, for this path (relays of its own earlier attempts). */
  avoid?: ReadonlySet<NodeId>;
}

/**
 * One path per request, no two sharing a relay (Rule 4), drawn in request order with the
 * preferences of choosePath; null when the relays cannot give each of them hopsMin relays.
 *
 * Every path gets the same length, min(hops, ⌊pool / requests⌋), pool being the relays some
 * request may use — fewer (down to hopsMin) only for a request allowed fewer relays. A
 * directory too small for n disjoint paths of `hops` relays thus shortens all paths alike,
 * down to hopsMin, rather than starving the last ones; below that there is no set of
 * paths, and the caller waits for the directory to grow (shard-sender.ts).
 */
export function chooseDisjointPaths(
  random: Random,
  relays: readonly Descriptor[],
  requests: readonly DisjointRequest[],
  options: Omit<PathOptions, 'avoid'>,
): Descriptor[][] | null {
  const { exclude } = options;
  const may = (request: DisjointRequest, id: NodeId): boolean => request.allowed?.(id) ?? true;
  const pool = relays.filter((r) => !exclude.has(r.id) && requests.some((q) => may(q, r.id)));
  const hops = Math.min(options.hops, Math.floor(pool.length / Math.max(1, requests.length)));
  if (requests.length > 0 && (hops < options.hopsMin || hops === 0)) return null;
  const taken = new Set<NodeId>();
  const paths: Descriptor[][] = [];
  for (const request of requests) {
    const candidates = pool.filter((r) => !taken.has(r.id) && may(request, r.id));
    const path = choosePath(random, candidates, {
      ...options,
      hops,
      ...(request.avoid === undefined ? {} : { avoid: request.avoid }),
    });
    if (path === null) return null;
    for (const relay of path) taken.add(relay.id);
    paths.push(path);
  }
  return paths;
}
