/**
 * The message workload of a scenario (`workload:`): end-to-end messages between random
 * online pairs, as a Poisson process, and the senders' durable outboxes.
 *
 * Theory of operation. Gaps between messages are exponential with mean `intervalMs`
 * (network-wide); each message goes from a uniformly random live node to another one,
 * with a random 16-byte ID, a body of `size` bytes (fixed, or drawn per message) and
 * `expiresAt` = now + `expiryMs`. The sender's engine retries it until then.
 *
 * Pairs (`pairs`): `uniform` picks the sender uniformly among the live nodes and the target
 * uniformly among the others. `zipf` (a hot spot) picks the target by Zipf rank with
 * exponent s among the live nodes in node index order (rank 1 = the live node with the
 * smallest index, chosen with probability 1/(1^s · H(n, s))), then the sender uniformly
 * among the other live nodes. Ranks follow the live set: when the hottest node is down,
 * the next one takes its rank. `known` picks the sender uniformly, then the target uniformly
 * among the live nodes whose descriptor the sender's directory holds: users write to their
 * contacts, whose descriptors a daemon pins, and with a sampled directory (directory.sample)
 * a sender can only route to nodes it knows. A sender that knows no live node is redrawn a
 * few times (KNOWN_SENDER_DRAWS), then the pair is drawn uniformly (and likely fails as
 * unknown-destination, which the delivery metrics show). With `shards: n/k` every message
 * is split into n shards, each on its own node-disjoint path (routing/shard-sender.ts).
 *
 * The daemon keeps its outbox on disk and, after a restart, issues every message still
 * pending again (engine/types.ts, the `send` command). The simulator plays that part: when
 * a node restarts, every message of its own that was neither acked nor failed and has not
 * expired is sent again with the same ID and expiry. The target's dedup and the ack make
 * that safe.
 *
 * Randomness: one stream of its own (`${seed}/workload`, fork 'messages'), so adding
 * messages never shifts a node's, the churn model's or the probes' draws; sizes drawn from a
 * distribution come from the fork 'sizes', so a fixed size draws nothing.
 */
import type { Command } from '../engine/types.js';
import type { Random } from '../engine/random.js';
import { SeededRandomSource } from '../transports/sim/rng.js';
import type { DeliveryTracker } from './delivery-metrics.js';
import { sampleSize, ZipfSampler } from './distributions.js';
import type { PairsModel, Scenario } from './scenario.js';
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
    const { intervalMs, fromMs, untilMs, size, expiryMs, shards, pairs } = this.scenario.workload;
    if (intervalMs === null) return;
    const w = this.world;
    const source = new SeededRandomSource(`${this.scenario.seed}/workload`);
    const random = source.fork('messages');
    const choosePair = pairChooser(pairs, random, w);
    const fixedBody = size.kind === 'fixed' ? new Uint8Array(size.bytes) : null;
    const sizeRandom = source.fork('sizes');
    const next = (after: number): number =>
      after + Math.max(1, Math.round(-Math.log(1 - random.next()) * intervalMs));
    const fire = (): void => {
      // Adversaries neither send nor receive: delivery is measured between honest nodes.
      const live = w.liveHonestNodes();
      if (live.length >= 2) {
        const [from, to] = choosePair(live);
        const body = fixedBody ?? new Uint8Array(sampleSize(size, sizeRandom));
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

/** Sender draws for `known` pairs before falling back to a uniform pair. */
const KNOWN_SENDER_DRAWS = 8;

/** Picks [sender, target] among at least two live nodes (module header, "Pairs"). */
function pairChooser(
  pairs: PairsModel,
  random: Random,
  world: SimWorld,
): (live: number[]) => [number, number] {
  const uniform = (live: number[]): [number, number] => {
    const i = random.int(live.length);
    return [live[i] as number, live[(i + 1 + random.int(live.length - 1)) % live.length] as number];
  };
  if (pairs.kind === 'uniform') return uniform;
  if (pairs.kind === 'known') {
    return (live) => {
      for (let draw = 0; draw < KNOWN_SENDER_DRAWS; draw++) {
        const from = live[random.int(live.length)] as number;
        const known: number[] = [];
        for (const d of world.nodeOf(from)?.savedDescriptors(world.now) ?? []) {
          const index = world.indexOf(d.id);
          if (index === undefined || index === from || !world.net.isLive(index)) continue;
          if (!world.isAdversary(index)) known.push(index);
        }
        if (known.length > 0) return [from, known[random.int(known.length)] as number];
      }
      return uniform(live);
    };
  }
  const zipf = new ZipfSampler(pairs.s);
  return (live) => {
    const rank = zipf.draw(random, live.length);
    const from = live[(rank + 1 + random.int(live.length - 1)) % live.length] as number;
    return [from, live[rank] as number];
  };
}
