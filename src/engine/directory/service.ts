/**
 * The directory as a node service: announces our descriptor (on joining, then
 * periodically), revokes it on leave, applies records arriving by broadcast, and serves
 * and requests a directory sync so a node that just joined knows the network at once
 * instead of after a whole announce period.
 *
 * Scaling (sample.ts, config.ts): our records travel `announceHops` hops, so with a small
 * limit they reach a ball around us and not the network. Beyond the ball a descriptor
 * spreads by sync: a neighbour's first request in a link's life is answered with our whole
 * directory (a joining node learns a full sample at once); later ones without a digest
 * with `syncRecordsMax` random descriptors. Every `syncIntervalMs` a node asks a random
 * neighbour with a digest of what it holds (anti-entropy, digest.ts) and gets up to
 * `syncRecordsMax` records it lacks, like Cyclon's shuffle a bounded part of the view. Each
 * node keeps what ranks low in its own sample, so the samples mix over the network with a
 * bounded cost per period. Our own descriptor is pinned: the sample never evicts it.
 */
import type { CryptoSuite } from '../crypto/suite.js';
import type { Identity } from '../identity.js';
import { sample, type Random, type RandomSource } from '../random.js';
import type { Millis, NodeId } from '../types.js';
import { DIRECTORY_CHUNK_MAX } from '../wire/limits.js';
import type { BroadcastKind, DirectoryDigest, Message } from '../wire/messages.js';
import type { DirectoryConfig } from './config.js';
import { Directory } from './directory.js';
import { signDescriptor, signRevocation, type RecordOpener } from './records.js';
import { sampleSaltOf } from './sample.js';

export interface DirectoryHost {
  /** Broadcasts a record of ours, at most `hops` hops (fewer if broadcasts are limited so). */
  broadcast(kind: BroadcastKind, body: Uint8Array, hops: number): void;
  send(peer: NodeId, message: Message): void;
}

/** Peers whose sync requests we remember (one per neighbour; bounded by the links). */
const SYNC_SERVED_MAX = 256;

export class DirectoryService {
  readonly directory: Directory;
  private readonly served = new Map<NodeId, Millis>();
  /** Neighbours served a whole directory in this link's life: later requests get a part. */
  private readonly servedWhole = new Set<NodeId>();
  /** Sync requests refused by the cooldown. */
  syncRefused = 0;
  /**
   * Since the last anti-entropy round: a sync brought us a record we lacked, or a
   * neighbour's digest lacked one of ours (Trickle's "inconsistency heard", takeInconsistent).
   */
  private inconsistent = false;
  private random: Random | undefined;
  private digestRandom: Random | undefined;

  constructor(
    private readonly identity: Identity,
    private readonly address: string,
    private readonly crypto: CryptoSuite,
    private readonly config: DirectoryConfig,
    private readonly host: DirectoryHost,
    /** Forked (lazily: most nodes never need it) for the random part a sync answer sends. */
    private readonly randomSource: RandomSource,
    openRecord?: RecordOpener,
  ) {
    this.directory = new Directory(crypto, config, sampleSaltOf(crypto, identity), openRecord);
    this.directory.pin(identity.id);
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
    this.host.broadcast('descriptor', descriptor.bytes, this.hopsLeft());
  }

  /**
   * When the announce period of our descriptor restored from an earlier life ends, if that
   * descriptor is still what we would announce (same address and relay role) and was
   * issued less than an announce period ago; else undefined (announce now).
   */
  restoredAnnouncementEnd(now: Millis): Millis | undefined {
    const own = this.directory.get(this.identity.id);
    if (own === undefined || own.address !== this.address || own.relay !== this.config.relay)
      return undefined;
    const end = own.issued + this.config.announceIntervalMs;
    return own.issued <= now && now < end ? end : undefined;
  }

  /**
   * The hop count our records leave with: a broadcast's count is what remains after its
   * first hop (a neighbour receiving 0 does not forward), so a radius of `announceHops`
   * overlay hops is a count of announceHops − 1.
   */
  private hopsLeft(): number {
    return this.config.announceHops - 1;
  }

  revoke(now: Millis): void {
    const revocation = signRevocation(this.crypto, this.identity, now);
    this.directory.accept(revocation, now);
    this.host.broadcast('revocation', revocation.bytes, this.hopsLeft());
  }

  /**
   * A broadcast record: applied if valid. True when it should travel on — valid and not
   * expired, even if we knew it already (a sync may have brought it first).
   */
  onRecord(body: Uint8Array, now: Millis): boolean {
    const outcome = this.directory.acceptBytes(body, now);
    return outcome !== 'forged' && outcome !== 'malformed' && outcome !== 'expired';
  }

  /** Asks a neighbour for its whole directory (we just joined). */
  requestSync(peer: NodeId): void {
    this.host.send(peer, { type: 'directoryRequest' });
  }

  /**
   * Periodic anti-entropy: asks a neighbour for the records we lack, sending a digest of
   * those we hold (digest.ts). A record whose announcement we missed — we were on the other
   * side of a partition, or the overlay around us was repairing — arrives within a few
   * periods instead of at its owner's next announcement.
   */
  requestAntiEntropy(peer: NodeId, now: Millis): void {
    // Its own stream: a timer draws here, a neighbour's request draws from syncRandom, and
    // the two may come in either order within one millisecond.
    const random = (this.digestRandom ??= this.randomSource.fork('directory-digest'));
    const salt = random.int(0x10000) * 0x10000 + random.int(0x10000);
    const digest = this.directory.digest(now, salt, random.int(0x10000), this.identity.id);
    this.host.send(peer, { type: 'directoryRequest', digest });
  }

  private syncRandom(): Random {
    return (this.random ??= this.randomSource.fork('directory'));
  }

  onSyncRequest(peer: NodeId, now: Millis, digest?: DirectoryDigest): void {
    const last = this.served.get(peer);
    if (last !== undefined && now - last < this.config.syncCooldownMs) {
      this.syncRefused += 1;
      return;
    }
    if (this.served.size >= SYNC_SERVED_MAX)
      this.served.delete(this.served.keys().next().value as NodeId);
    this.served.delete(peer);
    this.served.set(peer, now);
    const own = this.identity.id;
    if (digest !== undefined) {
      const missing = this.directory.missingFrom(now, digest, own);
      if (missing.length > 0) this.inconsistent = true;
      this.sendRecords(peer, sample(this.syncRandom(), missing, this.config.syncRecordsMax));
      return;
    }
    const whole = !this.servedWhole.has(peer);
    if (whole) {
      if (this.servedWhole.size >= SYNC_SERVED_MAX)
        this.servedWhole.delete(this.servedWhole.values().next().value as NodeId);
      this.servedWhole.add(peer);
    }
    const records = whole
      ? this.directory.records(now, own)
      : this.directory.randomRecords(now, this.config.syncRecordsMax, this.syncRandom(), own);
    this.sendRecords(peer, records);
  }

  private sendRecords(peer: NodeId, records: Uint8Array[]): void {
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
    this.servedWhole.delete(peer);
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
    for (const bytes of descriptors) {
      const outcome = this.directory.acceptBytes(bytes, now);
      if (outcome === 'new' || outcome === 'updated') this.inconsistent = true;
    }
  }

  /** Whether an inconsistency was heard since the last call (the node's sync back-off). */
  takeInconsistent(): boolean {
    const heard = this.inconsistent;
    this.inconsistent = false;
    return heard;
  }

  prune(now: Millis): void {
    this.directory.prune(now);
    for (const [peer, at] of this.served)
      if (now - at >= this.config.syncCooldownMs) this.served.delete(peer);
  }
}
