/**
 * The message splitter: n shards, any k of which rebuild the message and fewer than k of
 * which reveal nothing about it but its length (DESIGN.md §3 "Shards", issue 7).
 *
 * Theory of operation (Krawczyk, "Secret Sharing Made Short", CRYPTO '93):
 * 1. Encrypt the message with a fresh 32-byte key K: C = ChaCha20-Poly1305(K, nonce 0,
 *    message, aad = domain ‖ version ‖ message ID ‖ n ‖ k).
 * 2. Disperse C with the erasure code (ida.ts): n fragments of ceil(|C|/k) bytes, any k
 *    rebuild C. This is what makes the scheme short: n/k times the message, not n times.
 * 3. Share K with Shamir k-of-n (shamir.ts): 32 bytes per shard.
 * 4. Shard i = header (message ID, n, k, i, length) + key share i + fragment i + the tag
 *    list; tag_i = SHA-256(domain ‖ header_i ‖ key share i ‖ fragment i) truncated to 16
 *    bytes, and every shard carries all n tags.
 *
 * Why the nonce is zero. ChaCha20-Poly1305 needs a (key, nonce) pair never to repeat (RFC
 * 8439 §4). K is 256 fresh random bits drawn for this one message and used for exactly one
 * seal, so the pair is unique whatever the nonce; a random nonce would add 12 bytes to every
 * shard and a second draw from the Random, and protect nothing. (age's payload key and
 * HPKE's single-shot mode rely on the same argument.) K must never seal a second message.
 *
 * Why any k−1 shards are independent of the message. What k−1 shards hold is: the header
 * (public: ID, n, k, length), k−1 key shares, k−1 fragments of C, and the tag list.
 * - The key shares are uniform and independent of K, hence of the message (shamir.ts: for
 *   any key there is exactly one sharing polynomial through the k−1 shares and it).
 * - Without K, C is indistinguishable from random bytes of its length (IND-CPA of
 *   ChaCha20), and k−1 fragments are a linear function of C: they tell nothing about the
 *   message beyond what C would. The tags are hashes of shares and fragments; checking a
 *   guess against them needs a guess of the 256-bit K.
 * So the secrecy is computational, as Krawczyk proves (information-theoretic secrecy would
 * cost shards as long as the message). The length leaks: pad upstream if it matters.
 *
 * Why no forged or corrupted shard yields a wrong message (the choice: a hash commitment
 * list, Krawczyk's "distributed fingerprints", PODC '93, rather than trying subsets).
 * Every honest shard carries the same list of all n tags. `combineShards` takes each
 * distinct list L found in a shard that matches its own entry, gathers the shards whose
 * contents hash to their entry of L, and decodes k of them; the AEAD tag is the final check.
 * - For the honest list, only honest shards match (a forger would need a second preimage of
 *   a 128-bit truncated SHA-256), so k honest arrivals always rebuild the message, however
 *   many bad shards come with them, with no search over subsets.
 * - A forged list costs one decode attempt and no more; the input is capped at
 *   COMBINE_SHARDS_MAX shards, so the work per message is bounded (at most that many lists).
 * - A decode from a forged list can verify only under a key the forger knows. With fewer
 *   than k forged key shares among the k used, the rebuilt key is an honest share times a
 *   non-zero Lagrange weight plus terms the forger chose: uniformly unknown to it
 *   (shamir.ts), so the Poly1305 tag verifies with negligible probability (RFC 8439 §4).
 * - Anyone can make a complete set of their own under their own key (k = 1 needs a single
 *   shard) and give it this message's ID. That is a new message, not a change to this one:
 *   if it verifies beside k honest shards, both are refused ('conflicting-messages');
 *   alone, this layer cannot tell it from any other message. Who sent a message is the
 *   end-to-end layer's question (the signed sender identity inside the plaintext; shards
 *   travel inside onions sealed to the target).
 * - The list is redundancy the subset search would not need, 16·n bytes per shard; it
 *   buys linear work, no combinatorics, and names the bad shards (`rejected`) so the
 *   routing layer can tell which path corrupted its shard.
 *
 * Rules:
 * 1. Randomness (K, the Shamir coefficients) comes from the injected Random; crypto from the
 *    injected suite. Nothing here reads a clock or draws ambient randomness.
 * 2. `splitMessage` throws `ShardUsageError` on misuse; `combineShards` never throws on any
 *    shard values (remote input), answering a typed reason instead.
 * 3. K and every reconstructed key are wiped when done (STYLE.md #16).
 */
import { wipe } from '../crypto/check.js';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite } from '../crypto/suite.js';
import type { Random } from '../random.js';
import { type Shard, shardProblem, writeHeader } from './codec.js';
import { type CombineFailureReason, ShardUsageError } from './errors.js';
import { idaDecode, idaEncode } from './ida.js';
import {
  COMBINE_SHARDS_MAX,
  MESSAGE_ID_BYTES,
  SHARD_HEADER_BYTES,
  SHARD_KEY_BYTES,
  SHARD_MESSAGE_MAX_BYTES,
  SHARD_TAG_BYTES,
  SHARD_THRESHOLD_MIN,
  SHARD_VERSION,
  SHARDS_MAX,
} from './limits.js';
import { combineShares, splitSecret } from './shamir.js';

export {
  type Shard,
  type ShardDecodeResult,
  decodeShard,
  encodeShard,
  encodedShardBytes,
  fragmentBytes,
} from './codec.js';

export type CombineResult =
  | {
      ok: true;
      plaintext: Uint8Array;
      /** Shard indices (0..n−1) the message was rebuilt from. */
      used: number[];
      /** Positions in the input of shards that are malformed, corrupt or forged. */
      rejected: number[];
    }
  | { ok: false; reason: CombineFailureReason; detail: string; rejected: number[] };

const encoder = new TextEncoder();
const TAG_DOMAIN = encoder.encode('p2pmsg shard tag v1');
const AAD_DOMAIN = encoder.encode('p2pmsg shard aead v1');
/** The all-zero nonce: every key seals exactly one message (see the top of this file). */
const ZERO_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

function aad(messageId: Uint8Array, n: number, k: number): Uint8Array {
  const out = new Uint8Array(AAD_DOMAIN.length + 1 + MESSAGE_ID_BYTES + 2);
  out.set(AAD_DOMAIN);
  out[AAD_DOMAIN.length] = SHARD_VERSION;
  out.set(messageId, AAD_DOMAIN.length + 1);
  out[AAD_DOMAIN.length + 1 + MESSAGE_ID_BYTES] = n;
  out[AAD_DOMAIN.length + 2 + MESSAGE_ID_BYTES] = k;
  return out;
}

/** tag = SHA-256(domain ‖ header ‖ key share ‖ fragment)[0..16]; the tag list is not covered. */
function shardTag(suite: CryptoSuite, shard: Shard): Uint8Array {
  const d = TAG_DOMAIN.length;
  const input = new Uint8Array(d + SHARD_HEADER_BYTES + SHARD_KEY_BYTES + shard.fragment.length);
  input.set(TAG_DOMAIN);
  writeHeader(input.subarray(d, d + SHARD_HEADER_BYTES), shard);
  input.set(shard.keyShare, d + SHARD_HEADER_BYTES);
  input.set(shard.fragment, d + SHARD_HEADER_BYTES + SHARD_KEY_BYTES);
  return suite.sha256(input).slice(0, SHARD_TAG_BYTES);
}

/**
 * Splits `plaintext` into n shards, any k of which rebuild it (1 ≤ k ≤ n ≤ SHARDS_MAX).
 * Shard i has index i; send each on its own path.
 */
export function splitMessage(
  suite: CryptoSuite,
  random: Random,
  messageId: Uint8Array,
  plaintext: Uint8Array,
  n: number,
  k: number,
): Shard[] {
  if (!(messageId instanceof Uint8Array) || messageId.length !== MESSAGE_ID_BYTES) {
    throw new ShardUsageError(`splitMessage: the message ID must be ${MESSAGE_ID_BYTES} bytes`);
  }
  if (!(plaintext instanceof Uint8Array) || plaintext.length > SHARD_MESSAGE_MAX_BYTES) {
    throw new ShardUsageError(`splitMessage: at most ${SHARD_MESSAGE_MAX_BYTES} bytes of message`);
  }
  if (!Number.isInteger(n) || n < 1 || n > SHARDS_MAX) {
    throw new ShardUsageError(`splitMessage: n must be 1..${SHARDS_MAX}, got ${n}`);
  }
  if (!Number.isInteger(k) || k < SHARD_THRESHOLD_MIN || k > n) {
    throw new ShardUsageError(`splitMessage: k must be ${SHARD_THRESHOLD_MIN}..n (${n}), got ${k}`);
  }
  const key = random.bytes(SHARD_KEY_BYTES);
  if (key.length !== SHARD_KEY_BYTES) {
    throw new ShardUsageError('splitMessage: the Random returned the wrong number of bytes');
  }
  const ciphertext = suite.aeadSeal(key, ZERO_NONCE, plaintext, aad(messageId, n, k));
  const shares = splitSecret(random, key, n, k);
  wipe(key);
  const fragments = idaEncode(ciphertext, n, k);
  const tags = new Uint8Array(n * SHARD_TAG_BYTES);
  const shards = shares.map((share, index): Shard => {
    const shard: Shard = {
      messageId: new Uint8Array(messageId),
      n,
      k,
      index,
      messageBytes: plaintext.length,
      keyShare: share.y,
      tags,
      fragment: fragments[index]!,
    };
    tags.set(shardTag(suite, shard), index * SHARD_TAG_BYTES);
    return shard;
  });
  // Every shard gets its own copy of the complete list.
  for (const shard of shards) shard.tags = tags.slice();
  return shards;
}

/** True when `list` holds `tag` at entry `index`. */
function tagAt(list: Uint8Array, index: number, tag: Uint8Array): boolean {
  const at = index * SHARD_TAG_BYTES;
  for (let i = 0; i < SHARD_TAG_BYTES; i++) if (list[at + i] !== tag[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameParams(a: Shard, b: Shard): boolean {
  return (
    a.n === b.n &&
    a.k === b.k &&
    a.messageBytes === b.messageBytes &&
    sameBytes(a.messageId, b.messageId)
  );
}

/**
 * Whether the tag list of `list` commits to `shard`: the same message parameters, and the
 * shard's contents hash to its entry of that list. `commitsTo(s, s)` says a shard is
 * self-consistent (not corrupted in transit); shards of one split all commit to each
 * other's lists, so a receiver can group what it holds by split. Never throws.
 */
export function commitsTo(suite: CryptoSuite, list: Shard, shard: Shard): boolean {
  if (shardProblem(list) !== null || shardProblem(shard) !== null) return false;
  return sameParams(list, shard) && tagAt(list.tags, shard.index, shardTag(suite, shard));
}

/** One decode attempt: the plaintext from k members (sorted by index), or null. */
function attempt(suite: CryptoSuite, members: readonly Shard[]): Uint8Array | null {
  const { n, k, messageBytes, messageId } = members[0]!;
  const chosen = members.slice(0, k);
  const key = combineShares(chosen.map((s) => ({ x: s.index + 1, y: s.keyShare })));
  const fragments = chosen.map((s) => ({ index: s.index, bytes: s.fragment }));
  const decoded = idaDecode(fragments, n, k, messageBytes + AEAD_TAG_BYTES);
  const plaintext = decoded.ok
    ? suite.aeadOpen(key, ZERO_NONCE, decoded.data, aad(messageId, n, k))
    : null;
  wipe(key);
  return plaintext;
}

/**
 * Rebuilds a message from the shards that arrived (any order, duplicates, corrupt or forged
 * shards allowed; pass the shards of one message ID). Never throws and never returns a
 * message other than the one k honest shards encode; see the top of this file.
 */
export function combineShards(suite: CryptoSuite, shards: readonly Shard[]): CombineResult {
  if (shards.length > COMBINE_SHARDS_MAX) {
    return {
      ok: false,
      reason: 'too-many-shards',
      detail: `${shards.length} shards, limit ${COMBINE_SHARDS_MAX}`,
      rejected: [],
    };
  }
  // Each shard's own tag, recomputed from its contents; null for a malformed value.
  const tags = shards.map((s) => (shardProblem(s) === null ? shardTag(suite, s) : null));
  const selfConsistent = shards.map((s, i) => tags[i] != null && tagAt(s.tags, s.index, tags[i]));
  const listsTried = new Set<string>();
  let best: { plaintext: Uint8Array; used: number[]; members: Set<number> } | null = null;
  let conflicting = false;
  let attempts = 0;
  let mostMembers = 0;
  for (let c = 0; c < shards.length; c++) {
    if (!selfConsistent[c]) continue;
    const list = shards[c]!;
    const key = [list.n, list.k, list.messageBytes, ...list.messageId, ...list.tags].join();
    if (listsTried.has(key)) continue;
    listsTried.add(key);
    // The shards whose contents this list commits to (copies of one shard included), and
    // the first of them for each index, sorted by index.
    const memberSet = new Set<number>();
    const byIndex = new Map<number, Shard>();
    shards.forEach((s, j) => {
      const tag = tags[j];
      if (tag == null || !sameParams(s, list) || !tagAt(list.tags, s.index, tag)) return;
      memberSet.add(j);
      if (!byIndex.has(s.index)) byIndex.set(s.index, s);
    });
    mostMembers = Math.max(mostMembers, byIndex.size);
    if (byIndex.size < list.k) continue;
    const members = [...byIndex.values()].sort((a, b) => a.index - b.index);
    attempts++;
    const plaintext = attempt(suite, members);
    if (plaintext === null) continue;
    const used = members.slice(0, list.k).map((s) => s.index);
    if (best === null) best = { plaintext, used, members: memberSet };
    else if (!sameBytes(best.plaintext, plaintext)) conflicting = true;
    else if (memberSet.size > best.members.size) best = { plaintext, used, members: memberSet };
  }
  const corrupt = shards.flatMap((_, i) => (selfConsistent[i] ? [] : [i]));
  if (conflicting) {
    return {
      ok: false,
      reason: 'conflicting-messages',
      detail: 'two different messages verified; a complete forged set is among the shards',
      rejected: corrupt,
    };
  }
  if (best !== null) {
    const members = best.members;
    const rejected = shards.flatMap((_, i) => (members.has(i) ? [] : [i]));
    return { ok: true, plaintext: best.plaintext, used: best.used, rejected };
  }
  if (attempts > 0) {
    return {
      ok: false,
      reason: 'authentication-failed',
      detail: `${attempts} decode attempts, none verified`,
      rejected: corrupt,
    };
  }
  return {
    ok: false,
    reason: 'not-enough-shards',
    detail: `at most ${mostMembers} consistent shards of ${shards.length}, fewer than k`,
    rejected: corrupt,
  };
}
