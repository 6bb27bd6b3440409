/**
 * events.ndjson (`p2pmsg sim --trace`): one line per engine event, bounded, deterministic.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { TRACE_WRITE_BLOCK_BYTES } from '../../src/sim/limits.js';
import { runScenario } from '../../src/sim/runner.js';
import { TRACE_FILE, TraceWriter, traceLine } from '../../src/sim/trace.js';
import { TINY } from './tiny-scenario.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'p2pmsg-trace-'));
const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');
const up = (i: number): EngineEvent => ({ type: 'neighbourUp', peer: `peer${i}`, activeSize: i });

describe('TraceWriter', () => {
  it('one line per event: {"t","node","event"}, in order; the file appears whole at close', () => {
    const dir = tmp();
    const writer = new TraceWriter(dir);
    writer.record(3, up(1), 250);
    writer.record(0, { type: 'left' }, 1000);
    expect(existsSync(join(dir, TRACE_FILE))).toBe(false); // still .partial
    const result = writer.close();
    expect(result).toMatchObject({
      path: join(dir, TRACE_FILE),
      lines: 2,
      events: 2,
      truncatedBy: null,
    });
    expect(lines(result.path).map((line) => JSON.parse(line))).toEqual([
      { t: 250, node: 3, event: up(1) },
      { t: 1000, node: 0, event: { type: 'left' } },
    ]);
    expect(existsSync(join(dir, `${TRACE_FILE}.partial`))).toBe(false);
  });

  it('stops at the line limit and ends with a note saying so and how many events there were', () => {
    const writer = new TraceWriter(tmp(), { linesMax: 3, bytesMax: 1 << 20 });
    for (let i = 0; i < 5; i++) writer.record(i, up(i), i * 10);
    const result = writer.close();
    expect(result).toMatchObject({ lines: 3, events: 5, truncatedBy: 'lines' });
    const text = lines(result.path);
    expect(text).toHaveLength(4);
    expect(text.slice(0, 3)).toEqual([0, 1, 2].map((i) => traceLine(i, up(i), i * 10)));
    expect(JSON.parse(text[3] as string)).toEqual({
      truncated: true,
      limit: 'TRACE_LINES_MAX',
      linesMax: 3,
      bytesMax: 1 << 20,
      linesWritten: 3,
      eventsTotal: 5,
    });
  });

  it('stops before the line that would pass the byte limit', () => {
    const size = traceLine(0, up(0), 0).length + 1;
    const writer = new TraceWriter(tmp(), { linesMax: 100, bytesMax: 2 * size + size - 1 });
    for (let i = 0; i < 4; i++) writer.record(0, up(0), 0);
    const result = writer.close();
    expect(result).toMatchObject({ lines: 2, bytes: 2 * size, events: 4, truncatedBy: 'bytes' });
    expect(JSON.parse(lines(result.path)[2] as string)).toMatchObject({ limit: 'TRACE_BYTES_MAX' });
  });

  it('writes in blocks: a trace many blocks long comes out whole and in order', () => {
    const writer = new TraceWriter(tmp());
    const count = Math.ceil((5 * TRACE_WRITE_BLOCK_BYTES) / traceLine(0, up(0), 0).length);
    for (let i = 0; i < count; i++) writer.record(i % 7, up(i), i);
    const text = lines(writer.close().path);
    expect(text).toHaveLength(count);
    expect(text.every((line, i) => line === traceLine(i % 7, up(i), i))).toBe(true);
  });
});

describe('the trace of a real run', () => {
  function traceOf(): { path: string; events: number } {
    const writer = new TraceWriter(tmp());
    let events = 0;
    runScenario(TINY, {
      onTrace: (node, event, now) => {
        events += 1;
        writer.record(node, event, now);
      },
    });
    return { path: writer.close().path, events };
  }

  it('holds every engine event once, in time order, of nodes that exist; same seed, same bytes', () => {
    const first = traceOf();
    const records = lines(first.path).map((line) => JSON.parse(line));
    expect(records.length).toBe(first.events);
    expect(records.length).toBeGreaterThan(50);
    for (let i = 1; i < records.length; i++)
      expect(records[i].t).toBeGreaterThanOrEqual(records[i - 1].t);
    for (const record of records) {
      expect(record.node).toBeGreaterThanOrEqual(0);
      expect(record.node).toBeLessThan(TINY.nodes);
      expect(typeof record.event.type).toBe('string');
    }
    expect(records.some((r) => r.event.type === 'neighbourUp')).toBe(true);
    expect(readFileSync(traceOf().path, 'utf8')).toBe(readFileSync(first.path, 'utf8'));
  });
});
