/**
 * Directory anti-entropy digests: a Bloom filter of the records a node holds, sent with a
 * periodic sync request so that the neighbour answers with records the requester lacks
 * (a descriptor whose announcement it missed: during a partition, while the overlay was
 * repairing) instead of a random part of its directory that it mostly has already.
 *
 * A record is keyed by (node ID, issue time), so a neighbour holding a newer descriptor of a
 * node we know also sends it. Every request draws a fresh salt, so a false positive (a
 * record we lack that the filter claims we hold) is a different record each round. A large
 * directory is covered a slice at a time (records whose salted hash falls in slice `slice`
 * of `slices`), so a digest stays within DIRECTORY_DIGEST_MAX_BYTES at about 1% false
 * positives whatever the directory's size.
 *
 * The hash: FNV-1a of the node ID from two bases, computed once per record (idHashOf), mixed
 * with the salt and the issue time by murmur3's fmix32 — a digest over a whole directory
 * reads no ID string, cheap enough to run every minute on every simulated node. It is not
 * a cryptographic hash: an attacker grinding node IDs might collide with another node's
 * record for some salts, which only delays that record's repair by sync (announcements
 * still flood it).
 */
import { FNV_OFFSET, FNV_PRIME, fmix32 } from '../mix32.js';
import type { NodeId } from '../types.js';
import { DIRECTORY_DIGEST_MAX_BYTES } from '../wire/limits.js';
import type { DirectoryDigest } from '../wire/messages.js';

/** Filter bits per record: with DIGEST_HASHES probes, ~1.2% false positives. */
export const DIGEST_BITS_PER_RECORD = 10;
/** Bit positions probed per record (double hashing). */
export const DIGEST_HASHES = 4;
/** Smallest filter: a directory of a handful of records still gets a useful one. */
const DIGEST_MIN_BYTES = 8;
/** Records one digest covers at most; more are covered one slice per request. */
export const DIGEST_RECORDS_PER_SLICE = Math.floor(
  (DIRECTORY_DIGEST_MAX_BYTES * 8) / DIGEST_BITS_PER_RECORD,
);
/** A different seed for the slice hash, so slices and filter bits are independent. */
const SLICE_SEED = 0x5bd1e995;

/**
 * The salt-independent part of a record's key: two 32-bit hashes of its node ID (64 bits,
 * so two IDs collide under every salt with probability 2^-64). Computed once per record
 * (Descriptor carries it), so a digest over a whole directory reads no ID string.
 */
export interface IdHash {
  idHashA: number;
  idHashB: number;
}

/** A record's key as a digest sees it: its ID's hash and its issue time. */
export interface DigestKey extends IdHash {
  issued: number;
}

/** FNV-1a over the ID from two offset bases, each finished by fmix32. */
export function idHashOf(id: NodeId): IdHash {
  return { idHashA: idHashAOf(id), idHashB: fnvFinished(id, ID_HASH_B_BASIS) };
}

/** The first lane of idHashOf alone (the descriptor table's index). */
export function idHashAOf(id: NodeId): number {
  return fnvFinished(id, FNV_OFFSET);
}

const ID_HASH_B_BASIS = 0x050c5d1f | 0;

function fnvFinished(id: NodeId, basis: number): number {
  let h = basis;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), FNV_PRIME);
  return fmix32(h) | 0;
}

/** A salted 32-bit hash of a node ID alone, from its two hashes (lanes of idHashOf). */
function saltedIdHash(idHashA: number, idHashB: number, salt: number): number {
  return fmix32(fmix32(idHashA ^ salt) ^ idHashB);
}

/** A salted 32-bit hash of a record's key (node ID and issue time). */
function recordHash(idHashA: number, idHashB: number, issued: number, salt: number): number {
  // Issue times are u48: mix the low 32 bits, then the high 16.
  const h = fmix32(saltedIdHash(idHashA, idHashB, salt) ^ (issued | 0));
  return fmix32(h ^ Math.floor(issued / 2 ** 32));
}

/** Which slice of `slices` a node's records fall in, under `salt` (by ID only). */
function sliceOf(idHashA: number, idHashB: number, salt: number, slices: number): number {
  return saltedIdHash(idHashA, idHashB, salt ^ SLICE_SEED) % slices;
}

/**
 * A record's probe positions, p, p + s, p + 2s, … mod m (double hashing). Reduced once, then
 * kept below m by subtracting m without a branch: a % on values past 2^31 is a float
 * remainder (it was most of a digest's cost), and a branch on the wrap-around, taken at
 * random, mispredicted so often that it cost as much as the hashing (session 18: a digest
 * of 900 records 29 → 15 µs).
 */
function firstPosition(hash: number, m: number): number {
  return (hash % m) | 0;
}

function stepOf(hash: number, m: number): number {
  return (((fmix32(hash ^ 0x9e3779b9) | 1) >>> 0) % m) | 0;
}

/** `position + step` mod m, for both below m. */
function advance(position: number, step: number, m: number): number {
  const next = (position + step) | 0;
  return (next - (m & ((m - 1 - next) >> 31))) | 0;
}

/** Sets the record's bits. */
function setRecord(bits: Uint8Array, hash: number): void {
  const m = bits.length * 8;
  const step = stepOf(hash, m);
  let position = firstPosition(hash, m);
  for (let i = 0; i < DIGEST_HASHES; i++) {
    bits[position >>> 3] = (bits[position >>> 3] as number) | (1 << (position & 7));
    position = advance(position, step, m);
  }
}

/** Whether every one of the record's bits is set. */
function holdsRecord(bits: Uint8Array, hash: number): boolean {
  const m = bits.length * 8;
  const step = stepOf(hash, m);
  let position = firstPosition(hash, m);
  for (let i = 0; i < DIGEST_HASHES; i++) {
    if (((bits[position >>> 3] as number) & (1 << (position & 7))) === 0) return false;
    position = advance(position, step, m);
  }
  return true;
}

/** The number of slices a directory of `records` records is covered in. */
export function slicesFor(records: number): number {
  return Math.max(1, Math.ceil(records / DIGEST_RECORDS_PER_SLICE));
}

/** Record keys in columns (descriptor-table.ts): key `i` is the i-th entry of each. */
export interface DigestColumns {
  idHashA: Int32Array;
  idHashB: Int32Array;
  issued: Float64Array;
}

/**
 * A digest of the keys at `slots[0 … count − 1]` of `columns` that fall in `slice` of
 * `slices`. The caller draws `salt` and `slice` at random and takes `slices` from slicesFor.
 */
export function buildDigestOf(
  columns: DigestColumns,
  slots: Int32Array,
  count: number,
  salt: number,
  slices: number,
  slice: number,
): DirectoryDigest {
  const { idHashA, idHashB, issued } = columns;
  // One slice (up to DIGEST_RECORDS_PER_SLICE records): every slot, no copy.
  let inSlice = slots;
  let inSliceCount = count;
  if (slices > 1) {
    inSlice = new Int32Array(count);
    inSliceCount = 0;
    for (let i = 0; i < count; i++) {
      const s = slots[i] as number;
      if (sliceOf(idHashA[s] as number, idHashB[s] as number, salt, slices) === slice)
        inSlice[inSliceCount++] = s;
    }
  }
  const perSlice = Math.ceil(count / slices);
  const bytes = Math.min(
    DIRECTORY_DIGEST_MAX_BYTES,
    Math.max(
      DIGEST_MIN_BYTES,
      Math.ceil((Math.max(perSlice, inSliceCount) * DIGEST_BITS_PER_RECORD) / 8),
    ),
  );
  const bits = new Uint8Array(bytes);
  for (let i = 0; i < inSliceCount; i++) {
    const s = inSlice[i] as number;
    setRecord(
      bits,
      recordHash(idHashA[s] as number, idHashB[s] as number, issued[s] as number, salt),
    );
  }
  return { salt, slices, slice, bits };
}

/** buildDigestOf over key objects (tests, tools). */
export function buildDigest(
  keys: readonly DigestKey[],
  salt: number,
  slices: number,
  slice: number,
): DirectoryDigest {
  const columns: DigestColumns = {
    idHashA: Int32Array.from(keys, (k) => k.idHashA),
    idHashB: Int32Array.from(keys, (k) => k.idHashB),
    issued: Float64Array.from(keys, (k) => k.issued),
  };
  const slots = Int32Array.from(keys, (_, i) => i);
  return buildDigestOf(columns, slots, keys.length, salt, slices, slice);
}

/** Whether the digest covers a node's records (their slice), by the ID's two hashes. */
export function digestCoversId(digest: DirectoryDigest, idHashA: number, idHashB: number): boolean {
  return (
    digest.slices === 1 || sliceOf(idHashA, idHashB, digest.salt, digest.slices) === digest.slice
  );
}

/** Whether the digest claims to hold the record; false positives at ~1%, no false negatives. */
export function digestHoldsRecord(
  digest: DirectoryDigest,
  idHashA: number,
  idHashB: number,
  issued: number,
): boolean {
  return holdsRecord(digest.bits, recordHash(idHashA, idHashB, issued, digest.salt));
}

/** digestCoversId for a key object. */
export function digestCovers(digest: DirectoryDigest, key: IdHash): boolean {
  return digestCoversId(digest, key.idHashA, key.idHashB);
}

/** digestHoldsRecord for a key object. */
export function digestHolds(digest: DirectoryDigest, key: DigestKey): boolean {
  return digestHoldsRecord(digest, key.idHashA, key.idHashB, key.issued);
}
