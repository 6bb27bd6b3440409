/**
 * The failures of the shard layer (STYLE.md #7).
 *
 * - Local misuse (n, k or lengths out of range, a message too long, a division by zero in
 *   GF(256)) throws `ShardUsageError`: a bug in the caller.
 * - `combineShares` over malformed share sets throws `ShamirError`, a `ShardUsageError` with
 *   a machine-readable reason; split.ts never hands it such a set.
 * - Bad bytes from a peer are a `ShardDecodeError` value, never an exception, and a set of
 *   shards that does not rebuild a message is a `CombineFailure` value.
 */

export class ShardUsageError extends Error {
  override name = 'ShardUsageError';
}

export const SHAMIR_ERROR_REASONS = [
  /** No shares at all. */
  'no-shares',
  /** An x coordinate outside 1..255 (0 is the secret itself). */
  'bad-x',
  /** Two shares with the same x coordinate. */
  'duplicate-x',
  /** Shares of different lengths cannot come from one secret. */
  'length-mismatch',
] as const;

export type ShamirErrorReason = (typeof SHAMIR_ERROR_REASONS)[number];

export class ShamirError extends ShardUsageError {
  override name = 'ShamirError';
  constructor(
    readonly reason: ShamirErrorReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export const SHARD_DECODE_REASONS = [
  /** Fewer bytes than the fixed header. */
  'too-short',
  /** Version byte other than SHARD_VERSION. */
  'bad-version',
  /** n outside 1..SHARDS_MAX. */
  'bad-count',
  /** k outside SHARD_THRESHOLD_MIN..n. */
  'bad-threshold',
  /** index outside 0..n-1. */
  'bad-index',
  /** Declared message length above SHARD_MESSAGE_MAX_BYTES. */
  'message-too-long',
  /** The bytes end before the shard the header describes does. */
  'truncated',
  /** The shard the header describes is complete and bytes are left over. */
  'trailing-bytes',
] as const;

export type ShardDecodeReason = (typeof SHARD_DECODE_REASONS)[number];

export interface ShardDecodeError {
  reason: ShardDecodeReason;
  detail: string;
}

export const COMBINE_FAILURE_REASONS = [
  /** More shards than COMBINE_SHARDS_MAX were offered; none was looked at. */
  'too-many-shards',
  /** No tag list is matched by k distinct consistent shards (fewer than k good ones arrived). */
  'not-enough-shards',
  /** k consistent shards decoded, but the AEAD tag of the ciphertext did not verify. */
  'authentication-failed',
  /** Two different messages verified under one set: a forged complete set; deliver neither. */
  'conflicting-messages',
] as const;

export type CombineFailureReason = (typeof COMBINE_FAILURE_REASONS)[number];
