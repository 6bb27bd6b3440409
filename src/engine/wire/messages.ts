/**
 * Every message of the peer protocol and its code: the one table (STYLE.md #9).
 *
 * Codes 0x01–0x3f are control (link set-up, membership, liveness); 0x40–0x7f are data
 * (onion packets of the data plane). A frame's type byte must be in the table.
 */
import type { NodeId } from '../types.js';

/** A node as other nodes learn it: its ID and the address it listens on. */
export interface PeerEntry {
  id: NodeId;
  /** "host:port"; empty when the node accepts no inbound links. */
  address: string;
}

/** A Bloom filter of the records a node holds, in one slice of its directory (directory/digest.ts). */
export interface DirectoryDigest {
  /** Seeds the record hash: a fresh u32 per request. */
  salt: number;
  /** The directory is covered in this many slices (1..65535)… */
  slices: number;
  /** …and this digest covers slice `slice` (0..slices−1). */
  slice: number;
  /** The filter: 1..DIRECTORY_DIGEST_MAX_BYTES bytes. */
  bits: Uint8Array;
}

export type Message =
  /** First frame on a link, both directions: who I claim to be, and a challenge for you. */
  | { type: 'hello'; signKey: Uint8Array; dhKey: Uint8Array; address: string; nonce: Uint8Array }
  /** Proof of identity: Ed25519 signature over the link transcript (see engine/link-auth.ts). */
  | { type: 'auth'; signature: Uint8Array }
  /**
   * The last frame I write on this link (an idle close): stop writing on it and close it;
   * I read what you sent before this reached you (links.ts, "closing").
   */
  | { type: 'closing' }
  /** HyParView JOIN: the sender (known from the hello) asks to enter the overlay. */
  | { type: 'join' }
  /** HyParView FORWARD_JOIN: a random walk that lands the newcomer in several views. */
  | { type: 'forwardJoin'; newcomer: PeerEntry; ttl: number }
  /** HyParView NEIGHBOR: please put me in your active view. */
  | { type: 'neighbour'; priority: 'high' | 'low' }
  | { type: 'neighbourReply'; accepted: boolean }
  /** You are no longer in my active view. `leaving`: I am leaving the network for good. */
  | { type: 'disconnect'; leaving: boolean; suggestions: PeerEntry[] }
  /** HyParView SHUFFLE: a random walk carrying a sample of the origin's views. */
  | { type: 'shuffle'; origin: PeerEntry; ttl: number; entries: PeerEntry[] }
  | { type: 'shuffleReply'; entries: PeerEntry[] }
  /** Keep-alive on an active link; any frame counts as a sign of life. */
  | { type: 'ping' }
  /** A network-wide message (broadcast/): flooded, or pushed along the Plumtree tree. */
  | {
      type: 'broadcast';
      id: Uint8Array;
      origin: NodeId;
      /** Absolute expiry (ms since the epoch): never accepted after, kept in drop lists until then. */
      expiresAt: number;
      /** Hops this copy may still travel. */
      hops: number;
      kind: BroadcastKind;
      body: Uint8Array;
    }
  /** Plumtree lazy push: I have these broadcasts (ask me with GRAFT if you miss one). */
  | { type: 'ihave'; ids: Uint8Array[] }
  /** Plumtree: send me broadcast `id`, and make our link a tree (eager) link. */
  | { type: 'graft'; id: Uint8Array }
  /** Plumtree: a duplicate came over our link; make it lazy. */
  | { type: 'prune' }
  /**
   * Send me your directory: all of it (a node that just joined: no digest), or the records
   * the digest says I lack (periodic anti-entropy, directory/digest.ts).
   */
  | { type: 'directoryRequest'; digest?: DirectoryDigest }
  /** Part of a directory: signed descriptors, encoded (directory/records.ts). */
  | { type: 'directoryChunk'; descriptors: Uint8Array[] }
  /**
   * One onion packet (engine/onion/packet.ts): exactly PACKET_BYTES, whoever sends it and
   * wherever it is on its path, so every data frame on every link has the same size.
   */
  | { type: 'onion'; packet: Uint8Array };

/** What a broadcast carries; the wire gives each a byte (codec.ts). */
export type BroadcastKind = 'descriptor' | 'revocation' | 'probe';
export const BROADCAST_KINDS: readonly BroadcastKind[] = ['descriptor', 'revocation', 'probe'];

export type MessageType = Message['type'];
export type MessageClass = 'control' | 'data';

/** The one table of message codes. */
export const MESSAGE_CODES = {
  hello: { code: 0x01, class: 'control' },
  auth: { code: 0x02, class: 'control' },
  closing: { code: 0x03, class: 'control' },
  join: { code: 0x10, class: 'control' },
  forwardJoin: { code: 0x11, class: 'control' },
  neighbour: { code: 0x12, class: 'control' },
  neighbourReply: { code: 0x13, class: 'control' },
  disconnect: { code: 0x14, class: 'control' },
  shuffle: { code: 0x15, class: 'control' },
  shuffleReply: { code: 0x16, class: 'control' },
  ping: { code: 0x17, class: 'control' },
  broadcast: { code: 0x20, class: 'control' },
  ihave: { code: 0x21, class: 'control' },
  graft: { code: 0x22, class: 'control' },
  prune: { code: 0x23, class: 'control' },
  directoryRequest: { code: 0x24, class: 'control' },
  directoryChunk: { code: 0x25, class: 'control' },
  onion: { code: 0x40, class: 'data' },
} as const satisfies Record<MessageType, { code: number; class: MessageClass }>;

export const CONTROL_CODE_RANGE = [0x01, 0x3f] as const;
export const DATA_CODE_RANGE = [0x40, 0x7f] as const;
