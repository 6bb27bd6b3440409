/**
 * Who keeps a descriptor pinned (Directory.pin, rule 5): the runtime, by command (its
 * contacts), and the routing layer, one hold per pending message to a target. A sampled
 * directory would otherwise evict a pending message's target like any member — a lower-ranked
 * newcomer, an unreachable member's replacement — and leave the sender with nowhere to send
 * until the message expired (swarm seed 2120: unknown-destination from minute 7 on, target
 * alive). A pin lasts while either keeps it.
 *
 * A held target is shared with neighbours like a sampled record (Directory.tryPin): leaving
 * it out of digests and sync answers, as the runtime's secret pins are, would show whom we
 * write to. Routing holds cannot fail the send: past the directory's `pinnedMax` a target
 * is simply not pinned (counted in `holdsUnpinned`, the node's `directoryTargetsUnpinned`
 * counter), as every target was before holds existed.
 */
import type { NodeId } from '../types.js';
import type { Directory } from './directory.js';

export class Pins {
  private readonly byRuntime = new Set<NodeId>();
  /** Pending messages per target. */
  private readonly holds = new Map<NodeId, number>();
  /** Holds that found every pin taken (the target stayed an ordinary member). */
  holdsUnpinned = 0;

  constructor(private readonly directory: Directory) {}

  /** The runtime's pin (throws DirectoryPinError past pinnedMax, as Directory.pin does). */
  pin(id: NodeId): void {
    this.directory.pin(id); // secret, even if a pending message holds it too
    this.byRuntime.add(id);
  }

  unpin(id: NodeId): void {
    if (!this.byRuntime.delete(id)) return;
    if (this.holds.has(id))
      this.directory.tryPin(id, true); // held still: shared again
    else this.directory.unpin(id);
  }

  /** A message to `id` is pending. */
  hold(id: NodeId): void {
    const count = this.holds.get(id) ?? 0;
    this.holds.set(id, count + 1);
    if (count === 0 && !this.byRuntime.has(id) && !this.directory.tryPin(id, true))
      this.holdsUnpinned += 1;
  }

  /** A message to `id` was answered. */
  release(id: NodeId): void {
    const count = this.holds.get(id);
    if (count === undefined) return;
    if (count > 1) return void this.holds.set(id, count - 1);
    this.holds.delete(id);
    if (!this.byRuntime.has(id)) this.directory.unpin(id);
  }
}
