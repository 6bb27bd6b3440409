/**
 * The directory's bounded sample: which descriptors a node keeps once the network is larger
 * than `sampleSize` (config.ts), so that memory and traffic per node stop growing with N.
 *
 * Theory of operation (bottom-k sampling, as in min-wise / "bottom-k sketches", Cohen &
 * Kaplan 2007; Brahms's min-wise samplers, Bortnikov et al. 2009):
 * - Every node ranks every node ID by rank(id) = HMAC-SHA256(salt, id), read as a number,
 *   ties broken by the ID. The salt is this node's own secret (`sampleSaltOf`, derived from
 *   its signing secret): stable across restarts, different on every node, unknown to others.
 * - The sample holds, of the IDs it has heard of, the k with the lowest ranks. A newcomer
 *   is admitted while there is room; when full, it is admitted only if it ranks below the
 *   highest-ranked member, which it then evicts; otherwise it is refused ('sampledOut').
 *   Whatever the order in which IDs arrive, the members are exactly the k lowest ranks of
 *   those heard (the test checks it as a property), so every node holds a uniform random
 *   sample of what it heard, and it is stable: re-announcements and syncs never churn it.
 * - Flooding does not help an attacker: a thousand announced identities take a thousand
 *   draws of a uniform rank each, and get in only in proportion to their number. To rank
 *   low in a given node's sample an attacker would have to know that node's salt; to rank
 *   low in many nodes' samples it would have to grind identities whose HMACs under unknown
 *   keys are small, which it cannot aim. (With a public salt, such as the node's ID, an
 *   attacker could grind IDs that land in one victim's sample: that is why it is secret.)
 * - Pinned IDs (ours, the runtime's contacts, pending messages' targets: Directory.pin,
 *   pins.ts) are outside the sample: never evicted, not counted against k.
 * - Ranks are computed lazily: a directory below k never hashes anything, so small networks
 *   pay nothing for the sampling they do not need.
 *
 * Cost: admitting a newcomer when full is one HMAC (two SHA-256 compressions in JavaScript,
 * crypto/sha256-js.ts); evicting rescans the members for the new highest rank (O(k)), which
 * happens about k·ln(N/k) times over a node's life.
 */
import type { CryptoSuite } from '../crypto/suite.js';
import type { Identity } from '../identity.js';
import type { NodeId } from '../types.js';

const SALT_LABEL = new TextEncoder().encode('p2pmsg directory sample salt v1');
const TEXT = new TextEncoder();
/** Rank bits read from the HMAC: 48 bits order 10^14 IDs without a tie worth mentioning. */
const RANK_BYTES = 6;

/** This node's sampling salt: secret (keyed by its signing secret), stable across restarts. */
export function sampleSaltOf(crypto: CryptoSuite, identity: Identity): Uint8Array {
  return crypto.hmacSha256(identity.signSecret, SALT_LABEL);
}

/**
 * The rank of an ID under `salt` (a uniform 48-bit integer), as a function: the salt's HMAC
 * key setup is done once, on the first rank asked for (a directory below k never ranks).
 */
export function sampleRanker(crypto: CryptoSuite, salt: Uint8Array): (id: NodeId) => number {
  let mac: ((data: Uint8Array) => Uint8Array) | undefined;
  const key = salt.slice();
  return (id) => {
    mac ??= crypto.hmacSha256Keyed(key);
    const bytes = mac(idBytes(id));
    let rank = 0;
    for (let i = 0; i < RANK_BYTES; i++) rank = rank * 256 + (bytes[i] as number);
    return rank;
  };
}

/**
 * The bytes TextEncoder gives for `id`, written into a shared buffer when the ID is ASCII (as
 * base32 IDs are) and short: the ranker hashes them at once and keeps nothing. An encode()
 * per rank was a third of ranking in a simulated 2,000-node network (a call into the runtime
 * and a new array each time).
 */
const ID_BYTES = new Uint8Array(64);

function idBytes(id: NodeId): Uint8Array {
  if (id.length > ID_BYTES.length) return TEXT.encode(id);
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code > 0x7f) return TEXT.encode(id);
    ID_BYTES[i] = code;
  }
  return ID_BYTES.subarray(0, id.length);
}

/** The rank of `id` under `salt` (sampleRanker, for one ID). */
export function sampleRank(crypto: CryptoSuite, salt: Uint8Array, id: NodeId): number {
  return sampleRanker(crypto, salt)(id);
}

/** The outcome of offering a newcomer to a sample. */
export type Admission =
  { kind: 'room' } | { kind: 'evict'; evict: NodeId; rank: number } | { kind: 'refuse' };

/**
 * The members of a bottom-k sample (module header): IDs only; the directory holds the records.
 *
 * Two short parallel arrays rather than a Map: k is small (50 in the 100,000-node scenario)
 * and every node keeps one, where a Map of k entries that churn grows to a table of 2k–4k
 * slots and boxes each 48-bit rank (~4 KiB a node against ~1.4, heap snapshots). Only a
 * member's leaving scans the IDs: O(k), as evicting already was.
 */
export class BottomK {
  private readonly ids: NodeId[] = [];
  /** `ranks[i]` is `ids[i]`'s rank, NaN until computed. */
  private readonly ranks: number[] = [];
  /** The highest-ranked member's index, while `worstKnown`. */
  private worstAt = -1;
  private worstKnown = false;

  constructor(
    readonly capacity: number,
    private readonly rankOf: (id: NodeId) => number,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  has(id: NodeId): boolean {
    return this.ids.includes(id);
  }

  /** Whether `id` may join: room left, else only by evicting a higher-ranked member. */
  admit(id: NodeId): Admission {
    if (this.ids.length < this.capacity) return { kind: 'room' };
    const worst = this.worstIndex();
    const rank = this.rankOf(id);
    if (worst < 0 || !this.below(id, rank, worst)) return { kind: 'refuse' };
    return { kind: 'evict', evict: this.ids[worst] as NodeId, rank };
  }

  /** Adds a member (its rank if `admit` computed it); `id` must not be one already. */
  add(id: NodeId, rank = Number.NaN): void {
    const at = this.ids.length;
    this.ids.push(id);
    this.ranks.push(rank);
    // A newcomer above the known worst becomes it; below, the worst stays.
    if (!this.worstKnown) return;
    if (this.worstAt < 0) this.worstKnown = false;
    else if (!this.below(id, this.rankAt(at), this.worstAt)) this.worstAt = at;
  }

  delete(id: NodeId): void {
    const at = this.ids.indexOf(id);
    if (at < 0) return;
    // The last member fills the hole: order carries no meaning (ranks are a total order).
    const last = this.ids.length - 1;
    this.ids[at] = this.ids[last] as NodeId;
    this.ranks[at] = this.ranks[last] as number;
    this.ids.pop();
    this.ranks.pop();
    if (at === this.worstAt) this.worstKnown = false;
    else if (last === this.worstAt) this.worstAt = at;
  }

  /** The highest-ranked member (rescanned after the last one left). */
  worst(): NodeId | undefined {
    const at = this.worstIndex();
    return at < 0 ? undefined : this.ids[at];
  }

  private worstIndex(): number {
    if (this.worstKnown) return this.worstAt;
    let worst = -1;
    for (let i = 0; i < this.ids.length; i++) {
      if (worst < 0 || !this.below(this.ids[i] as NodeId, this.rankAt(i), worst)) worst = i;
    }
    this.worstAt = worst;
    this.worstKnown = true;
    return worst;
  }

  /** Whether `id` (of rank `rank`) ranks below the member at `at`. */
  private below(id: NodeId, rank: number, at: number): boolean {
    const other = this.rankAt(at);
    return rank < other || (rank === other && id < (this.ids[at] as NodeId));
  }

  /** The rank of the member at `at`, memoised. */
  private rankAt(at: number): number {
    const known = this.ranks[at] as number;
    if (!Number.isNaN(known)) return known;
    const rank = this.rankOf(this.ids[at] as NodeId);
    this.ranks[at] = rank;
    return rank;
  }
}
