/**
 * `--check-determinism`: two runs compared event by event through chunk hashes, and the
 * first differing engine event named with both versions.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import {
  type TraceHook,
  type TracedRun,
  checkScenarioDeterminism,
  compareRuns,
  describeDifference,
} from '../../src/sim/determinism.js';
import { runScenario } from '../../src/sim/runner.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { traceLine } from '../../src/sim/trace.js';
import { TINY } from './tiny-scenario.js';

/** A run of TINY under `seed`, its events passed through `edit` before the comparison sees them. */
function tinyRun(
  seed: number,
  edit?: (index: number, hook: TraceHook, args: Parameters<TraceHook>) => void,
): TracedRun {
  return (onTrace) => {
    let index = 0;
    const hook: TraceHook =
      edit === undefined
        ? onTrace
        : (node, event, now) => edit(index++, onTrace, [node, event, now]);
    return runScenario({ ...TINY, seed }, { onTrace: hook }).summary;
  };
}

/** Every trace line of a run (fine for TINY's ~200 events; the module never does this). */
function linesOf(run: TracedRun): string[] {
  const lines: string[] = [];
  run((node, event, now) => lines.push(traceLine(node, event, now)));
  return lines;
}

const INJECTED: EngineEvent = { type: 'drop', what: 'injected by the test' };

describe('compareRuns', () => {
  it('the same seed twice agrees, and says how many events were compared', () => {
    const result = compareRuns(tinyRun(1), tinyRun(1), { chunkEvents: 16 });
    expect(result).toEqual({
      deterministic: true,
      events: linesOf(tinyRun(1)).length,
      traceHash: runScenario(TINY).summary.traceHash,
    });
  });

  it('two seeds through the same comparison: the first differing event, both versions', () => {
    const a = linesOf(tinyRun(1));
    const b = linesOf(tinyRun(2));
    let first = 0;
    while (a[first] === b[first]) first += 1;
    const result = compareRuns(tinyRun(1), tinyRun(2), { chunkEvents: 16 });
    expect(result).toEqual({
      deterministic: false,
      kind: 'event',
      index: first,
      first: JSON.parse(a[first] as string),
      second: JSON.parse(b[first] as string),
    });
  });

  it.each([1, 31, 32, 33, 150])(
    'an injected difference at event %i is found exactly, across chunk borders',
    (at) => {
      const real = linesOf(tinyRun(1));
      const injected = tinyRun(1, (index, hook, [node, event, now]) =>
        hook(node, index === at ? INJECTED : event, now),
      );
      const result = compareRuns(tinyRun(1), injected, { chunkEvents: 32 });
      const original = JSON.parse(real[at] as string);
      expect(result).toEqual({
        deterministic: false,
        kind: 'event',
        index: at,
        first: original,
        second: { t: original.t, node: original.node, event: INJECTED },
      });
    },
  );

  it('a second run that stops early: the first missing event, shown as absent', () => {
    const real = linesOf(tinyRun(1));
    for (const stop of [64, 70]) {
      const short = tinyRun(1, (index, hook, args) => {
        if (index < stop) hook(...args);
      });
      expect(compareRuns(tinyRun(1), short, { chunkEvents: 32 })).toEqual({
        deterministic: false,
        kind: 'event',
        index: stop,
        first: JSON.parse(real[stop] as string),
        second: null,
      });
    }
  });

  it('a second run with an extra event at the end', () => {
    const count = linesOf(tinyRun(1)).length;
    let last: Parameters<TraceHook> | null = null;
    const longer: TracedRun = (onTrace) => {
      const summary = tinyRun(1)((node, event, now) => {
        last = [node, event, now];
        onTrace(node, event, now);
      });
      const [node, , now] = last as unknown as Parameters<TraceHook>;
      onTrace(node, INJECTED, now);
      return summary;
    };
    const result = compareRuns(tinyRun(1), longer, { chunkEvents: 32 });
    expect(result).toMatchObject({
      deterministic: false,
      kind: 'event',
      index: count,
      first: null,
    });
    expect(
      result.deterministic === false && result.kind === 'event' && result.second?.event,
    ).toEqual(INJECTED);
  });

  it('events that agree but summaries that differ: the first differing line of summary.json', () => {
    const other: TracedRun = (onTrace) => ({ ...tinyRun(1)(onTrace), events: 1 });
    const result = compareRuns(tinyRun(1), other);
    expect(result).toMatchObject({
      deterministic: false,
      kind: 'summary',
      second: '  "events": 1,',
    });
    expect(result.deterministic === false && result.kind === 'summary' && result.first).toMatch(
      /^ {2}"events": \d+,$/,
    );
  });

  it('locating a difference replays the first run only up to the end of that chunk', () => {
    let replayed = 0;
    const counting: TracedRun = (onTrace) =>
      tinyRun(1)((node, event, now) => {
        replayed += 1;
        onTrace(node, event, now);
      });
    const injected = tinyRun(1, (index, hook, [node, event, now]) =>
      hook(node, index === 40 ? INJECTED : event, now),
    );
    compareRuns(tinyRun(1), injected, { chunkEvents: 32, replayFirst: counting });
    expect(replayed).toBe(64); // chunks 0 and 1 of 32 events; the difference is in chunk 1
  });

  it('a replay that disagrees with the first run is said so', () => {
    // "First" run under seed 2, replayed under seed 1, second run under seed 1.
    const result = compareRuns(tinyRun(2), tinyRun(1), {
      chunkEvents: 16,
      replayFirst: tinyRun(1),
    });
    expect(result).toMatchObject({
      deterministic: false,
      kind: 'event',
      first: null,
      second: null,
    });
    expect(describeDifference(result).join('\n')).toMatch(
      /a replay of the first run matched the second/,
    );
  });
});

describe('checkScenarioDeterminism on a shipped scenario', () => {
  it('smoke.yaml: two runs in one process agree on every event and on summary.json', () => {
    const { verdict, firstRun } = checkScenarioDeterminism(
      loadScenarioFile(resolve('sim/scenarios/smoke.yaml')),
    );
    expect(verdict).toMatchObject({ deterministic: true, traceHash: firstRun.summary.traceHash });
    expect(verdict.deterministic && verdict.events).toBeGreaterThan(1000);
  });
});

describe('describeDifference', () => {
  it('names the event index, its time and node, and both versions', () => {
    const injected = tinyRun(1, (index, hook, [node, event, now]) =>
      hook(node, index === 5 ? INJECTED : event, now),
    );
    const result = compareRuns(tinyRun(1), injected);
    const lines = describeDifference(result);
    const first = JSON.parse(linesOf(tinyRun(1))[5] as string);
    expect(lines[0]).toBe(
      `not deterministic: the runs first differ at engine event 5 (t=${first.t} ms, node ${first.node})`,
    );
    expect(lines[1]).toBe(`  first run:  ${JSON.stringify(first)}`);
    expect(lines[2]).toContain('"what":"injected by the test"');
  });
});
