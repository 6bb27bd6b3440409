/**
 * Every configured fault is shown to fire (issue 6 #2): a run counts how often each kind of
 * fault happened, and lists the configured faults that never did. A fault that never fired
 * means the scenario did not test what it says (a restart with nothing crashed, loss set
 * on an idle network, a churn model whose sessions outlast the run), so `p2pmsg sim` fails
 * such a run (exit 1) naming each one, after writing its report.
 *
 * Counts (summary.json `faults`):
 *   crash … latency   scripted actions that fired (one per event, however many nodes)
 *   lossDrops         frames lost to the loss probability (network.loss and loss events)
 *   partitionCuts     frames, FINs and connection set-up legs a partition stopped
 *   duplicates        frames delivered twice (network.duplicate)
 *   reorders          frames held back out of order (network.reorder)
 *   churnSessions     online sessions ended by the churn model
 *   adversaries       (only with `adversaries:`) what each entry's nodes did, summed; an
 *                     entry with nodes that did nothing (no traffic to drop, no link to
 *                     send garbage on, no path through a Sybil) never fired
 *   neverFired        the configured faults above that stayed at zero, one line each
 */
import type { SimStats } from '../transports/sim/network.js';
import { formatDuration } from './duration.js';
import { ACTION_TYPES } from './scenario-events.js';
import type { ActionType, Scenario, ScenarioAction } from './scenario.js';
import { describeAction } from './summary.js';

export interface FaultCounts extends Record<ActionType, number> {
  lossDrops: number;
  partitionCuts: number;
  duplicates: number;
  reorders: number;
  churnSessions: number;
  /** Activity of each `adversaries:` entry, by label (absent without adversaries). */
  adversaries?: Record<string, number>;
  /** Configured faults that never fired; a run with any fails (p2pmsg sim exits 1). */
  neverFired: string[];
}

/** One `adversaries:` entry: what its nodes did in all (adversaries/tracker.ts). */
export interface AdversaryActivity {
  label: string;
  activity: number;
  /** False for an entry of zero nodes (fraction 0: the baseline of a sweep), never "unfired". */
  configured: boolean;
}

/** Why an action can fail to fire (actions.ts, Rule 2). */
const NOTHING_TO_DO: Record<ActionType, string> = {
  crash: 'no live node was selected',
  leave: 'no live node was selected',
  restart: 'no crashed node was selected',
  join: 'no node joined',
  partition: 'none of its nodes existed',
  heal: 'no partition was in force',
  loss: 'it did not run',
  latency: 'it did not run',
};

/** The scripted actions of one run, as they fire. */
export class FaultLog {
  private readonly actions = Object.fromEntries(ACTION_TYPES.map((t) => [t, 0])) as Record<
    ActionType,
    number
  >;
  private readonly fired: boolean[];

  constructor(private readonly scenario: Scenario) {
    this.fired = scenario.events.map(() => false);
  }

  /** Event `index` of the scenario fired. */
  onFired(index: number): void {
    const event = this.scenario.events[index];
    if (event === undefined) throw new RangeError(`FaultLog: no event ${index}`);
    this.actions[event.action.type] += 1;
    this.fired[index] = true;
  }

  /** The counts at the end of the run, with the faults that never fired. */
  summary(
    stats: Readonly<SimStats>,
    churnSessions: number,
    adversaries?: readonly AdversaryActivity[],
  ): FaultCounts {
    const counts = {
      ...this.actions,
      lossDrops: stats.lossDrops,
      partitionCuts: stats.partitionCuts,
      duplicates: stats.duplicated,
      reorders: stats.reordered,
      churnSessions,
    };
    const neverFired = this.neverFired(counts);
    if (adversaries === undefined) return { ...counts, neverFired };
    for (const a of adversaries) {
      if (a.configured && a.activity === 0) neverFired.push(`${a.label}: its nodes never acted`);
    }
    const activity = Object.fromEntries(adversaries.map((a) => [a.label, a.activity]));
    return { ...counts, adversaries: activity, neverFired };
  }

  private neverFired(counts: Omit<FaultCounts, 'neverFired'>): string[] {
    const s = this.scenario;
    const out: string[] = [];
    s.events.forEach((event, i) => {
      if (!this.fired[i]) {
        out.push(`${eventLabel(i, event)} never fired: ${NOTHING_TO_DO[event.action.type]}`);
      }
    });
    const lossAt = lossSource(s);
    if (lossAt !== null && counts.lossDrops === 0) out.push(`${lossAt}: no frame was lost to it`);
    if (s.network.duplicate > 0 && counts.duplicates === 0) {
      out.push(`network.duplicate (${s.network.duplicate}): no frame was duplicated`);
    }
    if (s.network.reorder !== null && counts.reorders === 0) {
      out.push(
        `network.reorder (probability ${s.network.reorder.probability}): no frame was reordered`,
      );
    }
    const partitions = s.events
      .map((event, i) => ({ event, i }))
      .filter(({ event, i }) => event.action.type === 'partition' && this.fired[i]);
    if (partitions.length > 0 && counts.partitionCuts === 0) {
      const first = partitions[0] as { event: Scenario['events'][number]; i: number };
      out.push(`${eventLabel(first.i, first.event)}: no frame, FIN or dial crossed the cut`);
    }
    const churn = s.churn;
    if (churn !== null && churn.fromMs < churn.untilMs && counts.churnSessions === 0) {
      out.push(
        `churn: no online session ended between from (${formatDuration(churn.fromMs)}) and ` +
          `until (${formatDuration(churn.untilMs)})`,
      );
    }
    return out;
  }
}

/** `events[2] (line 14, at 5m: crash 10% of the live nodes)`. */
function eventLabel(
  index: number,
  event: { at: number; line: number; action: ScenarioAction },
): string {
  return `events[${index}] (line ${event.line}, at ${formatDuration(event.at)}: ${describeAction(event.action)})`;
}

/** The key that configured loss, if any loss above zero was configured. */
function lossSource(s: Scenario): string | null {
  if (s.network.loss > 0) return `network.loss (${s.network.loss})`;
  const i = s.events.findIndex((e) => e.action.type === 'loss' && e.action.loss > 0);
  return i < 0 ? null : `${eventLabel(i, s.events[i] as Scenario['events'][number])}`;
}
