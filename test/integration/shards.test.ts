/**
 * Sharded messages between real daemons on 127.0.17.x (issue 7): `p2pmsg send --shards`,
 * the NDJSON push option and the node default, over TCP with Noise and the node:crypto
 * suite. Six daemons with one relay per path: a 3/2 message needs three disjoint paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, runCli, waitFor, type DaemonProc } from './harness.js';

const DELIVERY_MAX_MS = 45_000;

describe('sharded messages between six daemons', () => {
  const bed = new Testbed(17);
  let d: DaemonProc[] = [];

  beforeAll(async () => {
    d = await bed.startNetwork(6, ['--hops', '1']);
    await bed.settle();
  }, 120_000);

  afterAll(() => bed.cleanup(), 30_000);

  it('send --shards 3/2 --wait: delivered once, its three shards on disjoint paths', async () => {
    const [alice, bob] = [d[0]!, d[5]!];
    const sent = await runCli([
      '--data-dir',
      alice.dataDir,
      'send',
      '--wait',
      '--json',
      '--shards',
      '3/2',
      bob.id,
      'split over real TCP',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const { id, state } = JSON.parse(sent.stdout) as { id: string; state: string };
    expect(state).toBe('delivered');
    const trace = await alice.ask({ op: 'trace', id });
    const first = trace.attempts.slice(0, 3).map((a) => a.path);
    expect(first.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(first.every((p) => p[1] === bob.id)).toBe(true);
    expect(new Set(first.map((p) => p[0])).size).toBe(3);
    const { messages } = await bob.ask({ op: 'history', peer: alice.id });
    expect(messages.map((m) => [m.direction, m.body])).toEqual([['in', 'split over real TCP']]);
  }, 90_000);

  it('the NDJSON push option: "none" and "n/k" accepted, a bad one refused with the reason', async () => {
    const [carol, dave] = [d[1]!, d[4]!];
    const plain = await carol.ask({ op: 'push', to: dave.id, body: 'one packet', shards: 'none' });
    const split = await carol.ask({ op: 'push', to: dave.id, body: 'four ways', shards: '4/3' });
    await waitFor(
      async () => {
        const { messages } = await dave.ask({ op: 'history', peer: carol.id });
        return messages.length === 2;
      },
      'both messages at dave',
      DELIVERY_MAX_MS,
    );
    const attempts = async (id: string) => (await carol.ask({ op: 'trace', id })).attempts.length;
    expect(await attempts(plain.id)).toBe(1);
    expect(await attempts(split.id)).toBeGreaterThanOrEqual(4);
    const bad = await runCli([
      '--data-dir',
      carol.dataDir,
      'send',
      '--shards',
      '2/5',
      dave.id,
      'x',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'error: --shards: k (5) cannot exceed n (2): any k of the n shards rebuild the message' +
        ' (see `p2pmsg send --help`)',
    );
  }, 90_000);
});
