import { describe, expect, it } from 'vitest';
import type { EngineEvent, Input } from '../../../src/engine/types.js';
import { SimEngineError, SimUsageError } from '../../../src/transports/sim/errors.js';
import type { LatencyModel } from '../../../src/transports/sim/latency.js';
import { CONNECT_TIMEOUT_MS } from '../../../src/transports/sim/limits.js';
import {
  SimNetwork,
  simAddress,
  type SimNetworkOptions,
  type SimNodeContext,
} from '../../../src/transports/sim/network.js';
import { close, dial, FakeEngine, send, wake, type Behaviour } from './fake-engine.js';

const constant = (ms: number): LatencyModel => ({ kind: 'constant', ms });

/** A network whose engines are FakeEngines; `engines[i]` is node i's latest incarnation. */
function setup(
  behaviour: (ctx: SimNodeContext) => Behaviour = () => () => [],
  options: Partial<SimNetworkOptions> = {},
) {
  const engines: FakeEngine[] = [];
  const all: FakeEngine[][] = [];
  const net = new SimNetwork({
    seed: 'test',
    latency: constant(10),
    ...options,
    createEngine(ctx) {
      const engine = new FakeEngine(ctx, behaviour(ctx));
      engines[ctx.index] = engine;
      (all[ctx.index] ??= []).push(engine);
      return engine;
    },
  });
  return { net, engines, all };
}

/** Node 0 dials node 1 on start; both record. */
const dialer =
  (target = 1): ((ctx: SimNodeContext) => Behaviour) =>
  (ctx) =>
  (input) =>
    input.type === 'start' && ctx.index === 0 && ctx.incarnation === 0
      ? [dial(7, simAddress(target))]
      : [];

const byte = (input: Input): number => (input.type === 'frame' ? (input.bytes[0] as number) : -1);

describe('SimNetwork: nodes and addresses', () => {
  it('numbers nodes, formats addresses and maps them back', () => {
    const { net, engines } = setup();
    for (let i = 0; i < 3; i++) expect(net.addNode()).toBe(i);
    expect(net.nodeCount).toBe(3);
    expect(net.addressOf(2)).toBe('10.0.0.2:7000');
    expect(simAddress(0x012345)).toBe('10.1.35.69:7000');
    expect(net.indexOfAddress('10.0.0.2:7000')).toBe(2);
    expect(net.indexOfAddress('10.0.0.3:7000')).toBeUndefined();
    expect(net.indexOfAddress('10.0.0.02:7000')).toBeUndefined();
    expect(net.indexOfAddress('10.0.0.2:7001')).toBeUndefined();
    expect(net.indexOfAddress('nonsense')).toBeUndefined();
    expect(engines[1]?.ctx.address).toBe('10.0.0.1:7000');
    expect(net.liveNodes()).toEqual([0, 1, 2]);
    expect(net.engineOf(1)).toBe(engines[1]);
  });

  it('start arrives through the queue at the current time', () => {
    const { net, engines } = setup();
    net.runUntil(100);
    net.addNode();
    expect(engines[0]?.inputs).toEqual([]);
    net.runUntil(100);
    expect(engines[0]?.inputs).toEqual([{ now: 100, input: { type: 'start' } }]);
    expect(net.now).toBe(100);
  });

  it('misuse throws SimUsageError', () => {
    const { net } = setup();
    net.addNode();
    expect(() => net.crash(5)).toThrow(SimUsageError);
    expect(() => net.restart(0)).toThrow(SimUsageError);
    net.runUntil(50);
    expect(() => net.runUntil(10)).toThrow(SimUsageError);
    expect(() => net.at(10, () => {})).toThrow(SimUsageError);
    expect(() => net.partition([[0], [0]])).toThrow(SimUsageError);
    net.crash(0);
    expect(() => net.crash(0)).toThrow(SimUsageError);
    expect(() => net.leave(0)).toThrow(SimUsageError);
  });
});

describe('SimNetwork: links', () => {
  it('dial: callee opens after one way, caller after a round trip, same link id', () => {
    const { net, engines } = setup(dialer());
    net.addNode();
    net.addNode();
    net.runUntil(1_000);
    const callee = engines[1]?.of('linkOpened') ?? [];
    const caller = engines[0]?.of('linkOpened') ?? [];
    expect(callee).toHaveLength(1);
    expect(caller).toHaveLength(1);
    expect(callee[0]?.now).toBe(10);
    expect(caller[0]?.now).toBe(20);
    expect(callee[0]?.input).toEqual({
      type: 'linkOpened',
      link: caller[0]?.input.link,
      remoteAddress: '10.0.0.0:7000',
    });
    expect(caller[0]?.input).toMatchObject({ dial: 7, remoteAddress: '10.0.0.1:7000' });
    expect(net.stats.dials).toBe(1);
  });

  it('frames on a link arrive in order under uniform latency, each after a delay', () => {
    const n = 300;
    const { net, engines } = setup(
      (ctx) => (input, now) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
        if (ctx.index === 0 && input.type === 'linkOpened') {
          // A burst now, then a slower trickle driven by wake-ups.
          const burst = Array.from({ length: n / 2 }, (_, i) =>
            send(input.link, [i & 255, i >> 8]),
          );
          return [...burst, wake(now + 1)];
        }
        if (ctx.index === 0 && input.type === 'tick') {
          const eng = engines[0] as FakeEngine;
          const sent = eng.of('tick').length + n / 2 - 1;
          const link = [...eng.open.keys()][0] as number;
          return sent < n ? [send(link, [sent & 255, sent >> 8]), wake(now + 1)] : [];
        }
        return [];
      },
      { latency: { kind: 'uniform', minMs: 5, maxMs: 60 } },
    );
    net.addNode();
    net.addNode();
    net.runUntil(10_000);
    const frames = engines[1]?.of('frame') ?? [];
    expect(
      frames.map((f) => (f.input.bytes[0] as number) | ((f.input.bytes[1] as number) << 8)),
    ).toEqual(Array.from({ length: n }, (_, i) => i));
    const times = frames.map((f) => f.now);
    expect(new Set(times).size).toBeGreaterThan(20);
    expect(net.stats.framesDelivered).toBe(n);
  });

  it('copyFrames: a sent buffer is copied, mutating it after send changes nothing', () => {
    const buffer = Uint8Array.from([1, 2, 3]);
    const { net, engines } = setup(
      (ctx) => (input) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
        if (ctx.index === 0 && input.type === 'linkOpened') {
          const out = [send(input.link, buffer)];
          return out;
        }
        return [];
      },
      { copyFrames: true },
    );
    net.addNode();
    net.addNode();
    net.runUntil(20);
    buffer[0] = 99;
    net.runUntil(100);
    expect([...(engines[1]?.of('frame')[0]?.input.bytes ?? [])]).toEqual([1, 2, 3]);
  });

  it('close: the closer is done at once, the peer sees the close after in-flight frames', () => {
    let sentAfterClose = false;
    const { net, engines } = setup((ctx) => (input) => {
      if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
      if (ctx.index === 0 && input.type === 'linkOpened') {
        return [
          send(input.link, [1]),
          send(input.link, [2]),
          close(input.link),
          send(input.link, [3]),
        ];
      }
      if (ctx.index === 1 && input.type === 'frame' && !sentAfterClose) {
        sentAfterClose = true;
        return [send(input.link, [9])]; // reaches a closed side: RST, never delivered
      }
      return [];
    });
    net.addNode();
    net.addNode();
    net.runUntil(1_000);
    const got = engines[1]?.inputs.map((r) => r.input.type) ?? [];
    expect(got).toEqual(['start', 'linkOpened', 'frame', 'frame', 'linkClosed']);
    expect(engines[1]?.of('frame').map((f) => byte(f.input))).toEqual([1, 2]);
    expect(engines[1]?.of('linkClosed')[0]?.input.reason).toBe('remote-closed');
    expect(engines[0]?.of('frame')).toEqual([]);
    expect(engines[0]?.of('linkClosed')).toEqual([]);
    expect(net.stats.outputsIgnored).toBe(1);
    expect(net.linkCount).toBe(0);
    // [9] reached a link both sides had finished: lost, and no RST answers it. Events: two
    // starts, the two opens, frames 1 and 2, the FIN, and [9].
    expect(net.stats.framesLost).toBe(1);
    expect(net.stats.events).toBe(8);
  });

  it('dial to a dead node is refused after a round trip; unknown address times out', () => {
    const { net, engines } = setup(
      (ctx) => (input) =>
        ctx.index === 0 && input.type === 'start'
          ? [dial(1, simAddress(1)), dial(2, '10.9.9.9:7000'), dial(3, simAddress(0))]
          : [],
    );
    net.addNode();
    net.addNode();
    net.crash(1);
    net.runUntil(10_000);
    const failed = engines[0]?.of('dialFailed') ?? [];
    expect(failed.map((f) => [f.now, f.input.dial, f.input.reason])).toEqual([
      [20, 1, 'refused'],
      [20, 3, 'refused'],
      [CONNECT_TIMEOUT_MS, 2, 'timeout'],
    ]);
    expect(net.stats.dialsFailed).toBe(3);
    expect(engines[1]?.inputs).toEqual([]);
  });
});

describe('SimNetwork: faults', () => {
  /** 0 dials 1; both ping each other every 100 ms on every open link. */
  const pinger =
    (ctx: SimNodeContext): Behaviour =>
    (input, now, eng) => {
      if (input.type === 'start') {
        const out = [wake(now + 100)];
        if (ctx.index === 0) out.push(dial(ctx.incarnation, simAddress(1)));
        return out;
      }
      if (input.type === 'tick') {
        return [...[...eng.open.keys()].map((l) => send(l, [ctx.index])), wake(now + 100)];
      }
      return [];
    };

  it('crash is silent: the peer is told nothing, frames to the crashed node vanish', () => {
    const { net, engines } = setup(pinger);
    net.addNode();
    net.addNode();
    net.runUntil(250);
    expect(engines[0]?.of('frame').length).toBeGreaterThan(0);
    net.crash(1);
    const lostBefore = net.stats.framesLost;
    const inputsBefore = engines[0]?.inputs.length ?? 0;
    net.runUntil(2_000);
    expect(net.isLive(1)).toBe(false);
    expect(net.engineOf(1)).toBeUndefined();
    const after = engines[0]?.inputs.slice(inputsBefore).map((r) => r.input.type) ?? [];
    expect(new Set(after)).toEqual(new Set(['tick'])); // no linkClosed, no frames
    expect(net.stats.framesLost - lostBefore).toBeGreaterThanOrEqual(17);
  });

  it('restart: same keyRandom, fresh per-incarnation streams, old links get reset', () => {
    const { net, all } = setup(pinger);
    net.addNode();
    net.addNode();
    net.runUntil(250);
    net.crash(1);
    net.runUntil(500);
    net.restart(1);
    net.runUntil(1_000);
    const [first, second] = all[1] as FakeEngine[];
    expect(second?.ctx.incarnation).toBe(1);
    expect(second?.ctx.keyRandom.bytes(32)).toEqual(first?.ctx.keyRandom.bytes(32));
    expect(first?.ctx.random.fork('x').next()).not.toBe(second?.ctx.random.fork('x').next());
    // Node 0 keeps pinging on its old link; the restarted host answers with an RST.
    const closed = all[0]?.[0]?.of('linkClosed') ?? [];
    expect(closed).toHaveLength(1);
    expect(closed[0]?.input.reason).toBe('reset');
    // The ping sent at t = 500 reaches the restarted host at 510; the RST is back at 520.
    expect(closed[0]?.now).toBe(520);
    expect(second?.of('frame')).toEqual([]);
  });
});

describe('SimNetwork: partitions, leave, loss', () => {
  const echoPinger =
    (ctx: SimNodeContext): Behaviour =>
    (input, now, eng) => {
      if (input.type === 'start') {
        return ctx.index === 0 ? [dial(0, simAddress(1)), wake(now + 100)] : [];
      }
      if (input.type === 'tick') {
        return [...[...eng.open.keys()].map((l) => send(l, [now / 100])), wake(now + 100)];
      }
      return [];
    };

  it('partition drops frames and dials between groups; heal restores them', () => {
    const { net, engines } = setup(echoPinger);
    net.addNode();
    net.addNode();
    net.addNode(); // not listed: joins the unlisted group with nobody else here
    net.runUntil(150);
    expect(engines[1]?.of('frame').map((f) => byte(f.input))).toEqual([1]);
    net.partition([[0], [1]]);
    net.runUntil(1_050);
    expect(engines[1]?.of('frame').map((f) => byte(f.input))).toEqual([1]);
    net.heal();
    net.runUntil(1_250);
    expect(engines[1]?.of('frame').map((f) => byte(f.input))).toEqual([1, 11, 12]);
    expect(net.stats.framesLost).toBe(9);
  });

  it('a dial across a partition times out; after heal the next dial connects', () => {
    const { net, engines } = setup(
      (ctx) => (input) =>
        ctx.index === 0 && (input.type === 'start' || input.type === 'dialFailed')
          ? [dial(0, simAddress(1))]
          : [],
    );
    net.addNode();
    net.addNode();
    net.partition([[1]]);
    net.runUntil(CONNECT_TIMEOUT_MS + 1);
    expect(engines[0]?.of('dialFailed').map((f) => [f.now, f.input.reason])).toEqual([
      [CONNECT_TIMEOUT_MS, 'timeout'],
    ]);
    expect(engines[1]?.inputs.map((r) => r.input.type)).toEqual(['start']);
    net.runUntil(7_000);
    net.heal();
    net.runUntil(20_000);
    expect(engines[0]?.of('linkOpened').map((r) => r.now)).toEqual([2 * CONNECT_TIMEOUT_MS + 20]);
    expect(engines[1]?.of('linkOpened').map((r) => r.now)).toEqual([2 * CONNECT_TIMEOUT_MS + 10]);
    expect(net.stats.dialsFailed).toBe(2);
  });

  it('leave: goodbye frames arrive before the peer sees the close, then the node is gone', () => {
    const { net, engines } = setup((ctx) => (input, _now, eng) => {
      if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
      if (ctx.index === 1 && input.type === 'command') {
        const link = [...eng.open.keys()][0] as number;
        return [
          send(link, [0xbb]),
          send(link, [0xbc]),
          close(link),
          { type: 'event', event: { type: 'left' } },
        ];
      }
      return [];
    });
    net.addNode();
    net.addNode();
    net.runUntil(100);
    net.leave(1);
    expect(net.isLive(1)).toBe(false);
    net.runUntil(200);
    const tail = engines[0]?.inputs.slice(-3).map((r) => [r.now, r.input.type, byte(r.input)]);
    expect(tail).toEqual([
      [110, 'frame', 0xbb],
      [110, 'frame', 0xbc],
      [110, 'linkClosed', -1],
    ]);
    expect(engines[1]?.of('command')).toHaveLength(1);
    expect(net.linkCount).toBe(0);
  });

  it('onEvent receives engine events with node index and time', () => {
    const seen: [number, EngineEvent, number][] = [];
    const { net } = setup(
      (ctx) => (input) =>
        input.type === 'start'
          ? [{ type: 'event', event: { type: 'drop', what: `n${ctx.index}` } }]
          : [],
      { onEvent: (i, e, now) => seen.push([i, e, now]) },
    );
    net.runUntil(5);
    net.addNode();
    net.addNode();
    net.runUntil(10);
    expect(seen).toEqual([
      [0, { type: 'drop', what: 'n0' }, 5],
      [1, { type: 'drop', what: 'n1' }, 5],
    ]);
  });

  it('loss p drops about a fraction p of frames, drawn per sender', () => {
    const n = 20_000;
    const { net, engines } = setup(
      (ctx) => (input) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
        if (ctx.index === 0 && input.type === 'linkOpened') {
          return Array.from({ length: n }, (_, i) => send(input.link, [i & 255]));
        }
        return [];
      },
      { loss: 0.3 },
    );
    net.addNode();
    net.addNode();
    net.runUntil(1_000);
    const delivered = engines[1]?.of('frame').length ?? 0;
    expect(Math.abs(delivered / n - 0.7)).toBeLessThan(0.015);
    expect(net.stats.framesLost + net.stats.framesDelivered).toBe(n);
    net.setLoss(0);
    expect(() => net.setLoss(1.5)).toThrow();
  });
});

describe('SimNetwork: time, wake-ups, actions', () => {
  it('only the latest wake counts: earlier and later requests both replace it', () => {
    const { net, engines } = setup(() => (input, now) => {
      if (input.type === 'start') return [wake(500), wake(300), wake(300), wake(700)];
      if (input.type === 'frame') return [];
      if (input.type === 'tick' && now === 700) return [wake(650), wake(900), wake(800)];
      return [];
    });
    net.addNode();
    net.runUntil(2_000);
    expect(engines[0]?.of('tick').map((t) => t.now)).toEqual([700, 800]);
  });

  it('a wake in the past fires at the current time; crash cancels pending wakes', () => {
    const { net, engines } = setup(
      () => (input) =>
        input.type === 'start' ? [wake(-5)] : input.type === 'tick' ? [wake(1_000)] : [],
    );
    net.runUntil(40);
    net.addNode();
    net.runUntil(500);
    expect(engines[0]?.of('tick').map((t) => t.now)).toEqual([40]);
    net.crash(0);
    net.runUntil(2_000);
    expect(engines[0]?.of('tick').map((t) => t.now)).toEqual([40]);
  });

  it('scripted actions run in time order, FIFO among equal times', () => {
    const { net } = setup();
    const log: string[] = [];
    net.at(20, () => log.push(`b@${net.now}`));
    net.at(10, () => log.push(`a@${net.now}`));
    net.at(20, () => {
      log.push(`c@${net.now}`);
      net.at(20, () => log.push(`d@${net.now}`));
    });
    net.runUntil(19);
    expect(log).toEqual(['a@10']);
    expect(net.now).toBe(19);
    net.runUntil(30);
    expect(log).toEqual(['a@10', 'b@20', 'c@20', 'd@20']);
    expect(net.now).toBe(30);
  });

  it('an engine that throws is reported with node, incarnation, time and input', () => {
    const { net } = setup(() => (input) => {
      if (input.type === 'tick') throw new Error('boom');
      return input.type === 'start' ? [wake(42)] : [];
    });
    net.addNode();
    net.addNode();
    let error: unknown;
    try {
      net.runUntil(100);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimEngineError);
    expect((error as Error).message).toMatch(
      /node 0 \(incarnation 0\) threw at t=42 on 'tick': boom/,
    );
    expect((error as SimEngineError).nodeIndex).toBe(0);
    expect((error as SimEngineError).time).toBe(42);
  });
});

describe('SimNetwork: streams and model changes', () => {
  it("adding nodes never changes an existing node's draws", () => {
    const firstDraws = (extraNodes: number): number[] => {
      const { net, engines } = setup();
      net.addNode();
      for (let i = 0; i < extraNodes; i++) net.addNode();
      net.runUntil(10);
      const r = engines[0]?.ctx.random.fork('overlay');
      return Array.from({ length: 10 }, () => r?.next() ?? -1);
    };
    expect(firstDraws(50)).toEqual(firstDraws(0));
  });

  it('links stay FIFO when the latency model changes mid-stream, FIN included', () => {
    const { net, engines } = setup(
      (ctx) => (input, now, eng) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
        if (ctx.index === 0 && (input.type === 'linkOpened' || input.type === 'tick')) {
          const link = [...eng.open.keys()][0] as number;
          const k = eng.of('tick').length;
          if (k === 30) return [close(link)];
          return [send(link, [k]), wake(now + 3)];
        }
        return [];
      },
      { latency: constant(200) },
    );
    net.addNode();
    net.addNode();
    net.runUntil(450);
    net.setLatency({ kind: 'uniform', minMs: 1, maxMs: 5 });
    net.runUntil(2_000);
    const got = engines[1]?.inputs.filter((r) => r.input.type !== 'start') ?? [];
    expect(got.map((r) => byte(r.input))).toEqual([
      -1, // linkOpened
      ...Array.from({ length: 30 }, (_, i) => i),
      -1, // linkClosed
    ]);
    expect(got.at(-1)?.input.type).toBe('linkClosed');
    // Frame k leaves at 400 + 3k; k ≤ 16 under the 200 ms model (last one lands at 648).
    // Frame 17 leaves at 451 under the 1–5 ms model and waits behind it instead of
    // overtaking; every later frame lands after.
    expect(got[17]?.now).toBe(648);
    expect(got[18]?.now).toBe(648);
    expect(got[19]?.now).toBe(648);
  });

  it('a latency change reaches links already open: their next frames take the new delay', () => {
    const { net, engines } = setup(
      (ctx) => (input, now, eng) => {
        if (ctx.index === 0 && input.type === 'start') return [dial(1, simAddress(1))];
        if (ctx.index === 0 && input.type === 'tick') {
          const link = [...eng.open.keys()][0] as number;
          return [send(link, [eng.of('tick').length])];
        }
        if (ctx.index === 0 && input.type === 'linkOpened')
          return [send(input.link, [0]), wake(1_000)];
        return [];
      },
      { latency: constant(200) },
    );
    net.addNode();
    net.addNode();
    net.runUntil(500);
    net.setLatency(constant(5));
    net.runUntil(2_000);
    expect(engines[1]?.of('frame').map((f) => f.now)).toEqual([600, 1_005]);
  });
});
