/**
 * The shard type and its bytes (STYLE.md #9): one fixed header, then the variable parts
 * whose sizes the header determines.
 *
 *   offset      bytes       field
 *   0           1           version (SHARD_VERSION)
 *   1           16          message ID
 *   17          1           n, the number of shards (1..SHARDS_MAX)
 *   18          1           k, the threshold (1..n)
 *   19          1           index of this shard (0..n−1); its Shamir x is index + 1
 *   20          4           message length in bytes, u32 big-endian (≤ SHARD_MESSAGE_MAX_BYTES)
 *   24          32          key share (the y bytes of Shamir share x = index + 1)
 *   56          16·n        tags of all n shards, in index order (split.ts: the commitment list)
 *   56 + 16·n   f           IDA fragment, f = ceil((length + 16) / k)
 *
 * Rules:
 * 1. The encoding is canonical: every accepted byte string is exactly `encodeShard` of the
 *    shard it decodes to (the total length is fixed by the header; no field has slack).
 * 2. `decodeShard` never throws on any Uint8Array: bad bytes give a `ShardDecodeError`.
 *    Decoding checks syntax only; whether the tags match is `combineShards`' business.
 * 3. Decoded byte fields are copies: a shard never aliases the buffer it came from.
 * 4. `encodeShard` throws `ShardUsageError` for a shard with no valid encoding (our bug).
 */
import { AEAD_TAG_BYTES } from '../crypto/suite.js';
import { type ShardDecodeError, type ShardDecodeReason, ShardUsageError } from './errors.js';
import {
  MESSAGE_ID_BYTES,
  SHARD_HEADER_BYTES,
  SHARD_KEY_BYTES,
  SHARD_MESSAGE_MAX_BYTES,
  SHARD_TAG_BYTES,
  SHARD_THRESHOLD_MIN,
  SHARD_VERSION,
  SHARDS_MAX,
} from './limits.js';

export interface Shard {
  /** The message's ID, MESSAGE_ID_BYTES; the same in every shard of the message. */
  messageId: Uint8Array;
  /** Number of shards the message was split into. */
  n: number;
  /** How many distinct shards rebuild it. */
  k: number;
  /** This shard's position, 0..n−1: its IDA row, and Shamir x = index + 1. */
  index: number;
  /** Plaintext length; the fragments carry messageBytes + AEAD_TAG_BYTES of ciphertext. */
  messageBytes: number;
  /** The y bytes of Shamir share x = index + 1 of the message key. */
  keyShare: Uint8Array;
  /** The integrity tags of all n shards, SHARD_TAG_BYTES each; this shard's is entry `index`. */
  tags: Uint8Array;
  /** IDA fragment `index` of the ciphertext. */
  fragment: Uint8Array;
}

export type ShardDecodeResult = { ok: true; shard: Shard } | { ok: false; error: ShardDecodeError };

/** Bytes of each fragment for a message of `messageBytes` split k ways. */
export function fragmentBytes(messageBytes: number, k: number): number {
  return Math.ceil((messageBytes + AEAD_TAG_BYTES) / k);
}

/** Offset of the tag list, and the encoded size of a shard. */
const TAGS_AT = SHARD_HEADER_BYTES + SHARD_KEY_BYTES;

export function encodedShardBytes(n: number, k: number, messageBytes: number): number {
  return TAGS_AT + n * SHARD_TAG_BYTES + fragmentBytes(messageBytes, k);
}

const isBytes = (v: unknown, length: number): boolean =>
  v instanceof Uint8Array && v.length === length;

/**
 * What is structurally wrong with a shard value, or null when it is well formed: every
 * field in range and every byte field of the size the header fields imply.
 */
export function shardProblem(shard: Shard): string | null {
  if (typeof shard !== 'object' || shard === null) return 'not an object';
  const { n, k, index, messageBytes } = shard;
  if (!isBytes(shard.messageId, MESSAGE_ID_BYTES)) return 'message ID size';
  if (!Number.isInteger(n) || n < 1 || n > SHARDS_MAX) return `n = ${n}`;
  if (!Number.isInteger(k) || k < SHARD_THRESHOLD_MIN || k > n) return `k = ${k}`;
  if (!Number.isInteger(index) || index < 0 || index >= n) return `index = ${index}`;
  if (!Number.isInteger(messageBytes) || messageBytes < 0) return `length = ${messageBytes}`;
  if (messageBytes > SHARD_MESSAGE_MAX_BYTES) return `length = ${messageBytes}`;
  if (!isBytes(shard.keyShare, SHARD_KEY_BYTES)) return 'key share size';
  if (!isBytes(shard.tags, n * SHARD_TAG_BYTES)) return 'tag list size';
  if (!isBytes(shard.fragment, fragmentBytes(messageBytes, k))) return 'fragment size';
  return null;
}

/** The 24 header bytes of a shard (also the start of what its tag covers). */
export function writeHeader(out: Uint8Array, shard: Shard): void {
  out[0] = SHARD_VERSION;
  out.set(shard.messageId, 1);
  out[1 + MESSAGE_ID_BYTES] = shard.n;
  out[2 + MESSAGE_ID_BYTES] = shard.k;
  out[3 + MESSAGE_ID_BYTES] = shard.index;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(
    4 + MESSAGE_ID_BYTES,
    shard.messageBytes,
  );
}

export function encodeShard(shard: Shard): Uint8Array {
  const problem = shardProblem(shard);
  if (problem !== null) throw new ShardUsageError(`encodeShard: ${problem}`);
  const out = new Uint8Array(encodedShardBytes(shard.n, shard.k, shard.messageBytes));
  writeHeader(out, shard);
  out.set(shard.keyShare, SHARD_HEADER_BYTES);
  out.set(shard.tags, TAGS_AT);
  out.set(shard.fragment, TAGS_AT + shard.tags.length);
  return out;
}

/**
 * A plain Uint8Array copy of bytes[from, to). Not `bytes.slice`: on a node Buffer (what a
 * socket hands over) that is a view, and the shard would alias the receive buffer.
 */
function copy(bytes: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(bytes.subarray(from, to));
}

function fail(reason: ShardDecodeReason, detail: string): ShardDecodeResult {
  return { ok: false, error: { reason, detail } };
}

export function decodeShard(bytes: Uint8Array): ShardDecodeResult {
  if (bytes.length < SHARD_HEADER_BYTES) {
    return fail('too-short', `${bytes.length} bytes, the header alone is ${SHARD_HEADER_BYTES}`);
  }
  const version = bytes[0]!;
  if (version !== SHARD_VERSION) return fail('bad-version', `version ${version}`);
  const n = bytes[1 + MESSAGE_ID_BYTES]!;
  const k = bytes[2 + MESSAGE_ID_BYTES]!;
  const index = bytes[3 + MESSAGE_ID_BYTES]!;
  if (n < 1 || n > SHARDS_MAX) return fail('bad-count', `n = ${n}, limit ${SHARDS_MAX}`);
  if (k < SHARD_THRESHOLD_MIN || k > n) return fail('bad-threshold', `k = ${k} with n = ${n}`);
  if (index >= n) return fail('bad-index', `index ${index} with n = ${n}`);
  const messageBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    4 + MESSAGE_ID_BYTES,
  );
  if (messageBytes > SHARD_MESSAGE_MAX_BYTES) {
    return fail('message-too-long', `${messageBytes} bytes, limit ${SHARD_MESSAGE_MAX_BYTES}`);
  }
  const size = encodedShardBytes(n, k, messageBytes);
  if (bytes.length < size) return fail('truncated', `${bytes.length} of ${size} bytes`);
  if (bytes.length > size) return fail('trailing-bytes', `${bytes.length - size} extra bytes`);
  const fragmentAt = TAGS_AT + n * SHARD_TAG_BYTES;
  return {
    ok: true,
    shard: {
      messageId: copy(bytes, 1, 1 + MESSAGE_ID_BYTES),
      n,
      k,
      index,
      messageBytes,
      keyShare: copy(bytes, SHARD_HEADER_BYTES, TAGS_AT),
      tags: copy(bytes, TAGS_AT, fragmentAt),
      fragment: copy(bytes, fragmentAt, size),
    },
  };
}
