/**
 * Codec tests driven by one case table (STYLE.md #10, after h11's SIMPLE_CASES): each case
 * is a message and its frame in hex. Every case is encoded, decoded whole, decoded from
 * every prefix, and decoded with trailing bytes. Then: bad frames with their reason, a
 * round-trip property, encode-side misuse, and the stream splitter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Encode } from '../../src/engine/base32.js';
import {
  decodeFrame,
  encodeMessage,
  encodeTransientMessage,
  messageClass,
  withBroadcastHops,
  transientShuffleWithTtl,
  messageCode,
  messageTypeOf,
} from '../../src/engine/wire/codec.js';
import {
  DECODE_ERROR_REASONS,
  type DecodeErrorReason,
  WireEncodeError,
} from '../../src/engine/wire/errors.js';
import { PACKET_BYTES } from '../../src/engine/onion/limits.js';
import { FrameSplitter, FrameSplitterError } from '../../src/engine/wire/framing.js';
import {
  ADDRESS_MAX_BYTES,
  BROADCAST_HOPS_MAX,
  FRAME_LENGTH_BYTES,
  FRAME_MAX_BYTES,
  PEER_ENTRIES_MAX,
  TTL_MAX,
} from '../../src/engine/wire/limits.js';
import {
  MESSAGE_CODES,
  type Message,
  type MessageType,
  type PeerEntry,
} from '../../src/engine/wire/messages.js';
import { arbMessage, arbMessageOfType } from './arbitraries.js';

// ---------------------------------------------------------------------------------------
// Hex helpers: spaces in hex literals are for the reader only.

const clean = (hex: string): string => hex.replace(/\s+/g, '');
const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(clean(hex), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** `n` bytes counting up from `start`, as hex. */
const seq = (start: number, n: number): string =>
  Array.from({ length: n }, (_, i) => ((start + i) & 0xff).toString(16).padStart(2, '0')).join('');
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

// Node IDs and their raw bytes.
const ID_A = 'aaaqeayeaudaocajbifqydiob4ibceqt';
const ID_A_HEX = seq(0x00, 20);
const ID_B = 'vov2xk5l'.repeat(4);
const ID_B_HEX = 'ab'.repeat(20);
const ID_F = '7'.repeat(32);
const ID_F_HEX = 'ff'.repeat(20);

/** 64 characters, the extremes of the accepted range at both ends. */
const ADDRESS_MAX = '!' + 'a'.repeat(62) + '~';
const ADDRESS_MAX_HEX = '40 21' + '61'.repeat(62) + '7e';
const MAX_ENTRIES: PeerEntry[] = Array.from({ length: 32 }, () => ({
  id: ID_F,
  address: ADDRESS_MAX,
}));
const MAX_ENTRIES_HEX = `20 ${(ID_F_HEX + ADDRESS_MAX_HEX).repeat(32)}`;

// ---------------------------------------------------------------------------------------
// The case table.

interface Case {
  name: string;
  message: Message;
  /** The whole frame: length, version, type, body. */
  hex: string;
}

const CASES: Case[] = [
  {
    name: 'hello',
    message: {
      type: 'hello',
      signKey: fromHex(seq(0x00, 32)),
      dhKey: fromHex(seq(0x20, 32)),
      address: '127.0.0.1:7000',
      nonce: fromHex(seq(0x40, 16)),
    },
    hex: `00000061 01 01 ${seq(0x00, 32)} ${seq(0x20, 32)}
          0e 3132372e302e302e313a37303030 ${seq(0x40, 16)}`,
  },
  {
    name: 'hello, empty address',
    message: {
      type: 'hello',
      signKey: fromHex('ff'.repeat(32)),
      dhKey: fromHex('00'.repeat(32)),
      address: '',
      nonce: fromHex('5a'.repeat(16)),
    },
    hex: `00000053 01 01 ${'ff'.repeat(32)} ${'00'.repeat(32)} 00 ${'5a'.repeat(16)}`,
  },
  {
    name: 'hello, address of ADDRESS_MAX_BYTES',
    message: {
      type: 'hello',
      signKey: fromHex(seq(0x80, 32)),
      dhKey: fromHex(seq(0xa0, 32)),
      address: ADDRESS_MAX,
      nonce: fromHex(seq(0xf8, 16)),
    },
    hex: `00000093 01 01 ${seq(0x80, 32)} ${seq(0xa0, 32)} ${ADDRESS_MAX_HEX} ${seq(0xf8, 16)}`,
  },
  {
    name: 'auth',
    message: { type: 'auth', signature: fromHex(seq(0x00, 64)) },
    hex: `00000042 01 02 ${seq(0x00, 64)}`,
  },
  { name: 'join', message: { type: 'join' }, hex: '00000002 01 10' },
  {
    name: 'forwardJoin, ttl 0',
    message: { type: 'forwardJoin', newcomer: { id: ID_A, address: '10.0.0.2:9' }, ttl: 0 },
    hex: `00000022 01 11 ${ID_A_HEX} 0a 31302e302e302e323a39 00`,
  },
  {
    name: 'forwardJoin, ttl TTL_MAX, empty address',
    message: { type: 'forwardJoin', newcomer: { id: ID_F, address: '' }, ttl: TTL_MAX },
    hex: `00000018 01 11 ${ID_F_HEX} 00 10`,
  },
  {
    name: 'neighbour, high',
    message: { type: 'neighbour', priority: 'high' },
    hex: '00000003 01 12 01',
  },
  {
    name: 'neighbour, low',
    message: { type: 'neighbour', priority: 'low' },
    hex: '00000003 01 12 00',
  },
  {
    name: 'neighbourReply, accepted',
    message: { type: 'neighbourReply', accepted: true },
    hex: '00000003 01 13 01',
  },
  {
    name: 'neighbourReply, refused',
    message: { type: 'neighbourReply', accepted: false },
    hex: '00000003 01 13 00',
  },
  {
    name: 'disconnect, leaving, no suggestions',
    message: { type: 'disconnect', leaving: true, suggestions: [] },
    hex: '00000004 01 14 01 00',
  },
  {
    name: 'disconnect, staying, two suggestions',
    message: {
      type: 'disconnect',
      leaving: false,
      suggestions: [
        { id: ID_A, address: 'a:1' },
        { id: ID_B, address: '' },
      ],
    },
    hex: `00000031 01 14 00 02 ${ID_A_HEX} 03 613a31 ${ID_B_HEX} 00`,
  },
  {
    name: 'shuffle, one entry',
    message: {
      type: 'shuffle',
      origin: { id: ID_B, address: 'h:2' },
      ttl: 3,
      entries: [{ id: ID_A, address: 'x:3' }],
    },
    hex: `00000034 01 15 ${ID_B_HEX} 03 683a32 03 01 ${ID_A_HEX} 03 783a33`,
  },
  {
    name: 'shuffle, PEER_ENTRIES_MAX entries of ADDRESS_MAX_BYTES (the largest frame)',
    message: {
      type: 'shuffle',
      origin: { id: ID_A, address: 'o:1' },
      ttl: TTL_MAX,
      entries: MAX_ENTRIES,
    },
    hex: `00000abc 01 15 ${ID_A_HEX} 03 6f3a31 10 ${MAX_ENTRIES_HEX}`,
  },
  {
    name: 'shuffleReply, no entries',
    message: { type: 'shuffleReply', entries: [] },
    hex: '00000003 01 16 00',
  },
  {
    name: 'shuffleReply, IPv6 entry',
    message: { type: 'shuffleReply', entries: [{ id: ID_A, address: '[::1]:80' }] },
    hex: `00000020 01 16 01 ${ID_A_HEX} 08 5b3a3a315d3a3830`,
  },
  {
    name: 'shuffleReply, PEER_ENTRIES_MAX entries',
    message: { type: 'shuffleReply', entries: MAX_ENTRIES },
    hex: `00000aa3 01 16 ${MAX_ENTRIES_HEX}`,
  },
  { name: 'ping', message: { type: 'ping' }, hex: '00000002 01 17' },
  {
    name: 'broadcast, descriptor kind, 3-byte body',
    message: {
      type: 'broadcast',
      id: fromHex(seq(0x10, 16)),
      origin: ID_A,
      expiresAt: 1_700_000_000_000,
      hops: 5,
      kind: 'descriptor',
      body: fromHex('616263'),
    },
    hex: `00000033 01 20 ${seq(0x10, 16)} ${ID_A_HEX} 018bcfe56800 05 01 0003 616263`,
  },
  {
    name: 'broadcast, probe kind, empty body, hop limit 0',
    message: {
      type: 'broadcast',
      id: fromHex(seq(0x10, 16)),
      origin: ID_A,
      expiresAt: 0,
      hops: 0,
      kind: 'probe',
      body: new Uint8Array(0),
    },
    hex: `00000030 01 20 ${seq(0x10, 16)} ${ID_A_HEX} 000000000000 00 03 0000`,
  },
  {
    name: 'ihave, two IDs',
    message: { type: 'ihave', ids: [fromHex(seq(0x00, 16)), fromHex(seq(0x80, 16))] },
    hex: `00000023 01 21 02 ${seq(0x00, 16)} ${seq(0x80, 16)}`,
  },
  {
    name: 'graft',
    message: { type: 'graft', id: fromHex(seq(0x20, 16)) },
    hex: `00000012 01 22 ${seq(0x20, 16)}`,
  },
  { name: 'prune', message: { type: 'prune' }, hex: '00000002 01 23' },
  { name: 'closing', message: { type: 'closing' }, hex: '00000002 01 03' },
  { name: 'directoryRequest', message: { type: 'directoryRequest' }, hex: '00000002 01 24' },
  {
    name: 'directoryRequest with a digest (salt, slice 1 of 3, 2 filter bytes)',
    message: {
      type: 'directoryRequest',
      digest: { salt: 0xdeadbeef, slices: 3, slice: 1, bits: fromHex('a55a') },
    },
    hex: '0000000e 01 24 deadbeef 0003 0001 0002 a55a',
  },
  {
    name: 'directoryChunk, two descriptors (one empty)',
    message: { type: 'directoryChunk', descriptors: [fromHex('abcd'), new Uint8Array(0)] },
    hex: '00000009 01 25 02 0002 abcd 0000',
  },
  {
    name: 'onion, one packet of PACKET_BYTES',
    message: { type: 'onion', packet: fromHex(seq(0x00, PACKET_BYTES)) },
    hex: `00000802 01 40 ${seq(0x00, PACKET_BYTES)}`,
  },
];

describe('codec case table', () => {
  it('covers every message type', () => {
    const covered = new Set(CASES.map((c) => c.message.type));
    expect([...covered].sort()).toEqual(Object.keys(MESSAGE_CODES).sort());
  });

  describe.each(CASES)('$name', ({ message, hex }) => {
    const bytes = fromHex(hex);

    it('encodes to the expected bytes', () => {
      expect(toHex(encodeMessage(message))).toBe(clean(hex));
    });

    it('decodes whole', () => {
      expect(decodeFrame(bytes)).toEqual({ kind: 'message', message, size: bytes.length });
    });

    it('is incomplete on every proper prefix', () => {
      for (let n = 0; n < bytes.length; n++) {
        const needed = n < FRAME_LENGTH_BYTES ? undefined : bytes.length;
        expect(decodeFrame(bytes.subarray(0, n))).toEqual({ kind: 'incomplete', needed });
      }
    });

    it('decodes the first frame and leaves trailing bytes', () => {
      const followed = concat(bytes, fromHex('00000002 01 17 ff'));
      expect(decodeFrame(followed)).toEqual({ kind: 'message', message, size: bytes.length });
    });

    it('decodes from a Node Buffer into fields that do not alias it, but for broadcast IDs and bodies (Rule 4)', () => {
      const buffer = Buffer.from(bytes);
      const result = decodeFrame(buffer);
      buffer.fill(0xee);
      if (!VIEW_TYPES.has(message.type)) {
        expect(result).toEqual({ kind: 'message', message, size: bytes.length });
        return;
      }
      // The views show the overwrite; every other field is still what was decoded.
      if (result.kind !== 'message') throw new Error('not decoded');
      const views = viewsOf(result.message);
      expect(views.length).toBeGreaterThan(0);
      for (const view of views) {
        expect(view.buffer).toBe(buffer.buffer);
        expect(view.every((b) => b === 0xee)).toBe(true);
      }
      const others = { ...result.message, id: undefined, ids: undefined, body: undefined };
      expect(others).toEqual({ ...message, id: undefined, ids: undefined, body: undefined });
    });
  });
});

/** Message types whose broadcast IDs and bodies decode as views into the frame (Rule 4). */
const VIEW_TYPES = new Set(['broadcast', 'ihave', 'graft']);

/** The non-empty byte fields of a broadcast, IHAVE or GRAFT that are views. */
function viewsOf(message: Message): Uint8Array[] {
  const all =
    message.type === 'broadcast'
      ? [message.id, message.body]
      : message.type === 'ihave'
        ? message.ids
        : message.type === 'graft'
          ? [message.id]
          : [];
  return all.filter((bytes) => bytes.length > 0);
}

// ---------------------------------------------------------------------------------------
// Bad frames: every DecodeErrorReason is reached at least once.

interface BadCase {
  name: string;
  hex: string;
  reason: DecodeErrorReason;
}

const BAD_CASES: BadCase[] = [
  { name: 'declared length 0', hex: '00000000', reason: 'frame-too-short' },
  { name: 'declared length 1', hex: '00000001 01', reason: 'frame-too-short' },
  { name: 'declared length one above the maximum', hex: '00001ffd', reason: 'frame-too-long' },
  { name: 'declared length 2^32 - 1', hex: 'ffffffff', reason: 'frame-too-long' },
  { name: 'version 0', hex: '00000002 00 17', reason: 'bad-version' },
  { name: 'version 2', hex: '00000002 02 17', reason: 'bad-version' },
  { name: 'type 0x00', hex: '00000002 01 00', reason: 'unknown-type' },
  {
    name: 'type 0x41 (data range, not yet defined)',
    hex: '00000002 01 41',
    reason: 'unknown-type',
  },
  { name: 'type 0xff', hex: '00000002 01 ff', reason: 'unknown-type' },
  {
    name: 'auth, signature one byte short',
    hex: `00000041 01 02 ${seq(0, 63)}`,
    reason: 'truncated-body',
  },
  { name: 'neighbour, empty body', hex: '00000002 01 12', reason: 'truncated-body' },
  {
    name: 'hello, address longer than the rest of the frame',
    hex: `00000045 01 01 ${seq(0, 64)} 0e 3132`,
    reason: 'truncated-body',
  },
  {
    name: 'shuffleReply, count 2 with one entry',
    hex: `00000018 01 16 02 ${ID_A_HEX} 00`,
    reason: 'truncated-body',
  },
  { name: 'ping with one byte of body', hex: '00000003 01 17 00', reason: 'trailing-body-bytes' },
  {
    name: 'directoryRequest digest, slice equal to the slice count',
    hex: '0000000e 01 24 00000001 0002 0002 0002 ffff',
    reason: 'bad-digest',
  },
  {
    name: 'directoryRequest digest, zero slices',
    hex: '0000000e 01 24 00000001 0000 0000 0002 ffff',
    reason: 'bad-digest',
  },
  {
    name: 'directoryRequest digest, empty filter',
    hex: '0000000c 01 24 00000001 0001 0000 0000',
    reason: 'bad-digest',
  },
  {
    name: 'directoryRequest digest, filter over DIRECTORY_DIGEST_MAX_BYTES',
    hex: '0000000c 01 24 00000001 0001 0000 1001',
    reason: 'blob-too-long',
  },
  {
    name: 'directoryRequest digest cut inside the salt',
    hex: '00000004 01 24 0000',
    reason: 'truncated-body',
  },
  { name: 'neighbour with two bytes', hex: '00000004 01 12 01 00', reason: 'trailing-body-bytes' },
  {
    name: 'forwardJoin, address of 65 bytes',
    hex: `00000059 01 11 ${ID_A_HEX} 41 ${'61'.repeat(65)} 00`,
    reason: 'address-too-long',
  },
  {
    name: 'forwardJoin, address with a space',
    hex: `00000019 01 11 ${ID_A_HEX} 01 20 00`,
    reason: 'bad-address-char',
  },
  {
    name: 'forwardJoin, address with DEL',
    hex: `00000019 01 11 ${ID_A_HEX} 01 7f 00`,
    reason: 'bad-address-char',
  },
  {
    name: 'hello, address with a non-ASCII byte',
    hex: `00000056 01 01 ${seq(0, 64)} 03 61 c3 a9 ${seq(0, 16)}`,
    reason: 'bad-address-char',
  },
  {
    name: 'shuffleReply, address with NUL',
    hex: `0000001b 01 16 01 ${ID_A_HEX} 03 61 00 62`,
    reason: 'bad-address-char',
  },
  { name: 'shuffleReply, 33 entries', hex: '00000003 01 16 21', reason: 'too-many-entries' },
  { name: 'disconnect, 255 suggestions', hex: '00000004 01 14 00 ff', reason: 'too-many-entries' },
  { name: 'forwardJoin, ttl 17', hex: `00000018 01 11 ${ID_F_HEX} 00 11`, reason: 'bad-ttl' },
  {
    name: 'shuffle, ttl 255',
    hex: `00000019 01 15 ${ID_F_HEX} 00 ff 00`,
    reason: 'bad-ttl',
  },
  { name: 'neighbour, priority 2', hex: '00000003 01 12 02', reason: 'bad-flag' },
  { name: 'neighbourReply, accepted 0xff', hex: '00000003 01 13 ff', reason: 'bad-flag' },
  { name: 'disconnect, leaving 2', hex: '00000004 01 14 02 00', reason: 'bad-flag' },
  {
    name: 'broadcast, kind byte 4',
    hex: `00000030 01 20 ${seq(0x10, 16)} ${ID_A_HEX} 000000000000 00 04 0000`,
    reason: 'bad-kind',
  },
  {
    name: 'broadcast, hop limit 33',
    hex: `00000030 01 20 ${seq(0x10, 16)} ${ID_A_HEX} 000000000000 21 01 0000`,
    reason: 'bad-hops',
  },
  {
    name: 'broadcast, body of 1025 bytes declared',
    hex: `00000030 01 20 ${seq(0x10, 16)} ${ID_A_HEX} 000000000000 00 01 0401`,
    reason: 'blob-too-long',
  },
  { name: 'ihave, 65 IDs declared', hex: '00000003 01 21 41', reason: 'too-many-items' },
  { name: 'onion, empty body', hex: '00000002 01 40', reason: 'bad-packet-size' },
  {
    name: 'onion, packet one byte short',
    hex: `00000801 01 40 ${seq(0, PACKET_BYTES - 1)}`,
    reason: 'bad-packet-size',
  },
  {
    name: 'onion, packet one byte long',
    hex: `00000803 01 40 ${seq(0, PACKET_BYTES + 1)}`,
    reason: 'bad-packet-size',
  },
];

describe('bad frames', () => {
  it('reach every DecodeErrorReason', () => {
    const reached = new Set(BAD_CASES.map((c) => c.reason));
    expect([...reached].sort()).toEqual([...DECODE_ERROR_REASONS].sort());
  });

  it.each(BAD_CASES)('$name: $reason', ({ hex, reason }) => {
    const result = decodeFrame(fromHex(hex));
    expect(result.kind).toBe('error');
    if (result.kind === 'error') {
      expect(result.error.reason).toBe(reason);
      expect(result.error.detail).not.toBe('');
    }
  });

  it('rejects an out-of-bounds length as soon as its 4 bytes are in', () => {
    expect(decodeFrame(fromHex('00001ffd')).kind).toBe('error');
    expect(decodeFrame(fromHex('00001ffc'))).toEqual({
      kind: 'incomplete',
      needed: FRAME_MAX_BYTES,
    });
    expect(decodeFrame(fromHex('000000'))).toEqual({ kind: 'incomplete' });
  });
});

// ---------------------------------------------------------------------------------------

describe('round trip', () => {
  it('decode(encode(m)) is m, and consumes the whole frame', () => {
    fc.assert(
      fc.property(arbMessage, (message) => {
        const bytes = encodeMessage(message);
        expect(bytes.length).toBeLessThanOrEqual(FRAME_MAX_BYTES);
        expect(decodeFrame(bytes)).toEqual({ kind: 'message', message, size: bytes.length });
      }),
      { numRuns: 2_000 },
    );
  });

  it('a broadcast frame re-stamped with other hops is the encoding of the message with them', () => {
    fc.assert(
      fc.property(
        arbMessageOfType.broadcast,
        fc.integer({ min: 0, max: BROADCAST_HOPS_MAX }),
        (message, hops) => {
          const frame = encodeMessage(message);
          const before = toHex(frame);
          const restamped = withBroadcastHops(frame, hops);
          expect(toHex(restamped)).toBe(toHex(encodeMessage({ ...message, hops })));
          expect(toHex(frame)).toBe(before); // a copy: the received frame is not touched
          const buffer = Buffer.from(frame); // a Node Buffer, whose slice() is a view
          expect(toHex(withBroadcastHops(buffer, hops))).toBe(toHex(restamped));
          expect(toHex(buffer)).toBe(before);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('re-stamping refuses what is not a broadcast frame or not a hop count', () => {
    const ping = encodeMessage({ type: 'ping' });
    expect(() => withBroadcastHops(ping, 1)).toThrow(WireEncodeError);
    const broadcast = encodeMessage({
      type: 'broadcast',
      id: new Uint8Array(16),
      origin: base32Encode(new Uint8Array(20)),
      expiresAt: 1,
      hops: 3,
      kind: 'probe',
      body: new Uint8Array(0),
    });
    for (const hops of [-1, BROADCAST_HOPS_MAX + 1, 1.5])
      expect(() => withBroadcastHops(broadcast, hops)).toThrow(WireEncodeError);
  });

  it('a shuffle frame re-stamped with another TTL is the encoding of the shuffle with it', () => {
    fc.assert(
      fc.property(
        arbMessageOfType.shuffle,
        fc.integer({ min: 0, max: TTL_MAX }),
        (message, ttl) => {
          const frame = encodeMessage(message);
          const before = toHex(frame);
          const buffer = Buffer.from(frame); // a Node Buffer, as the transport hands it over
          expect(toHex(transientShuffleWithTtl(frame, ttl))).toBe(
            toHex(encodeMessage({ ...message, ttl })),
          );
          expect(toHex(transientShuffleWithTtl(buffer, ttl))).toBe(
            toHex(encodeMessage({ ...message, ttl })),
          );
          expect(toHex(frame)).toBe(before); // the received frame is not touched
          expect(toHex(buffer)).toBe(before);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('re-stamping refuses what is not a shuffle frame or not a TTL', () => {
    expect(() => transientShuffleWithTtl(encodeMessage({ type: 'ping' }), 1)).toThrow(
      WireEncodeError,
    );
    const shuffle = encodeMessage({
      type: 'shuffle',
      origin: entry({}),
      ttl: 3,
      entries: [entry({})],
    });
    for (const ttl of [-1, TTL_MAX + 1, 1.5])
      expect(() => transientShuffleWithTtl(shuffle, ttl)).toThrow(WireEncodeError);
  });

  it('frames carved from the shared slabs are the same bytes, and none overwrites another', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 40 }), (messages) => {
        // Enough frames to fill several slabs: every earlier frame must still hold its bytes.
        const sent = messages.flatMap((m) => Array.from({ length: 10 }, () => m));
        const frames = sent.map((m) => encodeTransientMessage(m));
        frames.forEach((frame, i) => {
          expect(toHex(frame)).toBe(toHex(encodeMessage(sent[i] as Message)));
          expect(decodeFrame(frame)).toEqual({
            kind: 'message',
            message: sent[i],
            size: frame.length,
          });
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('node IDs on the wire', () => {
  it('are the bytes base32.ts gives, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (raw) => {
        const frame = fromHex(`00000018 01 11 ${toHex(raw)} 00 00`);
        const message: Message = {
          type: 'forwardJoin',
          newcomer: { id: base32Encode(raw), address: '' },
          ttl: 0,
        };
        expect(toHex(encodeMessage(message))).toBe(toHex(frame));
        expect(decodeFrame(frame)).toEqual({ kind: 'message', message, size: frame.length });
      }),
      { numRuns: 2_000 },
    );
  });
  it('are told apart when they share their first bytes (the decoder caches IDs by prefix)', () => {
    const tail = fc.uint8Array({ minLength: 16, maxLength: 16 });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.array(tail, { minLength: 2, maxLength: 6 }),
        (prefix, tails) => {
          // Decoded in turns, so each ID meets the cache holding another one of its prefix.
          for (const round of [0, 1]) {
            for (const rest of round === 0 ? tails : [...tails].reverse()) {
              const raw = new Uint8Array([...prefix, ...rest]);
              const frame = fromHex(`00000018 01 11 ${toHex(raw)} 00 00`);
              const decoded = decodeFrame(frame);
              expect(decoded.kind === 'message' && decoded.message).toEqual({
                type: 'forwardJoin',
                newcomer: { id: base32Encode(raw), address: '' },
                ttl: 0,
              });
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('addresses', () => {
  const ID = base32Encode(new Uint8Array(20).fill(7));
  const joinOf = (address: string): Message => ({
    type: 'forwardJoin',
    newcomer: { id: ID, address },
    ttl: 0,
  });
  const roundTrip = (address: string): void => {
    const frame = encodeMessage(joinOf(address));
    const decoded = decodeFrame(frame);
    expect(decoded.kind === 'message' && decoded.message).toEqual(joinOf(address));
  };

  it('are told apart when their hashes collide (the decoder caches them by FNV-1a hash)', () => {
    // Known FNV-1a 32-bit collisions: each pair has one hash, so each decode in turn meets
    // the cache holding the other address.
    const pairs = [
      ['costarring', 'liquid'],
      ['declinate', 'macallums'],
      ['altarage', 'zinke'],
    ];
    for (const round of [0, 1, 2])
      for (const [a, b] of pairs)
        for (const address of round === 1 ? [b, a] : [a, b]) roundTrip(address as string);
  });

  it('decode to what was encoded, in any order', () => {
    const printable = fc
      .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 0, maxLength: ADDRESS_MAX_BYTES })
      .map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 8 }), (addresses) => {
        for (const address of [...addresses, ...[...addresses].reverse()]) roundTrip(address);
      }),
      { numRuns: 500 },
    );
  });
});

describe('message code table', () => {
  it('maps every type to its code and back; only onion is data, in 0x40..0x7f', () => {
    for (const type of Object.keys(MESSAGE_CODES) as MessageType[]) {
      const code = messageCode(type);
      expect(messageTypeOf(code)).toBe(type);
      expect(messageClass(code)).toBe(type === 'onion' ? 'data' : 'control');
      expect(code >= 0x40 && code <= 0x7f).toBe(type === 'onion');
    }
    expect(messageTypeOf(0x00)).toBeUndefined();
    expect(messageClass(0x40)).toBe('data');
    expect(messageClass(0x41)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// Encode-side misuse: our own invalid values throw WireEncodeError.

const KEY = new Uint8Array(32);
const NONCE = new Uint8Array(16);
const hello = (fields: Partial<Extract<Message, { type: 'hello' }>>): Message => ({
  type: 'hello',
  signKey: KEY,
  dhKey: KEY,
  address: 'a:1',
  nonce: NONCE,
  ...fields,
});
const entry = (fields: Partial<PeerEntry>): PeerEntry => ({ id: ID_A, address: 'a:1', ...fields });
const tooMany = (): PeerEntry[] => Array.from({ length: PEER_ENTRIES_MAX + 1 }, () => entry({}));

const ENCODE_ERRORS: { name: string; message: Message }[] = [
  { name: 'hello, short sign key', message: hello({ signKey: new Uint8Array(31) }) },
  { name: 'hello, long dh key', message: hello({ dhKey: new Uint8Array(33) }) },
  { name: 'hello, short nonce', message: hello({ nonce: new Uint8Array(15) }) },
  { name: 'hello, key not bytes', message: hello({ signKey: [1, 2] as unknown as Uint8Array }) },
  {
    name: 'hello, address too long',
    message: hello({ address: 'a'.repeat(ADDRESS_MAX_BYTES + 1) }),
  },
  { name: 'hello, address with a space', message: hello({ address: 'a b' }) },
  { name: 'hello, non-ASCII address', message: hello({ address: 'caf\u00e9:1' }) },
  { name: 'auth, short signature', message: { type: 'auth', signature: new Uint8Array(63) } },
  {
    name: 'forwardJoin, uppercase node ID',
    message: { type: 'forwardJoin', newcomer: entry({ id: ID_A.toUpperCase() }), ttl: 1 },
  },
  {
    name: 'forwardJoin, node ID of 19 bytes',
    message: {
      type: 'forwardJoin',
      newcomer: entry({ id: base32Encode(new Uint8Array(19)) }),
      ttl: 1,
    },
  },
  {
    name: 'forwardJoin, node ID with a digit outside the alphabet',
    message: { type: 'forwardJoin', newcomer: entry({ id: 'a'.repeat(31) + '1' }), ttl: 1 },
  },
  {
    name: 'forwardJoin, node ID with a non-ASCII character',
    message: { type: 'forwardJoin', newcomer: entry({ id: '\u00e9' + 'a'.repeat(31) }), ttl: 1 },
  },
  {
    name: 'forwardJoin, padded node ID',
    message: { type: 'forwardJoin', newcomer: entry({ id: ID_A + '=' }), ttl: 1 },
  },
  { name: 'forwardJoin, ttl 17', message: { type: 'forwardJoin', newcomer: entry({}), ttl: 17 } },
  { name: 'forwardJoin, ttl -1', message: { type: 'forwardJoin', newcomer: entry({}), ttl: -1 } },
  { name: 'forwardJoin, ttl 1.5', message: { type: 'forwardJoin', newcomer: entry({}), ttl: 1.5 } },
  {
    name: 'neighbour, unknown priority',
    message: { type: 'neighbour', priority: 'medium' as 'high' },
  },
  {
    name: 'neighbourReply, accepted not boolean',
    message: { type: 'neighbourReply', accepted: 1 as unknown as boolean },
  },
  {
    name: 'disconnect, too many suggestions',
    message: { type: 'disconnect', leaving: true, suggestions: tooMany() },
  },
  {
    name: 'shuffle, too many entries',
    message: { type: 'shuffle', origin: entry({}), ttl: 0, entries: tooMany() },
  },
  {
    name: 'shuffleReply, bad node ID in an entry',
    message: { type: 'shuffleReply', entries: [entry({}), entry({ id: 'not-an-id' })] },
  },
  {
    name: 'onion, packet one byte short',
    message: { type: 'onion', packet: new Uint8Array(2047) },
  },
  { name: 'onion, packet one byte long', message: { type: 'onion', packet: new Uint8Array(2049) } },
  {
    name: 'onion, packet not bytes',
    message: { type: 'onion', packet: [] as unknown as Uint8Array },
  },
  { name: 'unknown type', message: { type: 'bogus' } as unknown as Message },
  { name: 'inherited property as type', message: { type: 'toString' } as unknown as Message },
];

describe('encode errors', () => {
  it.each(ENCODE_ERRORS)('$name throws WireEncodeError', ({ message }) => {
    expect(() => encodeMessage(message)).toThrow(WireEncodeError);
    // A failed encode leaves nothing behind.
    expect(toHex(encodeMessage({ type: 'ping' }))).toBe('000000020117');
  });
});

// ---------------------------------------------------------------------------------------
// FrameSplitter.

/** Pushes each chunk and drains after each; returns the frames or the first error. */
function split(splitter: FrameSplitter, chunks: Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    for (;;) {
      const result = splitter.next();
      if (result.kind === 'none') break;
      if (result.kind === 'error') throw new Error(`split error: ${result.error.reason}`);
      frames.push(result.bytes);
    }
    expect(splitter.bufferedBytes).toBeLessThan(FRAME_MAX_BYTES);
  }
  return frames;
}

/** Cuts `bytes` at the given points (taken modulo its length, sorted). */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...at, bytes.length]) {
    chunks.push(bytes.slice(start, p));
    start = p;
  }
  return chunks;
}

describe('FrameSplitter', () => {
  it('any split of a concatenation of frames yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(arbMessage, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (messages, points) => {
          const frames = messages.map(encodeMessage);
          const splitter = new FrameSplitter();
          const out = split(splitter, cut(concat(...frames), points));
          expect(out.map(toHex)).toEqual(frames.map(toHex));
          expect(splitter.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('yields every case-table frame when fed byte by byte', () => {
    const frames = CASES.map((c) => fromHex(c.hex));
    const all = concat(...frames);
    const bytes = Array.from(all, (b) => Uint8Array.of(b));
    expect(split(new FrameSplitter(), bytes).map(toHex)).toEqual(frames.map(toHex));
  });

  it('passes a frame of FRAME_MAX_BYTES through without decoding its body', () => {
    const frame = new Uint8Array(FRAME_MAX_BYTES).fill(0x99);
    frame.set(fromHex('00001ffc'));
    const chunks = cut(frame, [1, 2, 3, 1000, 5000, 8000]);
    expect(split(new FrameSplitter(), chunks).map(toHex)).toEqual([toHex(frame)]);
  });

  it.each([
    ['00001ffd', 'frame-too-long'],
    ['ffffffff', 'frame-too-long'],
    ['00000001', 'frame-too-short'],
  ])('declared length %s: %s as soon as the 4th byte is in, and for good', (hex, reason) => {
    const splitter = new FrameSplitter();
    const bytes = fromHex(hex);
    for (let i = 0; i < 3; i++) {
      splitter.push(bytes.subarray(i, i + 1));
      expect(splitter.next()).toEqual({ kind: 'none' });
    }
    splitter.push(bytes.subarray(3, 4));
    const result = splitter.next();
    expect(result).toMatchObject({ kind: 'error', error: { reason } });
    splitter.push(fromHex('00000002 01 17'));
    expect(splitter.next()).toEqual(result);
  });

  it('an error after good frames still hands out the good frames first', () => {
    const splitter = new FrameSplitter();
    splitter.push(fromHex('00000002 01 17 00000000'));
    expect(splitter.next()).toMatchObject({ kind: 'frame' });
    expect(splitter.next()).toMatchObject({ kind: 'error', error: { reason: 'frame-too-short' } });
  });

  it('push before draining is misuse', () => {
    const splitter = new FrameSplitter();
    splitter.push(fromHex('00000002 01 17 00000002 01 17'));
    expect(splitter.next().kind).toBe('frame');
    expect(() => splitter.push(fromHex('00'))).toThrow(FrameSplitterError);
  });

  it('frames are copies: changing a pushed chunk afterwards changes no frame', () => {
    const splitter = new FrameSplitter();
    const whole = Buffer.from(fromHex('00000002 01 17'));
    const spanning = fromHex('00000003 01 12');
    splitter.push(whole);
    const first = splitter.next();
    splitter.push(spanning);
    expect(splitter.next()).toEqual({ kind: 'none' });
    splitter.push(fromHex('01'));
    const second = splitter.next();
    whole.fill(0);
    spanning.fill(0);
    expect(first).toEqual({ kind: 'frame', bytes: fromHex('00000002 01 17') });
    expect(second).toEqual({ kind: 'frame', bytes: fromHex('00000003 01 12 01') });
  });
});
