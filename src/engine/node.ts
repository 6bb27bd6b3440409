/**
 * A node: the link table and the overlay composed behind the engine contract
 * (`handle(input, now) → outputs`, see types.ts). Later layers (broadcast, directory,
 * routing) plug in here the same way.
 *
 * Rules:
 * - Every call drains into a fresh output list; nothing is kept between calls but state.
 * - Periodic work is a timer table; the node asks for one wake-up at the earliest deadline.
 * - After `leave` the node is inert: every later input yields no output.
 */
import type { CryptoSuite } from './crypto/suite.js';
import type { Identity } from './identity.js';
import { LinkTable } from './links.js';
import { DEFAULT_OVERLAY, validateOverlayConfig, type OverlayConfig } from './overlay/config.js';
import { HyParView } from './overlay/hyparview.js';
import type { Random, RandomSource } from './random.js';
import { TimerTable } from './timers.js';
import type { Engine, EngineEvent, Input, Millis, NodeSnapshot, Output } from './types.js';

export interface NodeOptions {
  identity: Identity;
  crypto: CryptoSuite;
  /** Split per subsystem, so one subsystem's draws never shift another's. */
  random: RandomSource;
  /** The address this node listens on and advertises ('' when it accepts no links). */
  address: string;
  /** Addresses to join through; empty for the first node of a network. */
  bootstrap: readonly string[];
  overlay?: OverlayConfig;
  /** Check every invariant after every call (tests and simulations; cheap at this size). */
  checkInvariants?: boolean;
}

type TimerKind = 'heartbeat' | 'shuffle';

export class Node implements Engine {
  readonly identity: Identity;
  private readonly links: LinkTable;
  private readonly overlay: HyParView;
  private readonly timers = new TimerTable<TimerKind>();
  private readonly timerRandom: Random;
  private readonly config: OverlayConfig;
  private readonly checking: boolean;
  private out: Output[] = [];
  private now: Millis = 0;
  private requestedWake: Millis | undefined;
  private phase: 'new' | 'running' | 'left' = 'new';

  constructor(options: NodeOptions) {
    this.identity = options.identity;
    this.config = validateOverlayConfig(options.overlay ?? DEFAULT_OVERLAY);
    this.checking = options.checkInvariants ?? false;
    this.timerRandom = options.random.fork('timers');
    const emit = (output: Output): void => void this.out.push(output);
    this.links = new LinkTable(
      options.identity,
      options.address,
      options.crypto,
      options.random.fork('links'),
      this.config,
      {
        onLinkReady: (link, peer) => this.overlay.onLinkReady(link, peer, this.now),
        onMessage: (link, peer, message) => this.overlay.onMessage(link, peer, message, this.now),
        onLinkLost: (_link, peer) => this.overlay.onLinkLost(peer, this.now),
        onUnreachable: (target) => this.overlay.onUnreachable(target, this.now),
        onDrop: (what) => this.event({ type: 'drop', what }),
      },
      emit,
    );
    this.overlay = new HyParView({
      self: { id: options.identity.id, address: options.address },
      config: this.config,
      links: this.links,
      random: options.random.fork('overlay'),
      bootstrap: options.bootstrap,
      event: (event) => this.event(event),
    });
  }

  handle(input: Input, now: Millis): Output[] {
    this.out = [];
    if (this.phase === 'left') return this.out;
    this.now = now;
    switch (input.type) {
      case 'start':
        this.start(now);
        break;
      case 'tick':
        this.requestedWake = undefined; // the runtime's wake is spent: always ask again
        this.fireTimers(now);
        break;
      case 'linkOpened':
        this.links.linkOpened(input.link, input.dial, input.remoteAddress, input.remoteStaticKey, now);
        break;
      case 'dialFailed':
        this.links.dialFailed(input.dial, input.reason);
        break;
      case 'linkClosed':
        this.links.linkClosed(input.link, input.reason);
        break;
      case 'frame':
        this.links.frame(input.link, input.bytes, now);
        break;
      case 'command':
        if (input.command.type === 'leave') this.leave(now);
        break;
    }
    if (this.phase === 'running') {
      this.requestWake();
      if (this.checking) this.overlay.checkInvariants();
    }
    return this.out;
  }

  snapshot(): NodeSnapshot {
    return {
      id: this.identity.id,
      active: [...this.overlay.active.keys()],
      passive: this.overlay.passive.ids(),
    };
  }

  private start(now: Millis): void {
    if (this.phase !== 'new') return;
    this.phase = 'running';
    const { heartbeatIntervalMs, shuffleIntervalMs } = this.config;
    // Random first deadlines spread the periodic work of nodes started together.
    this.timers.set('heartbeat', now + 1 + this.timerRandom.int(heartbeatIntervalMs));
    this.timers.set('shuffle', now + this.jittered(shuffleIntervalMs));
    this.overlay.start(now);
  }

  private leave(now: Millis): void {
    if (this.phase !== 'running') return;
    this.overlay.leave(now);
    this.links.closeAll('leaving');
    this.phase = 'left';
    this.event({ type: 'left' });
  }

  private fireTimers(now: Millis): void {
    for (const kind of this.timers.takeDue(now)) {
      if (kind === 'heartbeat') {
        this.overlay.heartbeat(now);
        this.links.sweep(now, (peer) => this.overlay.inUse(peer));
        this.timers.set('heartbeat', now + this.config.heartbeatIntervalMs);
      } else {
        this.overlay.shuffle(now);
        this.timers.set('shuffle', now + this.jittered(this.config.shuffleIntervalMs));
      }
    }
  }

  /** A period drawn uniformly from [0.5, 1.5) × `ms`, so shuffles never synchronise. */
  private jittered(ms: number): number {
    return Math.floor(ms / 2) + this.timerRandom.int(ms);
  }

  private requestWake(): void {
    const next = this.timers.next();
    if (next !== undefined && next !== this.requestedWake) {
      this.requestedWake = next;
      this.out.push({ type: 'wake', at: next });
    }
  }

  private event(event: EngineEvent): void {
    this.out.push({ type: 'event', event });
  }
}
