/**
 * The wall clock stepping under a daemon (issue 8 item 4). node1 and node3 are real
 * `p2pmsg node` processes (SIGKILL-able); the daemon under test, "stepped", runs in this
 * process with a wall clock the test steps by hours (`Daemon.start({ clock })`, clock.ts).
 * Daemons on 127.0.152.x.
 *
 * What the daemon is held to (clock.ts): it keeps its own time — the wall clock as of its
 * start, advanced by the monotonic clock — so a step of the wall clock while it runs changes
 * nothing the network sees: what it signs is not dated in the future (peers would refuse
 * it), and its timers neither burst nor stall (a step back would otherwise stop every retry
 * for two hours; here a message whose target was SIGKILLed is still retried and arrives).
 * The step is measured (`status` → clockSkewMs) and logged. A daemon *started* with a wrong
 * clock survives (no crash) though peers refuse what it dates; restarted with the right
 * clock, it works again with the descriptors and replay tags it saved while wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  sendRequest,
  type JsonOp,
  type JsonRequest,
  type JsonSuccess,
} from '../../src/client/index.js';
import { DaemonClock } from '../../src/daemon/clock.js';
import { resolveSettings } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { CLOCK_CHECK_INTERVAL_MS } from '../../src/daemon/limits.js';
import { createLogger } from '../../src/daemon/log.js';
import { sleep, Testbed, waitFor, type DaemonProc } from './harness.js';

const HOUR = 3_600_000;
/** Retries after 5, 10, 20, 40 s; a restarted daemon also rejoins first. */
const DELIVERY_MAX_MS = 90_000;

/** A daemon in this process whose wall clock is Date.now + `offsetMs`. */
class SteppedDaemon {
  offsetMs = 0;
  daemon: Daemon | null = null;
  readonly logLines: string[] = [];

  constructor(
    readonly dataDir: string,
    readonly address: string,
    readonly bootstrap: string,
  ) {}

  async start(offsetMs = this.offsetMs): Promise<Daemon> {
    this.offsetMs = offsetMs;
    const settings = resolveSettings(
      {},
      { listen: this.address, bootstrap: [this.bootstrap], hops: 1 },
    );
    const log = createLogger({
      format: 'json',
      level: 'info',
      write: (line) => void this.logLines.push(line),
    });
    const clock = new DaemonClock({ wall: () => Date.now() + this.offsetMs });
    this.daemon = await Daemon.start({ dataDir: this.dataDir, settings, log, clock });
    return this.daemon;
  }

  get id(): string {
    return (this.daemon as Daemon).id;
  }

  async ask<Op extends JsonOp>(op: Extract<JsonRequest, { op: Op }>): Promise<JsonSuccess<Op>> {
    const target = { path: (this.daemon as Daemon).socketPath as string };
    const response = (await sendRequest(target, { kind: 'json', request: op })) as unknown as
      JsonSuccess<Op> | { ok: false; error: { code: string; message: string } };
    if (!response.ok) throw new Error(`stepped: ${op.op} failed: ${response.error.message}`);
    return response;
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
    this.daemon = null;
  }
}

async function bodiesFrom(
  at: { ask: DaemonProc['ask'] } | SteppedDaemon,
  from: string,
): Promise<string[]> {
  const { messages } = await at.ask({ op: 'history', peer: from, limit: 1000 });
  return messages.filter((m) => m.direction === 'in').map((m) => m.body);
}

/** Waits until `body` from `from` is in `at`'s store. */
async function arrives(
  at: { ask: DaemonProc['ask'] } | SteppedDaemon,
  from: string,
  body: string,
): Promise<void> {
  await waitFor(
    async () => (await bodiesFrom(at, from)).includes(body),
    `"${body}" to arrive`,
    DELIVERY_MAX_MS,
    250,
  );
}

describe('the wall clock steps under a daemon', () => {
  let bed: Testbed;
  let stepped: SteppedDaemon | null = null;

  afterEach(async () => {
    await stepped?.stop().catch(() => {});
    stepped = null;
    await bed.cleanup();
  }, 30_000);

  /** node1 and node3 as processes, the stepped daemon in between; all know each other. */
  async function network(): Promise<{ first: DaemonProc; other: DaemonProc; s: SteppedDaemon }> {
    bed = new Testbed(152);
    const [first, other] = await bed.startNetwork(2, ['--hops', '1']);
    const dir = path.join(bed.dir, 'stepped');
    fs.mkdirSync(dir, { mode: 0o700 });
    stepped = new SteppedDaemon(dir, `127.0.152.10:${bed.port}`, first!.address);
    const s = stepped;
    await s.start();
    await waitFor(
      async () => {
        for (const p of [first!, other!]) {
          const { status } = await p.ask({ op: 'status' });
          if (Number(status['relays']) < 3) return false;
        }
        return (s.daemon as Daemon).node.snapshot().relays.length === 3;
      },
      'all three daemons to know each other',
      60_000,
      200,
    );
    return { first: first!, other: other!, s };
  }

  it('stepped forward then back while running: messages still flow both ways and retries still run', async () => {
    const { first, other, s } = await network();

    s.offsetMs = 2 * HOUR;
    await s.ask({ op: 'push', to: other.id, body: 'after a step forward' });
    await other.ask({ op: 'push', to: s.id, body: 'to the stepped daemon' });
    await waitFor(
      async () =>
        (await bodiesFrom(other, s.id)).includes('after a step forward') &&
        (await bodiesFrom(s, other.id)).includes('to the stepped daemon'),
      'both messages across the forward step',
      DELIVERY_MAX_MS,
      250,
    );
    expect(Number((await s.ask({ op: 'status' })).status['clockSkewMs'])).toBeGreaterThan(
      2 * HOUR - 60_000,
    );

    // The target dies and a message leaves just before the clock steps back: its first
    // attempt is lost with the target, so only the retry timer set before the step can
    // deliver it (timers that followed the wall clock would wait two hours).
    await other.kill();
    const { id } = await s.ask({ op: 'push', to: other.id, body: 'across a step back' });
    await waitFor(
      async () => (await s.ask({ op: 'trace', id })).attempts.length > 0,
      'the first attempt to leave',
      10_000,
    );
    s.offsetMs = -2 * HOUR;
    await sleep(1_000);
    const back = await bed.restartWith(other, ['--hops', '1', '--bootstrap', first.address]);
    await arrives(back, s.id, 'across a step back');
    await waitFor(
      async () => (await s.ask({ op: 'trace', id })).message.state === 'delivered',
      'its acknowledgement',
      DELIVERY_MAX_MS,
      250,
    );
    const { status } = await s.ask({ op: 'status' });
    expect(Number(status['clockSkewMs'])).toBeLessThan(-2 * HOUR + 60_000);
    expect(Number(status['neighbours'])).toBeGreaterThanOrEqual(1);
    expect(Number(status['directory'])).toBe(3);
    // The step was noticed and said once (the check runs every CLOCK_CHECK_INTERVAL_MS).
    await waitFor(
      () => s.logLines.some((l) => l.includes('wall clock stepped') && l.includes('"skewMs":-')),
      'the warning about the backward step',
      CLOCK_CHECK_INTERVAL_MS * 2,
      250,
    );
    expect((await bodiesFrom(back, s.id)).filter((b) => b === 'across a step back')).toHaveLength(
      1,
    );
    // And one sent after the step goes straight through.
    await s.ask({ op: 'push', to: back.id, body: 'after a step back' });
    await arrives(back, s.id, 'after a step back');
  }, 170_000);

  it('started with a clock two hours wrong it survives; restarted with the right one it works again', async () => {
    const { other, s } = await network();
    for (const offset of [2 * HOUR, -2 * HOUR]) {
      await s.stop();
      await s.start(offset);
      // Up and answering whatever it makes of the network's descriptors and its saved ones.
      await sleep(3_000);
      expect((await s.ask({ op: 'status' })).status['id']).toBe(s.id);
      await s.ask({ op: 'push', to: other.id, body: `sent with the clock off by ${offset} ms` });
      await sleep(2_000);
    }
    await s.stop();
    await s.start(0);
    await s.ask({ op: 'push', to: other.id, body: 'with the right clock again' });
    await arrives(other, s.id, 'with the right clock again');
    // Nothing arrived twice, whatever arrived while the clock was wrong.
    const bodies = await bodiesFrom(other, s.id);
    expect(new Set(bodies).size).toBe(bodies.length);
  }, 170_000);
});
