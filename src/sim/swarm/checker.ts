/**
 * Swarm mode's checker: safety at every step of a run, liveness once its faults are over
 * (STYLE.md #14; TigerBeetle docs/internals/vopr.md).
 *
 * Safety, checked as it happens (the first violation ends the run, SwarmViolationError):
 * - no message is delivered twice to one engine life of its target (the delivery tracker
 *   counts such duplicates, delivery-metrics.ts; the count must stay 0);
 * - no active view grows past maxPeers (every neighbourUp/neighbourDown event carries the
 *   view's size; minPeers is a liveness goal, not a safety bound);
 * - every onion frame on every link has the one fixed size, header plus PACKET_BYTES;
 * - the engines' own invariants (NodeOptions.checkInvariants, after every input; run.ts
 *   turns their throw into a violation).
 *
 * Liveness, checked at the end (`finish`): with `healedAt` the end of the last fault and
 * `settledAt` = healedAt + LIVENESS_SETTLE_MS,
 * - every message sent at or after settledAt, by a node that stayed live from then on, to
 *   a target live without a break since healedAt, is delivered within
 *   LIVENESS_DELIVERY_BOUND_MS of being sent (messages whose bound falls after the end of
 *   the run are not judged);
 * - the live nodes form one connected overlay.
 */

import { PACKET_BYTES } from '../../engine/onion/limits.js';
import type { EngineEvent } from '../../engine/types.js';
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import { FRAME_HEADER_BYTES } from '../../engine/wire/limits.js';
import type { DeliveryTracker } from '../delivery-metrics.js';
import { componentSizes } from '../overlay-metrics.js';
import type { RunObserver } from '../runner.js';
import type { Scenario } from '../scenario.js';
import type { SimWorld } from '../world.js';
import { LIVENESS_DELIVERY_BOUND_MS, LIVENESS_REPORTED_MAX, LIVENESS_SETTLE_MS } from './limits.js';

/** The one size of every onion frame: the frame header and one packet. */
export const ONION_FRAME_BYTES = FRAME_HEADER_BYTES + PACKET_BYTES;
const ONION_CODE = MESSAGE_CODES.onion.code;

export type ViolationKind =
  | 'duplicate-delivery'
  | 'degree'
  | 'frame-size'
  | 'engine-invariant'
  | 'exception'
  | 'undelivered'
  | 'disconnected'
  | 'never-fired';

export interface Violation {
  kind: ViolationKind;
  /** Simulated time it was seen at (ms). */
  atMs: number;
  /** The node concerned, when there is one. */
  node?: number;
  message: string;
}

/** A safety violation, thrown from a hook to stop the run where it happened. */
export class SwarmViolationError extends Error {
  override name = 'SwarmViolationError';
  constructor(readonly violation: Violation) {
    super(violation.message);
  }
}

/** When the last fault of `scenario` ends: its last event, churn window or initial join. */
export function faultsEndMs(scenario: Scenario): number {
  let end = scenario.join.overMs;
  for (const event of scenario.events) end = Math.max(end, event.at);
  if (scenario.churn !== null) end = Math.max(end, scenario.churn.untilMs);
  return end;
}

/** What liveness judged, for the run's one-line result. */
export interface LivenessTally {
  /** Messages held to the delivery bound. */
  messagesJudged: number;
  liveNodes: number;
}

export class SwarmChecker implements RunObserver {
  private world: SimWorld | undefined;
  private deliveries: DeliveryTracker | undefined;
  /** The last time each node went down or came back, if it ever did. */
  private readonly lastChange = new Map<number, number>();
  private readonly maxPeers: number;
  readonly healedAtMs: number;
  readonly settledAtMs: number;

  constructor(private readonly scenario: Scenario) {
    this.maxPeers = scenario.overlay.maxPeers;
    this.healedAtMs = faultsEndMs(scenario);
    this.settledAtMs = this.healedAtMs + LIVENESS_SETTLE_MS;
  }

  attach(world: SimWorld, deliveries: DeliveryTracker): void {
    this.world = world;
    this.deliveries = deliveries;
  }

  /** RunOptions.onTrace: the active view's size rides on every change of it. */
  readonly onTrace = (node: number, event: EngineEvent, now: number): void => {
    if (event.type !== 'neighbourUp' && event.type !== 'neighbourDown') return;
    if (event.activeSize > this.maxPeers) {
      this.fail({
        kind: 'degree',
        atMs: now,
        node,
        message: `node ${node} has ${event.activeSize} active neighbours, more than maxPeers ${this.maxPeers} (on ${event.type} ${event.peer})`,
      });
    }
  };

  /** Whether a frame is an onion frame (its type byte ends the header). */
  isOnionFrame(bytes: Uint8Array): boolean {
    return bytes[FRAME_HEADER_BYTES - 1] === ONION_CODE;
  }

  onSend(node: number, bytes: Uint8Array, now: number): void {
    if (!this.isOnionFrame(bytes) || bytes.length === ONION_FRAME_BYTES) return;
    this.fail({
      kind: 'frame-size',
      atMs: now,
      node,
      message: `node ${node} sent an onion frame of ${bytes.length} bytes; every onion frame is ${ONION_FRAME_BYTES} bytes`,
    });
  }

  onDeliver(node: number, life: number, messageId: string, now: number): void {
    const duplicates = this.deliveries?.duplicateCount ?? 0;
    if (duplicates === 0) return;
    this.fail({
      kind: 'duplicate-delivery',
      atMs: now,
      node,
      message: `message ${messageId} delivered again to node ${node} in the same engine life (${life})`,
    });
  }

  onDown(node: number, now: number): void {
    this.lastChange.set(node, now);
  }

  onRestart(node: number, now: number): void {
    this.lastChange.set(node, now);
  }

  /** Liveness at the end of the run; [] when it holds. */
  finish(): { violations: Violation[]; tally: LivenessTally } {
    const world = this.world;
    const deliveries = this.deliveries;
    if (world === undefined || deliveries === undefined) {
      throw new Error('SwarmChecker.finish: the checker was never attached to a run');
    }
    const end = this.scenario.durationMs;
    const liveSince = (node: number, t: number): boolean =>
      world.net.isLive(node) && (this.lastChange.get(node) ?? -1) < t;
    const violations: Violation[] = [];
    let judged = 0;
    let undelivered = 0;
    for (const m of deliveries.records()) {
      const due = m.sentAt + LIVENESS_DELIVERY_BOUND_MS;
      if (m.sentAt < this.settledAtMs || due > end || due > m.deadline) continue;
      if (!liveSince(m.to, this.healedAtMs) || !liveSince(m.from, m.sentAt)) continue;
      judged += 1;
      if (m.deliveredAt !== undefined && m.deliveredAt <= due) continue;
      undelivered += 1;
      if (undelivered > LIVENESS_REPORTED_MAX) continue;
      const fate =
        m.deliveredAt === undefined
          ? 'never delivered'
          : `delivered only after ${m.deliveredAt - m.sentAt} ms`;
      violations.push({
        kind: 'undelivered',
        atMs: due,
        node: m.to,
        message:
          `message ${m.id} from node ${m.from} to node ${m.to}, sent at ${m.sentAt} ms, after ` +
          `the faults and the settle period, ${fate} (bound ${LIVENESS_DELIVERY_BOUND_MS} ms)`,
      });
    }
    if (undelivered > LIVENESS_REPORTED_MAX) {
      const last = violations[violations.length - 1] as Violation;
      last.message += `; ${undelivered - LIVENESS_REPORTED_MAX} more messages like these`;
    }
    const live = world.liveSnapshots();
    const components = componentSizes(live);
    if (components.length > 1) {
      violations.push({
        kind: 'disconnected',
        atMs: end,
        message:
          `the overlay is split into ${components.length} components (sizes ` +
          `${components.join(', ')}) ${end - this.healedAtMs} ms after the faults ended`,
      });
    }
    return { violations, tally: { messagesJudged: judged, liveNodes: live.length } };
  }

  private fail(violation: Violation): never {
    throw new SwarmViolationError(violation);
  }
}
