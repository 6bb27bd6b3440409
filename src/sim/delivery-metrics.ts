/**
 * Delivery measurements of the message workload (issue 4 "Scenarios"), from engine events
 * (messageAttempt, messageAcked, messageFailed, packetDropped), the network's `deliver`
 * outputs and the sizes of the onion frames on the links.
 *
 * Definitions (summary.ts METRIC_NOTES repeats them for the report):
 * - A message is *measured* when its target was online when it was sent and is online at
 *   its deadline (sent + expiry), and it is decided: delivered, or its deadline fell
 *   inside the run. `ratio` = measured messages delivered / measured messages.
 *   `ratioSteadyEnds` is the same over the measured messages whose sender and target both
 *   stayed online from the send to the deadline: what the relays and the retries achieve
 *   when the ends do their part. (Under churn a target may be online at both instants yet
 *   away for most of the window in between, and a sender that crashed cannot retry until
 *   it restarts — the daemon's outbox and the simulator's, workload.ts, then re-send.)
 * - Latency: from the workload's send to the first delivery at the target.
 * - A *duplicate* is a second delivery of a message to the same engine life of its target:
 *   the engine promises exactly once per life, so it must be 0. A delivery after the target
 *   restarted is counted apart (`duplicatesAcrossRestarts`): the daemon's durable inbox
 *   drops it by message ID, as the engine contract says.
 * - Retries: attempts beyond each message's first (after a timeout, or re-issued by the
 *   sender's outbox after it restarted). A sharded message sends n packets at first, each
 *   its own `messageAttempt`: its retries are the packets beyond those n.
 * - No retry (`noRetry`, `ratioNoRetry`): measured messages delivered before anything was
 *   sent again — their first attempt, or the first n shards, sufficed. What shards buy: a
 *   message that survives a dropped path without waiting for a timeout.
 * - Bandwidth: onion frames sent on any link (messages, shards, acks, every hop, resends
 *   included) per delivered message.
 * - Reroute extra delay: median latency of messages delivered after at least one retry
 *   minus the median latency of those delivered on the first attempt.
 * - Path diversity: for every (sender, target) pair with at least two attempts, distinct
 *   paths / attempts; the mean over those pairs (1 = no path ever reused).
 */
import { mean, percentile, percentiles } from './stats.js';
import type { DeliverySummary } from './summary.js';

interface Tracked {
  from: number;
  to: number;
  /** Packets of one first attempt: n for a message split into n shards, else 1. */
  parts: number;
  sentAt: number;
  deadline: number;
  targetLiveAtSend: boolean;
  /** Whether the target was live at the deadline; undefined until the deadline passes. */
  targetLiveAtDeadline: boolean | undefined;
  attempts: number;
  attemptsAtDelivery: number | undefined;
  deliveredAt: number | undefined;
  /** Engine lives of the target that delivered it. */
  lives: Set<number>;
  /** Answered: acked or failed (the sender's outbox no longer holds it). */
  done: boolean;
}

/** One message as the swarm's liveness check reads it (times in simulated ms). */
export interface MessageRecord {
  id: string;
  from: number;
  to: number;
  sentAt: number;
  deadline: number;
  /** First delivery to the target, or undefined. */
  deliveredAt: number | undefined;
}

export class DeliveryTracker {
  private readonly messages = new Map<string, Tracked>();
  private readonly pairs = new Map<string, { attempts: number; paths: Set<string> }>();
  private readonly frameSizes = new Set<number>();
  private hops: number[] = [];
  private onionFrames = 0;
  private failed = 0;
  private duplicates = 0;
  private duplicatesAcrossRestarts = 0;
  private readonly drops = new Map<string, number>();
  /** When each node went down (crash or leave), in time order. */
  private readonly downs = new Map<number, number[]>();
  private reissued = 0;

  onSent(
    id: string,
    from: number,
    to: number,
    sentAt: number,
    deadline: number,
    targetLive: boolean,
    parts = 1,
  ): void {
    this.messages.set(id, {
      from,
      to,
      parts,
      sentAt,
      deadline,
      targetLiveAtSend: targetLive,
      targetLiveAtDeadline: undefined,
      attempts: 0,
      attemptsAtDelivery: undefined,
      deliveredAt: undefined,
      lives: new Set(),
      done: false,
    });
  }

  /** The message's deadline has come: is its target online? */
  onDeadline(id: string, targetLive: boolean): void {
    const message = this.messages.get(id);
    if (message) message.targetLiveAtDeadline = targetLive;
  }

  /** Node `node` crashed or left at `now`. */
  onNodeDown(node: number, now: number): void {
    let times = this.downs.get(node);
    if (!times) this.downs.set(node, (times = []));
    times.push(now);
  }

  /** The sender restarted and its outbox issued the message again. */
  onReissued(): void {
    this.reissued += 1;
  }

  onAttempt(id: string, path: readonly string[]): void {
    const message = this.messages.get(id);
    if (!message) return;
    message.attempts += 1;
    this.hops.push(path.length - 1);
    const pair = `${message.from}>${message.to}`;
    let entry = this.pairs.get(pair);
    if (!entry) this.pairs.set(pair, (entry = { attempts: 0, paths: new Set() }));
    entry.attempts += 1;
    entry.paths.add(path.join(','));
  }

  onAcked(id: string): void {
    const message = this.messages.get(id);
    if (message) message.done = true;
  }

  onFailed(id: string): void {
    this.failed += 1;
    const message = this.messages.get(id);
    if (message) message.done = true;
  }

  onDropped(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  onOnionFrame(bytes: number): void {
    this.onionFrames += 1;
    this.frameSizes.add(bytes);
  }

  /** A `deliver` output of node `node` in its engine life `life`. */
  onDelivered(id: string, node: number, life: number, now: number): void {
    const message = this.messages.get(id);
    if (!message || node !== message.to) return;
    if (message.lives.has(life)) this.duplicates += 1;
    else if (message.lives.size > 0) this.duplicatesAcrossRestarts += 1;
    message.lives.add(life);
    if (message.deliveredAt === undefined) {
      message.deliveredAt = now;
      message.attemptsAtDelivery = message.attempts;
    }
  }

  /** Messages still in `from`'s outbox at `now`: neither acked nor failed, not expired. */
  outstanding(from: number, now: number): string[] {
    const out: string[] = [];
    for (const [id, m] of this.messages) {
      if (m.from === from && !m.done && m.deadline > now) out.push(id);
    }
    return out;
  }

  /** Second deliveries to one engine life so far (must stay 0; the swarm checks it live). */
  get duplicateCount(): number {
    return this.duplicates;
  }

  /** Every message, in send order. */
  records(): MessageRecord[] {
    return [...this.messages].map(([id, m]) => ({
      id,
      from: m.from,
      to: m.to,
      sentAt: m.sentAt,
      deadline: m.deadline,
      deliveredAt: m.deliveredAt,
    }));
  }

  /** Send and first-delivery times of every message, in send order (the time series). */
  messageTimes(): { sentAt: number; deliveredAt: number | undefined }[] {
    return [...this.messages.values()].map(({ sentAt, deliveredAt }) => ({ sentAt, deliveredAt }));
  }

  /** Send-to-first-delivery latency (ms) of every delivered message (the latency CDF). */
  latencies(): number[] {
    const out: number[] = [];
    for (const m of this.messages.values()) {
      if (m.deliveredAt !== undefined) out.push(m.deliveredAt - m.sentAt);
    }
    return out;
  }

  summary(endMs: number): DeliverySummary {
    const all = [...this.messages.values()];
    const measured = all.filter(
      (m) =>
        m.targetLiveAtSend &&
        (m.deliveredAt !== undefined || m.deadline <= endMs) &&
        m.targetLiveAtDeadline !== false,
    );
    const delivered = all.filter((m) => m.deliveredAt !== undefined);
    const latency = (m: Tracked): number => (m.deliveredAt as number) - m.sentAt;
    const latencies = this.latencies();
    const [p50, p95, p99] = percentiles(latencies, [50, 95, 99]);
    const retried = (m: Tracked): boolean => (m.attemptsAtDelivery ?? 0) > m.parts;
    const firstTry = delivered.filter((m) => !retried(m)).map(latency);
    const rerouted = delivered.filter(retried).map(latency);
    const firstP50 = percentile(firstTry, 50);
    const reroutedP50 = percentile(rerouted, 50);
    let retries = 0;
    for (const m of all) retries += Math.max(0, m.attempts - m.parts);
    const diversity: number[] = [];
    for (const pair of this.pairs.values()) {
      if (pair.attempts >= 2) diversity.push(pair.paths.size / pair.attempts);
    }
    const measuredDelivered = measured.filter((m) => m.deliveredAt !== undefined).length;
    const noRetry = measured.filter((m) => m.deliveredAt !== undefined && !retried(m)).length;
    const wentDown = (node: number, from: number, to: number): boolean =>
      (this.downs.get(node) ?? []).some((t) => t >= from && t <= to);
    const steady = measured.filter((m) => {
      const until = Math.min(m.deadline, endMs);
      return !wentDown(m.from, m.sentAt, until) && !wentDown(m.to, m.sentAt, until);
    });
    const steadyDelivered = steady.filter((m) => m.deliveredAt !== undefined).length;
    return {
      sent: all.length,
      measured: measured.length,
      delivered: delivered.length,
      ratio: measured.length > 0 ? measuredDelivered / measured.length : null,
      noRetry,
      ratioNoRetry: measured.length > 0 ? noRetry / measured.length : null,
      steadyEnds: steady.length,
      ratioSteadyEnds: steady.length > 0 ? steadyDelivered / steady.length : null,
      failed: this.failed,
      duplicates: this.duplicates,
      duplicatesAcrossRestarts: this.duplicatesAcrossRestarts,
      latencyMsP50: p50 ?? null,
      latencyMsP95: p95 ?? null,
      latencyMsP99: p99 ?? null,
      retries,
      reissued: this.reissued,
      rerouted: rerouted.length,
      rerouteExtraMsP50: firstP50 !== null && reroutedP50 !== null ? reroutedP50 - firstP50 : null,
      hopsMean: mean(this.hops),
      pathDiversity: mean(diversity),
      packetSizes: [...this.frameSizes].sort((a, b) => a - b),
      onionFrames: this.onionFrames,
      onionFramesPerDelivered: delivered.length > 0 ? this.onionFrames / delivered.length : null,
      packetsDropped: [...this.drops.values()].reduce((a, b) => a + b, 0),
      dropReasons: Object.fromEntries([...this.drops].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
}
