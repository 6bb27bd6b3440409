/**
 * Determinism end to end (issue 6 #7): every scenario shipped in sim/scenarios/, shortened,
 * run twice in one process, gives the same summary.json and the same engine-event trace —
 * compared by SHA-256 of each. The directory is listed, so a new scenario is covered the
 * day it is added; one that the generic shortening (src/sim/shorten.ts) cannot handle gets
 * an entry in SHORTENINGS instead.
 *
 * Budget: SHORT nodes for SHORT duration is well under a second per run on an idle core,
 * so the whole file stays far below a minute on a loaded 2-core machine.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECOND_MS } from '../../src/sim/limits.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario, type Scenario } from '../../src/sim/scenario.js';
import { formatSummaryJson } from '../../src/sim/summary.js';
import { traceLine } from '../../src/sim/trace.js';
import { type Shortening, shortenScenarioText } from '../../src/sim/shorten.js';

const DIR = 'sim/scenarios';
/** Enough nodes for every fault to bite and paths of three relays; short enough to run twice. */
const SHORT: Shortening = { nodes: 24, durationMs: 90 * SECOND_MS };
/** Scenarios that need a shortening of their own (none so far), by file name. */
const SHORTENINGS: Record<string, Shortening> = {};

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

interface Fingerprint {
  summarySha256: string;
  traceSha256: string;
  traceEvents: number;
}

function fingerprint(scenario: Scenario): Fingerprint {
  const trace = createHash('sha256');
  let traceEvents = 0;
  const { summary } = runScenario(scenario, {
    onTrace: (node, event, now) => {
      trace.update(`${traceLine(node, event, now)}\n`);
      traceEvents += 1;
    },
  });
  return {
    summarySha256: createHash('sha256').update(formatSummaryJson(summary)).digest('hex'),
    traceSha256: trace.digest('hex'),
    traceEvents,
  };
}

describe('determinism of every shipped scenario, shortened', () => {
  it('sim/scenarios/ holds the shipped scenarios', () => {
    expect(files).toEqual(expect.arrayContaining(['overlay.yaml', 'smoke.yaml', 'churn.yaml']));
  });

  it.each(files)('%s: two runs agree on the SHA-256 of summary.json and of the trace', (name) => {
    const path = join(DIR, name);
    const text = shortenScenarioText(readFileSync(path, 'utf8'), SHORTENINGS[name] ?? SHORT);
    const scenario = parseScenario(text, path);
    expect(scenario.nodes).toBeLessThanOrEqual(SHORT.nodes);
    expect(scenario.durationMs).toBeLessThanOrEqual(SHORT.durationMs);
    const first = fingerprint(scenario);
    const second = fingerprint(scenario);
    expect(second).toEqual(first);
    // A run that did nothing would agree trivially. The smallest, scale-100k shortened (24
    // nodes, 90 s, no workload), traces ~950 events.
    expect(first.traceEvents).toBeGreaterThan(500);
  });

  it('shortening scales the timeline: overlay.yaml keeps its crash halfway and its settle', () => {
    const path = join(DIR, 'overlay.yaml');
    const original = parseScenario(readFileSync(path, 'utf8'), path);
    const short = parseScenario(shortenScenarioText(readFileSync(path, 'utf8'), SHORT), path);
    const share = (s: Scenario, ms: number): number => ms / s.durationMs;
    expect(short.durationMs).toBe(SHORT.durationMs);
    expect(short.nodes).toBe(SHORT.nodes);
    expect(share(short, short.events[0]?.at ?? -1)).toBe(
      share(original, original.events[0]?.at ?? -2),
    );
    expect(share(short, short.settleMs ?? -1)).toBe(share(original, original.settleMs ?? -2));
    expect(short.events[0]?.action).toEqual(original.events[0]?.action);
  });

  it('the comparison can fail: another seed gives other hashes', () => {
    const path = join(DIR, 'smoke.yaml');
    const scenario = parseScenario(shortenScenarioText(readFileSync(path, 'utf8'), SHORT), path);
    const a = fingerprint(scenario);
    const b = fingerprint({ ...scenario, seed: scenario.seed + 1 });
    expect(b.summarySha256).not.toBe(a.summarySha256);
    expect(b.traceSha256).not.toBe(a.traceSha256);
  });
});
