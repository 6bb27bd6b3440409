/**
 * Directory anti-entropy on one node, the cost that grows with the directory: building a
 * digest of every record held (the requester) and finding the records a digest lacks (the
 * responder), each a pass over the whole directory (directory/digest.ts). Every node does
 * both about once a minute, so in a simulation of N nodes they are O(N²) per minute.
 *
 * Setup: `records` signed descriptors (modelled crypto), held by 50 directories opened
 * through one shared RecordCache, as in the simulator. Medians of `runs` runs of `calls`
 * calls each; per record = per call / records.
 *
 * `npx tsx bench/digest.ts` → reports/bench/digest.json (also `npm run bench -- digest`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelledSuite } from '../src/engine/crypto/index.js';
import { DEFAULT_DIRECTORY } from '../src/engine/directory/config.js';
import { Directory } from '../src/engine/directory/directory.js';
import { signDescriptor } from '../src/engine/directory/records.js';
import { identityFromSecrets } from '../src/engine/identity.js';
import { RecordCache } from '../src/sim/record-cache.js';
import { median } from './sim-runs.js';

const DIRECTORIES = 50;
const NOW = 1_000_000;

function directories(records: number): Directory[] {
  const cache = new RecordCache();
  const signed: Uint8Array[] = [];
  for (let i = 0; i < records; i++) {
    const secret = (offset: number) => {
      const bytes = new Uint8Array(32);
      new DataView(bytes.buffer).setUint32(offset, i + 1);
      return bytes;
    };
    const identity = identityFromSecrets(modelledSuite, secret(0), secret(4));
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:7000`;
    const fields = { address, relay: true, issued: NOW - i, expires: NOW + 3_600_000 };
    signed.push(signDescriptor(modelledSuite, identity, fields).bytes);
  }
  return Array.from({ length: DIRECTORIES }, (_, k) => {
    const directory = new Directory(
      modelledSuite,
      DEFAULT_DIRECTORY,
      new Uint8Array(32).fill(k),
      cache.open,
    );
    for (const bytes of signed) directory.acceptBytes(bytes, NOW);
    return directory;
  });
}

/** Microseconds per call of `f(i)`, median over `runs` runs of `calls` calls. */
function perCall(runs: number, calls: number, f: (i: number) => number): number {
  let sink = 0;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) sink += f(i);
    times.push(((performance.now() - started) * 1000) / calls);
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the calls from being optimised away
  return median(times);
}

export async function runDigestBench(
  sizes: readonly number[] = [1_000, 10_000],
  runs = 5,
): Promise<Record<string, unknown>> {
  const results = sizes.map((records) => {
    const held = directories(records);
    const calls = Math.max(50, Math.round(2_000_000 / records));
    const at = (i: number) => held[i % DIRECTORIES] as Directory;
    perCall(1, calls, (i) => at(i).digest(NOW, i * 7919, i).bits.length); // warm-up
    const digestUs = perCall(runs, calls, (i) => at(i).digest(NOW, i * 7919, i).bits.length);
    const request = (held[0] as Directory).digest(NOW, 12_345, 0);
    perCall(1, calls, (i) => at(i).missingFrom(NOW, request).length);
    const missingUs = perCall(runs, calls, (i) => at(i).missingFrom(NOW, request).length);
    return {
      records,
      calls,
      digestUsPerCall: round(digestUs),
      digestNsPerRecord: round((digestUs * 1000) / records),
      missingFromUsPerCall: round(missingUs),
      missingFromNsPerRecord: round((missingUs * 1000) / records),
    };
  });
  return { benchmark: 'digest', runs, directories: DIRECTORIES, results };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
) {
  const report = await runDigestBench();
  const out = path.resolve('reports/bench/digest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}
