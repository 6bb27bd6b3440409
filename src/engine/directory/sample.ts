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
 * - Pinned IDs (ours, the runtime's contacts and pending targets: Directory.pin) are outside
 *   the sample: never evicted, not counted against k.
 * - Ranks are computed lazily: a directory below k never hashes anything, so small networks
 *   pay nothing for the sampling they do not need.
 *
 * Cost: admitting a newcomer when full is one HMAC; evicting rescans the members for the
 * new highest rank (O(k)), which happens about k·ln(N/k) times over a node's life.
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

/** The rank of `id` under `salt`: a uniform 48-bit integer. */
export function sampleRank(crypto: CryptoSuite, salt: Uint8Array, id: NodeId): number {
  const mac = crypto.hmacSha256(salt, TEXT.encode(id));
  let rank = 0;
  for (let i = 0; i < RANK_BYTES; i++) rank = rank * 256 + (mac[i] as number);
  return rank;
}

/** The outcome of offering a newcomer to a sample. */
export type Admission =
  { kind: 'room' } | { kind: 'evict'; evict: NodeId; rank: number } | { kind: 'refuse' };

/** The members of a bottom-k sample (module header): IDs only; the directory holds the records. */
export class BottomK {
  /** Member → its rank, computed the first time it is needed. */
  private readonly members = new Map<NodeId, number | undefined>();
  /** The highest-ranked member, while `worstKnown`. */
  private worstId: NodeId | undefined;
  private worstKnown = false;

  constructor(
    readonly capacity: number,
    private readonly rankOf: (id: NodeId) => number,
  ) {}

  get size(): number {
    return this.members.size;
  }

  has(id: NodeId): boolean {
    return this.members.has(id);
  }

  /** Whether `id` may join: room left, else only by evicting a higher-ranked member. */
  admit(id: NodeId): Admission {
    if (this.members.size < this.capacity) return { kind: 'room' };
    const worst = this.worst();
    const rank = this.rankOf(id);
    if (worst === undefined || !this.below(id, rank, worst)) return { kind: 'refuse' };
    return { kind: 'evict', evict: worst, rank };
  }

  /** Adds a member (its rank if `admit` computed it). */
  add(id: NodeId, rank?: number): void {
    this.members.set(id, rank);
    // A newcomer above the known worst becomes it; below, the worst stays.
    if (
      this.worstKnown &&
      this.worstId !== undefined &&
      !this.below(id, this.rank(id), this.worstId)
    )
      this.worstId = id;
    else if (this.worstId === undefined) this.worstKnown = false;
  }

  delete(id: NodeId): void {
    if (!this.members.delete(id)) return;
    if (id === this.worstId) this.worstKnown = false;
  }

  /** The highest-ranked member (rescanned after the last one left). */
  worst(): NodeId | undefined {
    if (this.worstKnown) return this.worstId;
    let worst: NodeId | undefined;
    for (const id of this.members.keys()) {
      if (worst === undefined || !this.below(id, this.rank(id), worst)) worst = id;
    }
    this.worstId = worst;
    this.worstKnown = true;
    return worst;
  }

  /** Whether `id` (of rank `rank`) ranks below member `member`. */
  private below(id: NodeId, rank: number, member: NodeId): boolean {
    const other = this.rank(member);
    return rank < other || (rank === other && id < member);
  }

  /** A member's rank, memoised; a non-member's, computed. */
  private rank(id: NodeId): number {
    const known = this.members.get(id);
    if (known !== undefined) return known;
    const rank = this.rankOf(id);
    if (this.members.has(id)) this.members.set(id, rank);
    return rank;
  }
}
