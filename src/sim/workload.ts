/**
 * The message workload of a scenario (`workload:`): end-to-end messages between random
 * online pairs, as a Poisson process, and the senders' durable outboxes.
 *
 * Theory of operation. Gaps between messages are exponential with mean `intervalMs`
 * (network-wide); each message goes from a uniformly random live node to another one,
 * with a random 16-byte ID, `sizeBytes` of body and `expiresAt` = now + `expiryMs`. The
 * sender's engine retries it until then. With `shards: n/k` every message is split into n
 * shards, each on its own node-disjoint path (routing/shard-sender.ts).
 *
 * The daemon keeps its outbox on disk and, after a restart, issues every message still
 * pending again (engine/types.ts, the `send` command). The simulator plays that part: when
 * a node restarts, every message of its own that was neither acked nor failed and has not
 * expired is sent again with the same ID and expiry. The target's dedup and the ack make
 * that safe.
 *
 * Randomness: one stream of its own (`${seed}/workload`, fork 'messages'), so adding
 * messages never shifts a node's, the churn model's or the probes' draws.
 */
import type { Command } from '../engine/types.js';
import { SeededRandomSource } from '../transports/sim/rng.js';
import type { DeliveryTracker } from './delivery-metrics.js';
import type { Scenario } from './scenario.js';
import type { SimWorld } from './world.js';

type SendCommand = Extract<Command, { type: 'send' }>;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class MessageWorkload {
  /** Every message sent, by hex ID, for re-issuing (the outbox). */
  private readonly commands = new Map<string, { from: number; command: SendCommand }>();

  constructor(
    private readonly world: SimWorld,
    private readonly scenario: Scenario,
    private readonly tracker: DeliveryTracker,
  ) {}

  /** Queues the first message; each one queues the next. */
  schedule(): void {
    const { intervalMs, fromMs, untilMs, sizeBytes, expiryMs, shards } = this.scenario.workload;
    if (intervalMs === null) return;
    const w = this.world;
    const random = new SeededRandomSource(`${this.scenario.seed}/workload`).fork('messages');
    const body = new Uint8Array(sizeBytes);
    const next = (after: number): number =>
      after + Math.max(1, Math.round(-Math.log(1 - random.next()) * intervalMs));
    const fire = (): void => {
      const live = w.net.liveNodes();
      if (live.length >= 2) {
        const i = random.int(live.length);
        const from = live[i] as number;
        const to = live[(i + 1 + random.int(live.length - 1)) % live.length] as number;
        const toId = w.idOf(to) as string;
        const messageId = random.bytes(16);
        const id = hex(messageId);
        const now = w.now;
        const command: SendCommand = {
          type: 'send',
          messageId,
          to: toId,
          body,
          expiresAt: now + expiryMs,
          ...(shards === null ? {} : { shards }),
        };
        this.commands.set(id, { from, command });
        this.tracker.onSent(id, from, to, now, now + expiryMs, true, shards?.n ?? 1);
        w.net.at(now + expiryMs, () => this.tracker.onDeadline(id, w.net.isLive(to)));
        w.net.command(from, command);
      }
      const at = next(w.now);
      if (at < untilMs) w.net.at(at, fire);
    };
    const first = next(fromMs);
    if (first < untilMs) w.net.at(first, fire);
  }

  /** Node `index` restarted: its outbox issues its unanswered messages again. */
  onRestart(index: number): void {
    const w = this.world;
    if (!w.net.isLive(index)) return;
    for (const id of this.tracker.outstanding(index, w.now)) {
      const entry = this.commands.get(id);
      if (entry === undefined) continue;
      this.tracker.onReissued();
      w.net.command(index, entry.command);
    }
  }
}
