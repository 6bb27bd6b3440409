/**
 * Joining (DirectoryConfig.joinSyncForMs): a node announces itself once, then runs
 * anti-entropy every ~10 s for 5 minutes and every ~60 s after that, backing off to ~4
 * minutes while the rounds hear nothing new (SYNC_BACKOFF_MAX); a mass join that loses
 * announcements to the forming overlay is repaired by those pulls, not by announcing again.
 * A sampled directory pulls fast only until its sample is full.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTORY, SYNC_BACKOFF_MAX } from '../../src/engine/directory/config.js';
import { FRAME_HEADER_BYTES } from '../../src/engine/wire/limits.js';
import { MESSAGE_CODES } from '../../src/engine/wire/messages.js';
import { runScenario } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';

const REQUEST = MESSAGE_CODES.directoryRequest.code;
const MINUTE = 60_000;

function scenario(nodes: number, duration: string, seed = 1, extra: string[] = []) {
  return parseScenario(
    [
      'name: join-sync',
      `seed: ${seed}`,
      `nodes: ${nodes}`,
      `duration: ${duration}`,
      'join: { over: 5s }',
      'network: { latency: { kind: lognormal, median: 40ms, sigma: 0.5 } }',
      ...extra,
    ].join('\n'),
    'join-sync.yaml',
  );
}

/** Directory requests per node sent in the joining phase's window [10 s, 5 min). */
function joiningRequestsPerNode(nodes: number, extra: string[] = []): number {
  let requests = 0;
  runScenario(scenario(nodes, '5m', 1, extra), {
    observe: {
      onSend(_node, bytes, now) {
        if (bytes[FRAME_HEADER_BYTES - 1] === REQUEST && now >= 10_000) requests += 1;
      },
    },
  });
  return requests / nodes;
}

describe('directory anti-entropy after joining', () => {
  it('runs every ~10 s for 5 minutes, then backs off from ~60 s to ~4 min; each node announces once', () => {
    const nodes = 12;
    const requests = { joining: 0, after: 0, steady: 0 };
    const announcements = new Map<number, number>();
    runScenario(scenario(nodes, '30m'), {
      observe: {
        onSend(_node, bytes, now) {
          if (bytes[FRAME_HEADER_BYTES - 1] !== REQUEST) return;
          // Nodes join within the first 5 s: [10 s, 5 min) is the fast phase for all of them.
          if (now >= 10_000 && now < 5 * MINUTE) requests.joining += 1;
          if (now >= 6 * MINUTE && now < 15 * MINUTE) requests.after += 1;
          if (now >= 18 * MINUTE) requests.steady += 1;
        },
      },
      onTrace(node, event) {
        if (event.type === 'broadcastSent' && event.kind === 'descriptor')
          announcements.set(node, (announcements.get(node) ?? 0) + 1);
      },
    });
    expect(DEFAULT_DIRECTORY.joinSyncForMs).toBe(5 * MINUTE);
    expect(SYNC_BACKOFF_MAX).toBe(4);
    // 290 s per node at a mean of 10 s (uniform in [5, 15) s): ~29 each.
    const joiningPerNode = requests.joining / nodes;
    expect(joiningPerNode).toBeGreaterThan(22);
    expect(joiningPerNode).toBeLessThan(36);
    // Nothing new to hear in a quiet network: periods of 2, 4, 4 minutes (mean), ~3 in the
    // 9 minutes after joining — against ~9 at a steady minute.
    const afterPerNode = requests.after / nodes;
    expect(afterPerNode).toBeGreaterThan(1.5);
    expect(afterPerNode).toBeLessThan(4.5);
    // From minute 18, every ~4 minutes: ~3 in 12 minutes.
    const steadyPerNode = requests.steady / nodes;
    expect(steadyPerNode).toBeGreaterThan(2);
    expect(steadyPerNode).toBeLessThan(4.5);
    // The next announcement is 15–45 minutes away: at most a second one in 30 minutes.
    expect([...announcements.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect(announcements.size).toBe(nodes);
  });

  it('an inconsistency heard brings the period back to a minute (Trickle reset)', () => {
    // Backed off by minute 20; then a node joins one side of a partition, so after the heal
    // the other side learns its descriptor by sync only, and the rounds that hear it reset.
    const nodes = 12;
    const perWindow = { before: 0, after: 0 };
    let metAgainAt: number | undefined;
    runScenario(
      scenario(nodes, '32m', 1, [
        'events:',
        '  - at: 20m',
        '    partition: { groups: 2 }',
        '  - at: 1210s',
        '    join: { count: 1 }',
        '  - at: 22m',
        '    heal:',
      ]),
      {
        observe: {
          onSend(node, bytes, now) {
            // The newcomer (index 12) is in its own joining phase: not counted.
            if (bytes[FRAME_HEADER_BYTES - 1] !== REQUEST || node >= nodes) return;
            if (now >= 14 * MINUTE && now < 20 * MINUTE) perWindow.before += 1;
            if (now >= 23 * MINUTE && now < 29 * MINUTE) perWindow.after += 1;
          },
        },
        onTrace(_node, event, now) {
          if (event.type === 'neighbourUp' && now >= 22 * MINUTE) metAgainAt ??= now;
        },
      },
    );
    expect(metAgainAt).toBeDefined(); // the sides met again
    // ~6 minutes at ~4-minute periods: ~1.5 a node; reset ones ask every ~minute for a while.
    expect(perWindow.before / nodes).toBeLessThan(2.5);
    expect(perWindow.after).toBeGreaterThan(1.5 * perWindow.before);
  });

  it('a sampled directory leaves the fast phase once its sample is full', () => {
    // 60 nodes, samples of 20: the first whole-directory answer fills the sample, and
    // neighbours' samples differ by design, so fast pulls would bring only what ranks out.
    const sampled = joiningRequestsPerNode(60, ['directory: { sample: 20 }']);
    const full = joiningRequestsPerNode(60);
    expect(full).toBeGreaterThan(22); // ~29: every ~10 s
    expect(sampled).toBeLessThan(8); // ~5: every ~60 s
  });

  it('a mass join ends with every node knowing every other one', () => {
    for (const seed of [1, 2, 3]) {
      const { summary } = runScenario(scenario(150, '4m', seed));
      expect(summary.directory.knownShare).toBe(1);
    }
  });
});
