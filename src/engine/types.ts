/**
 * The engine contract (DESIGN.md §1, STYLE.md #1).
 *
 * A node is a state machine driven by `handle(input, now)`; it answers with a list of
 * outputs that the runtime (the TCP daemon or the simulator) carries out. The engine never
 * reads a clock, draws ambient randomness or touches a socket: time arrives with every
 * input, randomness and crypto are injected at construction.
 *
 * Rules:
 * 1. The runtime drains every output of a call before the next call.
 * 2. A `wake` output replaces the previous one: the node wants one `tick` at `at` or later.
 *    Spurious or early ticks are harmless no-ops.
 * 3. Link ids are chosen by the runtime and unique per node for the node's lifetime.
 *    Outbound links are correlated with the `dial` number the engine chose.
 */

/** Milliseconds in the node's world (virtual in the simulator, wall clock in the daemon). */
export type Millis = number;
/** A link handle, chosen by the runtime. */
export type LinkId = number;
/** A node ID: lowercase base32 of the first 20 bytes of SHA-256(signKey || dhKey). */
export type NodeId = string;

export type Input =
  /** First call of a node's life: join the network (bootstrap addresses are in the config). */
  | { type: 'start' }
  /** The wake-up the node asked for (or a spurious one). */
  | { type: 'tick' }
  /**
   * A link is open. Outbound links carry the engine's dial number; inbound ones do not.
   * Over TCP the Noise handshake has already proven the peer's static X25519 key: the
   * runtime passes it, and the link table refuses a hello naming any other DH key.
   */
  | {
      type: 'linkOpened';
      link: LinkId;
      dial?: number;
      remoteAddress: string;
      remoteStaticKey?: Uint8Array;
    }
  /** An outbound dial could not be completed. */
  | { type: 'dialFailed'; dial: number; reason: string }
  /** The link is gone (closed by the peer, reset, or broken). */
  | { type: 'linkClosed'; link: LinkId; reason: string }
  /** One whole frame (length prefix included) received on a link. */
  | { type: 'frame'; link: LinkId; bytes: Uint8Array }
  /** A local request from the node's owner. */
  | { type: 'command'; command: Command };

export type Command =
  /** Leave gracefully: revoke our descriptor, tell the neighbours, close every link, stop. */
  | { type: 'leave' }
  /** Broadcast a probe network-wide (the simulator's broadcast workload). */
  | { type: 'broadcast'; body: Uint8Array }
  /**
   * Keep `id`'s descriptor whatever the directory's sample says (directory/sample.ts): the
   * runtime pins its contacts and unpins them when they stop being one (the engine pins the
   * targets of its pending messages itself: directory/pins.ts). At most `pinnedMax` pins,
   * those of pending targets included; beyond, DirectoryPinError.
   */
  | { type: 'pin'; id: NodeId }
  | { type: 'unpin'; id: NodeId }
  /**
   * Send an end-to-end message (routing/). The runtime has already made it durable (the
   * daemon's outbox) when it issues this; after a restart it issues it again for every
   * message still pending, and the engine retries on fresh paths until `expiresAt`.
   * Exactly one `messageAcked` or `messageFailed` event answers it (per engine lifetime).
   */
  | {
      type: 'send';
      /** 16 random bytes chosen by the runtime; the target dedups by it. */
      messageId: Uint8Array;
      to: NodeId;
      body: Uint8Array;
      expiresAt: Millis;
      /** Split into n shards, any k rebuild it (issue 7); absent = one packet. */
      shards?: { n: number; k: number };
    };

/** A message that arrived for this node, verified and deduplicated (in this engine's life). */
export interface DeliveredMessage {
  messageId: Uint8Array;
  from: NodeId;
  /** The sender's advertised address, as its descriptor or hello gave it ('' if unknown). */
  fromAddress: string;
  body: Uint8Array;
  /** The sender's clock when it first sent the message. */
  sentAt: Millis;
}

export type Output =
  /**
   * Hand a received message to the owner. The runtime must make it durable before it
   * carries out the outputs that follow it (they include the acknowledgement).
   */
  | { type: 'deliver'; message: DeliveredMessage }
  | { type: 'send'; link: LinkId; bytes: Uint8Array }
  | { type: 'dial'; dial: number; address: string }
  | { type: 'close'; link: LinkId; reason: string }
  | { type: 'wake'; at: Millis }
  | { type: 'event'; event: EngineEvent };

/**
 * What a runtime keeps across restarts so a node does not start blind (the daemon's store):
 * directory descriptors, as the signed bytes the node accepted, and the relay's recent
 * replay tags with the time each was first seen. Read with `Node.savedDescriptors` and
 * `Node.replayTags`; handed back through `NodeOptions.restore`, where nothing in it is
 * trusted: every descriptor is checked as one from the network, when the node starts.
 */
export interface SavedDescriptor {
  id: NodeId;
  /** The signed record, exactly as accepted. */
  bytes: Uint8Array;
  expires: Millis;
}

export interface SavedReplayTag {
  tag: Uint8Array;
  /** When the relay first saw it (the node's clock). */
  seenAt: Millis;
}

export interface RestoreState {
  descriptors: readonly Uint8Array[];
  replayTags: readonly SavedReplayTag[];
}

/** Why a neighbour left the active view. */
export type NeighbourLossReason =
  'link-closed' | 'heartbeat-timeout' | 'disconnected' | 'left' | 'evicted' | 'replaced';

/**
 * Observable facts for metrics, traces and logs. Events never change engine behaviour.
 */
export type EngineEvent =
  | { type: 'joined' }
  | { type: 'neighbourUp'; peer: NodeId; activeSize: number }
  | { type: 'neighbourDown'; peer: NodeId; reason: NeighbourLossReason; activeSize: number }
  /** The active view is back to its target size after a failure-caused loss began at `since`. */
  | { type: 'viewRepaired'; since: Millis; lost: NodeId[] }
  /** An island check's shuffle walk left through bootstrap `address` (overlay/hyparview.ts). */
  | { type: 'islandCheck'; address: string }
  /** An island check found `peer`, a stranger to our directory, and asked it to be a neighbour. */
  | { type: 'islandBridge'; peer: NodeId }
  | { type: 'linkRejected'; link: LinkId; reason: string }
  | { type: 'left' }
  /** A broadcast delivered here for the first time (`id`: hex of its ID). */
  | { type: 'broadcastDelivered'; id: string; origin: NodeId; kind: string }
  /** Another copy of a broadcast already delivered here (dropped by the drop list). */
  | { type: 'broadcastDuplicate'; id: string }
  /** We originated a broadcast. */
  | { type: 'broadcastSent'; id: string; kind: string }
  /**
   * One attempt of a message of ours left on `path` (relays, then the target). `reason`:
   * 'first', 'timeout' (no ack in time), or 'first-hop-unreachable' (our own link to the
   * first relay failed, so we retried at once: routing/sender.ts). For a sharded message,
   * one event per packet: `shard` is its index (0..n−1), `attempt` counts that shard's
   * sends, and a shard the target had acknowledged and then lost (a restart) goes again
   * with reason 'lost-at-target' (routing/shard-sender.ts).
   */
  | {
      type: 'messageAttempt';
      messageId: string;
      attempt: number;
      path: NodeId[];
      reason: string;
      shard?: number;
    }
  /**
   * The target acknowledged a message of ours (`messageId`: hex). Exactly once per send.
   * `attempts`: packets sent for it (a sharded message counts every shard it sent).
   */
  | { type: 'messageAcked'; messageId: string; attempts: number }
  /** A message of ours expired unacknowledged, or could not be sent at all. */
  | { type: 'messageFailed'; messageId: string; reason: string }
  /** A relay dropped a packet (no link to the next hop, replay, bad MAC, …). */
  | { type: 'packetDropped'; reason: string }
  /**
   * Saved state was put back at start (NodeOptions.restore): how many descriptors and replay
   * tags were taken, and how many were refused (forged, malformed, expired, …: counted).
   */
  | {
      type: 'restored';
      descriptors: number;
      descriptorsRejected: number;
      replayTags: number;
      replayTagsRejected: number;
    }
  | { type: 'drop'; what: string };

/** A runtime-independent view of a node, for invariants and metrics. */
export interface NodeSnapshot {
  id: NodeId;
  active: NodeId[];
  passive: NodeId[];
  /** Relays in this node's directory (unexpired descriptors with the relay flag). */
  relays: NodeId[];
}

/** What both runtimes drive. */
export interface Engine {
  handle(input: Input, now: Millis): Output[];
  /** The node's views, for invariant checks and metrics. */
  snapshot(): NodeSnapshot;
}
