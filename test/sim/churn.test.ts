/**
 * The churn model (src/sim/churn.ts): its distributions draw what they claim, the scenario
 * key is validated with key paths, and on a small world nodes crash and come back with the
 * same keys, within the churn window, deterministically.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import { ChurnModel, gamma, meanMs, medianMs, sampleMs } from '../../src/sim/churn.js';
import {
  ScenarioError,
  parseScenario,
  type ChurnParams,
  type Distribution,
} from '../../src/sim/scenario.js';
import { SimWorld } from '../../src/sim/world.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';

const BASE = 'name: t\nnodes: 10\nduration: 2h\n';
const MINUTE = 60_000;

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

function draws(d: Distribution, n: number, seed = 'churn-test'): number[] {
  const random = new AleaRandom(seed);
  return Array.from({ length: n }, () => sampleMs(d, random));
}

const average = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

describe('churn distributions', () => {
  it('gamma: exact at integers and one half', () => {
    expect(gamma(5)).toBeCloseTo(24, 10);
    expect(gamma(1)).toBeCloseTo(1, 12);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(gamma(1 + 1 / 0.6)).toBeCloseTo(1.5046, 4);
  });

  it.each<[string, Distribution, number]>([
    ['exponential, mean 10m', { kind: 'exponential', meanMs: 10 * MINUTE }, 0.03],
    ['weibull, shape 0.6', { kind: 'weibull', shape: 0.6, scaleMs: 30 * MINUTE }, 0.06],
    ['weibull, shape 2', { kind: 'weibull', shape: 2, scaleMs: 30 * MINUTE }, 0.02],
    ['pareto, shape 3', { kind: 'pareto', shape: 3, scaleMs: 5 * MINUTE }, 0.03],
  ])('%s: sample mean and median within tolerance', (_name, d, tolerance) => {
    const xs = draws(d, 40_000);
    expect(Math.abs(average(xs) / meanMs(d) - 1)).toBeLessThan(tolerance);
    expect(Math.abs(median(xs) / medianMs(d) - 1)).toBeLessThan(0.03);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
  });

  it('pareto never draws below its scale; its mean is infinite for shape ≤ 1', () => {
    const d: Distribution = { kind: 'pareto', shape: 0.9, scaleMs: 60_000 };
    expect(Math.min(...draws(d, 5_000))).toBeGreaterThanOrEqual(60_000);
    expect(meanMs(d)).toBe(Infinity);
  });

  it('weibull with shape below 1 has a heavy tail: the mean is well above the median', () => {
    const d: Distribution = { kind: 'weibull', shape: 0.6, scaleMs: 30 * MINUTE };
    expect(meanMs(d) / medianMs(d)).toBeGreaterThan(2.5);
  });
});

describe('churn scenario key', () => {
  it('reads every distribution form, durations in ms', () => {
    const s = parseScenario(
      `${BASE}churn:\n  session: { weibull: { shape: 0.6, scale: 55m } }\n` +
        `  offline: { exponential: { mean: 10m } }\n  from: 5m\n  until: 90m\n`,
      'test.yaml',
    );
    expect(s.churn).toEqual({
      session: { kind: 'weibull', shape: 0.6, scaleMs: 55 * MINUTE },
      offline: { kind: 'exponential', meanMs: 10 * MINUTE },
      fromMs: 5 * MINUTE,
      untilMs: 90 * MINUTE,
      heterogeneity: null,
    });
    const pareto = parseScenario(
      `${BASE}churn:\n  session: { pareto: { shape: 1.5, scale: 1m } }\n` +
        `  offline: { pareto: { shape: 2, scale: 30s } }\n`,
      'test.yaml',
    );
    expect(pareto.churn).toEqual({
      session: { kind: 'pareto', shape: 1.5, scaleMs: MINUTE },
      offline: { kind: 'pareto', shape: 2, scaleMs: 30_000 },
      fromMs: 0,
      untilMs: 2 * 60 * MINUTE,
      heterogeneity: null,
    });
    expect(parseScenario(BASE, 'test.yaml').churn).toBeNull();
  });

  it.each([
    ['churn:\n  offline: { exponential: { mean: 1m } }\n', 'churn.session'],
    ['churn:\n  session: { exponential: { mean: 1m } }\n', 'churn.offline'],
    ['churn:\n  session: {}\n  offline: { exponential: { mean: 1m } }\n', 'churn.session'],
    [
      'churn:\n  session: { gauss: { mean: 1m } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.gauss',
    ],
    [
      'churn:\n  session: { weibull: { shape: 0, scale: 1m } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.weibull.shape',
    ],
    [
      'churn:\n  session: { weibull: { shape: 11, scale: 1m } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.weibull.shape',
    ],
    [
      'churn:\n  session: { weibull: { shape: 0.5 } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.weibull.scale',
    ],
    [
      'churn:\n  session: { weibull: { shape: 0.5, scale: 10 } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.weibull.scale',
    ],
    [
      'churn:\n  session: { exponential: { mean: 1m } }\n  offline: { pareto: { shape: 2, scale: 500ms } }\n',
      'churn.offline.pareto.scale',
    ],
    [
      'churn:\n  session: { exponential: { mean: 1m, shape: 2 } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session.exponential.shape',
    ],
    [
      'churn:\n  session: { exponential: { mean: 1m }, weibull: { shape: 1, scale: 1m } }\n  offline: { exponential: { mean: 1m } }\n',
      'churn.session',
    ],
    [
      'churn:\n  session: { exponential: { mean: 1m } }\n  offline: { exponential: { mean: 1m } }\n  from: 1h\n  until: 30m\n',
      'churn.until',
    ],
  ])('%j fails at %s', (yaml, keyPath) => {
    expect(errorOf(BASE + yaml).keyPath).toBe(keyPath);
  });
});

describe('churn on a small world', () => {
  function run(seed: number, params: ChurnParams, untilMs: number) {
    const log: string[] = [];
    const ids = new Map<number, string>();
    const w = new SimWorld({
      seed: String(seed),
      crypto: 'modelled',
      overlay: TEST_OVERLAY,
      broadcast: DEFAULT_BROADCAST,
      directory: DEFAULT_DIRECTORY,
      latency: { kind: 'constant', ms: 20 },
      loss: 0,
      onRestart: (i) => log.push(`${w.now} restart ${i} ${w.idOf(i) === ids.get(i)}`),
    });
    const churn = new ChurnModel(w, params, seed);
    for (let i = 0; i < 20; i++) w.net.at(i * 100, () => ids.set(w.addNode(), ''));
    w.net.at(3_000, () => {
      for (let i = 0; i < 20; i++) ids.set(i, w.idOf(i) as string);
    });
    churn.schedule();
    let crashesByUntil = -1;
    w.net.at(params.untilMs, () => (crashesByUntil = churn.crashes));
    w.net.runUntil(untilMs);
    return { w, churn, log, crashesByUntil };
  }

  const params: ChurnParams = {
    session: { kind: 'weibull', shape: 0.7, scaleMs: 5 * MINUTE },
    offline: { kind: 'exponential', meanMs: 2 * MINUTE },
    fromMs: MINUTE,
    untilMs: 20 * MINUTE,
    heterogeneity: null,
  };

  it('nodes crash and come back with the same keys; no crash after until; all back at the end', () => {
    const { w, churn, log, crashesByUntil } = run(1, params, 60 * MINUTE);
    expect(churn.crashes).toBeGreaterThan(20);
    expect(churn.crashes).toBe(crashesByUntil);
    expect(churn.restarts).toBe(churn.crashes);
    expect(log).toHaveLength(churn.restarts);
    for (const line of log) expect(line.endsWith('true')).toBe(true);
    expect(w.net.liveNodes()).toHaveLength(20);
  });

  it('is deterministic for a seed', () => {
    const a = run(5, params, 25 * MINUTE);
    const b = run(5, params, 25 * MINUTE);
    expect(a.log).toEqual(b.log);
    expect(a.w.net.traceHash()).toBe(b.w.net.traceHash());
    expect(run(6, params, 25 * MINUTE).log).not.toEqual(a.log);
  });
});
