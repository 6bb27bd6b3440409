/**
 * Broadcast measurements from engine events: which nodes each probe reached, how fast, and
 * how many copies they received. Probes are the simulator's own broadcasts; descriptors and
 * revocations count only towards drop-list hits.
 */
import type { MeasureWindow } from './scenario.js';
import { mean, minMax, percentile } from './stats.js';
import type { BroadcastSummary, BroadcastWindowSummary } from './summary.js';

interface Probe {
  sentAt: number;
  /** Live nodes when it was sent (the coverage denominator). */
  live: number;
  delivered: number;
  duplicates: number;
}

export class BroadcastTracker {
  private readonly probes = new Map<string, Probe>();
  private readonly latencies: number[] = [];
  private dropListHits = 0;
  /** Set before each probe is sent: the next `broadcastSent` event belongs to it. */
  private pendingLive: number | undefined;

  expectProbe(liveNodes: number): void {
    this.pendingLive = liveNodes;
  }

  onSent(id: string, kind: string, now: number): void {
    if (kind !== 'probe' || this.pendingLive === undefined) return;
    this.probes.set(id, { sentAt: now, live: this.pendingLive, delivered: 0, duplicates: 0 });
    this.pendingLive = undefined;
  }

  onDelivered(id: string, now: number): void {
    const probe = this.probes.get(id);
    if (!probe) return;
    probe.delivered += 1;
    this.latencies.push(now - probe.sentAt);
  }

  onDuplicate(id: string): void {
    this.dropListHits += 1;
    const probe = this.probes.get(id);
    if (probe) probe.duplicates += 1;
  }

  /** Delivery latencies (ms) of every probe at every node that got it (the latency CDF). */
  latencySamples(): readonly number[] {
    return this.latencies;
  }

  /**
   * Send time and final coverage of every probe sent before `lastSendMs` (later ones may
   * still be travelling at the end), in send order. Coverage counts the origin: the share of
   * the nodes live at send time that the probe reached.
   */
  probeCoverages(lastSendMs: number): { sentAt: number; coverage: number }[] {
    const out: { sentAt: number; coverage: number }[] = [];
    for (const p of this.probes.values()) {
      if (p.sentAt < lastSendMs) {
        out.push({
          sentAt: p.sentAt,
          coverage: Math.min(1, (p.delivered + 1) / Math.max(1, p.live)),
        });
      }
    }
    return out;
  }

  /** Probes sent before `lastSendMs` (later ones may still be travelling at the end). */
  summary(
    mode: BroadcastSummary['mode'],
    lastSendMs: number,
    grafts: number,
    windows: readonly MeasureWindow[],
  ): BroadcastSummary {
    const measured = [...this.probes.values()].filter((p) => p.sentAt < lastSendMs);
    const probeCoverages = this.probeCoverages(lastSendMs);
    const delivered = measured.reduce((n, p) => n + p.delivered, 0);
    const copies = measured.reduce((n, p) => n + p.delivered + p.duplicates, 0);
    const windowSummaries: Record<string, BroadcastWindowSummary> = {};
    for (const w of windows) {
      const inside = probeCoverages
        .filter((p) => p.sentAt >= w.fromMs && p.sentAt < w.toMs)
        .map((p) => p.coverage);
      windowSummaries[w.name] = {
        sent: inside.length,
        coverageMean: mean(inside),
        coverageMin: minMax(inside)?.min ?? null,
      };
    }
    const coverages = probeCoverages.map((p) => p.coverage);
    return {
      mode,
      sent: measured.length,
      coverageMean: mean(coverages),
      coverageMin: minMax(coverages)?.min ?? null,
      redundancy: delivered > 0 ? copies / delivered : null,
      latencyMsP50: percentile(this.latencies, 50),
      latencyMsP99: percentile(this.latencies, 99),
      dropListHits: this.dropListHits,
      grafts,
      windows: windowSummaries,
    };
  }
}
