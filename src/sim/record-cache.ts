/**
 * Opened directory records by their signed bytes, shared by every engine of a simulation
 * (the simulator passes `open` to each node as NodeOptions.openRecord).
 *
 * Why: in a simulation every node opens the same descriptors — each announcement is decoded
 * and its signature checked once per node that hears it, and each node keeps its own decoded
 * copy. Opening a record is a pure function of its bytes (records.ts `openRecord`: the same
 * bytes always give the same record or the same rejection), so a simulator can hand every
 * engine one cache: a record is then checked once per simulation and held once in memory, and
 * each directory keeps a reference. A daemon runs one engine and needs none.
 *
 * Rules:
 * 1. Only records that opened are kept; a rejection is recomputed every time (and counted by
 *    each directory, as without a cache).
 * 2. A hit is exact: entries are found by signature and returned only if every byte matches,
 *    so a record whose body was altered under a valid signature is opened afresh (and fails).
 * 3. Records handed out are shared: no engine may change one. The engine never writes to a
 *    record after `openRecord` returns it; the cache freezes the record object itself so a
 *    mistake throws in strict mode instead of leaking one node's state into another.
 * 4. Bounded: at `capacity` the oldest entry is dropped (insertion order), so memory stays
 *    flat however long the run; a dropped record is simply opened again when next heard.
 */
import { equalBytes } from '../engine/crypto/check.js';
import {
  openRecord,
  type DirectoryRecord,
  type RecordOpener,
} from '../engine/directory/records.js';
import { prefixKey } from '../engine/string-cache.js';
import { SIGNATURE_BYTES } from '../engine/wire/limits.js';
import { RECORD_CACHE_CAPACITY_DEFAULT } from './limits.js';

export class RecordCache {
  /**
   * By the signature's first four bytes (signatures look random): found without building a
   * key from the bytes, which cost more than the lookup. Two records sharing them only
   * cost a miss (Rule 2); the newer one then takes the entry.
   */
  private readonly entries = new Map<number, DirectoryRecord>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = RECORD_CACHE_CAPACITY_DEFAULT) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`record cache capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** A RecordOpener backed by this cache. */
  readonly open: RecordOpener = (crypto, bytes) => {
    if (bytes.length < SIGNATURE_BYTES) return openRecord(crypto, bytes);
    const key = prefixKey(bytes, bytes.length - SIGNATURE_BYTES);
    const cached = this.entries.get(key);
    if (cached !== undefined && equalBytes(cached.bytes, bytes)) {
      this.hits += 1;
      return cached;
    }
    this.misses += 1;
    const opened = openRecord(crypto, bytes);
    if (typeof opened === 'string') return opened;
    // Its own copy of the bytes: the record must not pin the frame it arrived in.
    const record = Object.freeze(ownBytes(opened));
    if (cached === undefined && this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
    this.entries.set(key, record);
    return record;
  };
}

/**
 * `record` (just opened, so ours to change) with its byte fields copied out of whatever
 * buffer they view. Changed in place, not spread into a new object: a spread copy's fields
 * were ~4× slower to read in the digest's loop over every record (V8 field representation).
 */
function ownBytes(record: DirectoryRecord): DirectoryRecord {
  const bytes = record.bytes.slice();
  const keyBytes = record.signKey.length;
  record.signKey = bytes.subarray(1, 1 + keyBytes);
  record.dhKey = bytes.subarray(1 + keyBytes, 1 + keyBytes + record.dhKey.length);
  record.bytes = bytes;
  return record;
}
