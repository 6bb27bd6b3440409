/**
 * An adversary's shell: the honest engine (`Node`) of one simulated host, wrapped so that
 * the simulator can intercept and rewrite what goes in and out of it. The engine itself
 * stays the production code, unchanged; misbehaviour lives only here and in the behaviour
 * modules beside this file (one job each), so the pure engine's honest path never learns
 * about attacks.
 *
 * Theory of operation. `handle(input)` offers the input to the behaviour (an incoming
 * frame may be swallowed), hands it to the engine, then offers each frame the engine wants
 * to send to the behaviour (it may drop it), and appends what the behaviour sends on its
 * own. A behaviour acts on a timer of its own, every 1/rate seconds within its window: the
 * shell merges that timer with the engine's wake-up into the one `wake` the runtime keeps
 * (types.ts Rule 2), and passes a tick on to the engine only when the engine's wake-up is
 * due (spurious ticks are harmless, but need not be made).
 *
 * Rules:
 * 1. The shell keeps the open links it saw opened and not closed; a link is *ready* once
 *    the engine sent on it anything but HELLO/AUTH (its handshake finished), so a behaviour
 *    never breaks a handshake in progress by accident.
 * 2. Activity is counted in the entry's shared tally (it outlives a crash of the host), so
 *    the run can show that every configured adversary acted (faults.ts, "never fired").
 * 3. Randomness from the host's own stream fork 'adversary': a behaviour never shifts the
 *    engine's draws.
 */
import type { CryptoSuite } from '../../engine/crypto/suite.js';
import type { Identity } from '../../engine/identity.js';
import type { Node } from '../../engine/node.js';
import type { Random } from '../../engine/random.js';
import type { Engine, Input, LinkId, Millis, NodeSnapshot, Output } from '../../engine/types.js';
import { FRAME_HEADER_BYTES } from '../../engine/wire/limits.js';
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import type { AdversarySpec } from './spec.js';

const HELLO = MESSAGE_CODES.hello.code;
const AUTH = MESSAGE_CODES.auth.code;

/** The type byte of a frame (after the length prefix and version). */
export function frameCode(bytes: Uint8Array): number | undefined {
  return bytes[FRAME_HEADER_BYTES - 1];
}

export interface ShellLink {
  readonly id: LinkId;
  readonly remoteAddress: string;
  ready: boolean;
}

/** Counts of what adversaries of one entry did, by name (shared by all its hosts). */
export type Tally = Record<string, number>;

export function bump(tally: Tally, key: string, by = 1): void {
  tally[key] = (tally[key] ?? 0) + by;
}

/** What a behaviour may see and do. */
export interface ShellContext {
  readonly index: number;
  readonly identity: Identity;
  readonly crypto: CryptoSuite;
  readonly random: Random;
  readonly node: Node;
  readonly tally: Tally;
  readonly now: Millis;
  /** The open links, in the order they opened. */
  links(): ShellLink[];
  /** Sends `bytes` on `link` from this host (after the engine's outputs of this call). */
  send(link: LinkId, bytes: Uint8Array): void;
  /** Hands the engine an input now; its outputs go out as the engine's own. */
  feed(input: Input): void;
}

export interface Behaviour {
  /** Called every 1/rate seconds within the entry's window (rated behaviours). */
  onTimer?(ctx: ShellContext): void;
  /** A frame arrived; false keeps it from the engine. */
  onFrame?(ctx: ShellContext, link: ShellLink, bytes: Uint8Array): boolean;
  /** The engine sends a frame; false drops it. */
  onSend?(ctx: ShellContext, link: ShellLink, bytes: Uint8Array): boolean;
  /** An event the engine emits; false hides it from the runtime (the metrics). */
  onEvent?(ctx: ShellContext, event: Extract<Output, { type: 'event' }>['event']): boolean;
}

export class AdversaryShell implements Engine, ShellContext {
  private readonly open = new Map<LinkId, ShellLink>();
  private innerWake = Infinity;
  private ownWake: number;
  private out: Output[] = [];
  private current: Millis = 0;
  private readonly periodMs: number;

  constructor(
    readonly node: Node,
    private readonly behaviour: Behaviour,
    private readonly spec: AdversarySpec,
    readonly index: number,
    readonly identity: Identity,
    readonly crypto: CryptoSuite,
    readonly random: Random,
    readonly tally: Tally,
  ) {
    this.periodMs = spec.ratePerS > 0 ? Math.max(1, Math.round(1000 / spec.ratePerS)) : Infinity;
    this.ownWake = behaviour.onTimer === undefined ? Infinity : spec.fromMs;
  }

  get now(): Millis {
    return this.current;
  }

  handle(input: Input, now: Millis): Output[] {
    this.out = [];
    this.current = now;
    switch (input.type) {
      case 'tick':
        if (now >= this.ownWake) this.fireTimer(now);
        if (now >= this.innerWake) {
          this.innerWake = Infinity;
          this.feed(input);
        }
        break;
      case 'frame': {
        const link = this.open.get(input.link);
        if (link === undefined || this.behaviour.onFrame?.(this, link, input.bytes) !== false)
          this.feed(input);
        break;
      }
      case 'linkOpened':
        this.open.set(input.link, {
          id: input.link,
          remoteAddress: input.remoteAddress,
          ready: false,
        });
        this.feed(input);
        break;
      case 'linkClosed':
        this.open.delete(input.link);
        this.feed(input);
        break;
      default:
        this.feed(input);
    }
    const wake = Math.min(this.innerWake, this.ownWake);
    // Always ask again: a tick spent the runtime's wake, and any wake replaces the last one.
    if (wake !== Infinity) this.out.push({ type: 'wake', at: wake });
    return this.out;
  }

  snapshot(): NodeSnapshot {
    return this.node.snapshot();
  }

  links(): ShellLink[] {
    return [...this.open.values()];
  }

  send(link: LinkId, bytes: Uint8Array): void {
    if (this.open.has(link)) this.out.push({ type: 'send', link, bytes });
  }

  feed(input: Input): void {
    for (const output of this.node.handle(input, this.current)) {
      switch (output.type) {
        case 'wake':
          this.innerWake = output.at;
          continue;
        case 'send': {
          const link = this.open.get(output.link);
          if (link !== undefined) {
            const code = frameCode(output.bytes);
            if (code !== HELLO && code !== AUTH) link.ready = true;
            if (this.behaviour.onSend?.(this, link, output.bytes) === false) continue;
          }
          break;
        }
        case 'close':
          this.open.delete(output.link);
          break;
        case 'event':
          if (this.behaviour.onEvent?.(this, output.event) === false) continue;
          break;
        default:
          break;
      }
      this.out.push(output);
    }
  }

  private fireTimer(now: Millis): void {
    const { fromMs, untilMs } = this.spec;
    if (now >= untilMs) {
      this.ownWake = Infinity;
      return;
    }
    if (now >= fromMs) this.behaviour.onTimer?.(this);
    // On the grid fromMs + k·period, so a late tick does not shift the rate.
    const periods = Math.floor((now - fromMs) / this.periodMs) + 1;
    const next = fromMs + Math.max(1, periods) * this.periodMs;
    this.ownWake = next < untilMs ? next : Infinity;
  }
}

/** The production engine behind an engine, adversary or not. */
export function engineNode(engine: Engine): Node {
  return (engine instanceof AdversaryShell ? engine.node : engine) as Node;
}
