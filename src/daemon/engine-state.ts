/**
 * The engine's durable state (issue 5, "the durable store"): the directory and the relay's
 * replay tags, kept in the store so that a restarted daemon still knows the relays it knew
 * and still drops an onion packet it forwarded before the restart.
 *
 * Theory of operation.
 * - At start, `loadEngineState` reads the freshest descriptors and the live replay tags; the
 *   daemon hands them to the engine (NodeOptions.restore), which checks every descriptor as
 *   if it came from the network — signature, issue and expiry times, lifetime — so a
 *   tampered store cannot inject a forged relay. A tag's first-sighting time is its expiry
 *   minus the replay window, so it is forgotten exactly when the in-memory cache would
 *   have forgotten it.
 * - While running, `EngineStateSaver.flush` (on a timer, STATE_SAVE_INTERVAL_MS, and at a
 *   graceful stop) writes what changed since the last flush: descriptors new or replaced,
 *   the rows of descriptors the engine no longer holds (expired, revoked, evicted) deleted,
 *   tags first seen since the last flush; then one batch of expired rows is pruned. Writes
 *   go in batches of the store's sizes, each one transaction: never one per packet.
 *
 * Rules:
 * 1. This state is a cache: a store failure here is logged and retried at the next flush,
 *    never fatal (unlike the inbox, nothing is lost that the network cannot tell us again).
 * 2. What a flush could not write stays "unsaved", so the next flush tries it again.
 * 3. A crash (SIGKILL) loses at most the changes of the last STATE_SAVE_INTERVAL_MS.
 */
import { equalBytes } from '../engine/crypto/check.js';
import type {
  Millis,
  NodeId,
  RestoreState,
  SavedDescriptor,
  SavedReplayTag,
} from '../engine/types.js';
import { StoreError, storeLimits, type Store } from '../store/index.js';
import { RESTORE_DESCRIPTORS_MAX } from './limits.js';
import type { Logger } from './log.js';

/** What the saver reads from the engine (Node implements it). */
export interface EngineStateSource {
  savedDescriptors(now: Millis): SavedDescriptor[];
  replayTags(since: Millis): SavedReplayTag[];
}

/** The saved state as loaded, and what the saver needs to know of it. */
export interface LoadedEngineState {
  restore: RestoreState;
  /** The loaded descriptors by node ID: already on disk, so not written again. */
  onDisk: Map<NodeId, Uint8Array>;
}

export interface FlushResult {
  descriptorsWritten: number;
  descriptorsRemoved: number;
  replayTagsWritten: number;
  pruned: number;
}

/** Reads the saved directory and replay tags (a store failure: start with none). */
export function loadEngineState(
  store: Store,
  replayMaxAgeMs: number,
  replayMax: number,
  log: Logger,
): LoadedEngineState {
  const onDisk = new Map<NodeId, Uint8Array>();
  try {
    const entries = store.freshestDescriptors(RESTORE_DESCRIPTORS_MAX);
    for (const entry of entries) onDisk.set(entry.nodeId, entry.descriptor);
    const tags = store.liveReplayTags(Math.min(replayMax, storeLimits.REPLAY_MAX_ENTRIES));
    const replayTags = tags.map((t) => ({ tag: t.tag, seenAt: t.expiresAt - replayMaxAgeMs }));
    return { restore: { descriptors: [...onDisk.values()], replayTags }, onDisk };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    log.warn('cannot read the saved directory and replay tags; starting without them', {
      error: err.message,
      code: err.code,
    });
    return { restore: { descriptors: [], replayTags: [] }, onDisk: new Map() };
  }
}

export class EngineStateSaver {
  /** Descriptors on disk by node ID (the engine's own buffers once written). */
  private readonly onDisk: Map<NodeId, Uint8Array>;
  /** Tags first seen at or after this time are not known to be on disk yet. */
  private tagsSince: Millis;

  constructor(
    private readonly store: Store,
    private readonly engine: EngineStateSource,
    private readonly replayMaxAgeMs: number,
    private readonly log: Logger,
    loaded: LoadedEngineState,
    startedAt: Millis,
  ) {
    this.onDisk = loaded.onDisk;
    // Restored tags are on disk already; a tag restored "in the future" was clamped to
    // the start time and is harmlessly written again (a live row keeps its expiry).
    this.tagsSince = startedAt;
  }

  /** Writes what changed since the last flush (Rules 1 and 2). */
  flush(now: Millis): FlushResult {
    const result = {
      descriptorsWritten: 0,
      descriptorsRemoved: 0,
      replayTagsWritten: 0,
      pruned: 0,
    };
    try {
      this.saveDescriptors(now, result);
      this.saveReplayTags(result);
      result.pruned = this.store.pruneDirectory() + this.store.pruneReplay();
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      this.log.warn('cannot save the directory and replay tags; will retry', {
        error: err.message,
        code: err.code,
      });
    }
    return result;
  }

  private saveDescriptors(now: Millis, result: FlushResult): void {
    const current = this.engine.savedDescriptors(now);
    const held = new Set<NodeId>();
    const writes: SavedDescriptor[] = [];
    for (const d of current) {
      held.add(d.id);
      const saved = this.onDisk.get(d.id);
      if (saved === d.bytes) continue;
      // The same record loaded from disk: keep the engine's buffer, so the test is `===`.
      if (saved !== undefined && equalBytes(saved, d.bytes)) this.onDisk.set(d.id, d.bytes);
      else writes.push(d);
    }
    const removed = [...this.onDisk.keys()].filter((id) => !held.has(id));
    const batch = storeLimits.DIRECTORY_BATCH_MAX;
    for (let i = 0; i < removed.length; i += batch) {
      const ids = removed.slice(i, i + batch);
      result.descriptorsRemoved += this.store.saveDescriptors([], ids).removed;
      for (const id of ids) this.onDisk.delete(id);
    }
    for (let i = 0; i < writes.length; i += batch) {
      const chunk = writes.slice(i, i + batch);
      const rows = chunk.map((d) => ({ nodeId: d.id, descriptor: d.bytes, expiresAt: d.expires }));
      const { written, refused } = this.store.saveDescriptors(rows, []);
      result.descriptorsWritten += written;
      // Refused (the table is full): not on disk; tried again at the next flush.
      if (refused === 0) for (const d of chunk) this.onDisk.set(d.id, d.bytes);
    }
  }

  private saveReplayTags(result: FlushResult): void {
    const tags = this.engine.replayTags(this.tagsSince);
    const batch = storeLimits.REPLAY_BATCH_MAX;
    for (let i = 0; i < tags.length; i += batch) {
      const chunk = tags.slice(i, i + batch);
      this.store.saveReplayTags(
        chunk.map((t) => ({ tag: t.tag, expiresAt: t.seenAt + this.replayMaxAgeMs })),
      );
      result.replayTagsWritten += chunk.length;
      // Inclusive next time: a tag seen later in the same millisecond is not missed.
      this.tagsSince = (chunk[chunk.length - 1] as SavedReplayTag).seenAt;
    }
  }
}
