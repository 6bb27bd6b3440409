/**
 * The daemon's log lines (text and NDJSON) and its crypto-strong random source.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.js';
import { CryptoRandom, CryptoRandomSource } from '../../src/daemon/random.js';

describe('daemon log', () => {
  const at = Date.UTC(2025, 0, 31, 17, 4, 5, 123);

  it('--log-format json writes one JSON object per line with time, level, msg and fields', () => {
    const lines: string[] = [];
    const log = createLogger({
      format: 'json',
      level: 'info',
      write: (l) => lines.push(l),
      now: () => at,
    });
    log.info('neighbour up', { peer: 'abc', neighbours: 2, key: new Uint8Array([1, 255]) });
    log.debug('hidden');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2025-01-31T17:04:05.123Z',
      level: 'info',
      msg: 'neighbour up',
      peer: 'abc',
      neighbours: 2,
      key: '01ff',
    });
  });

  it('text lines are readable: clock, level, message, key=value (quoted when needed)', () => {
    const lines: string[] = [];
    const log = createLogger({
      format: 'text',
      level: 'debug',
      write: (l) => lines.push(l),
      now: () => at,
    });
    log.warn('stopping', { reason: 'asked to stop', count: 3, skipped: undefined });
    expect(lines).toEqual(['17:04:05.123 WARN  stopping reason="asked to stop" count=3\n']);
  });

  it('a field that cannot be serialised, or a failing write, never throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const log = createLogger({
      format: 'json',
      level: 'info',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => log.error('x', { cyclic })).not.toThrow();
  });
});

describe('crypto random source', () => {
  it('next() is in [0, 1), int(n) in [0, n), bytes(n) has n bytes', () => {
    const r = new CryptoRandomSource().fork('test');
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      seen.add(k);
    }
    expect(seen.size).toBe(7);
    expect(r.int(1)).toBe(0);
    expect(r.int(2 ** 50)).toBeLessThan(2 ** 50);
    expect(r.bytes(32)).toHaveLength(32);
    expect(r.bytes(16)).not.toEqual(r.bytes(16));
  });

  it('int() refuses a range that is not a positive integer', () => {
    const r = new CryptoRandom();
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
  });
});
