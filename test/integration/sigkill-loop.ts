/**
 * The SIGKILL loop (issue 8 item 4): real daemons SIGKILLed at random moments while
 * messages are pushed and pulled through the seed's client protocol, then a check that
 * every message a daemon acknowledged with SUCCESS reached its target's PULL exactly once.
 * Used by test/integration/faults-sigkill.test.ts (CI size) and bench/sigkill.ts (1,000
 * sends).
 *
 * Theory of operation. Three loops run at once on one testnet (`Testbed`):
 *   send  — `sends` PUSHes by a few workers at once, each from a random running daemon to
 *           a random other one, a unique body each; the answer (SUCCESS, FAIL, or no
 *           answer: the daemon died under the request) is recorded.
 *   pull  — every few hundred ms, PULL at a random running daemon until its inbox is
 *           empty; every line is counted against the daemon it came from.
 *   kill  — after a random pause, SIGKILL a random daemon (sender, relay, target or the
 *           bootstrap node alike; half the time one serving a PUSH or PULL right then), leave
 *           it down a random while, start it again on the same address and data directory
 *           (bootstrapping through another running daemon).
 * Then, with every daemon up, it waits until no outbox holds a pending message, pulls every
 * inbox dry and checks:
 *   - every acknowledged message was pulled at its target exactly once (none lost);
 *   - no message was pulled twice or at the wrong daemon, and no line is unknown — with
 *     one exception the seed protocol forces: PULL has no client acknowledgement, so a
 *     daemon killed after writing a PULL response and before marking it read hands those
 *     messages out again. A message pulled exactly twice, whose first copy came in the last
 *     PULL response of a daemon killed while our pull loop was still at it, is counted as
 *     `repulledAfterKill`, not as a duplicate;
 *   - a message whose PUSH got no answer may or may not arrive (the daemon may have
 *     committed it just before it died), but at most once.
 *
 * Reproducible: every choice (who sends to whom, whom to kill, every pause) comes from a
 * seeded PRNG (one per loop, one per message), so a seed replays the same plan; the operating system's timing
 * still decides how the loops interleave, so a run is a sample, not a replay.
 */
import seedrandom from 'seedrandom';
import { sendRequest } from '../../src/client/index.js';
import { sleep, Testbed, waitFor, type DaemonProc } from './harness.js';

export interface SigkillLoopOptions {
  seed: string;
  /** The testnet's 127.0.<block>.x block (harness.ts). */
  block: number;
  daemons: number;
  /** Relays per path; with a handful of daemons one keeps most paths clear of the dead. */
  hops: number;
  sends: number;
  /** PUSHes made at once (each worker waits for its answer, then its pause). */
  sendWorkers: number;
  /** Pause after a PUSH, ms: uniform in [min, max]. */
  sendGapMs: readonly [number, number];
  /** Pause between a restart and the next kill, ms. */
  killGapMs: readonly [number, number];
  /**
   * Kills at least this many: if the sends end sooner, the kill loop goes on (the outboxes
   * are still retrying and the pull loop still pulling) until it has.
   */
  killsMin: number;
  /** How long a killed daemon stays down, ms. */
  downMs: readonly [number, number];
  pullEveryMs: number;
  /** Bound on the final phase: every outbox drained and every inbox pulled. */
  drainMaxMs: number;
  /** Progress lines (the benchmark prints them; the test keeps them for a failure). */
  log?: (line: string) => void;
}

/**
 * The testnet and the rhythm of faults of both runs (the CI test and the benchmark); each
 * adds its seed, block, number of sends, pace, kills and bounds.
 */
export const SIGKILL_LOOP_DEFAULTS = {
  daemons: 5,
  hops: 1,
  sendWorkers: 3,
  killGapMs: [500, 2_500],
  downMs: [200, 2_000],
  pullEveryMs: 300,
} as const satisfies Partial<SigkillLoopOptions>;

/** A type, not an interface: the benchmark runner takes it as a plain record. */
export type SigkillLoopReport = {
  seed: string;
  daemons: number;
  hops: number;
  /** PUSHes made. */
  sent: number;
  /** PUSHes answered SUCCESS. */
  acknowledged: number;
  /** PUSHes answered FAIL (the daemon refused: stopping, busy, …). */
  refused: number;
  /** PUSHes with no answer (the daemon died under them, or was down). */
  unanswered: number;
  /** Acknowledged messages pulled at their target exactly once. */
  delivered: number;
  /** Acknowledged messages never pulled. */
  lost: number;
  /** Messages pulled more than once (acknowledged or not), other than `repulledAfterKill`. */
  duplicated: number;
  /**
   * Messages pulled exactly twice at their target whose first copy was in a PULL response
   * the daemon may not have marked read before it was SIGKILLed (PULL is at-least-once).
   */
  repulledAfterKill: number;
  /** Unanswered PUSHes whose message still arrived (committed just before the crash). */
  unansweredDelivered: number;
  /** Lines pulled at a daemon that was not the message's target. */
  misdelivered: number;
  /** Lines pulled whose body no PUSH sent. */
  unknown: number;
  kills: number;
  /** Kills of a daemon while it was serving one of our PUSHes or PULLs. */
  killsMidRequest: number;
  /** Kills of a daemon that had acknowledged messages of its own still undelivered. */
  killsOfSenders: number;
  /** Kills of a daemon with acknowledged messages still to be pulled there. */
  killsOfTargets: number;
  /** Kills of a daemon that was neither at that moment (a relay, or idle). */
  killsOfOthers: number;
  pulls: number;
  /** Examples for a failure message. */
  lostBodies: string[];
  duplicatedBodies: string[];
  unknownBodies: string[];
  wallMs: number;
};

interface Sent {
  body: string;
  from: number;
  to: number;
  answer: 'success' | 'fail' | 'none';
  /** Daemon index → times pulled there. */
  pulled: Map<number, number>;
  /** Its first copy was in the last PULL response of a daemon killed mid-pull. */
  exposedToKill: boolean;
}

const EXAMPLES_MAX = 10;
/**
 * A restart on a loaded 2-core machine (tsx compiling, five daemons, other work) can take
 * longer than the harness's START_MAX_MS; past this it is a failure of the run.
 */
const RESTART_MAX_MS = 120_000;
/** A PUSH or PULL that takes longer than this is stuck: counted as unanswered. */
const REQUEST_MAX_MS = 15_000;

export async function runSigkillLoop(o: SigkillLoopOptions): Promise<SigkillLoopReport> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const bed = new Testbed(o.block);
  try {
    return await new Loop(o, bed, log).run(started);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${bed.logs()}`, { cause: err });
  } finally {
    await bed.cleanup();
  }
}

class Loop {
  private readonly sent = new Map<string, Sent>();
  private readonly orphans: string[] = [];
  /** Daemons serving a PUSH or PULL of ours right now (one entry per request). */
  private readonly busy: number[] = [];
  private readonly killRng: () => number;
  private readonly pullRng: () => number;
  /** Daemons being killed or restarted: not used by the send and pull loops. */
  private readonly down = new Set<number>();
  private ids: string[] = [];
  private sending = true;
  private pulling = true;
  /** The kill loop failed (a restart did not come up): the send loop stops early. */
  private aborted = false;
  private pulls = 0;
  /**
   * Daemon → the messages of its last non-empty PULL response while our pull loop is still
   * at it (the next PULL has not come back empty): a kill then may land before the daemon
   * marked them read.
   */
  private readonly lastPulled = new Map<number, Sent[]>();
  private kills = { all: 0, midRequest: 0, senders: 0, targets: 0, others: 0 };

  constructor(
    private readonly o: SigkillLoopOptions,
    private readonly bed: Testbed,
    private readonly log: (line: string) => void,
  ) {
    this.killRng = seedrandom.alea(`${o.seed}/kill`);
    this.pullRng = seedrandom.alea(`${o.seed}/pull`);
  }

  async run(started: number): Promise<SigkillLoopReport> {
    const hops = ['--hops', String(this.o.hops)];
    await this.bed.startNetwork(this.o.daemons, hops);
    await this.bed.settle();
    this.ids = this.bed.procs.map((p) => p.id);
    this.log(`seed ${this.o.seed}: ${this.o.daemons} daemons up, ${this.o.sends} sends`);
    // All three settle before anything fails the run, so the cleanup never races a loop.
    const [sent, killed, pulled] = await Promise.allSettled([
      this.sendLoop().finally(() => {
        this.sending = false;
        this.log(`sends done; ${this.kills.all} kills so far`);
      }),
      this.killLoop()
        .catch((err: unknown) => {
          this.aborted = true;
          throw err;
        })
        .finally(() => {
          this.pulling = false;
        }),
      this.pullLoop(),
    ]);
    for (const r of [sent, killed, pulled]) if (r.status === 'rejected') throw r.reason;
    this.log(`${this.kills.all} kills; draining`);
    await this.drain();
    await this.pullAll();
    return this.report(started);
  }

  private proc(i: number): DaemonProc {
    return this.bed.procs[i] as DaemonProc;
  }

  private between(rng: () => number, [min, max]: readonly [number, number]): number {
    return min + Math.floor(rng() * (max - min + 1));
  }

  /** A running daemon at or after `i` (wrapping), or null if none is. */
  private upFrom(i: number, except = -1): number | null {
    const n = this.o.daemons;
    for (let k = 0; k < n; k++) {
      const j = (i + k) % n;
      if (j !== except && !this.down.has(j) && !this.proc(j).exited) return j;
    }
    return null;
  }

  /** `sendWorkers` loops take the next message number until all `sends` are made. */
  private async sendLoop(): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < this.o.sends && !this.aborted; i = next++) await this.sendOne(i);
    };
    await Promise.all(Array.from({ length: this.o.sendWorkers }, worker));
  }

  /** Message `i`: its choices come from its own stream, whatever order the workers take. */
  private async sendOne(i: number): Promise<void> {
    const n = this.o.daemons;
    const rng = seedrandom.alea(`${this.o.seed}/send/${i}`);
    const pickFrom = Math.floor(rng() * n);
    const to = (pickFrom + 1 + Math.floor(rng() * (n - 1))) % n;
    const gap = this.between(rng, this.o.sendGapMs);
    const from = this.upFrom(pickFrom, to) ?? pickFrom;
    const body = `sigkill ${this.o.seed} #${i} ${from}->${to}`;
    const record: Sent = {
      body,
      from,
      to,
      answer: 'none',
      pulled: new Map(),
      exposedToKill: false,
    };
    this.sent.set(body, record);
    this.busy.push(from);
    try {
      const answer = await sendRequest(
        this.proc(from).socket,
        { kind: 'push', destination: this.ids[to] as string, message: body },
        { timeoutMs: REQUEST_MAX_MS },
      );
      record.answer = answer.ok ? 'success' : 'fail';
    } catch {
      record.answer = 'none';
    } finally {
      this.busy.splice(this.busy.indexOf(from), 1);
    }
    if ((i + 1) % 100 === 0) this.log(`${i + 1} sent, ${this.kills.all} kills`);
    await sleep(gap);
  }

  /**
   * Half the kills aim at a daemon serving a PUSH or PULL at that moment (if any is), so
   * some land between a commit and its answer; the rest pick any daemon.
   */
  private pickVictim(): number {
    const aimed = this.killRng() < 0.5;
    const pick = this.killRng();
    if (aimed && this.busy.length > 0) {
      return this.busy[Math.floor(pick * this.busy.length)] as number;
    }
    return Math.floor(pick * this.o.daemons);
  }

  private async killLoop(): Promise<void> {
    const more = () => this.sending || this.kills.all < this.o.killsMin;
    while (more()) {
      await sleep(this.between(this.killRng, this.o.killGapMs));
      if (!more()) return;
      const victim = this.pickVictim();
      const downFor = this.between(this.killRng, this.o.downMs);
      const via = Math.floor(this.killRng() * this.o.daemons);
      this.down.add(victim);
      this.countKill(victim);
      await this.proc(victim).kill();
      await sleep(downFor);
      await this.restart(victim, via);
      this.down.delete(victim);
    }
  }

  private countKill(victim: number): void {
    this.kills.all++;
    if (this.busy.includes(victim)) this.kills.midRequest++;
    for (const s of this.lastPulled.get(victim) ?? []) s.exposedToKill = true;
    this.lastPulled.delete(victim);
    let sender = false;
    let target = false;
    for (const s of this.sent.values()) {
      if (s.answer !== 'success' || (s.pulled.get(s.to) ?? 0) > 0) continue;
      if (s.from === victim) sender = true;
      if (s.to === victim) target = true;
    }
    if (sender) this.kills.senders++;
    if (target) this.kills.targets++;
    if (!sender && !target) this.kills.others++;
  }

  /** Starts daemon `i` again, bootstrapping through a running one (from `via` on). */
  private async restart(i: number, via: number): Promise<void> {
    const through = this.upFrom(via, i);
    const bootstrap = through === null ? [] : ['--bootstrap', this.proc(through).address];
    const args = ['--hops', String(this.o.hops), ...bootstrap];
    await this.bed.restartWith(this.proc(i), args, RESTART_MAX_MS);
  }

  private async pullLoop(): Promise<void> {
    while (this.pulling) {
      await sleep(this.o.pullEveryMs);
      const at = this.upFrom(Math.floor(this.pullRng() * this.o.daemons));
      if (at !== null) await this.pullDry(at).catch(() => {});
    }
  }

  /** PULLs at daemon `i` until it answers with no message. */
  private async pullDry(i: number): Promise<void> {
    this.busy.push(i);
    try {
      await this.pullUntilEmpty(i);
    } finally {
      this.busy.splice(this.busy.indexOf(i), 1);
    }
  }

  private async pullUntilEmpty(i: number): Promise<void> {
    for (;;) {
      const answer = await sendRequest(
        this.proc(i).socket,
        { kind: 'pull' },
        { timeoutMs: REQUEST_MAX_MS },
      );
      this.pulls++;
      if (answer.messages === null) throw new Error(`${this.proc(i).name}: PULL answered FAIL`);
      const batch: Sent[] = [];
      for (const m of answer.messages) {
        const s = this.sent.get(m.body);
        if (s === undefined) {
          this.orphans.push(`${this.proc(i).name}: ${m.body}`);
          continue;
        }
        s.pulled.set(i, (s.pulled.get(i) ?? 0) + 1);
        batch.push(s);
      }
      if (answer.messages.length === 0) {
        this.lastPulled.delete(i);
        return;
      }
      this.lastPulled.set(i, batch);
    }
  }

  /** Every daemon up, every outbox empty (bounded), every inbox pulled. */
  private async drain(): Promise<void> {
    for (let i = 0; i < this.o.daemons; i++) {
      if (this.proc(i).exited) await this.restart(i, i + 1);
    }
    let state = '';
    await waitFor(
      async () => {
        const pending: number[] = [];
        for (let i = 0; i < this.o.daemons; i++) {
          const { status } = await this.proc(i).ask({ op: 'status' });
          pending.push(Number((status['outbox'] as { pending: number }).pending));
        }
        state = pending.join(',');
        return pending.every((p) => p === 0);
      },
      'every outbox to drain',
      this.o.drainMaxMs,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; pending per daemon: ${state}`);
    });
  }

  private async pullAll(): Promise<void> {
    for (let i = 0; i < this.o.daemons; i++) await this.pullDry(i);
  }

  private report(started: number): SigkillLoopReport {
    const r = {
      acknowledged: 0,
      refused: 0,
      unanswered: 0,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      repulledAfterKill: 0,
      unansweredDelivered: 0,
      misdelivered: 0,
      unknown: this.orphans.length,
    };
    const lostBodies: string[] = [];
    const duplicatedBodies: string[] = [];
    for (const s of this.sent.values()) {
      const atTarget = s.pulled.get(s.to) ?? 0;
      let total = 0;
      for (const [at, times] of s.pulled) {
        total += times;
        if (at !== s.to) r.misdelivered += times;
      }
      const repulled = total === 2 && atTarget === 2 && s.exposedToKill;
      if (repulled) {
        r.repulledAfterKill++;
      } else if (total > 1) {
        r.duplicated++;
        duplicatedBodies.push(`${s.body} (pulled ${total}×)`);
      }
      if (s.answer === 'success') {
        r.acknowledged++;
        if (atTarget === 0) {
          r.lost++;
          lostBodies.push(s.body);
        } else if ((atTarget === 1 && total === 1) || repulled) {
          r.delivered++;
        }
      } else {
        if (s.answer === 'fail') r.refused++;
        else r.unanswered++;
        if (total > 0) r.unansweredDelivered++;
      }
    }
    return {
      seed: this.o.seed,
      daemons: this.o.daemons,
      hops: this.o.hops,
      sent: this.sent.size,
      ...r,
      kills: this.kills.all,
      killsMidRequest: this.kills.midRequest,
      killsOfSenders: this.kills.senders,
      killsOfTargets: this.kills.targets,
      killsOfOthers: this.kills.others,
      pulls: this.pulls,
      lostBodies: lostBodies.slice(0, EXAMPLES_MAX),
      duplicatedBodies: duplicatedBodies.slice(0, EXAMPLES_MAX),
      unknownBodies: this.orphans.slice(0, EXAMPLES_MAX),
      wallMs: Date.now() - started,
    };
  }
}
