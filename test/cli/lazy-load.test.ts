/**
 * The CLI loads the daemon's and the simulator's modules only for the commands that run them
 * (node-run.ts, sim-run.ts are imported by their actions). Every client command, `--help` and
 * `--version` start without them: about half the start-up time of `p2pmsg send`, and the
 * first of the two processes `p2pmsg sim` starts. Each test runs the real executable with a
 * module hook that lists every module it resolves.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CHILD_TIMEOUT_MS = 60_000;

/** A loader hook (a module of its own, as node:module's register wants) naming each module. */
const HOOK = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('LOADED ' + result.url + '\\n');
  return result;
}`;
const REGISTER =
  "import { register } from 'node:module';" +
  `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** Modules that belong to running a daemon or a simulation, never to a client command. */
const HEAVY = [
  '/src/daemon/daemon.ts',
  '/src/engine/node.ts',
  '/src/engine/routing/index.ts',
  '/src/sim/runner.ts',
  '/src/sim/scenario.ts',
  '/node_modules/yaml/',
  '/node_modules/@noble/',
];

interface Loaded {
  code: number | null;
  modules: string[];
}

function loadedBy(args: string[]): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      ].concat(['src/cli/main.ts', ...args]),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`p2pmsg ${args.join(' ')} timed out\n${stderr}`));
    }, CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const modules = [...stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] as string);
      resolve({ code, modules });
    });
  });
}

const heavyIn = (modules: string[]) =>
  HEAVY.filter((part) => modules.some((url) => url.includes(part)));

describe('the CLI loads what a command needs', () => {
  it.each(['--version', '--help', 'send --help', 'node --help', 'sim --help'])(
    'p2pmsg %s loads no daemon or simulator module',
    async (line) => {
      const { code, modules } = await loadedBy(line.split(' '));
      expect(code).toBe(0);
      expect(modules.some((url) => url.endsWith('/src/cli/app.ts'))).toBe(true);
      expect(heavyIn(modules)).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'a client command talking to no daemon loads none either',
    async () => {
      const { code, modules } = await loadedBy(['--data-dir', '/nonexistent/p2pmsg', 'status']);
      expect(code).toBe(1); // no daemon there
      expect(modules.some((url) => url.endsWith('/src/cli/commands/status.ts'))).toBe(true);
      expect(heavyIn(modules)).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'running the simulator loads them: the hook sees lazily imported modules',
    async () => {
      const { code, modules } = await loadedBy(['sim', 'no-such-scenario.yaml']);
      expect(code).toBe(2); // the file is missing: one error line
      expect(heavyIn(modules)).toEqual(
        expect.arrayContaining(['/src/sim/runner.ts', '/src/sim/scenario.ts']),
      );
    },
    CHILD_TIMEOUT_MS,
  );
});
