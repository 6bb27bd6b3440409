/**
 * The peer-protocol codec: `Message` ⇄ one frame (STYLE.md #9).
 *
 * Frame: u32 big-endian length of everything after it, u8 version, u8 type code
 * (MESSAGE_CODES), body. Body fields, in the order the `Message` type declares them:
 * - fixed-size bytes (keys, signature, nonce) raw;
 * - an onion packet is the whole body, exactly PACKET_BYTES raw (any other length is
 *   'bad-packet-size');
 * - node IDs as their 20 raw bytes (base32 strings in memory);
 * - addresses as u8 length + that many printable ASCII bytes (0x21..0x7e), possibly none;
 * - lists as u8 count + items; ttl as u8; booleans and priority as one byte, 0 or 1.
 *
 * Rules:
 * 1. The encoding is canonical: every accepted frame is exactly `encodeMessage` of the value
 *    it decodes to, so decode(encode(m)) = m and encode(decode(b)) = b.
 * 2. `decodeFrame` never throws on any input. Bad bytes give a `DecodeError`; a frame whose
 *    declared length is out of bounds is rejected as soon as the 4 length bytes are in.
 *    Reads go through a bounds-checked `Reader` whose first error sticks, not through
 *    try/catch, so a bug in this file still crashes loudly.
 * 3. `encodeMessage` throws `WireEncodeError` for a value with no valid encoding (our bug).
 * 4. No allocation per field beyond the field values. Decoded byte fields are copies, so a
 *    message does not alias the frame it came from — but for broadcast IDs and bodies
 *    (broadcast, IHAVE, GRAFT), which are views into it: a receiver keys an ID at once and
 *    mostly drops a body it already knows, and copying them cost 7–20% of the CPU of
 *    churn.yaml's first 10 minutes (1,000 nodes; three pairs of runs). So a frame must not
 *    change while its message is held: the runtimes hand the engine frames of its own
 *    (framing.ts copies each out of the socket's buffer; the simulator's are never written
 *    after send, transports/sim/network.ts Rule 4), and
 *    what the engine keeps of a view (a directory record's bytes, an ID in the IHAVE queue)
 *    keeps that frame alive, which is a few bytes more than the field.
 */
import { PACKET_BYTES } from '../onion/limits.js';
import { FNV_OFFSET, FNV_PRIME } from '../mix32.js';
import { prefixKey, StringCache } from '../string-cache.js';
import type { NodeId } from '../types.js';
import { type DecodeError, type DecodeErrorReason, WireEncodeError } from './errors.js';
import {
  ADDRESS_MAX_BYTES,
  BROADCAST_BODY_MAX,
  BROADCAST_HOPS_MAX,
  BROADCAST_ID_BYTES,
  DESCRIPTOR_MAX_BYTES,
  DIRECTORY_CHUNK_MAX,
  DIRECTORY_DIGEST_MAX_BYTES,
  IHAVE_IDS_MAX,
  INTERNED_STRINGS_MAX,
  TIMESTAMP_BYTES,
  TIMESTAMP_MAX,
  FRAME_HEADER_BYTES,
  FRAME_LENGTH_BYTES,
  FRAME_MAX_BYTES,
  FRAME_SLAB_BYTES,
  FRAME_SLAB_CARVE_MAX,
  HELLO_NONCE_BYTES,
  NODE_ID_BYTES,
  PEER_ENTRIES_MAX,
  PROTOCOL_VERSION,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  TTL_MAX,
} from './limits.js';
import {
  BROADCAST_KINDS,
  CONTROL_CODE_RANGE,
  DATA_CODE_RANGE,
  MESSAGE_CODES,
  type Message,
  type MessageClass,
  type MessageType,
  type PeerEntry,
} from './messages.js';

export type DecodeResult =
  | { kind: 'message'; message: Message; size: number }
  /** `needed`: total size of the frame (length prefix included), once the prefix is in. */
  | { kind: 'incomplete'; needed?: number }
  | { kind: 'error'; error: DecodeError };

/** The smallest declared length: version and type bytes, empty body. */
const FRAME_LENGTH_MIN = FRAME_HEADER_BYTES - FRAME_LENGTH_BYTES;
/** The largest declared length: the whole frame may not exceed FRAME_MAX_BYTES. */
const FRAME_LENGTH_MAX = FRAME_MAX_BYTES - FRAME_LENGTH_BYTES;
const ASCII_MIN = 0x21;
const ASCII_MAX = 0x7e;

// ---------------------------------------------------------------------------------------
// Node IDs: base32.ts specialised to exactly 20 bytes ⇄ 32 characters, in groups of 5 bytes
// ⇄ 8 characters. 160 bits leave no unused bits, so any 32 characters of the alphabet are
// canonical. Every peer entry goes through here; the general functions build strings one
// character at a time and were the hot spot of decoding. The round-trip tests check that
// these agree with base32.ts.

const NODE_ID_CHARS = 32;

/**
 * Node IDs and addresses leave the decoder interned: one string object per value, process
 * wide. A node keeps hundreds of them (its views, directory, broadcast bookkeeping), each
 * decoded from some frame; a process simulating thousands of nodes held each value once
 * per node that heard it (8% of the heap per node at 1,000). The table is a cache of
 * values, so it changes no result; bounded by INTERNED_STRINGS_MAX.
 */
const interned = new Map<string, string>();

function intern(text: string): string {
  const known = interned.get(text);
  if (known !== undefined) return known;
  if (interned.size >= INTERNED_STRINGS_MAX) interned.clear();
  interned.set(text, text);
  return text;
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE32_CHAR = Uint8Array.from(BASE32_ALPHABET, (c) => c.charCodeAt(0));
const BASE32_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE32_CHAR.length; i++) BASE32_VALUE[BASE32_CHAR[i]!] = i;

/**
 * Node IDs already decoded, found by their bytes (an ID is a key's hash, so its first bytes
 * are random): most IDs a node decodes it has decoded before (peer lists, IHAVE origins,
 * announcements), and building a string only to find it in the interning table is wasted.
 */
const nodeIds = new StringCache(INTERNED_STRINGS_MAX, sameNodeId, (bytes, at) =>
  intern(nodeIdString(bytes, at)),
);
const idScratch = new Uint8Array(NODE_ID_BYTES);

/**
 * Addresses already decoded, found by an FNV-1a hash of their bytes: peer entries repeat
 * the same few thousand addresses, and building each string only to find it interned was
 * 1.8% of a 1,000-node hour's CPU profile.
 */
const addresses = new StringCache(INTERNED_STRINGS_MAX, sameAddress, (bytes, at, end) =>
  // One flat string: appending char by char built a rope of cons strings, which every
  // peer entry kept (a third of a simulated node's strings).
  intern(String.fromCharCode(...bytes.subarray(at, end))),
);

/** Whether `address` is the (ASCII) bytes[at, end). */
function sameAddress(address: string, bytes: Uint8Array, at: number, end: number): boolean {
  if (address.length !== end - at) return false;
  for (let i = 0; i < address.length; i++)
    if (address.charCodeAt(i) !== bytes[at + i]) return false;
  return true;
}

/** Whether `id` (a valid ID string) is the 20 bytes at `at`. */
function sameNodeId(id: NodeId, bytes: Uint8Array, at: number): boolean {
  writeNodeId(id, idScratch, 0);
  for (let i = 0; i < NODE_ID_BYTES; i++) if (idScratch[i] !== bytes[at + i]) return false;
  return true;
}

function nodeIdString(bytes: Uint8Array, at: number): string {
  const c = BASE32_CHAR;
  // One String.fromCharCode over all 32 codes: `id += group` would leave a tree of cons
  // cells (several times the flat size), and IDs are held by the thousand in every node.
  const codes = new Array<number>(NODE_ID_CHARS);
  for (let g = at, k = 0; g < at + NODE_ID_BYTES; g += 5, k += 8) {
    const b0 = bytes[g]!;
    const b1 = bytes[g + 1]!;
    const b2 = bytes[g + 2]!;
    const b3 = bytes[g + 3]!;
    const b4 = bytes[g + 4]!;
    codes[k] = c[b0 >>> 3]!;
    codes[k + 1] = c[((b0 & 7) << 2) | (b1 >>> 6)]!;
    codes[k + 2] = c[(b1 >>> 1) & 31]!;
    codes[k + 3] = c[((b1 & 1) << 4) | (b2 >>> 4)]!;
    codes[k + 4] = c[((b2 & 15) << 1) | (b3 >>> 7)]!;
    codes[k + 5] = c[(b3 >>> 2) & 31]!;
    codes[k + 6] = c[((b3 & 3) << 3) | (b4 >>> 5)]!;
    codes[k + 7] = c[b4 & 31]!;
  }
  return String.fromCharCode(...codes);
}

function base32Value(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? BASE32_VALUE[code]! : -1;
}

/** Writes the 20 bytes of `id` at `at`; false if it is not 32 characters of the alphabet. */
function writeNodeId(id: string, bytes: Uint8Array, at: number): boolean {
  if (id.length !== NODE_ID_CHARS) return false;
  for (let i = 0; i < NODE_ID_CHARS; i += 8, at += 5) {
    const v0 = base32Value(id, i);
    const v1 = base32Value(id, i + 1);
    const v2 = base32Value(id, i + 2);
    const v3 = base32Value(id, i + 3);
    const v4 = base32Value(id, i + 4);
    const v5 = base32Value(id, i + 5);
    const v6 = base32Value(id, i + 6);
    const v7 = base32Value(id, i + 7);
    if ((v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7) < 0) return false;
    bytes[at] = (v0 << 3) | (v1 >>> 2);
    bytes[at + 1] = ((v1 & 3) << 6) | (v2 << 1) | (v3 >>> 4);
    bytes[at + 2] = ((v3 & 15) << 4) | (v4 >>> 1);
    bytes[at + 3] = ((v4 & 1) << 7) | (v5 << 2) | (v6 >>> 3);
    bytes[at + 4] = ((v6 & 7) << 5) | v7;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Reader: bounds-checked, first error sticks; after an error every read returns a dummy.

const EMPTY = new Uint8Array(0);

export class Reader {
  error: DecodeError | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  /** Bytes left before the end of the frame. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private fail(reason: DecodeErrorReason, detail: string): void {
    if (this.error === null) this.error = { reason, detail };
    this.pos = this.end;
  }

  private need(n: number, what: string): boolean {
    if (this.end - this.pos >= n) return true;
    if (this.error === null) {
      this.fail('truncated-body', `${what}: needs ${n} bytes, ${this.end - this.pos} left`);
    }
    return false;
  }

  u8(what: string): number {
    if (!this.need(1, what)) return 0;
    return this.bytes[this.pos++]!;
  }

  fixed(n: number, what: string): Uint8Array {
    if (!this.need(n, what)) return EMPTY;
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * The next `n` bytes as a view into the frame, not a copy (Rule 4: broadcast fields only).
   * Copying each broadcast's body cost a backing store per receiver (`fixed` was 4.6% of a
   * 1,000-node profile) for bytes that are mostly dropped at once (a known record).
   */
  view(n: number, what: string): Uint8Array {
    if (!this.need(n, what)) return EMPTY;
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  nodeId(what: string): NodeId {
    if (!this.need(NODE_ID_BYTES, what)) return '';
    const id = nodeIds.get(
      prefixKey(this.bytes, this.pos),
      this.bytes,
      this.pos,
      this.pos + NODE_ID_BYTES,
    );
    this.pos += NODE_ID_BYTES;
    return id;
  }

  address(what: string): string {
    const length = this.u8(what);
    if (length > ADDRESS_MAX_BYTES) {
      this.fail('address-too-long', `${what}: ${length} bytes > ${ADDRESS_MAX_BYTES}`);
      return '';
    }
    if (!this.need(length, what)) return '';
    const end = this.pos + length;
    let hash = FNV_OFFSET;
    for (let i = this.pos; i < end; i++) {
      const c = this.bytes[i]!;
      if (c < ASCII_MIN || c > ASCII_MAX) {
        this.fail('bad-address-char', `${what}: byte 0x${c.toString(16)} at offset ${i}`);
        return '';
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    const text = addresses.get(hash, this.bytes, this.pos, end);
    this.pos = end;
    return text;
  }

  u16(what: string): number {
    if (!this.need(2, what)) return 0;
    const value = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return value;
  }

  u32(what: string): number {
    if (!this.need(4, what)) return 0;
    return this.u16(what) * 0x10000 + this.u16(what);
  }

  /** u48 big-endian milliseconds. */
  timestamp(what: string): number {
    if (!this.need(6, what)) return 0;
    let value = 0;
    for (let i = 0; i < 6; i++) value = value * 256 + this.bytes[this.pos + i]!;
    this.pos += 6;
    return value;
  }

  /** u16 length + bytes, at most `max` (a view into the frame if `view`). */
  blob(max: number, what: string, view = false): Uint8Array {
    const length = this.u16(what);
    if (length > max) {
      this.fail('blob-too-long', `${what}: ${length} bytes > ${max}`);
      return EMPTY;
    }
    return view ? this.view(length, what) : this.fixed(length, what);
  }

  /** u8 count (at most `max`) + items. */
  list<T>(max: number, what: string, item: () => T): T[] {
    const count = this.u8(what);
    if (count > max) {
      this.fail('too-many-items', `${what}: ${count} > ${max}`);
      return [];
    }
    const out: T[] = [];
    for (let i = 0; i < count && this.error === null; i++) out.push(item());
    return out;
  }

  /** A value read by a caller that failed its own check (e.g. an unknown enum byte). */
  reject(reason: DecodeErrorReason, detail: string): void {
    this.fail(reason, detail);
  }

  flag(what: string): boolean {
    const value = this.u8(what);
    if (value > 1) this.fail('bad-flag', `${what}: ${value} is neither 0 nor 1`);
    return value === 1;
  }

  ttl(what: string): number {
    const value = this.u8(what);
    if (value > TTL_MAX) this.fail('bad-ttl', `${what}: ${value} > ${TTL_MAX}`);
    return value;
  }

  entry(what: string): PeerEntry {
    const id = this.nodeId(what);
    const address = this.address(what);
    return { id, address };
  }

  entries(what: string): PeerEntry[] {
    const count = this.u8(what);
    if (count > PEER_ENTRIES_MAX) {
      this.fail('too-many-entries', `${what}: ${count} > ${PEER_ENTRIES_MAX}`);
      return [];
    }
    const out: PeerEntry[] = [];
    for (let i = 0; i < count && this.error === null; i++) out.push(this.entry(what));
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Writer: validates every value as it writes it. One scratch buffer of FRAME_MAX_BYTES is
// reused; the validated limits keep every frame far inside it (largest ≈ 2.8 KiB).

export class Writer {
  readonly bytes = new Uint8Array(FRAME_MAX_BYTES);
  pos = 0;

  u8(value: number): void {
    this.bytes[this.pos++] = value;
  }

  fixed(value: Uint8Array, length: number, what: string): void {
    if (!(value instanceof Uint8Array) || value.length !== length) {
      const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
      throw new WireEncodeError(`${what}: expected ${length} bytes, got ${got}`);
    }
    this.bytes.set(value, this.pos);
    this.pos += length;
  }

  nodeId(value: NodeId, what: string): void {
    if (typeof value !== 'string' || !writeNodeId(value, this.bytes, this.pos)) {
      throw new WireEncodeError(`${what}: not a canonical node ID: ${String(value)}`);
    }
    this.pos += NODE_ID_BYTES;
  }

  address(value: string, what: string): void {
    if (typeof value !== 'string' || value.length > ADDRESS_MAX_BYTES) {
      throw new WireEncodeError(`${what}: address longer than ${ADDRESS_MAX_BYTES} bytes`);
    }
    this.u8(value.length);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < ASCII_MIN || c > ASCII_MAX) {
        throw new WireEncodeError(`${what}: char code ${c} at ${i} is not printable ASCII`);
      }
      this.bytes[this.pos++] = c;
    }
  }

  u16(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new WireEncodeError(`${what}: ${value} is not a u16`);
    }
    this.bytes[this.pos++] = value >>> 8;
    this.bytes[this.pos++] = value & 0xff;
  }

  u32(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new WireEncodeError(`${what}: ${value} is not a u32`);
    }
    this.u16(Math.floor(value / 0x10000), what);
    this.u16(value % 0x10000, what);
  }

  timestamp(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > TIMESTAMP_MAX) {
      throw new WireEncodeError(`${what}: ${value} is not a timestamp in 0..2^48-1`);
    }
    for (let i = 5; i >= 0; i--)
      this.bytes[this.pos + i] = Math.floor(value / 256 ** (5 - i)) % 256;
    this.pos += 6;
  }

  blob(value: Uint8Array, max: number, what: string): void {
    if (!(value instanceof Uint8Array) || value.length > max) {
      throw new WireEncodeError(`${what}: not bytes of at most ${max}`);
    }
    this.u16(value.length, what);
    this.fixed(value, value.length, what);
  }

  list<T>(values: readonly T[], max: number, what: string, item: (value: T) => void): void {
    if (!Array.isArray(values) || values.length > max) {
      throw new WireEncodeError(`${what}: not a list of at most ${max}`);
    }
    this.u8(values.length);
    for (const value of values) item(value);
  }

  /** The written bytes, copied out of the scratch buffer. */
  take(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }

  flag(value: boolean, what: string): void {
    if (typeof value !== 'boolean') throw new WireEncodeError(`${what}: not a boolean`);
    this.u8(value ? 1 : 0);
  }

  ttl(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > TTL_MAX) {
      throw new WireEncodeError(`${what}: ${value} is not an integer in 0..${TTL_MAX}`);
    }
    this.u8(value);
  }

  entry(value: PeerEntry, what: string): void {
    this.nodeId(value.id, what);
    this.address(value.address, what);
  }

  entries(value: PeerEntry[], what: string): void {
    if (!Array.isArray(value) || value.length > PEER_ENTRIES_MAX) {
      throw new WireEncodeError(`${what}: not a list of at most ${PEER_ENTRIES_MAX} entries`);
    }
    this.u8(value.length);
    for (const entry of value) this.entry(entry, what);
  }
}

// ---------------------------------------------------------------------------------------
// Bodies: one reader and one writer per message type, fields in declaration order.

type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

interface BodyCodec<T extends MessageType> {
  write(w: Writer, m: MessageOf<T>): void;
  read(r: Reader): MessageOf<T>;
}

const BODIES: { [T in MessageType]: BodyCodec<T> } = {
  hello: {
    write(w, m) {
      w.fixed(m.signKey, PUBLIC_KEY_BYTES, 'hello.signKey');
      w.fixed(m.dhKey, PUBLIC_KEY_BYTES, 'hello.dhKey');
      w.address(m.address, 'hello.address');
      w.fixed(m.nonce, HELLO_NONCE_BYTES, 'hello.nonce');
    },
    read(r) {
      const signKey = r.fixed(PUBLIC_KEY_BYTES, 'hello.signKey');
      const dhKey = r.fixed(PUBLIC_KEY_BYTES, 'hello.dhKey');
      const address = r.address('hello.address');
      const nonce = r.fixed(HELLO_NONCE_BYTES, 'hello.nonce');
      return { type: 'hello', signKey, dhKey, address, nonce };
    },
  },
  auth: {
    write: (w, m) => w.fixed(m.signature, SIGNATURE_BYTES, 'auth.signature'),
    read: (r) => ({ type: 'auth', signature: r.fixed(SIGNATURE_BYTES, 'auth.signature') }),
  },
  join: {
    write() {},
    read: () => ({ type: 'join' }),
  },
  forwardJoin: {
    write(w, m) {
      w.entry(m.newcomer, 'forwardJoin.newcomer');
      w.ttl(m.ttl, 'forwardJoin.ttl');
    },
    read(r) {
      const newcomer = r.entry('forwardJoin.newcomer');
      const ttl = r.ttl('forwardJoin.ttl');
      return { type: 'forwardJoin', newcomer, ttl };
    },
  },
  neighbour: {
    write(w, m) {
      if (m.priority !== 'high' && m.priority !== 'low') {
        throw new WireEncodeError(`neighbour.priority: ${String(m.priority)}`);
      }
      w.u8(m.priority === 'high' ? 1 : 0);
    },
    read: (r) => ({ type: 'neighbour', priority: r.flag('neighbour.priority') ? 'high' : 'low' }),
  },
  neighbourReply: {
    write: (w, m) => w.flag(m.accepted, 'neighbourReply.accepted'),
    read: (r) => ({ type: 'neighbourReply', accepted: r.flag('neighbourReply.accepted') }),
  },
  disconnect: {
    write(w, m) {
      w.flag(m.leaving, 'disconnect.leaving');
      w.entries(m.suggestions, 'disconnect.suggestions');
    },
    read(r) {
      const leaving = r.flag('disconnect.leaving');
      const suggestions = r.entries('disconnect.suggestions');
      return { type: 'disconnect', leaving, suggestions };
    },
  },
  shuffle: {
    write(w, m) {
      w.entry(m.origin, 'shuffle.origin');
      w.ttl(m.ttl, 'shuffle.ttl');
      w.entries(m.entries, 'shuffle.entries');
    },
    read(r) {
      const origin = r.entry('shuffle.origin');
      const ttl = r.ttl('shuffle.ttl');
      const entries = r.entries('shuffle.entries');
      return { type: 'shuffle', origin, ttl, entries };
    },
  },
  shuffleReply: {
    write: (w, m) => w.entries(m.entries, 'shuffleReply.entries'),
    read: (r) => ({ type: 'shuffleReply', entries: r.entries('shuffleReply.entries') }),
  },
  ping: {
    write() {},
    read: () => ({ type: 'ping' }),
  },
  broadcast: {
    write(w, m) {
      w.fixed(m.id, BROADCAST_ID_BYTES, 'broadcast.id');
      w.nodeId(m.origin, 'broadcast.origin');
      w.timestamp(m.expiresAt, 'broadcast.expiresAt');
      checkBroadcastHops(m.hops);
      w.u8(m.hops);
      const kind = BROADCAST_KINDS.indexOf(m.kind);
      if (kind < 0) throw new WireEncodeError(`broadcast.kind: ${String(m.kind)}`);
      w.u8(kind + 1);
      w.blob(m.body, BROADCAST_BODY_MAX, 'broadcast.body');
    },
    read(r) {
      const id = r.view(BROADCAST_ID_BYTES, 'broadcast.id');
      const origin = r.nodeId('broadcast.origin');
      const expiresAt = r.timestamp('broadcast.expiresAt');
      const hops = r.u8('broadcast.hops');
      if (hops > BROADCAST_HOPS_MAX)
        r.reject('bad-hops', `broadcast.hops: ${hops} > ${BROADCAST_HOPS_MAX}`);
      const kindByte = r.u8('broadcast.kind');
      const kind = BROADCAST_KINDS[kindByte - 1];
      if (kind === undefined) r.reject('bad-kind', `broadcast.kind: byte ${kindByte}`);
      const body = r.blob(BROADCAST_BODY_MAX, 'broadcast.body', true);
      return { type: 'broadcast', id, origin, expiresAt, hops, kind: kind ?? 'probe', body };
    },
  },
  ihave: {
    write: (w, m) =>
      w.list(m.ids, IHAVE_IDS_MAX, 'ihave.ids', (id) =>
        w.fixed(id, BROADCAST_ID_BYTES, 'ihave.id'),
      ),
    read: (r) => ({
      type: 'ihave',
      ids: r.list(IHAVE_IDS_MAX, 'ihave.ids', () => r.view(BROADCAST_ID_BYTES, 'ihave.id')),
    }),
  },
  graft: {
    write: (w, m) => w.fixed(m.id, BROADCAST_ID_BYTES, 'graft.id'),
    read: (r) => ({ type: 'graft', id: r.view(BROADCAST_ID_BYTES, 'graft.id') }),
  },
  prune: {
    write() {},
    read: () => ({ type: 'prune' }),
  },
  closing: {
    write() {},
    read: () => ({ type: 'closing' }),
  },
  // No body: the whole directory (a join). A digest: u32 salt, u16 slices, u16 slice, then
  // the filter as a blob (directory/digest.ts).
  directoryRequest: {
    write(w, m) {
      const d = m.digest;
      if (d === undefined) return;
      if (!(Number.isInteger(d.slices) && d.slices >= 1 && d.slice >= 0 && d.slice < d.slices))
        throw new WireEncodeError(`directoryRequest.digest: slice ${d.slice} of ${d.slices}`);
      if (!(d.bits instanceof Uint8Array) || d.bits.length === 0)
        throw new WireEncodeError('directoryRequest.digest.bits: empty');
      w.u32(d.salt, 'directoryRequest.digest.salt');
      w.u16(d.slices, 'directoryRequest.digest.slices');
      w.u16(d.slice, 'directoryRequest.digest.slice');
      w.blob(d.bits, DIRECTORY_DIGEST_MAX_BYTES, 'directoryRequest.digest.bits');
    },
    read(r) {
      if (r.remaining === 0) return { type: 'directoryRequest' };
      const salt = r.u32('directoryRequest.digest.salt');
      const slices = r.u16('directoryRequest.digest.slices');
      const slice = r.u16('directoryRequest.digest.slice');
      const bits = r.blob(DIRECTORY_DIGEST_MAX_BYTES, 'directoryRequest.digest.bits');
      if (slices === 0 || slice >= slices || bits.length === 0)
        r.reject(
          'bad-digest',
          `directoryRequest.digest: slice ${slice} of ${slices}, ${bits.length} filter bytes`,
        );
      return { type: 'directoryRequest', digest: { salt, slices, slice, bits } };
    },
  },
  directoryChunk: {
    write: (w, m) =>
      w.list(m.descriptors, DIRECTORY_CHUNK_MAX, 'directoryChunk.descriptors', (d) =>
        w.blob(d, DESCRIPTOR_MAX_BYTES, 'directoryChunk.descriptor'),
      ),
    read: (r) => ({
      type: 'directoryChunk',
      descriptors: r.list(DIRECTORY_CHUNK_MAX, 'directoryChunk.descriptors', () =>
        r.blob(DESCRIPTOR_MAX_BYTES, 'directoryChunk.descriptor'),
      ),
    }),
  },
  // The packet is the whole body, unprefixed: its length is fixed, so a body of any other
  // length is refused with its own reason rather than as truncated or trailing bytes.
  onion: {
    write: (w, m) => w.fixed(m.packet, PACKET_BYTES, 'onion.packet'),
    read(r) {
      if (r.remaining !== PACKET_BYTES) {
        r.reject('bad-packet-size', `onion.packet: ${r.remaining} bytes, expected ${PACKET_BYTES}`);
        return { type: 'onion', packet: EMPTY };
      }
      return { type: 'onion', packet: r.fixed(PACKET_BYTES, 'onion.packet') };
    },
  },
};

// ---------------------------------------------------------------------------------------
// The code table, indexed by type byte; checked once at load.

if (FRAME_HEADER_BYTES + 1 + DIRECTORY_CHUNK_MAX * (2 + DESCRIPTOR_MAX_BYTES) > FRAME_MAX_BYTES) {
  throw new Error('limits: a full directory chunk does not fit in a frame');
}
const TYPE_BY_CODE: (MessageType | undefined)[] = new Array(256).fill(undefined);
for (const type of Object.keys(MESSAGE_CODES) as MessageType[]) {
  const { code, class: cls } = MESSAGE_CODES[type];
  const [low, high] = cls === 'control' ? CONTROL_CODE_RANGE : DATA_CODE_RANGE;
  if (code < low || code > high || TYPE_BY_CODE[code] !== undefined) {
    throw new Error(`MESSAGE_CODES: code 0x${code.toString(16)} of ${type} is misplaced`);
  }
  TYPE_BY_CODE[code] = type;
}

/** The type byte of a message type. */
export function messageCode(type: MessageType): number {
  return MESSAGE_CODES[type].code;
}

/** The message type of a type byte, or undefined if the byte is not in the table. */
export function messageTypeOf(code: number): MessageType | undefined {
  return TYPE_BY_CODE[code];
}

/** The class of a type byte, or undefined if the byte is not in the table. */
export function messageClass(code: number): MessageClass | undefined {
  const type = TYPE_BY_CODE[code];
  return type === undefined ? undefined : MESSAGE_CODES[type].class;
}

// ---------------------------------------------------------------------------------------
// Encode and decode.

const WRITER = new Writer();

/**
 * The whole frame of `message`, in a buffer of its own: for a frame that may be kept (the
 * broadcast cache). Throws WireEncodeError if the value has no encoding.
 */
export function encodeMessage(message: Message): Uint8Array {
  return WRITER.bytes.slice(0, encodeInWriter(message));
}

/** Where a broadcast frame's hop count is: after its ID, origin and u48 expiry. */
const BROADCAST_HOPS_OFFSET =
  FRAME_HEADER_BYTES + BROADCAST_ID_BYTES + NODE_ID_BYTES + TIMESTAMP_BYTES;

function checkBroadcastHops(hops: number): void {
  if (!Number.isInteger(hops) || hops < 0 || hops > BROADCAST_HOPS_MAX)
    throw new WireEncodeError(`broadcast.hops: ${hops} not in 0..${BROADCAST_HOPS_MAX}`);
}

/**
 * A copy of a received broadcast `frame` (one decodeFrame accepted) with its hop count set
 * to `hops`: the bytes encodeMessage gives for the same message with those hops, since every
 * field has exactly one encoding (test/wire/codec.test.ts checks it as a property). A node
 * passing a broadcast on re-encoded it field by field, its ID, origin and body copied and
 * its origin's base32 decoded again, at every hop.
 */
export function withBroadcastHops(frame: Uint8Array, hops: number): Uint8Array {
  if (frame[FRAME_HEADER_BYTES - 1] !== MESSAGE_CODES.broadcast.code)
    throw new WireEncodeError('withBroadcastHops: not a broadcast frame');
  checkBroadcastHops(hops);
  // A copy even of a Node Buffer, whose slice() is a view of the transport's bytes. Carved
  // from the kept frames' slabs: a buffer of its own per forwarded broadcast cost ~6× the
  // carving (a backing store to allocate and sweep), on the busiest path of a broadcast.
  const copy = KEPT_FRAMES.carve(frame.length);
  copy.set(frame);
  copy[BROADCAST_HOPS_OFFSET] = hops;
  return copy;
}

/**
 * The whole frame of `message` for sending now (links.ts), carved from a shared slab: a
 * buffer of its own per frame cost V8 a backing store each (a malloc, and a sweep by the
 * GC), more than encoding it. A frame pins its slab while anyone holds it, so only frames
 * dropped once sent come from here; large ones get their own buffer.
 */
export function encodeTransientMessage(message: Message): Uint8Array {
  const size = encodeInWriter(message);
  const frame = TRANSIENT_FRAMES.carve(size);
  frame.set(WRITER.bytes.subarray(0, size));
  return frame;
}

/**
 * Frames carved one after another from shared slabs of FRAME_SLAB_BYTES (a new slab when the
 * current one is full; those over FRAME_SLAB_CARVE_MAX get their own buffer). A carved frame
 * pins its slab while anyone holds it, so frames that live alike share slabs: those dropped
 * once sent, and those a node keeps a while (a broadcast's onward copy, in the payload cache
 * for messageCacheMs). Kept frames are carved in about the order they expire, so their slabs
 * hold at most the kept frames' bytes and one slab more.
 */
class FrameSlabs {
  private slab = new Uint8Array(FRAME_SLAB_BYTES);
  private used = 0;

  carve(size: number): Uint8Array {
    if (size > FRAME_SLAB_CARVE_MAX) return new Uint8Array(size);
    if (this.used + size > FRAME_SLAB_BYTES) {
      this.slab = new Uint8Array(FRAME_SLAB_BYTES);
      this.used = 0;
    }
    const frame = this.slab.subarray(this.used, this.used + size);
    this.used += size;
    return frame;
  }
}

/** Frames sent at once and never kept. */
const TRANSIENT_FRAMES = new FrameSlabs();
/** Frames a node may keep a while (broadcasts' onward copies, in the payload cache). */
const KEPT_FRAMES = new FrameSlabs();

const SHUFFLE_ADDRESS_LENGTH_OFFSET = FRAME_HEADER_BYTES + NODE_ID_BYTES;

/**
 * A received shuffle `frame` (one decodeFrame accepted) with its TTL set to `ttl`, for
 * sending at once (carved like encodeTransientMessage's frames; the received bytes are not
 * touched): the bytes encodeMessage gives for the same shuffle with that TTL, as for
 * withBroadcastHops. The TTL follows the origin entry (an ID, then a length-prefixed
 * address). A walk's forwarder passes the frame on instead of encoding its entries again.
 */
export function transientShuffleWithTtl(frame: Uint8Array, ttl: number): Uint8Array {
  if (frame[FRAME_HEADER_BYTES - 1] !== MESSAGE_CODES.shuffle.code)
    throw new WireEncodeError('transientShuffleWithTtl: not a shuffle frame');
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > TTL_MAX)
    throw new WireEncodeError(`shuffle.ttl: ${ttl} not in 0..${TTL_MAX}`);
  const addressLength = frame[SHUFFLE_ADDRESS_LENGTH_OFFSET] as number;
  const onward = TRANSIENT_FRAMES.carve(frame.length);
  onward.set(frame);
  onward[SHUFFLE_ADDRESS_LENGTH_OFFSET + 1 + addressLength] = ttl;
  return onward;
}

/** Encodes `message` into WRITER, header included; returns the frame's size. */
function encodeInWriter(message: Message): number {
  const type = message.type;
  if (!Object.hasOwn(BODIES, type)) {
    throw new WireEncodeError(`unknown message type: ${String(type)}`);
  }
  const w = WRITER;
  w.pos = FRAME_HEADER_BYTES;
  (BODIES[type] as BodyCodec<MessageType>).write(w, message);
  const size = w.pos;
  if (size > FRAME_MAX_BYTES) throw new Error(`bug: ${type} frame of ${size} bytes`);
  const bytes = w.bytes;
  const length = size - FRAME_LENGTH_BYTES;
  bytes[0] = length >>> 24;
  bytes[1] = (length >>> 16) & 0xff;
  bytes[2] = (length >>> 8) & 0xff;
  bytes[3] = length & 0xff;
  bytes[4] = PROTOCOL_VERSION;
  bytes[5] = MESSAGE_CODES[type].code;
  return size;
}

/** Why a declared frame length (the u32 prefix) is unacceptable, or null if it is fine. */
export function frameLengthError(length: number): DecodeError | null {
  if (length < FRAME_LENGTH_MIN) {
    return { reason: 'frame-too-short', detail: `declared length ${length} < ${FRAME_LENGTH_MIN}` };
  }
  if (length > FRAME_LENGTH_MAX) {
    return { reason: 'frame-too-long', detail: `declared length ${length} > ${FRAME_LENGTH_MAX}` };
  }
  return null;
}

/** The u32 big-endian length prefix at `offset` (4 bytes must be there). */
export function readFrameLength(bytes: Uint8Array, offset = 0): number {
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

const INCOMPLETE: DecodeResult = Object.freeze({ kind: 'incomplete' });

function failure(reason: DecodeErrorReason, detail: string): DecodeResult {
  return { kind: 'error', error: { reason, detail } };
}

/**
 * Decodes the first frame in `bytes`; bytes after it are left alone (`size` says how many
 * were consumed). Never throws.
 */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  if (bytes.length < FRAME_LENGTH_BYTES) return INCOMPLETE;
  const length = readFrameLength(bytes);
  const lengthError = frameLengthError(length);
  if (lengthError !== null) return { kind: 'error', error: lengthError };
  const size = FRAME_LENGTH_BYTES + length;
  if (bytes.length < size) return { kind: 'incomplete', needed: size };

  const version = bytes[FRAME_LENGTH_BYTES]!;
  if (version !== PROTOCOL_VERSION) {
    return failure('bad-version', `version ${version}, expected ${PROTOCOL_VERSION}`);
  }
  const code = bytes[FRAME_LENGTH_BYTES + 1]!;
  const type = TYPE_BY_CODE[code];
  if (type === undefined) return failure('unknown-type', `type byte 0x${code.toString(16)}`);

  // A Node Buffer's slice() is a view; read through a plain Uint8Array so fields are copies.
  const plain =
    bytes.constructor === Uint8Array
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new Reader(plain, FRAME_HEADER_BYTES, size);
  const message = BODIES[type].read(reader);
  if (reader.error !== null) return { kind: 'error', error: reader.error };
  if (reader.pos !== size) {
    return failure('trailing-body-bytes', `${size - reader.pos} bytes after the ${type} body`);
  }
  return { kind: 'message', message, size };
}
