/**
 * Scenario overrides from the command line: `--set key=value` and `--sweep key=v1,v2,...`.
 *
 * Theory of operation. An override edits the scenario *file* (its YAML document) before the
 * scenario is validated, so whatever it sets is checked by the same reader as the file itself
 * and a bad value is reported with its key path (`overlay.maxPeers: expected an integer from
 * 1 to 64, found 100`). This is what the scenario's own `sweep:` does (sweep.ts); `--sweep`
 * simply writes that `sweep:` key.
 *
 * Rules:
 * 1. A key is a dotted path of mapping keys and list indexes: `overlay.maxPeers`,
 *    `events.0.crash.fraction`; `events[0].crash.fraction` (the form error messages print)
 *    is accepted too.
 * 2. A value is one YAML scalar, read as the file would read it: `8` is a number, `90s` and
 *    `tree` are strings, `"8"` is the string 8, `null` or nothing is null. A mapping or a list
 *    is refused: set its keys one by one.
 * 3. Missing mappings on the way are created (`--set workload.interval=2s` in a file without
 *    `workload:`); a list index may name an existing item or the next one, never leave a gap.
 * 4. Malformed options throw OverrideError (a usage error); everything about the values
 *    themselves is left to the scenario reader.
 */

import YAML, { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { OVERRIDES_MAX, SWEEP_KEY_PATTERN, SWEEP_VALUES_MAX } from './limits.js';
import { ScenarioError } from './scenario.js';

/** A malformed --set or --sweep option (exit 2 in the CLI). */
export class OverrideError extends Error {
  override name = 'OverrideError';
}

export type KeySegment = string | number;

/** One `--set key=value`. */
export interface Assignment {
  /** The key as a dotted path (`events.0.at`). */
  key: string;
  path: KeySegment[];
  /** The parsed YAML scalar's value. */
  value: unknown;
  /** The option as the user typed it, for messages and reproduce commands. */
  text: string;
  node: Scalar;
}

/** One `--sweep key=v1,v2,...`. */
export interface SweepOption {
  key: string;
  values: (number | string)[];
  text: string;
}

/** Parses `key=value` (rule 1 and 2). */
export function parseAssignment(text: string, flag = '--set'): Assignment {
  const [key, valueText] = splitOption(text, flag, 'key=value');
  const path = parseKey(key, flag, text);
  const node = parseScalar(valueText, `${flag} ${text}`);
  return { key: path.join('.'), path, value: node.value, text, node };
}

/** Parses `key=v1,v2,...`: values are numbers or strings, at most SWEEP_VALUES_MAX of them. */
export function parseSweepOption(text: string): SweepOption {
  const [key, list] = splitOption(text, '--sweep', 'key=v1,v2,...');
  const path = parseKey(key, '--sweep', text);
  const dotted = path.join('.');
  if (path[0] === 'seed') {
    throw new OverrideError(
      `--sweep ${text}: to run several seeds use --seeds (e.g. --seeds 1..10)`,
    );
  }
  if (path[0] === 'sweep')
    throw new OverrideError(`--sweep ${text}: cannot sweep the sweep itself`);
  const items = list.split(',');
  if (items.length > SWEEP_VALUES_MAX) {
    throw new OverrideError(
      `--sweep ${text}: at most ${SWEEP_VALUES_MAX} values (SWEEP_VALUES_MAX), found ${items.length}`,
    );
  }
  const values = items.map((item, i) => {
    if (item.trim() === '') {
      throw new OverrideError(`--sweep ${text}: value ${i + 1} is empty (expected key=v1,v2,...)`);
    }
    const value = parseScalar(item, `--sweep ${text}`).value;
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw new OverrideError(
        `--sweep ${text}: value ${JSON.stringify(item)} must be a number or a string`,
      );
    }
    return value;
  });
  return { key: dotted, values, text };
}

/**
 * The scenario text with every assignment applied in order and, if given, the sweep written
 * as its `sweep:` key. Text that is not valid YAML is returned unchanged, so the scenario
 * reader reports the error with its real line.
 */
export function applyOverrides(
  text: string,
  sets: readonly Assignment[],
  sweep: SweepOption | null = null,
): string {
  if (sets.length > OVERRIDES_MAX) {
    throw new OverrideError(`at most ${OVERRIDES_MAX} --set options (OVERRIDES_MAX)`);
  }
  if (sets.length === 0 && sweep === null) return text;
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0 || !(isMap(doc.contents) || doc.contents === null)) return text;
  for (const set of sets) assign(doc, set);
  if (sweep !== null) doc.set('sweep', doc.createNode({ key: sweep.key, values: sweep.values }));
  return doc.toString();
}

/** A key some option set, and the option as typed (`--set a.b=1`, `--sweep a.b=1,2`). */
export interface OverrideSource {
  path: readonly KeySegment[];
  option: string;
}

/** Where each assignment (and the sweep, if any) came from, for blameOverride. */
export function overrideSources(
  sets: readonly Assignment[],
  sweep: SweepOption | null,
): OverrideSource[] {
  const sources = sets.map((set) => ({ path: set.path, option: `--set ${set.text}` }));
  if (sweep !== null) {
    sources.push({
      path: parseKey(sweep.key, '--sweep', sweep.text),
      option: `--sweep ${sweep.text}`,
    });
  }
  return sources;
}

/**
 * A scenario error about a key that an option set (or something under it) says so, and
 * drops the line: it would be a line of the edited document, not of the user's file.
 */
export function blameOverride(
  err: ScenarioError,
  sources: readonly OverrideSource[],
): ScenarioError {
  for (let i = sources.length - 1; i >= 0; i--) {
    const source = sources[i] as OverrideSource;
    const keyPath = errorKeyPath(source.path);
    const under =
      err.keyPath === keyPath ||
      err.keyPath.startsWith(`${keyPath}.`) ||
      err.keyPath.startsWith(`${keyPath}[`);
    if (under) {
      return new ScenarioError(
        err.sourceName,
        err.keyPath,
        0,
        `${err.message} (from ${source.option})`,
      );
    }
  }
  return err;
}

/**
 * A scenario error found in `edited` (the file after the overrides), told in terms of the
 * user's file: blamed on the option when it concerns a key an option set (blameOverride),
 * otherwise with its line moved back to the file's line (originalLine).
 */
export function explainScenarioError(
  err: ScenarioError,
  sources: readonly OverrideSource[],
  original: string,
  edited: string,
): ScenarioError {
  const blamed = blameOverride(err, sources);
  if (blamed !== err || err.line === 0 || original === edited) return blamed;
  return new ScenarioError(
    err.sourceName,
    err.keyPath,
    originalLine(original, edited, err.line),
    err.message,
  );
}

/**
 * The line of `original` that line `line` of `edited` came from. Lines before the first
 * changed line and after the last one map one to one; a line in between has no safe answer
 * and gets 0 (no line), never a wrong one.
 */
export function originalLine(original: string, edited: string, line: number): number {
  const a = original.split('\n');
  const b = edited.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  if (line <= prefix) return line;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  return line > b.length - suffix ? line - (b.length - a.length) : 0;
}

/** `events[0].crash`: how the scenario reader prints a key path. */
export function errorKeyPath(path: readonly KeySegment[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}

function splitOption(text: string, flag: string, shape: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) {
    throw new OverrideError(`${flag}: expected ${shape}, found ${JSON.stringify(text)}`);
  }
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseKey(key: string, flag: string, text: string): KeySegment[] {
  const dotted = key.replace(/\[(\d+)\]/g, '.$1');
  if (!SWEEP_KEY_PATTERN.test(dotted)) {
    throw new OverrideError(
      `${flag} ${text}: ${JSON.stringify(key)} is not a key path ` +
        '(expected names and list indexes joined by dots, e.g. overlay.maxPeers or events.0.at)',
    );
  }
  return dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function parseScalar(text: string, what: string): Scalar {
  const doc = YAML.parseDocument(text);
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw new OverrideError(
      `${what}: the value is not valid YAML (${problem.message.split('\n')[0]})`,
    );
  }
  const node = doc.contents;
  if (node === null) return doc.createNode(null) as Scalar;
  if (!isScalar(node)) {
    const kind = isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : 'not a plain value';
    throw new OverrideError(`${what}: expected one value (a YAML scalar), found ${kind}`);
  }
  return node;
}

/** Sets one assignment in `doc` (rule 3). */
function assign(doc: Document, set: Assignment): void {
  if (doc.contents === null) doc.contents = doc.createNode({}) as Document['contents'];
  for (let i = 0; i < set.path.length; i++) {
    const prefix = set.path.slice(0, i);
    const next = set.path[i] as KeySegment;
    const node = i === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node === undefined || (isScalar(node) && node.value === null)) {
      doc.setIn(prefix, doc.createNode(typeof next === 'number' ? [] : {}));
      continue;
    }
    const where = `--set ${set.text}: ${errorKeyPath(prefix)}`;
    if (isSeq(node)) {
      if (typeof next !== 'number') {
        throw new OverrideError(
          `${where} is a list: expected an index, found ${JSON.stringify(next)}`,
        );
      }
      if (next > node.items.length) {
        throw new OverrideError(
          `${where} has ${node.items.length} items: index ${next} would leave a gap ` +
            `(use an index up to ${node.items.length})`,
        );
      }
    } else if (!isMap(node)) {
      throw new OverrideError(`${where} is a single value, not a mapping or a list`);
    }
  }
  doc.setIn(set.path, set.node.clone());
}
