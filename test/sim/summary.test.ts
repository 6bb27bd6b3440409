import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario.js';
import {
  type Summary,
  canonicalize,
  formatSummaryJson,
  renderReport,
  reproduceCommand,
  roundMetric,
  writeReport,
} from '../../src/sim/summary.js';
import { sampleSummary } from './sample-summary.js';

describe('summary.json', () => {
  it('rounds to fixed decimals, keeps key order, 2-space JSON, trailing newline', () => {
    const text = formatSummaryJson(sampleSummary());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "seed": 3,\n');
    expect(text).toContain('"degreeMean": 6.1,');
    expect(text).toContain('"repairMsP99": null');
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual(Object.keys(sampleSummary()));
  });

  it('is the same text for the same summary, and holds no date or time', () => {
    expect(formatSummaryJson(sampleSummary())).toBe(formatSummaryJson(sampleSummary()));
    expect(formatSummaryJson(sampleSummary())).not.toMatch(/\d{4}-\d\d-\d\d|T\d\d:\d\d/);
  });

  it('roundMetric: integers unchanged, fractions to 6 decimals, -0 → 0', () => {
    expect(roundMetric(42)).toBe(42);
    expect(roundMetric(0.1 + 0.2)).toBe(0.3);
    expect(roundMetric(2 / 3)).toBe(0.666667);
    expect(Object.is(roundMetric(-0), 0)).toBe(true);
    expect(Object.is(roundMetric(-1e-9), 0)).toBe(true);
    expect(() => roundMetric(Number.NaN)).toThrow(RangeError);
  });

  it('NaN, Infinity and undefined are refused with the key path', () => {
    const bad = sampleSummary();
    bad.overlay.degreeMean = Number.NaN;
    expect(() => formatSummaryJson(bad)).toThrow('summary.overlay.degreeMean is NaN');
    expect(() => canonicalize({ a: [1, Infinity] })).toThrow('summary.a[1] is Infinity');
    expect(() => canonicalize({ a: undefined })).toThrow('summary.a is undefined');
    expect(() => canonicalize({ a: new Map() })).toThrow('summaries hold plain JSON only');
  });
});

describe('writeReport', () => {
  it('writes summary.json and report.md into a new directory', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'p2pmsg-report-')), 'nested', 'out');
    const scenario = parseScenario(
      'name: smoke\nnodes: 50\nduration: 3m\nevents:\n  - { at: 30s, crash: { fraction: 0.2 } }\n',
      'smoke.yaml',
    );
    const paths = writeReport(dir, sampleSummary(), {
      scenarioFile: 'sim/scenarios/smoke.yaml',
      scenario,
    });
    expect(readFileSync(paths.summaryPath, 'utf8')).toBe(formatSummaryJson(sampleSummary()));
    const report = readFileSync(paths.reportPath, 'utf8');
    expect(report).toMatch(/^# Simulation report: smoke\n/);
    expect(report).toContain('p2pmsg sim sim/scenarios/smoke.yaml --seed 3');
    expect(report).toContain('| 1 | 30s | crash 20% of the live nodes |');
    expect(report).toContain('## Overlay');
    expect(report).toContain('| repairMsP99 | — |');
    expect(report).toContain('### Degree histogram');
    expect(report).toContain('| 6 | 30 | 75.0% |');
    expect(report).toContain('| dialsFailed | 2 | dials that failed |');
  });

  it('a bad summary leaves no files behind', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'p2pmsg-report-')), 'out');
    const bad = sampleSummary();
    bad.network.bytesSent = Number.NaN;
    expect(() => writeReport(dir, bad)).toThrow(/bytesSent is NaN/);
    expect(() => readFileSync(join(dir, 'summary.json'))).toThrow();
  });

  it('renders sections it has never heard of (later issues add them)', () => {
    const summary = { ...sampleSummary(), delivery: { ratio: 0.99, latencyMsP50: 120 } } as Summary;
    const report = renderReport(summary);
    expect(report).toContain('## Delivery');
    expect(report).toContain('| latencyMsP50 | 120 |');
  });
});

describe('reproduceCommand', () => {
  it('quotes paths a shell would split', () => {
    expect(reproduceCommand('sim/scenarios/overlay.yaml', 7)).toBe(
      'p2pmsg sim sim/scenarios/overlay.yaml --seed 7',
    );
    expect(reproduceCommand("my dir/it's.yaml", 1)).toBe(
      `p2pmsg sim 'my dir/it'\\''s.yaml' --seed 1`,
    );
  });
});
