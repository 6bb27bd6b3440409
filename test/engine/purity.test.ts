/**
 * DESIGN.md §1: src/engine/ never reaches for the outside world. This test fails the build
 * when a file under src/engine/ names a clock, ambient randomness, a timer, a socket, the
 * file system or the process (STYLE.md #2).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE_DIR = join(import.meta.dirname, '../../src/engine');

const FORBIDDEN: Array<[string, RegExp]> = [
  ['Date.now', /\bDate\.now\b/],
  ['new Date', /\bnew Date\b/],
  ['performance.now', /\bperformance\.now\b/],
  ['Math.random', /\bMath\.random\b/],
  ['randomBytes', /\brandomBytes\b/],
  ['getRandomValues', /\bgetRandomValues\b/],
  ['randomUUID', /\brandomUUID\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['queueMicrotask', /\bqueueMicrotask\b/],
  ['process', /\bprocess\s*[.[]|from ['"](node:)?process['"]/],
  ['node:net', /from ['"](node:)?(net|dgram|tls|http|https)['"]/],
  ['node:fs', /from ['"](node:)?fs(\/promises)?['"]/],
  ['node:child_process', /from ['"](node:)?(child_process|worker_threads|timers)['"]/],
  ['a dynamic import', /\bimport\s*\(/],
  ['require', /\brequire\s*\(/],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Comments may name what they forbid; only code counts. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('engine purity (DESIGN.md §1)', () => {
  const files = sourceFiles(ENGINE_DIR);

  it('finds the engine sources', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [relative(ENGINE_DIR, f), f]))(
    '%s touches no clock, randomness, timer, socket, file or process',
    (_name, file) => {
      const code = stripComments(readFileSync(file, 'utf8'));
      const hits = FORBIDDEN.filter(([, pattern]) => pattern.test(code)).map(([what]) => what);
      expect(hits).toEqual([]);
    },
  );

  it('the checker itself catches a forbidden call', () => {
    const code = stripComments('const t = Date.now(); // fine comment Math.random');
    expect(FORBIDDEN.filter(([, p]) => p.test(code)).map(([w]) => w)).toEqual(['Date.now']);
  });
});
