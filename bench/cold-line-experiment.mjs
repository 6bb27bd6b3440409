/**
 * What does one more cache line per engine input cost inside a run? (README "Scale and
 * speed", session 15; docs/engine-state-layout.md.) The layout plan prices its steps in
 * lines touched per input; this measures the price of a line.
 *
 * Every engine's `handle` is wrapped to walk a chain of `lines` dependent reads (each read
 * gives the next index, as a pointer chase does) in a buffer of its own node, then to run as
 * usual. Two kinds of buffer:
 * - `cold`: 64 KiB a node (64 MiB over 1,000 nodes, twice the L3), and every input walks on
 *   from where the node's previous input stopped, so its lines are rarely still cached —
 *   the lines of a node's state that other nodes' inputs evicted since its last input;
 * - `warm`: one line's worth of chain a node (the same `lines` lines again and again,
 *   1.3 MiB over 1,000 nodes), which the caches keep.
 * A run with the walk and a run without (`lines` 0, the same wrapper) start together, one
 * per core (this host's speed drifts by ±20% within minutes), on churn.yaml's first 10
 * minutes; the difference in CPU time over the inputs handled, divided by `lines`, is the
 * price of one line. The run's behaviour does not change: the walk writes nothing the engine
 * reads.
 *
 * Run: `npm run build && node bench/cold-line-experiment.mjs [--lines 20] [--pairs 2]`
 * (~3 min a pair of pairs; → reports/bench/cold-line.json).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SCRIPT = fileURLToPath(import.meta.url);
const OUT = new URL('../reports/bench/cold-line.json', import.meta.url);
/** Ints per line (64 bytes). */
const LINE_INTS = 16;
/** A node's cold buffer: 64 KiB, 1,024 lines. */
const COLD_LINES = 1_024;

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    kind: { type: 'string', default: 'cold' },
    lines: { type: 'string', default: '20' },
    pairs: { type: 'string', default: '2' },
  },
});

if (values.child !== undefined) runChild(Number(values.child), values.kind);
else await runPairs(Number(values.lines), Number(values.pairs));

/** One run of churn.yaml's first 10 minutes with every input walking `lines` lines. */
async function runChild(lines, kind) {
  const { Node } = await import('../dist/src/engine/node.js');
  const { runScenario } = await import('../dist/src/sim/runner.js');
  const { parseScenario } = await import('../dist/src/sim/scenario.js');
  const bufferLines = kind === 'cold' ? COLD_LINES : Math.max(1, lines);
  const pads = new WeakMap();
  let inputs = 0;
  let sink = 0;
  const handle = Node.prototype.handle;
  Node.prototype.handle = function (input, now) {
    inputs++;
    if (lines > 0) {
      let pad = pads.get(this);
      if (pad === undefined) {
        pad = { ints: chain(bufferLines), at: 0 };
        pads.set(this, pad);
      }
      let j = kind === 'cold' ? pad.at : 0;
      for (let i = 0; i < lines; i++) j = pad.ints[j];
      pad.at = j;
      sink += j;
    }
    return handle.call(this, input, now);
  };
  const text = readFileSync(new URL('../sim/scenarios/churn.yaml', import.meta.url), 'utf8')
    .replace('duration: 60m', 'duration: 10m')
    .replace('until: 55m', 'until: 9m')
    .replace('until: 50m', 'until: 8m');
  const before = process.cpuUsage();
  runScenario(parseScenario(text, 'churn.yaml (10 min)'));
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1_000;
  process.stdout.write(JSON.stringify({ lines, kind, inputs, cpuMs, sink: sink % 2 }) + '\n');
}

/** A chain through `n` lines in a random order: ints[line·16] holds the next line's index. */
function chain(n) {
  const ints = new Int32Array(n * LINE_INTS);
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 0x2545f491;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const k = seed % (i + 1);
    [order[i], order[k]] = [order[k], order[i]];
  }
  for (let i = 0; i < n; i++) ints[order[i] * LINE_INTS] = order[(i + 1) % n] * LINE_INTS;
  return ints;
}

function child(lines, kind) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SCRIPT, '--child', String(lines), '--kind', kind], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()))
        : reject(new Error(`child exited ${code}`)),
    );
  });
}

async function runPairs(lines, pairs) {
  if (!(Number.isInteger(lines) && lines > 0 && lines <= 1_000))
    throw new Error('--lines: expected an integer in 1..1000');
  if (!(Number.isInteger(pairs) && pairs > 0 && pairs <= 20))
    throw new Error('--pairs: expected an integer in 1..20');
  const results = [];
  for (const kind of ['cold', 'warm']) {
    for (let i = 0; i < pairs; i++) {
      // Alternate which run starts first.
      const [a, b] = i % 2 === 0 ? [0, lines] : [lines, 0];
      const runs = await Promise.all([child(a, kind), child(b, kind)]);
      const base = runs.find((r) => r.lines === 0);
      const walked = runs.find((r) => r.lines === lines);
      const nsPerLine = ((walked.cpuMs - base.cpuMs) * 1e6) / (walked.inputs * lines);
      const row = {
        kind,
        lines,
        inputs: walked.inputs,
        baseCpuMs: base.cpuMs,
        walkedCpuMs: walked.cpuMs,
        nsPerLine,
      };
      console.log(
        `${kind}: ${lines} lines per input, ${walked.inputs} inputs: ` +
          `${(base.cpuMs / 1000).toFixed(1)} s → ${(walked.cpuMs / 1000).toFixed(1)} s CPU, ` +
          `${nsPerLine.toFixed(0)} ns per line`,
      );
      results.push(row);
    }
  }
  const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(
    ['cold', 'warm'].map((k) => [
      k,
      median(results.filter((r) => r.kind === k).map((r) => r.nsPerLine)),
    ]),
  );
  console.log(
    `median ns per line: cold ${summary.cold.toFixed(0)}, warm ${summary.warm.toFixed(0)}`,
  );
  mkdirSync(new URL('.', OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      { scenario: 'churn.yaml, first 10 minutes', results, medianNsPerLine: summary },
      null,
      2,
    ) + '\n',
  );
}
