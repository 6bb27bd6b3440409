/**
 * A typed reader over a parsed YAML document that knows where every value came from.
 *
 * The scenario schema (scenario.ts) is written against this reader instead of against plain
 * JSON, so every complaint carries the key path (`events[2].crash.fraction`, list indices
 * 0-based) and the 1-based source line, and says what was expected and what was found.
 *
 * Rules:
 * 1. Mappings are closed: a key the schema does not list is an error, with a did-you-mean
 *    when a listed key is close (edit distance, case-insensitive).
 * 2. Keys are plain strings. Aliases (`*name`) are refused: they would make a value's line
 *    ambiguous, and expanding them is how "billion laughs" files blow up.
 * 3. Values keep their YAML 1.2 core types: `90` is a number, `90s` a string, `yes` a string.
 * 4. Every YAML syntax error, duplicate key or unresolved tag is a ScenarioError too.
 */

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { DurationError, formatDuration, parseDuration } from './duration.js';

/** A scenario that cannot be used, with the place to fix it. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    /** The file name (or other label) the text came from. */
    readonly sourceName: string,
    /** Where in the document: `events[2].crash.fraction`; '' for the document as a whole. */
    readonly keyPath: string,
    /** 1-based source line; 0 when the error concerns the whole file (unreadable, too big). */
    readonly line: number,
    /** What was expected and what was found. */
    message: string,
  ) {
    super(message);
  }

  /** One line: `<file>:<line>: <keyPath>: <message>`, leaving out the parts that are empty. */
  format(): string {
    const where = this.line > 0 ? `${this.sourceName}:${this.line}` : this.sourceName;
    return this.keyPath === ''
      ? `${where}: ${this.message}`
      : `${where}: ${this.keyPath}: ${this.message}`;
  }
}

interface Context {
  readonly sourceName: string;
  readonly lines: LineCounter;
}

/** Parses YAML text into the root Field; YAML-level problems throw ScenarioError. */
export function readYaml(text: string, sourceName: string): Field {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const line = lines.linePos(problem.pos[0]).line;
    throw new ScenarioError(
      sourceName,
      '',
      line,
      `invalid YAML: ${yamlMessage(problem.code, problem.message)}`,
    );
  }
  const root = doc.contents;
  return new Field({ sourceName, lines }, root, '', root === null ? 1 : lineOf(lines, root, 1));
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'a key appears twice in the same mapping';
  if (code === 'MULTIPLE_DOCS')
    return 'a scenario file holds exactly one document (found a second `---`)';
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function lineOf(lines: LineCounter, node: unknown, fallback: number): number {
  const range = (node as { range?: readonly number[] | null } | null)?.range;
  const start = range?.[0];
  return start === undefined ? fallback : lines.linePos(start).line;
}

/** One value in the document, with its key path and line. */
export class Field {
  constructor(
    private readonly ctx: Context,
    /** The yaml AST node (Scalar, YAMLMap, YAMLSeq, Alias) or null for a missing value. */
    readonly node: unknown,
    readonly path: string,
    readonly line: number,
  ) {}

  fail(message: string): never {
    throw new ScenarioError(this.ctx.sourceName, this.path, this.line, message);
  }

  /** True for an absent value (`key:` with nothing after it) or an explicit `null` / `~`. */
  isNull(): boolean {
    return (
      this.node === null ||
      this.node === undefined ||
      (isScalar(this.node) && this.node.value === null)
    );
  }

  /** True for `{}`. */
  isEmptyMapping(): boolean {
    return isMap(this.node) && this.node.items.length === 0;
  }

  /** The plain value of a scalar, or undefined for mappings and lists. */
  scalar(): unknown {
    this.refuseAlias();
    return isScalar(this.node) ? this.node.value : undefined;
  }

  /** "the number 5", "the string \"abc\"", "a mapping", … for messages. */
  describe(): string {
    const node = this.node;
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isAlias(node)) return 'an alias';
    const value = isScalar(node) ? node.value : node;
    if (value === null || value === undefined) return 'nothing';
    if (typeof value === 'number') return `the number ${value}`;
    if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
    if (typeof value === 'boolean') return String(value);
    return `a ${typeof value}`;
  }

  /**
   * A mapping whose keys must all be in `allowed`. A null value reads as an empty mapping, so
   * `overlay:` with nothing under it means "all defaults".
   */
  map(allowed: readonly string[]): MapField {
    this.refuseAlias();
    if (this.isNull()) return new MapField(this, new Map());
    if (!isMap(this.node)) {
      this.fail(`expected a mapping with keys ${list(allowed, 'and')}, found ${this.describe()}`);
    }
    const entries = new Map<string, Field>();
    for (const pair of this.node.items) {
      const key = pair.key;
      const keyLine = lineOf(this.ctx.lines, key, this.line);
      const keyText = isScalar(key) ? key.value : undefined;
      if (typeof keyText !== 'string') {
        throw new ScenarioError(
          this.ctx.sourceName,
          this.path,
          keyLine,
          `expected keys to be names (${list(allowed, 'and')}), found a key that is ${new Field(this.ctx, key, '', keyLine).describe()}`,
        );
      }
      const path = this.path === '' ? keyText : `${this.path}.${keyText}`;
      if (!allowed.includes(keyText)) {
        const guess = didYouMean(keyText, allowed);
        throw new ScenarioError(
          this.ctx.sourceName,
          path,
          keyLine,
          `unknown key${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; expected one of ${list(allowed)}`,
        );
      }
      const value = pair.value ?? null;
      entries.set(
        keyText,
        new Field(this.ctx, value, path, lineOf(this.ctx.lines, value, keyLine)),
      );
    }
    return new MapField(this, entries);
  }

  /** A list of at most `maxItems` items; a null value reads as an empty list. */
  list(maxItems: number): Field[] {
    this.refuseAlias();
    if (this.isNull()) return [];
    if (!isSeq(this.node)) this.fail(`expected a list, found ${this.describe()}`);
    const items = this.node.items;
    if (items.length > maxItems) {
      this.fail(`expected at most ${maxItems} items, found ${items.length}`);
    }
    return items.map(
      (item, i) =>
        new Field(this.ctx, item, `${this.path}[${i}]`, lineOf(this.ctx.lines, item, this.line)),
    );
  }

  /** A string (YAML may quote it or not). */
  string(what = 'a string'): string {
    const value = this.scalar();
    if (typeof value !== 'string') this.fail(`expected ${what}, found ${this.describe()}`);
    return value;
  }

  /** true or false (YAML 1.2 core: `yes`/`no` are strings, not booleans). */
  boolean(): boolean {
    const value = this.scalar();
    if (typeof value !== 'boolean') this.fail(`expected true or false, found ${this.describe()}`);
    return value;
  }

  /** One of a fixed set of words. */
  oneOf<T extends string>(values: readonly T[]): T {
    const value = this.scalar();
    if (typeof value === 'string' && (values as readonly string[]).includes(value))
      return value as T;
    const guess = typeof value === 'string' ? didYouMean(value, values) : undefined;
    this.fail(
      `expected one of ${list(values)}, found ${this.describe()}` +
        (guess === undefined ? '' : ` (did you mean "${guess}"?)`),
    );
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    const value = this.scalar();
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(`expected an integer from ${min} to ${max}, found ${this.describe()}`);
    }
    if (value < min || value > max) {
      this.fail(`expected an integer from ${min} to ${max}, found ${value}`);
    }
    return value;
  }

  /** A finite number in [min, max], or (min, max] when `minExclusive`. */
  number(min: number, max: number, options: { minExclusive?: boolean } = {}): number {
    const value = this.scalar();
    const range = `${options.minExclusive === true ? `above ${min}` : `from ${min}`} up to ${max}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(`expected a number ${range}, found ${this.describe()}`);
    }
    const tooLow = options.minExclusive === true ? value <= min : value < min;
    if (tooLow || value > max) this.fail(`expected a number ${range}, found ${value}`);
    return value;
  }

  /** A duration with a unit ("90s") in [minMs, maxMs], as integer milliseconds. */
  duration(minMs: number, maxMs: number, limitName?: string): number {
    const value = this.scalar();
    if (!this.isNull() && !isScalar(this.node)) {
      this.fail(`expected a duration with a unit (e.g. "90s", "10m"), found ${this.describe()}`);
    }
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      if (err instanceof DurationError) this.fail(err.message);
      throw err;
    }
    if (ms < minMs)
      this.fail(`expected a duration of at least ${showMs(minMs)}, found ${showMs(ms)}`);
    if (ms > maxMs) {
      const limit = limitName === undefined ? showMs(maxMs) : `${limitName} (${showMs(maxMs)})`;
      this.fail(`expected a duration of at most ${limit}, found ${showMs(ms)}`);
    }
    return ms;
  }

  /** Fails at this mapping's line, naming one of its keys (present or missing). */
  failKey(key: string, message: string): never {
    const path = this.path === '' ? key : `${this.path}.${key}`;
    throw new ScenarioError(this.ctx.sourceName, path, this.line, message);
  }

  private refuseAlias(): void {
    if (isAlias(this.node)) {
      this.fail('YAML aliases (*name) are not supported in scenarios; write the value out');
    }
  }
}

/** The keys of one mapping. */
export class MapField {
  constructor(
    /** The mapping itself (for errors about the mapping as a whole, e.g. a missing key). */
    readonly field: Field,
    private readonly entries: ReadonlyMap<string, Field>,
  ) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): Field | undefined {
    return this.entries.get(key);
  }

  /** The keys present, in document order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** A key that must be present; its absence is reported at the mapping's line. */
  require(key: string, expected: string): Field {
    const field = this.entries.get(key);
    if (field !== undefined) return field;
    this.field.failKey(key, `missing required key (expected ${expected})`);
  }
}

/** The value of an optional key read by `read`, or `fallback` when the key is absent. */
export function optional<T, D>(
  map: MapField,
  key: string,
  read: (field: Field) => T,
  fallback: D,
): T | D {
  const field = map.get(key);
  return field === undefined ? fallback : read(field);
}

function showMs(ms: number): string {
  return formatDuration(ms);
}

/** "a, b or c" (or "a, b and c"). */
export function list(words: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}
