import { describe, expect, it } from 'vitest';
import { PROGRESS_REDRAW_MS, createProgressBar } from '../../src/cli/progress.js';

function fakeTerminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) > 0 } };
}

describe('progress bar', () => {
  it('is not drawn when stderr is not a terminal', () => {
    const { stream } = fakeTerminal(false);
    expect(createProgressBar(stream, 1000)).toBeNull();
  });

  it('redraws at most once per PROGRESS_REDRAW_MS of wall time, and always at the end', () => {
    const { writes, stream } = fakeTerminal(true);
    let wall = 0;
    const bar = createProgressBar(stream, 60_000, { clock: () => wall });
    if (bar === null) throw new Error('expected a bar on a TTY');
    for (let sim = 0; sim < 60_000; sim += 100) {
      bar.update(sim, 60_000);
      wall += 1; // 600 updates over 600 ms of wall time
    }
    expect(writes.length).toBeLessThanOrEqual(600 / PROGRESS_REDRAW_MS + 1);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    bar.update(60_000, 60_000);
    expect(writes.at(-1)).toContain('100%');
    bar.finish();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('shows the share of simulated time and fits the terminal', () => {
    const { stream } = fakeTerminal(true);
    const bar = createProgressBar(stream, 600_000, { clock: () => 0 });
    const text = bar?.render(150_000) ?? '';
    expect(text).toContain(' 25%');
    expect(text).toContain('2m 30s / 10m simulated');
    expect(text.length).toBeLessThanOrEqual(100);
  });
});
