/**
 * The directory as a node service: announces our descriptor (on joining, then
 * periodically), revokes it on leave, applies records arriving by broadcast, and serves
 * and requests a directory sync so a node that just joined knows the network at once
 * instead of after a whole announce period.
 */
import type { CryptoSuite } from '../crypto/suite.js';
import type { Identity } from '../identity.js';
import type { Millis, NodeId } from '../types.js';
import { DIRECTORY_CHUNK_MAX } from '../wire/limits.js';
import type { BroadcastKind, Message } from '../wire/messages.js';
import type { DirectoryConfig } from './config.js';
import { Directory } from './directory.js';
import { signDescriptor, signRevocation } from './records.js';

export interface DirectoryHost {
  /** Broadcasts a record of ours network-wide. */
  broadcast(kind: BroadcastKind, body: Uint8Array): void;
  send(peer: NodeId, message: Message): void;
}

/** Peers whose sync requests we remember (one per neighbour; bounded by the links). */
const SYNC_SERVED_MAX = 256;

export class DirectoryService {
  readonly directory: Directory;
  private readonly served = new Map<NodeId, Millis>();
  /** Sync requests refused by the cooldown. */
  syncRefused = 0;
  /** Directory size when we last announced. */
  private sizeAtAnnounce = 0;

  constructor(
    private readonly identity: Identity,
    private readonly address: string,
    private readonly crypto: CryptoSuite,
    private readonly config: DirectoryConfig,
    private readonly host: DirectoryHost,
  ) {
    this.directory = new Directory(crypto, config);
  }

  /** Signs a fresh descriptor, keeps it and broadcasts it. */
  announce(now: Millis): void {
    const descriptor = signDescriptor(this.crypto, this.identity, {
      address: this.address,
      relay: this.config.relay,
      issued: now,
      expires: now + this.config.descriptorLifetimeMs,
    });
    this.directory.accept(descriptor, now);
    this.host.broadcast('descriptor', descriptor.bytes);
    this.sizeAtAnnounce = this.directory.size;
  }

  /** Whether the directory grew enough since we announced that the network was still forming. */
  grewSinceAnnounced(): boolean {
    return this.directory.size >= this.config.reannounceGrowth * Math.max(1, this.sizeAtAnnounce);
  }

  revoke(now: Millis): void {
    const revocation = signRevocation(this.crypto, this.identity, now);
    this.directory.accept(revocation, now);
    this.host.broadcast('revocation', revocation.bytes);
  }

  /**
   * A broadcast record: applied if valid. True when it should travel on — valid and not
   * expired, even if we knew it already (a sync may have brought it first).
   */
  onRecord(body: Uint8Array, now: Millis): boolean {
    const outcome = this.directory.acceptBytes(body, now);
    return outcome !== 'forged' && outcome !== 'malformed' && outcome !== 'expired';
  }

  requestSync(peer: NodeId): void {
    this.host.send(peer, { type: 'directoryRequest' });
  }

  onSyncRequest(peer: NodeId, now: Millis): void {
    const last = this.served.get(peer);
    if (last !== undefined && now - last < this.config.syncCooldownMs) {
      this.syncRefused += 1;
      return;
    }
    if (this.served.size >= SYNC_SERVED_MAX)
      this.served.delete(this.served.keys().next().value as NodeId);
    this.served.delete(peer);
    this.served.set(peer, now);
    const records = this.directory.records(now);
    for (let i = 0; i < records.length; i += DIRECTORY_CHUNK_MAX) {
      this.host.send(peer, {
        type: 'directoryChunk',
        descriptors: records.slice(i, i + DIRECTORY_CHUNK_MAX),
      });
    }
  }

  /** A neighbour went away: if it comes back (restarted), it may ask for a sync again at once. */
  forgetPeer(peer: NodeId): void {
    this.served.delete(peer);
  }

  /**
   * Descriptors a runtime saved in an earlier life (NodeOptions.restore), put back at start.
   * Nothing read from disk is trusted: each goes through the checks a descriptor from the
   * network does (Directory.acceptBytes: signature, issue and expiry times, lifetime,
   * capacity; rejections counted there by reason). Returns how many got in and how many not.
   */
  restore(records: readonly Uint8Array[], now: Millis): { accepted: number; rejected: number } {
    let accepted = 0;
    for (const bytes of records) {
      const outcome = this.directory.acceptBytes(bytes, now, 'descriptor');
      if (outcome === 'new' || outcome === 'updated' || outcome === 'known') accepted += 1;
    }
    return { accepted, rejected: records.length - accepted };
  }

  onSyncChunk(descriptors: Uint8Array[], now: Millis): void {
    for (const bytes of descriptors) this.directory.acceptBytes(bytes, now);
  }

  prune(now: Millis): void {
    this.directory.prune(now);
    for (const [peer, at] of this.served)
      if (now - at >= this.config.syncCooldownMs) this.served.delete(peer);
  }
}
