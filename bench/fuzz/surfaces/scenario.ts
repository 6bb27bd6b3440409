/**
 * Surface `scenario`: the scenario loader (src/sim/scenario.ts `parseScenario`) on mutated
 * copies of the shipped scenarios (sim/scenarios/*.yaml).
 *
 * Mutations work on what a person editing YAML gets wrong, and on what an attacker would
 * try: lines deleted, duplicated, swapped, re-indented or pasted from another scenario;
 * values replaced by awkward ones (negative, huge, NaN, `.inf`, hex, durations without or
 * with odd units, flow collections, anchors and aliases, tags, block scalars, unterminated
 * quotes, deep brackets); keys renamed to other keys or typos; plus the byte mutations of
 * every surface.
 *
 * Rules checked on every input: the parser returns a Scenario or throws a ScenarioError,
 * nothing else; a returned Scenario holds only finite numbers, and every `…Ms` value is a
 * non-negative safe integer (the runner never sees an unchecked value).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseScenario, ScenarioError } from '../../../src/sim/scenario.js';
import { InvariantError, statelessSurface } from '../campaign.js';
import { arbByteMutation, arbMutations, mutate } from '../inputs/bytes.js';

const SCENARIO_DIR = resolve('sim/scenarios');

/** Values that sit at or across the edges of what a scenario accepts. */
const AWKWARD_VALUES = [
  '',
  '~',
  'null',
  '0',
  '-0',
  '-1',
  '1',
  '2',
  '0.5',
  '1.5',
  '1e309',
  '-1e309',
  '.nan',
  '.inf',
  '-.inf',
  '0x10',
  '0o17',
  '4294967295',
  '4294967296',
  '99999999999999999999',
  '200001',
  'true',
  'yes',
  'no',
  '"90s"',
  '90s',
  '0s',
  '-5s',
  '1ms',
  '0ms',
  '999999d',
  '1.5m',
  '30 s',
  '5',
  '1m1s',
  '00000000000000000000000000000000000001s',
  '[]',
  '{}',
  '[1, 2]',
  '{ fraction: 2 }',
  '{ count: -1 }',
  '{ groups: 1 }',
  '[a, [b, [c]]]',
  '*anchor',
  '&a 1',
  '!!binary aGVsbG8=',
  '!!str 5',
  '!custom x',
  '!!float 1',
  '|',
  '>',
  '"unterminated',
  "'x'",
  '? complex',
  '- item',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  '{{{{{{{{{{{{{{{{',
  'a'.repeat(300),
  '🙂',
  '\t',
  'NaN',
  'Infinity',
  'constant',
  'uniform',
  'lognormal',
  'weibull',
  'pareto',
  'exponential',
  'flood',
  'tree',
  'real',
  'modelled',
  'events.0.at',
];

export type LineMutation =
  | { kind: 'deleteLine'; at: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'swapLines'; at: number; with: number }
  | { kind: 'indent'; at: number; spaces: number }
  | { kind: 'pasteLine'; at: number; file: number; line: number }
  | { kind: 'value'; at: number; value: number }
  | { kind: 'key'; at: number; key: number; typo: boolean };

const arbLineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ kind: fc.constant('deleteLine'), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine'), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines'), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('indent'), at: fc.nat(), spaces: fc.integer({ min: -4, max: 6 }) }),
  fc.record({ kind: fc.constant('pasteLine'), at: fc.nat(), file: fc.nat(), line: fc.nat() }),
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('value'), at: fc.nat(), value: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('key'),
      at: fc.nat(),
      key: fc.nat(),
      typo: fc.boolean(),
    }),
  },
) as fc.Arbitrary<LineMutation>;

/** `key: value` on one line (with its indentation and an optional list dash). */
const KEY_VALUE = /^(\s*(?:- )?)([A-Za-z][\w]*)(:\s*)(.*)$/;

interface Corpus {
  files: string[][];
  keys: string[];
}

function readCorpus(): Corpus {
  const files = readdirSync(SCENARIO_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => readFileSync(join(SCENARIO_DIR, name), 'utf8').split('\n'));
  const keys = new Set<string>();
  for (const line of files.flat()) {
    const match = KEY_VALUE.exec(line);
    if (match) keys.add(match[2] as string);
  }
  return { files, keys: [...keys].sort() };
}

/** Lines a mutation aims at: those with a key (for 'value' and 'key') or any content. */
function targets(lines: readonly string[], keyed: boolean): number[] {
  const out: number[] = [];
  lines.forEach((line, i) => {
    const content = line.trim() !== '' && !line.trimStart().startsWith('#');
    if (keyed ? KEY_VALUE.test(line) : content) out.push(i);
  });
  return out;
}

function mutateLines(lines: string[], m: LineMutation, corpus: Corpus): string[] {
  const out = lines.slice();
  // Comments and blank lines mean nothing to the parser: aim at content.
  const aims = targets(out, m.kind === 'value' || m.kind === 'key');
  const at = aims.length === 0 ? m.at % (out.length + 1) : (aims[m.at % aims.length] as number);
  const line = out[at] ?? '';
  switch (m.kind) {
    case 'deleteLine':
      out.splice(at, 1);
      return out;
    case 'duplicateLine':
      out.splice(at, 0, line);
      return out;
    case 'swapLines': {
      const other = m.with % Math.max(out.length, 1);
      out[at] = out[other] ?? '';
      out[other] = line;
      return out;
    }
    case 'indent':
      out[at] = m.spaces >= 0 ? ' '.repeat(m.spaces) + line : line.slice(-m.spaces);
      return out;
    case 'pasteLine': {
      const file = corpus.files[m.file % corpus.files.length] as string[];
      out.splice(at, 0, file[m.line % file.length] ?? '');
      return out;
    }
    case 'value':
    case 'key': {
      const match = KEY_VALUE.exec(line);
      if (!match) return out;
      const [, lead, key, colon, value] = match as unknown as string[];
      if (m.kind === 'value') {
        out[at] = `${lead}${key}${colon}${AWKWARD_VALUES[m.value % AWKWARD_VALUES.length]}`;
      } else {
        const other = corpus.keys[m.key % corpus.keys.length] as string;
        // A typo: the key with one letter doubled.
        const name = m.typo ? other + other.slice(-1) : other;
        out[at] = `${lead}${name}${colon}${value}`;
      }
      return out;
    }
  }
}

function arbScenarioText(corpus: Corpus): fc.Arbitrary<string> {
  const arbFile = fc.nat(corpus.files.length - 1);
  const enc = new TextEncoder();
  const dec = new TextDecoder('utf-8', { fatal: false });
  const donors = corpus.files.map((lines) => enc.encode(lines.join('\n')));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(arbFile, arbMutations(arbLineMutation, 4))
        .map(([file, ms]) =>
          ms.reduce((lines, m) => mutateLines(lines, m, corpus), corpus.files[file]!).join('\n'),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(arbFile, arbMutations(arbByteMutation, 4))
        .map(([file, ms]) =>
          dec.decode(ms.reduce<Uint8Array>((b, m) => mutate(b, m, donors), donors[file]!)),
        ),
    },
  );
}

/** Every number is finite; every `…Ms` number a non-negative safe integer. */
function checkValues(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvariantError(`${path} is ${value}`);
    if (/Ms$/.test(path) && !(Number.isSafeInteger(value) && value >= 0))
      throw new InvariantError(`${path} is ${value}, not a non-negative integer of ms`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkValues(v, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value))
      checkValues(v, path === '' ? key : `${path}.${key}`);
  }
}

/**
 * 'ok', or 'error:<where>' for a ScenarioError: the top-level key it names (when it is one of
 * the shipped files' keys), 'unknown-key', 'yaml' or 'document'. Anything else thrown escapes.
 */
export function scenarioOutcome(text: string, knownKeys: ReadonlySet<string>): string {
  try {
    checkValues(parseScenario(text, 'fuzz.yaml'), '');
    return 'ok';
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const head = err.keyPath.split(/[.[]/)[0] as string;
    if (head !== '') return `error:${knownKeys.has(head) ? head : 'unknown-key'}`;
    return `error:${err.message.startsWith('invalid YAML') ? 'yaml' : 'document'}`;
  }
}

export const scenarioSurface = statelessSurface<string>({
  name: 'scenario',
  typedError: 'ScenarioError',
  prepare() {
    const corpus = readCorpus();
    const knownKeys = new Set(corpus.keys);
    return {
      arbitrary: arbScenarioText(corpus),
      run: (text) => scenarioOutcome(text, knownKeys),
    };
  },
  show: (text) => JSON.stringify(text),
});
