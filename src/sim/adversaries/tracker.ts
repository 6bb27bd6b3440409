/**
 * What the adversaries of a run did and what contained them: the `adversaries` section of
 * summary.json, and each entry's activity for the faults' "never fired" check.
 *
 * Counted from engine events as they happen (honest nodes only, so an adversary's own
 * bookkeeping never counts as containment) and from the live honest nodes' counters at the
 * end. Sybil paths are judged on every attempt an honest sender makes: how many of its
 * relays live in the Sybil /16.
 *
 * Sample healing (directory.ts rule 7) is judged per replacement: each honest node's records
 * are opened through `opener`, which notes the record being opened; a rise of the node's
 * `directoryReplacedUnreachable` counter by the next record (or the end of the run) belongs
 * to the last one opened — the newcomer that took the freed slot. Reads only: no draw, no
 * event, so the run is the run it would be without it.
 */
import type { RecordOpener } from '../../engine/directory/records.js';
import type { Node } from '../../engine/node.js';
import type { EngineEvent, NodeId } from '../../engine/types.js';
import { MINUTE_MS } from '../limits.js';
import type { SimWorld } from '../world.js';
import type { AdversaryPlan } from './plan.js';
import type { AdversaryBehaviour } from './spec.js';

export interface AdversaryEntrySummary {
  behaviour: AdversaryBehaviour;
  nodes: number;
  /** What its nodes did, by kind (the behaviour modules' tallies), keys sorted. */
  activity: Record<string, number>;
}

export interface SybilSummary {
  prefix: string;
  /** Sybil relays live at the end, out of all live relays. */
  liveSybils: number;
  liveRelays: number;
  /** Path attempts of honest senders, and those with ≥ 1 and ≥ 2 Sybil relays. */
  attempts: number;
  withSybil: number;
  withTwoSybils: number;
  shareWithSybil: number | null;
  shareWithTwoSybils: number | null;
  /** The share with ≥ 2 expected if relays were drawn uniformly (no /16 rule). */
  shareWithTwoSybilsUniform: number | null;
}

export interface EclipseSummary {
  victim: number;
  /** The victim's active view at the end: its size and how many of it are attackers. */
  victimDegree: number | null;
  attackersInView: number | null;
  /** The victim's directory size, and the mean over live honest nodes. */
  victimDirectorySize: number | null;
  directorySizeMean: number | null;
  /** Share of live honest nodes whose directory holds the victim's unexpired descriptor. */
  victimKnownBy: number | null;
}

export interface EclipseOverTime {
  /** Minutes since the start, one sample a minute (and the end of the run). */
  minute: number[];
  /** The victim's active-view size then (null: the victim was down). */
  degree: (number | null)[];
  /** Attackers in it then. */
  attackers: (number | null)[];
}

export interface SampleHealingSummary {
  /** Rule-7 replacements at honest nodes over the run (every life), and by adversaries. */
  replaced: number;
  byAdversary: number;
  /** byAdversary / replaced. */
  adversaryShare: number | null;
  /** Live adversaries / live nodes at the end: the share a fair rule would give them. */
  liveAdversaryShare: number | null;
  /**
   * The live honest nodes' directories at the end (relays, the node itself left out): slots
   * held by a member that came in by rule 7, and of those adversarial; all other slots, and
   * of those adversarial.
   */
  healedSlots: number;
  healedSlotsAdversarial: number;
  otherSlots: number;
  otherSlotsAdversarial: number;
  /** The same four counts once a minute (and at the end), as parallel arrays. */
  overTime: {
    minute: number[];
    healedSlots: number[];
    healedSlotsAdversarial: number[];
    otherSlots: number[];
    otherSlotsAdversarial: number[];
  };
}

interface SlotCounts {
  healedSlots: number;
  healedSlotsAdversarial: number;
  otherSlots: number;
  otherSlotsAdversarial: number;
}

export interface AdversarySummary {
  entries: AdversaryEntrySummary[];
  /**
   * What honest nodes refused or dropped: frames that did not decode, control frames over a
   * link's rate, broadcasts over their origin's quota, directory records refused by reason,
   * onion packets dropped by reason, adversaries lost as neighbours.
   */
  containment: Record<string, number>;
  /** Attempts of honest senders through ≥ 1 adversarial relay (any behaviour)… */
  attemptsThroughAdversary: number;
  /** …and of those, the retries (every attempt after a message's first), out of all retries. */
  retries: number;
  retriesThroughAdversary: number;
  sybil: SybilSummary | null;
  eclipse: (EclipseSummary & { overTime: EclipseOverTime }) | null;
  sampleHealing: SampleHealingSummary;
}

/** Per honest node's current life: what rule 7 let in (module header). */
interface HealWatch {
  node: Node;
  counted: number;
  last: NodeId | undefined;
  entered: Set<NodeId>;
}

export class AdversaryTracker {
  private world: SimWorld | undefined;
  private readonly counts = new Map<string, number>();
  private attempts = 0;
  private throughAdversary = 0;
  private retries = 0;
  private retriesThroughAdversary = 0;
  private withSybil = 0;
  private withTwoSybils = 0;
  private hops = 0;
  private readonly heal = new Map<number, HealWatch>();
  private healed = 0;
  private healedByAdversary = 0;
  private readonly overTime: EclipseOverTime = { minute: [], degree: [], attackers: [] };
  private readonly slotsOverTime: SampleHealingSummary['overTime'] = {
    minute: [],
    healedSlots: [],
    healedSlotsAdversarial: [],
    otherSlots: [],
    otherSlotsAdversarial: [],
  };

  constructor(private readonly plan: AdversaryPlan) {}

  /** The record opener of honest node `index`: `open`, watched for rule-7 newcomers. */
  opener(index: number, open: RecordOpener): RecordOpener {
    if (this.plan.isAdversary(index)) return open;
    return (crypto, bytes) => {
      const watch = this.settle(index);
      const record = open(crypto, bytes);
      if (watch !== undefined) watch.last = typeof record === 'string' ? undefined : record.id;
      return record;
    };
  }

  /** Charges node `index`'s rule-7 replacements since the last look to the last record opened. */
  private settle(index: number): HealWatch | undefined {
    const node = this.world?.nodeOf(index);
    if (node === undefined) return undefined;
    let watch = this.heal.get(index);
    if (watch === undefined || watch.node !== node) {
      watch = { node, counted: 0, last: undefined, entered: new Set() };
      this.heal.set(index, watch);
    }
    const count = node.counters()['directoryReplacedUnreachable'] ?? 0;
    for (; watch.counted < count; watch.counted++) {
      this.healed += 1;
      if (watch.last === undefined) continue;
      watch.entered.add(watch.last);
      if (this.isAdversaryId(watch.last)) this.healedByAdversary += 1;
    }
    return watch;
  }

  /** The run stopped at `atMs` (runner.ts, between events): a minute's eclipse sample. */
  sample(atMs: number, end: boolean): void {
    if (atMs % MINUTE_MS !== 0 && !end) return;
    const w = this.world;
    if (w === undefined) return;
    const slots = this.slotCounts(w, w.liveHonestNodes());
    const t = this.slotsOverTime;
    t.minute.push(atMs / MINUTE_MS);
    t.healedSlots.push(slots.healedSlots);
    t.healedSlotsAdversarial.push(slots.healedSlotsAdversarial);
    t.otherSlots.push(slots.otherSlots);
    t.otherSlotsAdversarial.push(slots.otherSlotsAdversarial);
    const victim = this.eclipseVictim();
    if (victim === undefined) return;
    const view = this.victimView(w, victim);
    this.overTime.minute.push(atMs / MINUTE_MS);
    this.overTime.degree.push(view.degree);
    this.overTime.attackers.push(view.attackers);
  }

  /** The eclipse entry's victim, if the scenario has one. */
  private eclipseVictim(): number | undefined {
    return this.plan.specs.find((s) => s.behaviour === 'eclipse')?.victim ?? undefined;
  }

  /** The victim's active-view size and the attackers in it (null while it is down). */
  private victimView(
    w: SimWorld,
    victim: number,
  ): { degree: number | null; attackers: number | null } {
    const view = w.nodeOf(victim)?.snapshot().active ?? null;
    return {
      degree: view?.length ?? null,
      attackers: view === null ? null : view.filter((id) => this.isAdversaryId(id)).length,
    };
  }

  attach(world: SimWorld): void {
    this.world = world;
  }

  onEvent(node: number, event: EngineEvent): void {
    if (this.plan.isAdversary(node)) return;
    switch (event.type) {
      case 'drop':
        if (event.what.startsWith('decode:')) this.count('decodeErrors');
        else if (event.what === 'control-rate') this.count('controlRateLinks');
        else if (event.what.endsWith('-from-non-neighbour')) this.count('fromNonNeighbour');
        return;
      case 'packetDropped':
        return this.count(`packetDropped.${event.reason}`);
      case 'neighbourDown':
        if (this.isAdversaryId(event.peer)) this.count('adversaryNeighboursLost');
        return;
      case 'broadcastDelivered':
        if (this.isAdversaryId(event.origin)) this.count('adversaryBroadcastsDelivered');
        return;
      case 'messageAttempt':
        return this.onPath(event.path.slice(0, -1), event.reason !== 'first');
      default:
        return;
    }
  }

  /** Each configured entry's activity (the sum of its tally), for faults.ts. */
  activity(): { label: string; activity: number; configured: boolean }[] {
    return this.plan.specs.map((spec, i) => {
      const members = this.plan.members[i] ?? [];
      const tally = this.plan.tallies[i] ?? {};
      const activity =
        spec.behaviour === 'sybil'
          ? this.withSybil
          : Object.values(tally).reduce((sum, n) => sum + n, 0);
      return {
        label: `adversaries[${i}] (line ${spec.line}, ${spec.behaviour}, ${members.length} nodes)`,
        activity,
        configured: members.length > 0,
      };
    });
  }

  summary(): AdversarySummary {
    const w = this.world;
    if (w === undefined) throw new Error('AdversaryTracker: summary before attach');
    const honest = w.liveHonestNodes();
    for (const i of honest) {
      const c = w.nodeOf(i)?.counters() ?? {};
      this.count('broadcastQuotaExceeded', c['broadcastQuotaExceeded'] ?? 0);
      this.count('controlRateDrops', c['controlRateDrops'] ?? 0);
      this.count('descriptorsForged', (c['directoryForged'] ?? 0) + (c['directoryMalformed'] ?? 0));
      this.count('descriptorsStale', c['directoryStale'] ?? 0);
      this.count('descriptorsExpired', c['directoryExpired'] ?? 0);
    }
    const containment: Record<string, number> = {};
    for (const key of [...this.counts.keys()].sort()) containment[key] = this.counts.get(key) ?? 0;
    return {
      entries: this.plan.specs.map((spec, i) => ({
        behaviour: spec.behaviour,
        nodes: this.plan.members[i]?.length ?? 0,
        activity: sortedCopy(this.plan.tallies[i] ?? {}),
      })),
      containment,
      attemptsThroughAdversary: this.throughAdversary,
      retries: this.retries,
      retriesThroughAdversary: this.retriesThroughAdversary,
      sybil: this.sybilSummary(w),
      eclipse: this.eclipseSummary(w, honest),
      sampleHealing: this.healingSummary(w, honest),
    };
  }

  private healingSummary(w: SimWorld, honest: readonly number[]): SampleHealingSummary {
    const live = w.net.liveNodes();
    const liveAdversaries = live.filter((i) => this.plan.isAdversary(i)).length;
    return {
      replaced: this.healed,
      byAdversary: this.healedByAdversary,
      adversaryShare: this.healed > 0 ? this.healedByAdversary / this.healed : null,
      liveAdversaryShare: live.length > 0 ? liveAdversaries / live.length : null,
      ...this.slotCounts(w, honest),
      overTime: this.slotsOverTime,
    };
  }

  /** The honest nodes' directory slots, rule 7's and the others, and how many adversarial. */
  private slotCounts(w: SimWorld, honest: readonly number[]): SlotCounts {
    for (const i of [...this.heal.keys()].sort((a, b) => a - b)) this.settle(i);
    let healedSlots = 0;
    let healedSlotsAdversarial = 0;
    let otherSlots = 0;
    let otherSlotsAdversarial = 0;
    for (const i of honest) {
      const node = w.nodeOf(i);
      if (node === undefined) continue;
      const watch = this.heal.get(i);
      const entered = watch?.node === node ? watch.entered : undefined;
      for (const id of node.snapshot().relays) {
        if (id === node.identity.id) continue;
        const adversarial = this.isAdversaryId(id) ? 1 : 0;
        if (entered?.has(id) === true) {
          healedSlots += 1;
          healedSlotsAdversarial += adversarial;
        } else {
          otherSlots += 1;
          otherSlotsAdversarial += adversarial;
        }
      }
    }
    return { healedSlots, healedSlotsAdversarial, otherSlots, otherSlotsAdversarial };
  }

  private onPath(relays: readonly NodeId[], retry: boolean): void {
    this.attempts += 1;
    this.hops += relays.length;
    let adversarial = 0;
    let sybils = 0;
    for (const id of relays) {
      const index = this.world?.indexOf(id);
      if (index === undefined) continue;
      if (this.plan.isAdversary(index)) adversarial += 1;
      if (this.plan.isSybil(index)) sybils += 1;
    }
    if (adversarial > 0) this.throughAdversary += 1;
    if (retry) this.retries += 1;
    if (retry && adversarial > 0) this.retriesThroughAdversary += 1;
    if (sybils >= 1) this.withSybil += 1;
    if (sybils >= 2) this.withTwoSybils += 1;
  }

  private sybilSummary(w: SimWorld): SybilSummary | null {
    const spec = this.plan.specs.find((s) => s.behaviour === 'sybil');
    if (spec === undefined) return null;
    let liveRelays = 0;
    let liveSybils = 0;
    for (const i of w.net.liveNodes()) {
      if (!w.isRelay(i)) continue;
      liveRelays += 1;
      if (this.plan.isSybil(i)) liveSybils += 1;
    }
    const share = (n: number): number | null => (this.attempts > 0 ? n / this.attempts : null);
    const hops = this.attempts > 0 ? Math.round(this.hops / this.attempts) : 0;
    return {
      prefix: spec.prefix ?? '',
      liveSybils,
      liveRelays,
      attempts: this.attempts,
      withSybil: this.withSybil,
      withTwoSybils: this.withTwoSybils,
      shareWithSybil: share(this.withSybil),
      shareWithTwoSybils: share(this.withTwoSybils),
      // Source and target are honest and never on their own path: two fewer candidates.
      shareWithTwoSybilsUniform:
        this.attempts > 0 ? atLeastTwo(liveRelays - 2, liveSybils, hops) : null,
    };
  }

  private eclipseSummary(
    w: SimWorld,
    honest: readonly number[],
  ): (EclipseSummary & { overTime: EclipseOverTime }) | null {
    const index = this.eclipseVictim();
    if (index === undefined) return null;
    const victim = w.nodeOf(index);
    const victimId = w.idOf(index);
    const view = this.victimView(w, index);
    let known = 0;
    let others = 0;
    let sizes = 0;
    for (const i of honest) {
      const node = w.nodeOf(i);
      if (node === undefined || i === index) continue;
      others += 1;
      sizes += node.counters()['directorySize'] ?? 0;
      if (victimId !== undefined && node.resolve(victimId, w.now) !== undefined) known += 1;
    }
    return {
      victim: index,
      victimDegree: view.degree,
      attackersInView: view.attackers,
      victimDirectorySize: victim?.counters()['directorySize'] ?? null,
      directorySizeMean: others > 0 ? sizes / others : null,
      victimKnownBy: others > 0 ? known / others : null,
      overTime: this.overTime,
    };
  }

  private isAdversaryId(id: NodeId): boolean {
    const index = this.world?.indexOf(id);
    return index !== undefined && this.plan.isAdversary(index);
  }

  private count(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }
}

function sortedCopy(tally: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(tally).sort()) out[key] = tally[key] ?? 0;
  return out;
}

/** P(≥ 2 of `draws` distinct draws from `total` items hit one of `marked`) — hypergeometric. */
export function atLeastTwo(total: number, marked: number, draws: number): number {
  if (draws > total || total <= 0) return 0;
  // P(k) = C(marked, k) C(total − marked, draws − k) / C(total, draws), for k = 0 and 1.
  const logC = (n: number, k: number): number => {
    if (k < 0 || k > n) return -Infinity;
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.log(n - i) - Math.log(i + 1);
    return s;
  };
  const all = logC(total, draws);
  const p0 = Math.exp(logC(total - marked, draws) - all);
  const p1 = Math.exp(logC(marked, 1) + logC(total - marked, draws - 1) - all);
  return Math.max(0, 1 - p0 - p1);
}
