/**
 * Which simulated hosts are adversaries, and how each is built (the `adversaries:` of a
 * scenario, spec.ts). Fixed before the run from the seed alone, so the same seed makes the
 * same hosts misbehave, whatever else the scenario says.
 *
 * Choice: entries are served in file order, each drawing its count uniformly among the
 * initial nodes no earlier entry took (eclipse: among the nodes after its victim, which
 * join after it, so the victim is there to be joined; the victim itself is never taken).
 *
 * Addresses: with a sybil entry, honest node i lives in a /16 of its own (first octet
 * HONEST_FIRST_OCTET + (i >> 8) mod HONEST_OCTETS, second i mod 256 — distinct for the
 * first 51,200 nodes) and the Sybil nodes share their prefix; without one, the network's
 * usual `10.x.y.z` addresses stay (every node in 10.0/16), so runs without Sybils are the
 * runs they always were.
 */
import type { CryptoSuite } from '../../engine/crypto/suite.js';
import type { Identity } from '../../engine/identity.js';
import type { Node } from '../../engine/node.js';
import type { OverlayConfig } from '../../engine/overlay/config.js';
import { sample, type RandomSource } from '../../engine/random.js';
import type { Engine } from '../../engine/types.js';
import { NODE_PORT } from '../../transports/sim/limits.js';
import { SeededRandomSource } from '../../transports/sim/rng.js';
import { announceFlood } from './announce-flood.js';
import { blackHole } from './black-hole.js';
import { broadcastFlood } from './broadcast-flood.js';
import { eclipse } from './eclipse.js';
import { garbage } from './garbage.js';
import { ECLIPSE_VIEW_FACTOR, HONEST_FIRST_OCTET, HONEST_OCTETS } from './limits.js';
import { lyingDescriptors } from './lying-descriptors.js';
import { replay } from './replay.js';
import { AdversaryShell, type Behaviour, type Tally } from './shell.js';
import { type AdversarySpec, adversaryCount } from './spec.js';

export class AdversaryPlan {
  /** Entry index of each adversarial node. */
  private readonly roles = new Map<number, number>();
  /** What the adversaries of each entry did (shell.ts Rule 2). */
  readonly tallies: Tally[];
  /** Node indexes of each entry, ascending. */
  readonly members: number[][];
  private readonly sybilPrefix: string | null;
  private readonly sybilRank = new Map<number, number>();

  constructor(
    readonly specs: readonly AdversarySpec[],
    nodes: number,
    seed: number,
  ) {
    const random = new SeededRandomSource(`${seed}/adversaries`).fork('choice');
    const taken = new Set<number>();
    for (const s of specs) if (s.victim !== null) taken.add(s.victim);
    this.members = specs.map((spec, entry) => {
      const after = spec.victim ?? -1;
      const candidates: number[] = [];
      for (let i = after + 1; i < nodes; i++) if (!taken.has(i)) candidates.push(i);
      const chosen = sample(random, candidates, adversaryCount(spec, nodes)).sort((a, b) => a - b);
      for (const i of chosen) {
        taken.add(i);
        this.roles.set(i, entry);
      }
      return chosen;
    });
    this.tallies = specs.map(() => ({}));
    const sybil = specs.findIndex((s) => s.behaviour === 'sybil');
    this.sybilPrefix = sybil < 0 ? null : (specs[sybil]?.prefix ?? null);
    if (sybil >= 0) this.members[sybil]?.forEach((node, rank) => this.sybilRank.set(node, rank));
  }

  isAdversary(index: number): boolean {
    return this.roles.has(index);
  }

  specOf(index: number): AdversarySpec | undefined {
    const entry = this.roles.get(index);
    return entry === undefined ? undefined : this.specs[entry];
  }

  isSybil(index: number): boolean {
    return this.sybilRank.has(index);
  }

  /** The address of every host, when the plan places Sybils (module header); else undefined. */
  addressPlan(): ((index: number) => string) | undefined {
    const prefix = this.sybilPrefix;
    if (prefix === null) return undefined;
    return (index) => {
      const rank = this.sybilRank.get(index);
      if (rank !== undefined) return `${prefix}.${(rank >> 8) & 255}.${rank & 255}:${NODE_PORT}`;
      const first = HONEST_FIRST_OCTET + ((index >> 8) % HONEST_OCTETS);
      const third = Math.floor((index >> 8) / HONEST_OCTETS) & 255;
      return `${first}.${index & 255}.${third}.${(index >> 24) + 1}:${NODE_PORT}`;
    };
  }

  /**
   * An eclipse victim and its attackers stay online under churn (churn.ts Rule 6): the
   * attack is on an established node, by attackers that persist.
   */
  staysOnline(index: number): boolean {
    return this.specs.some(
      (s, entry) =>
        s.behaviour === 'eclipse' && (s.victim === index || this.roles.get(index) === entry),
    );
  }

  /** Eclipse attackers join through their victim only. */
  bootstrapOf(index: number): number | undefined {
    const spec = this.specOf(index);
    return spec?.behaviour === 'eclipse' ? (spec.victim ?? undefined) : undefined;
  }

  /** Eclipse attackers keep room in their own view for the victim. */
  overlayOf(index: number, overlay: OverlayConfig): OverlayConfig {
    if (this.specOf(index)?.behaviour !== 'eclipse') return overlay;
    const maxPeers = ECLIPSE_VIEW_FACTOR * overlay.maxPeers;
    return { ...overlay, maxPeers, passiveMax: Math.max(overlay.passiveMax, maxPeers) };
  }

  /** The engine a host runs: its `Node`, in a shell when the host is an adversary. */
  wrap(
    index: number,
    node: Node,
    identity: Identity,
    crypto: CryptoSuite,
    random: RandomSource,
    addressOf: (index: number) => string,
  ): Engine {
    const entry = this.roles.get(index);
    const spec = entry === undefined ? undefined : this.specs[entry];
    if (entry === undefined || spec === undefined) return node;
    const behaviour = behaviourOf(spec, addressOf);
    if (behaviour === null) return node;
    const tally = this.tallies[entry] as Tally;
    return new AdversaryShell(
      node,
      behaviour,
      spec,
      index,
      identity,
      crypto,
      random.fork('adversary'),
      tally,
    );
  }
}

function behaviourOf(spec: AdversarySpec, addressOf: (index: number) => string): Behaviour | null {
  switch (spec.behaviour) {
    case 'black-hole':
      return blackHole();
    case 'replay':
      return replay();
    case 'garbage':
      return garbage();
    case 'broadcast-flood':
      return broadcastFlood();
    case 'lying-descriptors':
      return lyingDescriptors();
    case 'eclipse':
      return eclipse(addressOf(spec.victim ?? 0));
    case 'announce-flood':
      return announceFlood();
    case 'sybil':
      return null; // placement only: honest relays, all in one /16
  }
}
