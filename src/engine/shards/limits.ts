/**
 * Shard limits: every size the shard layer accepts, in one place (STYLE.md #4). Splitting
 * outside them is local misuse (`ShardUsageError`); decoding bytes outside them is a typed
 * `ShardDecodeError`. Derived limits are written as expressions.
 */
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES } from '../crypto/suite.js';

/** Bumped on any incompatible change of the shard layout or of how tags are computed. */
export const SHARD_VERSION = 1;

/**
 * Most shards of one message. Each shard travels its own node-disjoint path (DESIGN.md §3):
 * 16 paths of 3 hops already need 48 distinct relays, more than a small network has. It
 * also bounds the tag list every shard carries (16 × SHARD_TAG_BYTES = 256 bytes) and the
 * IDA matrices (16 × 16 over GF(256)), and keeps x coordinates far below GF(256)'s 255.
 */
export const SHARDS_MAX = 16;

/**
 * The smallest threshold. k = 1 is plain replication (every shard alone rebuilds the message
 * and nothing is hidden); allowed because it is the honest degenerate case of the scheme.
 */
export const SHARD_THRESHOLD_MIN = 1;

/** A message ID: 128 random bits never collide by chance (the e2e layer dedups on it). */
export const MESSAGE_ID_BYTES = 16;

/**
 * The largest plaintext one split takes: 64 KiB, a generous chat message or small file.
 * With k = 1 a shard carries all of it, so this bounds one shard and the target's buffer
 * per message. (The routing layer may well cap lower, to fit shards into onions.)
 */
export const SHARD_MESSAGE_MAX_BYTES = 64 * 1024;

/** The split key: one fresh ChaCha20-Poly1305 key per message (split.ts explains the nonce). */
export const SHARD_KEY_BYTES = AEAD_KEY_BYTES;

/** The ciphertext the fragments carry: plaintext and the 16-byte Poly1305 tag. */
export const SHARD_CIPHERTEXT_MAX_BYTES = SHARD_MESSAGE_MAX_BYTES + AEAD_TAG_BYTES;

/**
 * One shard's integrity tag: truncated SHA-256 of its contents. 128 bits give 2^128
 * second-preimage resistance, which is what a forger without the sender's help needs to
 * beat; collisions (2^64) only help a malicious sender, who can send garbage anyway.
 */
export const SHARD_TAG_BYTES = 16;

/** Fixed header: version, message ID, n, k, index, u32 message length. */
export const SHARD_HEADER_BYTES = 1 + MESSAGE_ID_BYTES + 1 + 1 + 1 + 4;

/** The largest encoded shard: k = 1 and n = SHARDS_MAX, the whole ciphertext in one fragment. */
export const SHARD_MAX_BYTES =
  SHARD_HEADER_BYTES + SHARD_KEY_BYTES + SHARDS_MAX * SHARD_TAG_BYTES + SHARD_CIPHERTEXT_MAX_BYTES;

/**
 * Most shards one `combineShards` call looks at: every shard of a message twice over (a
 * forger may add as many as arrived honestly). Each distinct tag list costs at most one
 * decode attempt, so this bounds the work a hostile sender can cause per message.
 */
export const COMBINE_SHARDS_MAX = 2 * SHARDS_MAX;
