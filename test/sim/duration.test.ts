import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DurationError,
  formatDuration,
  humanDuration,
  parseDuration,
} from '../../src/sim/duration.js';
import { DURATION_MAX_MS } from '../../src/sim/limits.js';

const GOOD: [string, number][] = [
  ['0s', 0],
  ['250ms', 250],
  ['90s', 90_000],
  ['10m', 600_000],
  ['1.5h', 5_400_000],
  ['1.1s', 1100],
  ['0.001s', 1],
  ['2.25m', 135_000],
  ['007s', 7000],
  [' 5s ', 5000],
  ['720h', DURATION_MAX_MS],
];

const BAD: [unknown, RegExp][] = [
  [90, /plain number 90: units are mandatory/],
  [0, /plain number 0/],
  ['90', /expected a duration: a number followed by ms, s, m or h/],
  ['-5s', /expected a duration/],
  ['5 s', /expected a duration/],
  ['5sec', /expected a duration/],
  ['1h30m', /expected a duration/],
  ['1e3ms', /expected a duration/],
  ['.5s', /expected a duration/],
  ['5.s', /expected a duration/],
  ['', /expected a duration/],
  ['0.5ms', /whole number of milliseconds/],
  ['1.0001s', /whole number of milliseconds/],
  ['721h', /at most 720h/],
  ['99999999999999999999999h', /at most 720h/],
  [`${'1'.repeat(40)}s`, /expected a duration/],
  [null, /found nothing/],
  [true, /found boolean true/],
  [{}, /found a mapping/],
];

describe('parseDuration', () => {
  it.each(GOOD)('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(BAD)('%j is rejected with a message saying what was expected', (input, message) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
    expect(() => parseDuration(input)).toThrow(message);
  });

  it('decimal durations are exact, not floating point', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 999 }),
        (whole, milli) => {
          const text = `${whole}.${String(milli).padStart(3, '0')}s`;
          expect(parseDuration(text)).toBe(whole * 1000 + milli);
        },
      ),
    );
  });

  it('formatDuration gives the shortest exact form and parses back', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(DURATION_MAX_MS)).toBe('720h');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DURATION_MAX_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(() => formatDuration(1.5)).toThrow(RangeError);
    expect(() => formatDuration(-1)).toThrow(RangeError);
  });

  it('humanDuration reads well on a terminal', () => {
    expect(humanDuration(250)).toBe('250ms');
    expect(humanDuration(5_400_000)).toBe('1h 30m');
    expect(humanDuration(125_500)).toBe('2m 5.5s');
    expect(humanDuration(59_999)).toBe('59.9s');
    expect(humanDuration(90_061_000)).toBe('1d 1h 1m 1s');
  });
});
