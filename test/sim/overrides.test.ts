/**
 * `--set key=value` and `--sweep key=v1,v2`: parsing, applying them to the scenario's YAML
 * before validation, and error messages that name the key path and the option.
 */
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { OVERRIDES_MAX, PEERS_MAX, SWEEP_VALUES_MAX } from '../../src/sim/limits.js';
import {
  OverrideError,
  applyOverrides,
  explainScenarioError,
  originalLine,
  overrideSources,
  parseAssignment,
  parseSweepOption,
} from '../../src/sim/overrides.js';
import { ScenarioError, parseScenario } from '../../src/sim/scenario.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/sim/overrides.test.ts';

const SCENARIO = [
  '# a comment that must survive',
  'name: t',
  'nodes: 10',
  'duration: 10m',
  'overlay:',
  'events:',
  '  - at: 1m',
  '    crash: { fraction: 0.2 }',
  '  - at: 2m',
  '    heal:',
  '',
].join('\n');

/** The scenario after `--set` options, validated as the CLI does. */
function withSets(...options: string[]) {
  const sets = options.map((text) => parseAssignment(text));
  const text = applyOverrides(SCENARIO, sets);
  try {
    return parseScenario(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) {
      throw explainScenarioError(err, overrideSources(sets, null), SCENARIO, text);
    }
    throw err;
  }
}

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('--set: values', () => {
  it('a value is one YAML scalar: numbers, durations and words keep their YAML types', () => {
    expect(parseAssignment('nodes=12').value).toBe(12);
    expect(parseAssignment('duration=90s').value).toBe('90s');
    expect(parseAssignment('broadcast.mode=tree').value).toBe('tree');
    expect(parseAssignment('nodes="12"').value).toBe('12');
    expect(parseAssignment('network.loss=0.25').value).toBe(0.25);
    expect(parseAssignment('events.1.heal=').value).toBeNull();
    expect(parseAssignment('name=a=b').value).toBe('a=b'); // split at the first '='
  });

  it('keys are dotted paths; the bracket form of error messages is accepted too', () => {
    expect(parseAssignment('events.0.crash.fraction=0.5').path).toEqual([
      'events',
      0,
      'crash',
      'fraction',
    ]);
    expect(parseAssignment('events[0].crash.fraction=0.5').key).toBe('events.0.crash.fraction');
  });

  it.each([
    ['nodes', /--set: expected key=value, found "nodes"/],
    ['=3', /--set: expected key=value, found "=3"/],
    ['over lay=3', /is not a key path/],
    ['overlay..maxPeers=3', /is not a key path/],
    ['0.at=1s', /is not a key path/],
    ['nodes={a: 1}', /expected one value \(a YAML scalar\), found a mapping/],
    ['nodes=[1, 2]', /expected one value \(a YAML scalar\), found a list/],
    ['nodes=[1', /the value is not valid YAML/],
  ])('malformed --set %s is an OverrideError', (text, message) => {
    const err = failure(() => parseAssignment(text));
    expect(err).toBeInstanceOf(OverrideError);
    expect(err.message).toMatch(message);
  });
});

describe('--set: applied before validation', () => {
  it('overrides keys, creates missing mappings, fills a null mapping, keeps comments', () => {
    const sets = ['nodes=20', 'overlay.maxPeers=10', 'workload.interval=2s', 'events.0.at=45s'];
    const text = applyOverrides(
      SCENARIO,
      sets.map((s) => parseAssignment(s)),
    );
    expect(text).toContain('# a comment that must survive');
    const scenario = parseScenario(text, 'test.yaml');
    expect(scenario.nodes).toBe(20);
    expect(scenario.overlay.maxPeers).toBe(10);
    expect(scenario.workload.intervalMs).toBe(2000);
    expect(scenario.events[0]?.at).toBe(45_000);
    expect(scenario.events[0]?.action).toEqual({ type: 'crash', fraction: 0.2 });
  });

  it('without overrides the text is returned unchanged (line numbers stay the file’s)', () => {
    expect(applyOverrides(SCENARIO, [])).toBe(SCENARIO);
  });

  it('a later --set of the same key wins', () => {
    expect(withSets('nodes=5', 'nodes=7').nodes).toBe(7);
  });

  it('a list index may name the next item, never leave a gap', () => {
    const scenario = withSets('events.2.at=3m', 'events.2.leave.count=1');
    expect(scenario.events[2]).toMatchObject({ at: 180_000, action: { type: 'leave', count: 1 } });
    expect(failure(() => withSets('events.5.at=3m')).message).toBe(
      '--set events.5.at=3m: events has 2 items: index 5 would leave a gap (use an index up to 2)',
    );
  });

  it('a path through a single value or a list by name is an OverrideError', () => {
    expect(failure(() => withSets('name.x=1')).message).toBe(
      '--set name.x=1: name is a single value, not a mapping or a list',
    );
    expect(failure(() => withSets('events.first.at=1s')).message).toMatch(
      /events is a list: expected an index, found "first"/,
    );
  });

  it('a bad value is reported with its key path and the --set that made it, without a line', () => {
    const err = failure(() => withSets(`overlay.maxPeers=${PEERS_MAX + 1}`));
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).format()).toBe(
      `test.yaml: overlay.maxPeers: expected an integer from 1 to ${PEERS_MAX}, found ${PEERS_MAX + 1} ` +
        `(from --set overlay.maxPeers=${PEERS_MAX + 1})`,
    );
    expect((failure(() => withSets('overlay.maxPeer=6')) as ScenarioError).format()).toMatch(
      /^test\.yaml: overlay\.maxPeer: unknown key \(did you mean "maxPeers"\?\).*\(from --set overlay\.maxPeer=6\)$/,
    );
    expect((failure(() => withSets('events.0.crash.fraction=abc')) as ScenarioError).keyPath).toBe(
      'events[0].crash.fraction',
    );
  });

  it('an error elsewhere keeps the file’s line, even below lines a --set inserted', () => {
    const broken = SCENARIO.replace('at: 2m', 'at: 20m'); // after the end
    const sets = [parseAssignment('overlay.maxPeers=8')]; // fills `overlay:`, above the events
    const text = applyOverrides(broken, sets);
    const err = explainScenarioError(
      failure(() => parseScenario(text, 'test.yaml')) as ScenarioError,
      overrideSources(sets, null),
      broken,
      text,
    );
    expect(err.keyPath).toBe('events[1].at');
    expect(err.line).toBe(broken.split('\n').indexOf('  - at: 20m') + 1);
  });

  it('originalLine maps lines around an edit and gives up (0) inside it, never a wrong line', () => {
    const original = 'a\nb\nc\nd\n';
    const edited = 'a\nB1\nB2\nc\nd\n';
    expect([1, 2, 3, 4, 5].map((line) => originalLine(original, edited, line))).toEqual([
      1, 0, 0, 3, 4,
    ]);
  });

  it(`at most ${OVERRIDES_MAX} --set options`, () => {
    const sets = Array.from({ length: OVERRIDES_MAX + 1 }, () => parseAssignment('nodes=3'));
    expect(failure(() => applyOverrides(SCENARIO, sets))).toBeInstanceOf(OverrideError);
  });

  it('property: set, then validate, reads back the value and nothing else changes', () => {
    const base = parseScenario(SCENARIO, 'test.yaml');
    checkProperty(
      FILE,
      'property: set, then validate, reads back the value and nothing else changes',
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 600 }), (n, s) => {
        const scenario = withSets(`nodes=${n}`, `overlay.shuffleInterval=${s}s`);
        expect(scenario.nodes).toBe(n);
        expect(scenario.overlay.shuffleIntervalMs).toBe(s * 1000);
        const same = { ...scenario, nodes: base.nodes, join: base.join, overlay: base.overlay };
        // Filling `overlay:` adds a line above the events: only their line numbers move.
        same.events = scenario.events.map((event, i) => ({
          ...event,
          line: base.events[i]?.line ?? 0,
        }));
        expect(same).toEqual(base);
      }),
      { numRuns: 50 },
    );
  });
});

describe('--sweep', () => {
  it('parses a key and its values (numbers or strings)', () => {
    expect(parseSweepOption('broadcast.mode=flood,tree')).toEqual({
      key: 'broadcast.mode',
      values: ['flood', 'tree'],
      text: 'broadcast.mode=flood,tree',
    });
    expect(parseSweepOption('events[0].crash.fraction=0.1,0.5').values).toEqual([0.1, 0.5]);
  });

  it('is written as the scenario’s sweep: key, replacing one the file has', () => {
    const withSweep = `${SCENARIO}sweep: { key: nodes, values: [1, 2] }\n`;
    const text = applyOverrides(withSweep, [], parseSweepOption('overlay.maxPeers=6,8'));
    expect(parseScenario(text, 'test.yaml').sweep).toEqual({
      key: 'overlay.maxPeers',
      values: [6, 8],
    });
    expect(YAML.parse(text).sweep).toEqual({ key: 'overlay.maxPeers', values: [6, 8] });
  });

  it.each([
    ['nodes', /expected key=v1,v2,\.\.\., found "nodes"/],
    ['nodes=1,,3', /value 2 is empty/],
    ['nodes=1,true', /value "true" must be a number or a string/],
    ['seed=1,2', /use --seeds/],
    ['sweep.key=a', /cannot sweep the sweep/],
    [
      `nodes=${Array.from({ length: SWEEP_VALUES_MAX + 1 }, (_, i) => i + 1).join(',')}`,
      /at most 32 values/,
    ],
  ])('malformed --sweep %s is an OverrideError', (text, message) => {
    const err = failure(() => parseSweepOption(text));
    expect(err).toBeInstanceOf(OverrideError);
    expect(err.message).toMatch(message);
  });
});
