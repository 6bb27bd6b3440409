/**
 * A restarted node gets the state its runtime saved (the simulator keeps it as the daemon's
 * store does: world.ts `save`), and announces again only when the network may not hold its
 * descriptor (DirectoryService.restoredAnnouncementEnd): after a crash within its announce
 * period it stays quiet — the others never dropped its descriptor — but after a graceful
 * leave (they hold its revocation) or once the period is over it announces at once.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const MINUTE = 60_000;
const NODES = 16;
/** Crashed at 6 min, back at 10: within the period of its announcement at ~0. */
const CRASHED_BRIEFLY = 3;
/** Left gracefully at 6 min, back at 10. */
const LEFT = 4;
/** Crashed at 6 min, back at 40: its announce period (30 min from ~0) is over. */
const CRASHED_LONG = 5;

function run() {
  const scenario = parseScenario(
    [
      'name: restart-announce',
      'seed: 1',
      `nodes: ${NODES}`,
      'duration: 45m',
      'join: { over: 5s }',
      'network: { latency: { kind: lognormal, median: 40ms, sigma: 0.5 } }',
      'events:',
      '  - at: 6m',
      `    crash: { nodes: [${CRASHED_BRIEFLY}, ${CRASHED_LONG}] }`,
      '  - at: 6m',
      `    leave: { nodes: [${LEFT}] }`,
      '  - at: 10m',
      `    restart: { nodes: [${CRASHED_BRIEFLY}, ${LEFT}] }`,
      '  - at: 40m',
      `    restart: { nodes: [${CRASHED_LONG}] }`,
    ].join('\n'),
    'restart-announce.yaml',
  );
  const announcedAt = new Map<number, number[]>();
  const restored = new Map<number, number>();
  const { summary } = runScenario(scenario, {
    onTrace(node, event, now) {
      if (event.type === 'broadcastSent' && event.kind === 'descriptor')
        announcedAt.set(node, [...(announcedAt.get(node) ?? []), now]);
      if (event.type === 'restored') restored.set(node, event.descriptors);
    },
  });
  return { summary, announcedAt, restored };
}

describe('announcing after a restart', () => {
  const { summary, announcedAt, restored } = run();
  const after = (node: number, from: number, to: number) =>
    (announcedAt.get(node) ?? []).filter((t) => t >= from && t < to);

  it('each restarted node got its saved directory back (all nodes; ours too unless we left)', () => {
    expect(DEFAULT_DIRECTORY.announceIntervalMs).toBe(30 * MINUTE);
    expect(restored.get(CRASHED_BRIEFLY)).toBe(NODES);
    expect(restored.get(CRASHED_LONG)).toBe(NODES);
    expect(restored.get(LEFT)).toBe(NODES - 1);
  });

  it('a node back from a crash within its announce period does not announce again then', () => {
    expect(after(CRASHED_BRIEFLY, 0, MINUTE)).toHaveLength(1);
    expect(after(CRASHED_BRIEFLY, 10 * MINUTE, 30 * MINUTE)).toEqual([]);
    // It announces when its period ends, as if it had never gone away.
    expect(after(CRASHED_BRIEFLY, 30 * MINUTE, 32 * MINUTE)).toHaveLength(1);
  });

  it('a node back from a graceful leave, or after its period, announces at once', () => {
    expect(after(LEFT, 10 * MINUTE, 11 * MINUTE)).toHaveLength(1);
    expect(after(CRASHED_LONG, 40 * MINUTE, 41 * MINUTE)).toHaveLength(1);
  });

  it('every live node knows every other live one at the end', () => {
    expect(summary.directory.knownShare).toBe(1);
  });
});
