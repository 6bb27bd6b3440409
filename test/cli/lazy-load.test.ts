/**
 * The CLI loads the daemon's and the simulator's modules only for the commands that run them:
 * node-run.ts and sim-run.ts are imported by their actions, and `sim` imports its modes
 * (sim-one.ts, sim-many.ts, sim-swarm.ts) only in the process it restarts itself as. Every
 * client command, `--help` and `--version` start without them (about half of `p2pmsg send`'s
 * start-up), and so does the first of `p2pmsg sim`'s two processes. Each test runs the real
 * executable with a module hook that lists every module each process resolves.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD_TIMEOUT_MS = 60_000;

/** A loader hook (a module of its own, as node:module's register wants) naming each module. */
const HOOK = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('LOADED ' + process.pid + ' ' + result.url + '\\n');
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
  /** What the process we started loaded. */
  modules: string[];
  /** What the processes it started loaded (`sim` runs itself again). */
  childModules: string[];
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
      const loaded = [...stderr.matchAll(/^LOADED (\d+) (\S+)$/gm)];
      const by = (own: boolean) =>
        loaded.filter((m) => (Number(m[1]) === child.pid) === own).map((m) => m[2] as string);
      resolve({ code, modules: by(true), childModules: by(false) });
    });
  });
}

/** What only a simulation's run needs, not its checks (the scenario is read before it). */
const SIMULATOR = [
  '/src/engine/node.ts',
  '/src/sim/runner.ts',
  '/src/sim/report/',
  '/src/sim/swarm/run.ts',
  '/node_modules/vega',
];

const found = (parts: readonly string[], modules: string[]) =>
  parts.filter((part) => modules.some((url) => url.includes(part)));
const heavyIn = (modules: string[]) => found(HEAVY, modules);
/** Whether the process resolved the module at `path` (from the project's root). */
const resolved = (modules: string[], path: string) => modules.some((url) => url.endsWith(path));

describe('the CLI loads what a command needs', () => {
  it.each(['--version', '--help', 'send --help', 'node --help', 'sim --help'])(
    'p2pmsg %s loads no daemon or simulator module',
    async (line) => {
      const { code, modules } = await loadedBy(line.split(' '));
      expect(code).toBe(0);
      expect(resolved(modules, '/src/cli/app.ts')).toBe(true);
      expect(heavyIn(modules)).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'a client command talking to no daemon loads none either',
    async () => {
      const { code, modules } = await loadedBy(['--data-dir', '/nonexistent/p2pmsg', 'status']);
      expect(code).toBe(1); // no daemon there
      expect(resolved(modules, '/src/cli/commands/status.ts')).toBe(true);
      expect(heavyIn(modules)).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'a scenario mistake is reported by the first process, which loads no simulator',
    async () => {
      const { code, modules, childModules } = await loadedBy(['sim', 'no-such-scenario.yaml']);
      expect(code).toBe(2); // the file is missing: one error line
      expect(resolved(modules, '/src/sim/scenario.ts')).toBe(true);
      expect(found(SIMULATOR, modules)).toEqual([]);
      expect(childModules).toEqual([]); // no second process
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'p2pmsg sim runs itself again: only the second process loads the simulator',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'p2pmsg-lazy-'));
      try {
        const { code, modules, childModules } = await loadedBy([
          'sim',
          'sim/scenarios/smoke.yaml',
          '--quiet',
          '--out',
          out,
        ]);
        expect(code).toBe(0);
        expect(resolved(modules, '/src/sim/scenario.ts')).toBe(true); // checked
        expect(found(SIMULATOR, modules)).toEqual([]);
        expect(found(SIMULATOR, childModules)).toEqual(
          expect.arrayContaining(['/src/engine/node.ts', '/src/sim/runner.ts', '/src/sim/report/']),
        );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    CHILD_TIMEOUT_MS,
  );
});
