/**
 * Joining (DirectoryConfig.joinSyncForMs): a node announces itself once, then runs
 * anti-entropy every ~10 s for 5 minutes and every ~60 s after that; a mass join that loses
 * announcements to the forming overlay is repaired by those pulls, not by announcing again.
 * A sampled directory pulls fast only until its sample is full.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
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
  it('runs every ~10 s for 5 minutes, then every ~60 s; each node announces once', () => {
    const nodes = 12;
    const requests = { joining: 0, after: 0 };
    const announcements = new Map<number, number>();
    runScenario(scenario(nodes, '15m'), {
      observe: {
        onSend(_node, bytes, now) {
          if (bytes[FRAME_HEADER_BYTES - 1] !== REQUEST) return;
          // Nodes join within the first 5 s: [10 s, 5 min) is the fast phase for all of them.
          if (now >= 10_000 && now < 5 * MINUTE) requests.joining += 1;
          if (now >= 6 * MINUTE) requests.after += 1;
        },
      },
      onTrace(node, event) {
        if (event.type === 'broadcastSent' && event.kind === 'descriptor')
          announcements.set(node, (announcements.get(node) ?? 0) + 1);
      },
    });
    expect(DEFAULT_DIRECTORY.joinSyncForMs).toBe(5 * MINUTE);
    // 290 s per node at a mean of 10 s (uniform in [5, 15) s): ~29 each.
    const joiningPerNode = requests.joining / nodes;
    expect(joiningPerNode).toBeGreaterThan(22);
    expect(joiningPerNode).toBeLessThan(36);
    // 9 minutes at a mean of 60 s: ~9 each.
    const afterPerNode = requests.after / nodes;
    expect(afterPerNode).toBeGreaterThan(6);
    expect(afterPerNode).toBeLessThan(13);
    // The next announcement is 15–45 minutes away: one each in 15 minutes (or a second
    // if the jittered period drew under 15 minutes, which it cannot).
    expect([...announcements.values()].every((n) => n === 1)).toBe(true);
    expect(announcements.size).toBe(nodes);
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
