/**
 * One simulator run in its own process, so its wall time, CPU time and peak memory are its
 * own. Argument: JSON `{ "file": path, "sets": ["key=value", …] }` (a scenario file with
 * `--set` overrides) or `{ "text": yaml, "name": label }`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { applyOverrides, parseAssignment } from '../src/sim/overrides.js';
import { runScenario } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';

export interface SimChildRequest {
  file?: string;
  sets?: string[];
  text?: string;
  name?: string;
}

export interface SimChildResult {
  wallMs: number;
  cpuMs: number;
  events: number;
  eventsPerSecond: number;
  peakRssMiB: number;
  summary: Record<string, unknown>;
}

const request = JSON.parse(process.argv[2] ?? '{}') as SimChildRequest;
const source = request.file ?? request.name ?? 'bench';
const original = request.text ?? readFileSync(source, 'utf8');
const text = applyOverrides(
  original,
  (request.sets ?? []).map((s) => parseAssignment(s)),
);
const scenario = parseScenario(text, source);

const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
const { summary } = runScenario(scenario);
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
const result: SimChildResult = {
  wallMs: Math.round(wallMs),
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  events: summary.events,
  eventsPerSecond: Math.round(summary.events / (wallMs / 1000)),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  summary: summary as unknown as Record<string, unknown>,
};
console.log(JSON.stringify(result));
