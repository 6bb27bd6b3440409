/**
 * SIGKILL loop campaign (issue 8 item 4, "Measured: sent, acknowledged, delivered,
 * duplicated"): five real `p2pmsg node` processes on 127.0.153.x, 1,000 seed PUSHes from
 * random senders to random targets with PULLs at random daemons, and a random daemon
 * SIGKILLed and restarted every few seconds throughout. At the end every daemon is up, every
 * outbox drained and every inbox pulled: each SUCCESS-acknowledged message must have been
 * pulled at its target exactly once. The driver is test/integration/sigkill-loop.ts (its
 * CI-size run is test/integration/faults-sigkill.test.ts).
 *
 * Run: `npx tsx bench/sigkill.ts [seed]` (writes reports/bench/sigkill.json), or
 * `npm run bench -- sigkill`. Exits 1 if anything acknowledged was lost or duplicated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  runSigkillLoop,
  SIGKILL_LOOP_DEFAULTS,
  type SigkillLoopReport,
} from '../test/integration/sigkill-loop.js';

const SENDS = 1_000;
const DEFAULT_SEED = 'bench-1';

export async function runSigkillBench(
  seed = DEFAULT_SEED,
): Promise<SigkillLoopReport & { benchmark: string; loadAverage: number[] }> {
  const report = await runSigkillLoop({
    seed,
    ...SIGKILL_LOOP_DEFAULTS,
    block: 153,
    sends: SENDS,
    // Three workers, ~1,000 sends in about four minutes, a kill every few seconds.
    sendGapMs: [100, 900],
    killsMin: 10,
    drainMaxMs: 300_000,
    log: (line) => console.error(`sigkill: ${line}`),
  });
  return { benchmark: 'sigkill', ...report, loadAverage: os.loadavg() };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
) {
  const report = await runSigkillBench(process.argv[2]);
  const out = path.resolve('reports/bench/sigkill.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
  if (report.lost + report.duplicated + report.misdelivered + report.unknown > 0) process.exit(1);
}
