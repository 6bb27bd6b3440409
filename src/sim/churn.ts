/**
 * The churn model of a scenario (`churn:`): nodes that come and go on their own, as
 * measurement studies of peer-to-peer networks describe them (session lengths with heavy
 * tails: Weibull with shape below 1 fits KAD and Gnutella sessions — Stutzbach & Rejaie,
 * "Understanding Churn in Peer-to-Peer Networks", IMC 2006; Pareto and exponential are the
 * other two classic models).
 *
 * Theory of operation. From `fromMs`, every live node alternates an online session and an
 * offline period, each drawn from its distribution with the node's own random stream
 * (`${seed}/churn`, fork `node/<index>`), so one node's draws never shift another's:
 *
 *   from ── session ──▶ crash ── offline ──▶ restart ── session ──▶ crash ── …
 *
 * Going offline is a crash (silent: no goodbye, links go dead, descriptors linger in other
 * directories until they expire); coming back is a restart with the same keys and a fresh
 * engine given the directory and replay tags its daemon would have saved, as a daemon
 * restarted by its user would be (its outbox is re-issued, workload.ts).
 *
 * Rules:
 * 1. No session ends at or after `untilMs`; an offline period that began before it still
 *    ends with a restart, whenever that is, so after `untilMs` the network heals towards
 *    every node online (liveness after healing, STYLE.md #14).
 * 2. A node that is already down when its session ends (a scripted crash or leave got there
 *    first), or already up when its offline period ends, leaves the churn cycle: scripted
 *    events win, and churn never restarts a node someone else took down.
 * 3. Nodes added after `fromMs` (join events) churn from the moment they join.
 * 4. Draws are inverse-CDF from one uniform number u ∈ [0, 1) each:
 *      exponential(mean)      = −mean · ln(1 − u)
 *      weibull(shape, scale)  = scale · (−ln(1 − u))^(1/shape)
 *      pareto(shape, scale)   = scale / (1 − u)^(1/shape)   (Pareto type I, minimum scale)
 *      truncatedNormal        = the u-quantile of normal(mean, sd) restricted to [min, max]
 *                               (distributions.ts)
 *    Each draw is at least 1 ms (the simulator's clock resolution) and at most
 *    DURATION_MAX_MS (no run is longer, and a heavy tail must not overflow the clock).
 * 5. Heterogeneity (`heterogeneity:`): each node draws one factor, once, from its own stream
 *    (`${seed}/churn`, fork `factor/<index>`), the same across restarts; its session lengths,
 *    offline lengths or both (`applies`) are that factor times a draw. A node with factor 3
 *    stays online three times as long on average: the long-lived "core" and the flighty
 *    "fringe" that measurement studies see, without changing any node's draw sequence.
 * 6. An eclipse victim and its attackers (`adversaries:`) never churn: what is measured is
 *    an established node's view while the honest nodes around it come and go. Every other
 *    node draws as it would without them (its own stream).
 */
import type { Random } from '../engine/random.js';
import { SeededRandomSource } from '../transports/sim/rng.js';
import {
  sampleFactor,
  truncatedNormalMean,
  truncatedNormalMedian,
  truncatedNormalQuantile,
  type TruncatedNormal,
} from './distributions.js';
import { DURATION_MAX_MS } from './limits.js';
import type { ChurnParams, Distribution } from './scenario.js';
import type { SimWorld } from './world.js';

/** One draw (ms, from 1 to DURATION_MAX_MS) from `d`, times `factor` (Rules 4 and 5). */
export function sampleMs(d: Distribution, random: Random, factor = 1): number {
  const u = random.next();
  const tail = -Math.log(1 - u); // an exponential(1) variate, ≥ 0
  let ms: number;
  switch (d.kind) {
    case 'exponential':
      ms = d.meanMs * tail;
      break;
    case 'weibull':
      ms = d.scaleMs * tail ** (1 / d.shape);
      break;
    case 'pareto':
      ms = d.scaleMs * Math.exp(tail / d.shape);
      break;
    case 'truncatedNormal':
      ms = truncatedNormalQuantile(truncatedNormalOf(d), u);
      break;
  }
  return Math.min(DURATION_MAX_MS, Math.max(1, Math.round(ms * factor)));
}

function truncatedNormalOf(d: Extract<Distribution, { kind: 'truncatedNormal' }>): TruncatedNormal {
  return { mean: d.meanMs, sd: d.sdMs, min: d.minMs, max: d.maxMs };
}

/** The mean of `d` in ms (Infinity for a Pareto shape ≤ 1). */
export function meanMs(d: Distribution): number {
  switch (d.kind) {
    case 'exponential':
      return d.meanMs;
    case 'weibull':
      return d.scaleMs * gamma(1 + 1 / d.shape);
    case 'pareto':
      return d.shape <= 1 ? Infinity : (d.shape * d.scaleMs) / (d.shape - 1);
    case 'truncatedNormal':
      return truncatedNormalMean(truncatedNormalOf(d));
  }
}

/** The median of `d` in ms. */
export function medianMs(d: Distribution): number {
  switch (d.kind) {
    case 'exponential':
      return d.meanMs * Math.LN2;
    case 'weibull':
      return d.scaleMs * Math.LN2 ** (1 / d.shape);
    case 'pareto':
      return d.scaleMs * 2 ** (1 / d.shape);
    case 'truncatedNormal':
      return truncatedNormalMedian(truncatedNormalOf(d));
  }
}

/** Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < c.length; i++) sum += (c[i] as number) / (z + i);
  const t = z + c.length - 1.5;
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * sum;
}

/** Drives the churn of one run (module header). */
export class ChurnModel {
  private readonly root: SeededRandomSource;
  private readonly streams = new Map<number, Random>();
  /** Each node's heterogeneity factor, drawn on first use (Rule 5). */
  private readonly factors = new Map<number, number>();
  crashes = 0;
  restarts = 0;

  constructor(
    private readonly world: SimWorld,
    private readonly params: ChurnParams,
    seed: number,
  ) {
    this.root = new SeededRandomSource(`${seed}/churn`);
  }

  /** Starts every live node's cycle at `fromMs`. */
  schedule(): void {
    const w = this.world;
    if (this.params.fromMs >= this.params.untilMs) return;
    w.net.at(this.params.fromMs, () => {
      for (const index of w.net.liveNodes()) this.beginSession(index);
    });
  }

  /** A node joined (a join event): it churns too, once churn has begun (Rule 3). */
  onJoin(index: number): void {
    const now = this.world.now;
    if (now >= this.params.fromMs && now < this.params.untilMs) this.beginSession(index);
  }

  private random(index: number): Random {
    let random = this.streams.get(index);
    if (random === undefined) {
      random = this.root.fork(`node/${index}`);
      this.streams.set(index, random);
    }
    return random;
  }

  /** Node `index`'s factor for `which` lengths: 1 unless heterogeneity applies to them. */
  factorOf(index: number, which: 'session' | 'offline'): number {
    const h = this.params.heterogeneity;
    if (h === null || (h.applies !== 'both' && h.applies !== which)) return 1;
    let factor = this.factors.get(index);
    if (factor === undefined) {
      factor = sampleFactor(h.factor, this.root.fork(`factor/${index}`));
      this.factors.set(index, factor);
    }
    return factor;
  }

  private beginSession(index: number): void {
    const w = this.world;
    if (w.staysOnline(index)) return; // Rule 6
    const end =
      w.now + sampleMs(this.params.session, this.random(index), this.factorOf(index, 'session'));
    if (end >= this.params.untilMs) return; // Rule 1: online for the rest of the churn window
    w.net.at(end, () => {
      if (!w.net.isLive(index)) return; // Rule 2
      w.crash(index);
      this.crashes += 1;
      const back =
        w.now + sampleMs(this.params.offline, this.random(index), this.factorOf(index, 'offline'));
      w.net.at(back, () => {
        if (w.net.isLive(index)) return; // Rule 2
        w.restart(index);
        this.restarts += 1;
        if (w.now < this.params.untilMs) this.beginSession(index);
      });
    });
  }
}
