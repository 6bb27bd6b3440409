/**
 * The store's records as the rest of the daemon sees them: camelCase, times in ms since the
 * epoch, node IDs as base32 strings, message ids as 32 hex characters.
 */

/** A node ID (lowercase base32, 32 characters); the same type as the engine's NodeId. */
export type NodeId = string;
/** 16 random bytes as lowercase hex. */
export type MessageId = string;

export interface IdentitySecrets {
  /** Ed25519 secret seed, 32 bytes. */
  sign: Uint8Array;
  /** X25519 secret scalar, 32 bytes. */
  dh: Uint8Array;
}

export type OutgoingState = 'pending' | 'delivered' | 'failed';

export interface NewOutgoing {
  /** What the user typed (address, node ID or alias), kept for display and trace. */
  destination: string;
  /** The resolved target node: the conversation this message belongs to. */
  peer: NodeId;
  body: string;
  expiresAt: number;
  /** First send time; default now. */
  nextAttemptAt?: number;
  /** A given id (tests, imports); default 16 random bytes. */
  id?: MessageId;
}

export interface OutgoingMessage {
  id: MessageId;
  destination: string;
  peer: NodeId;
  body: string;
  createdAt: number;
  expiresAt: number;
  state: OutgoingState;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export type AttemptOutcome = 'in-flight' | 'acked' | 'timeout' | 'failed';

export interface AttemptRecord {
  messageId: MessageId;
  attempt: number;
  /** Node IDs of the path, first relay to target. */
  path: NodeId[];
  sentAt: number;
  ackedAt: number | null;
  outcome: AttemptOutcome;
  reason: string | null;
}

export interface NewAttempt {
  path: readonly NodeId[];
  sentAt: number;
  /** When to retry if no acknowledgement comes. */
  nextAttemptAt: number;
}

export interface NewIncoming {
  /** The sender's message id (end-to-end, the dedup key). */
  id: MessageId;
  from: NodeId;
  /** The sender's address as the seed's `IP: <SRC>` shows it. */
  address: string;
  body: string;
  /** The sender's claimed send time. */
  sentAt: number;
}

export interface IncomingMessage {
  id: MessageId;
  from: NodeId;
  address: string;
  body: string;
  sentAt: number;
  receivedAt: number;
  read: boolean;
}

export interface ConversationSummary {
  peer: NodeId;
  /** The peer's contact alias (alphabetically first), if any. */
  alias: string | null;
  lastAt: number;
  unread: number;
  total: number;
}

export type HistoryEntry =
  | {
      direction: 'in';
      id: MessageId;
      peer: NodeId;
      body: string;
      /** Received time: history is ordered by local time. */
      at: number;
      sentAt: number;
      address: string;
      read: boolean;
    }
  | {
      direction: 'out';
      id: MessageId;
      peer: NodeId;
      body: string;
      /** Accepted time. */
      at: number;
      destination: string;
      state: OutgoingState;
      deliveredAt: number | null;
    };

export interface Contact {
  alias: string;
  nodeId: NodeId;
  addedAt: number;
}

export type ContactAddResult =
  | { ok: true; created: boolean }
  | {
      ok: false;
      reason: 'bad-alias' | 'bad-node-id' | 'alias-taken' | 'too-many';
      message: string;
    };

export interface DirectoryEntry {
  nodeId: NodeId;
  descriptor: Uint8Array;
  expiresAt: number;
  updatedAt: number;
}

/** A descriptor to cache (`saveDescriptors`). */
export interface DescriptorWrite {
  nodeId: NodeId;
  descriptor: Uint8Array;
  expiresAt: number;
}

/** A replay tag and when it stops mattering. */
export interface ReplayEntry {
  tag: Uint8Array;
  expiresAt: number;
}
