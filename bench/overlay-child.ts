/**
 * One simulator run in its own process, so its wall time and peak memory are its own.
 * Argument: a JSON scenario (the normalized `Scenario` shape). Prints one JSON line.
 */
import { runScenario } from '../src/sim/runner.js';
import type { Scenario } from '../src/sim/scenario.js';

const scenario = JSON.parse(process.argv[2] ?? '{}') as Scenario;
const started = process.hrtime.bigint();
const { summary } = runScenario(scenario);
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
console.log(
  JSON.stringify({
    wallMs: Math.round(wallMs),
    events: summary.events,
    eventsPerSecond: Math.round(summary.events / (wallMs / 1000)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    overlay: summary.overlay,
  }),
);
