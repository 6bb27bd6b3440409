import { describe, expect, it } from 'vitest';
import type { Engine, Input, Output } from '../../../src/engine/types.js';
import type { Random } from '../../../src/engine/random.js';
import type { LatencyModel } from '../../../src/transports/sim/latency.js';
import {
  SimNetwork,
  simAddress,
  type SimNodeContext,
} from '../../../src/transports/sim/network.js';
import { SeededRandomSource } from '../../../src/transports/sim/rng.js';

/**
 * A chatty random engine: dials random nodes, sends random bytes, echoes some frames, closes
 * some links, and wakes at random times — everything drawn from its injected streams.
 */
class GossipEngine implements Engine {
  private readonly random: Random;
  private readonly links: number[] = [];
  private dials = 0;

  constructor(
    private readonly ctx: SimNodeContext,
    private readonly nodes: () => number,
    /** Every `node/incarnation/link` opened in this run: ids are never reused. */
    private readonly seenLinks = new Set<string>(),
  ) {
    this.random = ctx.random.fork('gossip');
  }

  /** What the engine may assume of any runtime (engine/types.ts rules 2–3). */
  private readonly known = new Set<number>();
  private readonly pendingDials = new Set<number>();

  private checkContract(input: Input): void {
    const fail = (why: string) => {
      throw new Error(`contract: ${why} (${JSON.stringify(input)})`);
    };
    switch (input.type) {
      case 'linkOpened': {
        if (this.known.has(input.link)) fail('link opened twice');
        const key = `${this.ctx.index}/${this.ctx.incarnation}/${input.link}`;
        if (this.seenLinks.has(key)) fail('link id reused');
        this.seenLinks.add(key);
        this.known.add(input.link);
        if (input.dial !== undefined && !this.pendingDials.delete(input.dial)) fail('unknown dial');
        break;
      }
      case 'dialFailed':
        if (!this.pendingDials.delete(input.dial)) fail('unknown dial failed');
        break;
      case 'frame':
        if (!this.known.has(input.link)) fail('frame on a link not open');
        break;
      case 'linkClosed':
        if (!this.known.delete(input.link)) fail('close of a link not open');
        break;
    }
  }

  handle(input: Input, now: number): Output[] {
    this.checkContract(input);
    const out = this.react(input, now);
    for (const o of out) {
      if (o.type === 'dial') this.pendingDials.add(o.dial);
      if (o.type === 'close') this.known.delete(o.link);
    }
    return out;
  }

  private react(input: Input, now: number): Output[] {
    const r = this.random;
    const out: Output[] = [];
    switch (input.type) {
      case 'start':
      case 'dialFailed':
        out.push(this.dialRandom(), { type: 'wake', at: now + 1 + r.int(200) });
        break;
      case 'linkOpened':
        this.links.push(input.link);
        out.push({ type: 'send', link: input.link, bytes: r.bytes(1 + r.int(40)) });
        break;
      case 'linkClosed': {
        const k = this.links.indexOf(input.link);
        if (k >= 0) this.links.splice(k, 1);
        if (this.links.length < 2) out.push(this.dialRandom());
        break;
      }
      case 'frame':
        if (r.next() < 0.5) out.push({ type: 'send', link: input.link, bytes: input.bytes });
        break;
      case 'tick': {
        const link = this.links[r.int(this.links.length || 1)];
        if (link !== undefined) {
          if (r.next() < 0.1) {
            this.links.splice(this.links.indexOf(link), 1);
            out.push({ type: 'close', link, reason: 'bored' });
          } else out.push({ type: 'send', link, bytes: r.bytes(8) });
        }
        if (this.links.length < 3) out.push(this.dialRandom());
        out.push({ type: 'wake', at: now + 1 + r.int(200) });
        break;
      }
      case 'command':
        for (const link of this.links) out.push({ type: 'send', link, bytes: Uint8Array.of(0xff) });
        for (const link of this.links) out.push({ type: 'close', link, reason: 'leave' });
        this.links.length = 0;
        out.push({ type: 'event', event: { type: 'left' } });
        break;
    }
    return out;
  }

  private dialRandom(): Output {
    return {
      type: 'dial',
      dial: this.dials++,
      address: simAddress(this.random.int(this.nodes() + 1)),
    };
  }

  snapshot() {
    return { id: `${this.ctx.index}`, active: [], passive: [], relays: [] };
  }
}

function run(seed: string, latency: LatencyModel, nodes = 40, until = 20_000) {
  const seenLinks = new Set<string>();
  const net: SimNetwork = new SimNetwork({
    seed,
    latency,
    loss: 0.05,
    createEngine: (ctx) => new GossipEngine(ctx, () => net.nodeCount, seenLinks),
  });
  const churn = new SeededRandomSource(seed).fork('churn');
  for (let i = 0; i < nodes; i++) net.addNode();
  for (let t = 500; t < until; t += 500) {
    net.at(t, () => {
      const i = churn.int(net.nodeCount);
      const roll = churn.next();
      if (!net.isLive(i)) net.restart(i);
      else if (roll < 0.4) net.crash(i);
      else if (roll < 0.6) net.leave(i);
      else if (roll < 0.7) net.partition([[i, (i + 1) % net.nodeCount]]);
      else if (roll < 0.8) net.heal();
      else net.addNode();
    });
  }
  net.runUntil(until);
  const result = { hash: net.traceHash(), stats: { ...net.stats }, links: net.linkCount };
  // Every link record is forgotten once nobody can use it any more.
  for (const i of net.liveNodes()) net.crash(i);
  net.runUntil(until + 120_000);
  expect(net.linkCount).toBe(0);
  expect(net.pendingEvents).toBe(0);
  return result;
}

describe('determinism', () => {
  const lognormal: LatencyModel = { kind: 'lognormal', medianMs: 40, sigma: 0.7 };
  const uniform: LatencyModel = { kind: 'uniform', minMs: 5, maxMs: 80 };

  it('same seed ⇒ same trace hash and stats, under churn, loss and partitions', () => {
    for (const latency of [lognormal, uniform]) {
      const a = run('alpha', latency);
      const b = run('alpha', latency);
      expect(a).toEqual(b);
      expect(a.stats.framesDelivered).toBeGreaterThan(1_000);
      expect(a.stats.dialsFailed).toBeGreaterThan(0);
    }
  });

  it('different seeds with random latency ⇒ different trace hashes', () => {
    expect(run('alpha', lognormal).hash).not.toBe(run('beta', lognormal).hash);
    expect(run('alpha', uniform).hash).not.toBe(run('beta', uniform).hash);
  });

  it('the trace hash moves with every event', () => {
    const net = new SimNetwork({
      seed: 's',
      latency: { kind: 'constant', ms: 5 },
      createEngine: (ctx) => new GossipEngine(ctx, () => 2),
    });
    net.addNode();
    const seen = new Set([net.traceHash()]);
    for (let t = 0; t < 20; t++) {
      net.runUntil(t * 300);
      seen.add(net.traceHash());
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});
