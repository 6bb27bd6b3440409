/**
 * fast-check arbitraries for valid wire values: every message type, every field over its
 * whole accepted range (limits included). Reused by any test that needs messages.
 */
import fc from 'fast-check';
import { base32Encode } from '../../src/engine/base32.js';
import { PACKET_BYTES } from '../../src/engine/onion/limits.js';
import type { NodeId } from '../../src/engine/types.js';
import {
  ADDRESS_MAX_BYTES,
  BROADCAST_BODY_MAX,
  BROADCAST_HOPS_MAX,
  BROADCAST_ID_BYTES,
  DESCRIPTOR_MAX_BYTES,
  DIRECTORY_CHUNK_MAX,
  DIRECTORY_DIGEST_MAX_BYTES,
  IHAVE_IDS_MAX,
  TIMESTAMP_MAX,
  HELLO_NONCE_BYTES,
  NODE_ID_BYTES,
  PEER_ENTRIES_MAX,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  TTL_MAX,
} from '../../src/engine/wire/limits.js';
import {
  BROADCAST_KINDS,
  type Message,
  type MessageType,
  type PeerEntry,
} from '../../src/engine/wire/messages.js';

export const arbBytes = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length });

export const arbNodeId: fc.Arbitrary<NodeId> = arbBytes(NODE_ID_BYTES).map(base32Encode);

/** Printable ASCII without space (0x21..0x7e), 0 to ADDRESS_MAX_BYTES characters. */
export const arbAddress: fc.Arbitrary<string> = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { maxLength: ADDRESS_MAX_BYTES })
  .map((codes) => String.fromCharCode(...codes));

export const arbPeerEntry: fc.Arbitrary<PeerEntry> = fc.record({
  id: arbNodeId,
  address: arbAddress,
});

export const arbPeerEntries: fc.Arbitrary<PeerEntry[]> = fc.array(arbPeerEntry, {
  maxLength: PEER_ENTRIES_MAX,
});

export const arbTtl: fc.Arbitrary<number> = fc.integer({ min: 0, max: TTL_MAX });

/** One arbitrary per message type, so a test can aim at a single type. */
export const arbMessageOfType: { [T in MessageType]: fc.Arbitrary<Extract<Message, { type: T }>> } =
  {
    hello: fc.record({
      type: fc.constant('hello'),
      signKey: arbBytes(PUBLIC_KEY_BYTES),
      dhKey: arbBytes(PUBLIC_KEY_BYTES),
      address: arbAddress,
      nonce: arbBytes(HELLO_NONCE_BYTES),
    }),
    auth: fc.record({ type: fc.constant('auth'), signature: arbBytes(SIGNATURE_BYTES) }),
    join: fc.constant({ type: 'join' } as const),
    forwardJoin: fc.record({
      type: fc.constant('forwardJoin'),
      newcomer: arbPeerEntry,
      ttl: arbTtl,
    }),
    neighbour: fc.record({
      type: fc.constant('neighbour'),
      priority: fc.constantFrom('high', 'low'),
    }),
    neighbourReply: fc.record({ type: fc.constant('neighbourReply'), accepted: fc.boolean() }),
    disconnect: fc.record({
      type: fc.constant('disconnect'),
      leaving: fc.boolean(),
      suggestions: arbPeerEntries,
    }),
    shuffle: fc.record({
      type: fc.constant('shuffle'),
      origin: arbPeerEntry,
      ttl: arbTtl,
      entries: arbPeerEntries,
    }),
    shuffleReply: fc.record({ type: fc.constant('shuffleReply'), entries: arbPeerEntries }),
    ping: fc.constant({ type: 'ping' } as const),
    broadcast: fc.record({
      type: fc.constant('broadcast'),
      id: arbBytes(BROADCAST_ID_BYTES),
      origin: arbNodeId,
      expiresAt: fc.integer({ min: 0, max: TIMESTAMP_MAX }),
      hops: fc.integer({ min: 0, max: BROADCAST_HOPS_MAX }),
      kind: fc.constantFrom(...BROADCAST_KINDS),
      body: fc.uint8Array({ maxLength: BROADCAST_BODY_MAX }),
    }),
    ihave: fc.record({
      type: fc.constant('ihave'),
      ids: fc.array(arbBytes(BROADCAST_ID_BYTES), { maxLength: IHAVE_IDS_MAX }),
    }),
    graft: fc.record({ type: fc.constant('graft'), id: arbBytes(BROADCAST_ID_BYTES) }),
    prune: fc.constant({ type: 'prune' } as const),
    closing: fc.constant({ type: 'closing' } as const),
    directoryRequest: fc.oneof(
      fc.constant({ type: 'directoryRequest' } as const),
      fc
        .record({
          salt: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          slices: fc.integer({ min: 1, max: 0xffff }),
          slice: fc.nat(0xffff),
          bits: fc.uint8Array({ minLength: 1, maxLength: DIRECTORY_DIGEST_MAX_BYTES }),
        })
        .map((d) => ({
          type: 'directoryRequest' as const,
          digest: { ...d, slice: d.slice % d.slices },
        })),
    ),
    onion: fc.record({ type: fc.constant('onion'), packet: arbBytes(PACKET_BYTES) }),
    directoryChunk: fc.record({
      type: fc.constant('directoryChunk'),
      descriptors: fc.array(fc.uint8Array({ maxLength: DESCRIPTOR_MAX_BYTES }), {
        maxLength: DIRECTORY_CHUNK_MAX,
      }),
    }),
  };

/** Any valid message, every type equally likely. */
export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  ...Object.values(arbMessageOfType),
) as fc.Arbitrary<Message>;
