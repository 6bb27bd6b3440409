/**
 * The durable directory (issue 5, "the durable store"), through real daemons: a daemon
 * restarted while the rest of its network — its bootstrap node included — is down still
 * knows the relays it knew, whether it stopped gracefully (saved at the stop) or was
 * SIGKILLed (saved by the periodic save before the crash). Daemons on 127.0.15.x.
 *
 * That a replayed onion packet is dropped after a restart is tested at the engine level
 * (test/engine/restore.test.ts), where the captured packet can be injected exactly.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { Testbed, waitFor, type DaemonProc } from './harness.js';

async function statusOf(p: DaemonProc): Promise<Record<string, unknown>> {
  return (await p.ask({ op: 'status' })).status;
}

/** Rows in the daemon's saved directory, read beside the running daemon (WAL readers). */
function savedDescriptors(p: DaemonProc): number {
  const store = Store.open({ path: path.join(p.dataDir, 'store.sqlite'), readonly: true });
  try {
    return store.freshestDescriptors().length;
  } finally {
    store.close();
  }
}

/**
 * Brings `node` back alone (its bootstrap, `bootstrap`, is down) and checks that it knows
 * `others` as relays from its store: by status, by its engine's restore counters, and by
 * resolving each one's address for a PUSH. `ownSaved`: its own descriptor was saved too
 * (a crash; a graceful stop revokes it first).
 */
async function restartIsolated(
  bed: Testbed,
  node: DaemonProc,
  bootstrap: DaemonProc,
  others: DaemonProc[],
  ownSaved: boolean,
): Promise<DaemonProc> {
  const again = await bed.restartWith(node, ['--bootstrap', bootstrap.address]);
  const status = await statusOf(again);
  expect(status['neighbours']).toBe(0);
  // Our own descriptor counts as a relay once we hold it (as in a running daemon).
  const held = others.length + (ownSaved ? 1 : 0);
  expect(status['relays']).toBe(held);
  expect(status['engine']).toMatchObject({
    directoryRestored: held,
    directoryRestoreRejected: 0,
  });
  for (const other of others) {
    const pushed = await again.ask({ op: 'push', to: other.address, body: 'are you there?' });
    expect(pushed.ok).toBe(true);
  }
  return again;
}

describe('a daemon restarted with no network still knows its relays', () => {
  let bed: Testbed;
  afterEach(async () => {
    await bed.cleanup();
  }, 30_000);

  it('after a graceful stop (state saved as it stops)', async () => {
    bed = new Testbed(15);
    const [first, second, third] = await bed.startNetwork(3);
    await bed.settle();
    await waitFor(
      async () => Number((await statusOf(third!))['relays']) === 3,
      'the third daemon to know all three relays',
      30_000,
    );
    // It stops first, so it never hears the others' revocations.
    expect(await third!.stop()).toBe(0);
    await Promise.all([first!.kill(), second!.kill()]);
    await restartIsolated(bed, third!, first!, [first!, second!], false);
  }, 150_000);

  it('after a SIGKILL (state saved periodically before the crash)', async () => {
    bed = new Testbed(15);
    const [first, second, third] = await bed.startNetwork(3);
    await bed.settle();
    // The periodic save (STATE_SAVE_INTERVAL_MS, 10 s) has written all three descriptors.
    await waitFor(() => savedDescriptors(third!) >= 3, 'the periodic save', 30_000, 500);
    await Promise.all([first!.kill(), second!.kill(), third!.kill()]);
    await restartIsolated(bed, third!, first!, [first!, second!], true);
  }, 150_000);
});
