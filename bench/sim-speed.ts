/**
 * Simulator speed (issue 6, "Performance"): the shipped scenarios the issue sets goals for,
 * each run in fresh processes (median of `--runs`, default 3), next to the bare event-loop
 * ceiling measured in the same run:
 *
 *   case            goal
 *   churn-modelled  churn.yaml (1,000 nodes × 1 h), modelled crypto: ≤ 30 s
 *   churn-real      the same with real crypto: ≤ 4 min
 *   scale-10k       scale-10k.yaml (10,000 nodes × 1 h): ≤ 10 min and ≤ 1.5 GiB
 *   scale-100k      scale-100k.yaml (100,000 nodes): ≤ 6 GiB
 *   (every case)    ≥ 400,000 simulated events per second
 *
 * Options: `--cases a,b` (default all), `--runs N`, `--minutes M` (shorten every case to at
 * most M simulated minutes, timeline scaled — src/sim/shorten.ts — for a quick look; the
 * report says so and a shortened case is never compared with its goal), `--heap MiB` (the
 * children's old-space limit, for every case; by default 12 GiB, or the case's own for the
 * scale cases, as `p2pmsg sim --max-heap` gives it: V8 grows its heap to 2.5–3× the live
 * data before collecting when allowed to, so a memory goal is tried with a limit below it;
 * a run over the limit dies out of memory and the benchmark stops with its error),
 * `--out FILE`.
 *
 * Run: `npx tsx bench/sim-speed.ts [--cases churn-modelled --runs 1 --minutes 10]`
 * (writes reports/bench/sim-speed.json, or FILE).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { shorteningAssignments } from '../src/sim/shorten.js';
import { runEventLoopCeiling } from './sim-eventloop.js';
import { builtVersion, median, runSimChild, type SimChildResult } from './sim-runs.js';

const EVENTS_PER_SECOND_GOAL = 400_000;
/** One run may take this long before the benchmark gives up on it. */
const CHILD_TIMEOUT_MS = 3 * 60 * 60_000;
/** Old-space limit of a child: above the largest memory goal, below the machine. */
const CHILD_HEAP_MIB = 12 * 1024;
/** Events pending in the ceiling loop: the order of a 1,000–10,000-node run's queue. */
const CEILING_PENDING = 10_000;
const CEILING_EVENTS = 2_000_000;

interface SpeedCase {
  name: string;
  file: string;
  sets: string[];
  goal: { wallSeconds?: number; peakRssMiB?: number };
  /** The children's old-space limit for this case (`p2pmsg sim --max-heap`), if not the default. */
  heapMiB?: number;
}

const CASES: SpeedCase[] = [
  { name: 'churn-modelled', file: 'sim/scenarios/churn.yaml', sets: [], goal: { wallSeconds: 30 } },
  {
    name: 'churn-real',
    file: 'sim/scenarios/churn.yaml',
    sets: ['crypto=real'],
    goal: { wallSeconds: 240 },
  },
  {
    name: 'scale-10k',
    file: 'sim/scenarios/scale-10k.yaml',
    sets: [],
    goal: { wallSeconds: 600, peakRssMiB: 1536 },
    heapMiB: 1150,
  },
  {
    name: 'scale-100k',
    file: 'sim/scenarios/scale-100k.yaml',
    sets: [],
    goal: { peakRssMiB: 6144 },
    heapMiB: 5376,
  },
];

export interface SimSpeedOptions {
  cases?: string[];
  runs?: number;
  /** Shorten every case to at most this many simulated minutes. */
  minutes?: number;
  /** The children's old-space limit (MiB). */
  heapMiB?: number;
}

function caseRequest(c: SpeedCase, minutes: number | undefined): { file: string; sets: string[] } {
  if (minutes === undefined) return { file: c.file, sets: c.sets };
  const text = readFileSync(c.file, 'utf8');
  const shorten = shorteningAssignments(text, {
    nodes: Number.MAX_SAFE_INTEGER,
    durationMs: minutes * 60_000,
  });
  return { file: c.file, sets: [...c.sets, ...shorten.map((a) => a.text)] };
}

function verdict(c: SpeedCase, wallSeconds: number, peakRssMiB: number, eventsPerSecond: number) {
  const met: Record<string, boolean> = {
    eventsPerSecond: eventsPerSecond >= EVENTS_PER_SECOND_GOAL,
  };
  if (c.goal.wallSeconds !== undefined) met['wallSeconds'] = wallSeconds <= c.goal.wallSeconds;
  if (c.goal.peakRssMiB !== undefined) met['peakRssMiB'] = peakRssMiB <= c.goal.peakRssMiB;
  return met;
}

function caseReport(c: SpeedCase, runs: SimChildResult[], ceiling: number, shortened: boolean) {
  const wallSeconds = median(runs.map((r) => r.wallMs)) / 1000;
  const peakRssMiB = median(runs.map((r) => r.peakRssMiB));
  const eventsPerSecond = median(runs.map((r) => r.eventsPerSecond));
  const summary = runs[0]?.summary ?? {};
  return {
    case: c.name,
    command:
      `p2pmsg sim ${c.file}${c.sets.map((s) => ` --set ${s}`).join('')}` +
      (c.heapMiB === undefined ? '' : ` --max-heap ${c.heapMiB}`),
    heapLimitMiB: c.heapMiB ?? null,
    nodes: summary['nodes'],
    simulatedMs: summary['durationMs'],
    events: runs[0]?.events,
    wallSeconds,
    cpuSeconds: median(runs.map((r) => r.cpuMs)) / 1000,
    peakRssMiB,
    eventsPerSecond,
    ratioToCeiling: Math.round((eventsPerSecond / ceiling) * 1000) / 1000,
    goal: { ...c.goal, eventsPerSecond: EVENTS_PER_SECOND_GOAL },
    goalMet: shortened
      ? 'not compared: shortened run'
      : verdict(c, wallSeconds, peakRssMiB, eventsPerSecond),
    runs: runs.map(({ wallMs, cpuMs, eventsPerSecond: eps, peakRssMiB: rss }) => ({
      wallMs,
      cpuMs,
      eventsPerSecond: eps,
      peakRssMiB: rss,
    })),
    delivery: summary['delivery'],
    overlay: summary['overlay'],
  };
}

export async function runSimSpeedBench(
  options: SimSpeedOptions = {},
): Promise<Record<string, unknown>> {
  const runsPerCase = options.runs ?? 3;
  const wanted = options.cases ?? CASES.map((c) => c.name);
  const unknown = wanted.filter((name) => !CASES.some((c) => c.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown case ${unknown.join(', ')}; known: ${CASES.map((c) => c.name).join(', ')}`,
    );
  }
  const heapOf = (c: SpeedCase): number => options.heapMiB ?? c.heapMiB ?? CHILD_HEAP_MIB;
  const ceilingBefore = runEventLoopCeiling(CEILING_EVENTS, CEILING_PENDING).eventsPerSecond;
  const cases = [];
  for (const c of CASES.filter((k) => wanted.includes(k.name))) {
    const request = caseRequest(c, options.minutes);
    const runs: SimChildResult[] = [];
    for (let i = 0; i < runsPerCase; i++) {
      console.error(`sim-speed ${c.name}: run ${i + 1} of ${runsPerCase} …`);
      runs.push(runSimChild(request, { maxHeapMiB: heapOf(c), timeoutMs: CHILD_TIMEOUT_MS }));
    }
    cases.push({ runs, c, request });
  }
  const ceilingAfter = runEventLoopCeiling(CEILING_EVENTS, CEILING_PENDING).eventsPerSecond;
  // The machine is shared: the ceiling is taken before and after, and its median used.
  const ceiling = median([ceilingBefore, ceilingAfter]);
  return {
    benchmark: 'sim-speed',
    source: builtVersion(),
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    method: `median of ${runsPerCase} runs per case, each in a fresh process`,
    shortenedToMinutes: options.minutes ?? null,
    eventLoopCeiling: {
      eventsPerSecond: Math.round(ceiling),
      before: Math.round(ceilingBefore),
      after: Math.round(ceilingAfter),
      pending: CEILING_PENDING,
    },
    cases: cases.map(({ runs, c, request }) =>
      caseReport(
        { ...c, sets: request.sets, heapMiB: heapOf(c) },
        runs,
        ceiling,
        options.minutes !== undefined,
      ),
    ),
  };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      runs: { type: 'string' },
      minutes: { type: 'string' },
      heap: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const positive = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`error: ${flag} expects a positive number, got '${text}'`);
      process.exit(2);
    }
    return n;
  };
  const report = await runSimSpeedBench({
    cases: values.cases?.split(','),
    runs: positive(values.runs, '--runs'),
    minutes: positive(values.minutes, '--minutes'),
    heapMiB: positive(values.heap, '--heap'),
  });
  const out = resolve(values.out ?? 'reports/bench/sim-speed.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}
