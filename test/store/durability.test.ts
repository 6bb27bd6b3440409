/**
 * "A message the daemon has answered SUCCESS for is on disk; a crash or kill -9 loses
 * nothing" (DESIGN.md §4, issue 5 item 4).
 *
 * A child process enqueues messages in a loop and prints each id once `enqueueOutgoing`
 * returned (fixtures/enqueue-loop.ts). The test SIGKILLs it at a seeded random moment,
 * reopens the store and checks: every printed id is present with its exact body; at most
 * one unprinted message was committed (the one in flight at the kill); no message appears
 * twice; inbox dedup held across the kills; the file is sound. Several rounds share one
 * file, so each round also recovers the previous round's WAL.
 *
 * DURABILITY_SEED=<n> replays a run's kill moments.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { bodyFor, incomingId } from './fixtures/durability-shared.js';
import { removeDir, tempDir } from './helpers.js';

const ROUNDS = 4;
const CHILD_TIMEOUT_MS = 20_000;
const SEED = process.env.DURABILITY_SEED ?? String(Date.now() % 1_000_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const child = path.join(here, 'fixtures', 'enqueue-loop.ts');

interface RunResult {
  lines: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the child and kills it `killAfterMs` after its first acknowledged message. */
function runAndKill(file: string, round: number, killAfterMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, file, String(round)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // Arm once the first message is acknowledged, so every round has some to check.
      if (!armed && /ready\n[0-9a-f]{32} /.test(stdout)) {
        armed = true;
        setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      // Only complete lines count: the last one may have been cut by the kill.
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const lines = complete.split('\n').filter((l) => l.length > 0 && l !== 'ready');
      resolve({ lines, signal, code, stderr });
    });
  });
}

describe('store durability under SIGKILL', () => {
  const dir = tempDir('p2pmsg-durability-');
  const file = path.join(dir, 'store.sqlite');
  afterAll(() => removeDir(dir));

  it(
    'every message acknowledged before a SIGKILL survives, intact and once',
    async () => {
      const rng = seedrandom.alea(SEED);
      let total = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        const killAfterMs = 50 + Math.floor(rng() * 500);
        const run = await runAndKill(file, round, killAfterMs);
        const context =
          `seed ${SEED}, round ${round}, kill after ${killAfterMs} ms ` +
          `(reproduce: DURABILITY_SEED=${SEED} npx vitest run test/store/durability.test.ts)`;
        expect(run.signal, `${context}: child exited on its own: ${run.stderr}`).toBe('SIGKILL');
        expect(run.lines.length, context).toBeGreaterThan(0);

        const printed = run.lines.map((line) => {
          const [id, r, i] = line.split(' ');
          expect(Number(r), context).toBe(round);
          return { id: id ?? '', i: Number(i) };
        });
        printed.forEach((p, k) => expect(p.i, context).toBe(k));

        const store = Store.open({ path: file });
        for (const p of printed) {
          const row = store.getOutgoing(p.id);
          expect(row?.body, `${context}: message ${p.i} (${p.id})`).toBe(bodyFor(round, p.i));
          expect(row?.state).toBe('pending');
        }
        const last = printed.length - 1;
        for (let i = 0; i <= last; i += 5) {
          expect(store.getIncoming(incomingId(round, i))?.body, `${context}: incoming ${i}`).toBe(
            bodyFor(round, i),
          );
        }
        expect(store.quickCheck(), context).toBe(true);
        store.close();

        // Nothing duplicated, nothing torn: every committed row of this round has the body
        // of its own index, indexes are distinct, and at most one was committed unprinted.
        const db = openDatabase(file, { readonly: true });
        const rows = db
          .prepare<{ id: string; body: string }>('SELECT id, body FROM outbox WHERE body LIKE ?')
          .all(`r${round}-m%`);
        db.close();
        const indexes = rows.map((r) => Number(/^r\d+-m(\d+)\n/.exec(r.body)?.[1]));
        rows.forEach((r, k) => expect(r.body).toBe(bodyFor(round, indexes[k] ?? -1)));
        expect(new Set(indexes).size, context).toBe(rows.length);
        expect(rows.length, context).toBeGreaterThanOrEqual(printed.length);
        expect(rows.length, context).toBeLessThanOrEqual(printed.length + 1);
        total += printed.length;
        console.log(`${context}: ${printed.length} printed, ${rows.length} committed`);
      }
      expect(total).toBeGreaterThan(ROUNDS);
    },
    4 * ROUNDS * CHILD_TIMEOUT_MS,
  );
});
