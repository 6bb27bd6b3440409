/**
 * Real daemons for integration tests: each is `p2pmsg node` in its own process (Node with
 * tsx's loader, no npx in between), on its own loopback address, with its own data
 * directory under one temporary directory.
 *
 * Rules: every wait is bounded and says what it waited for; every process a test starts is
 * in `Testbed.procs` and `cleanup()` SIGKILLs whatever is left (call it in afterEach or
 * afterAll); each test file uses its own 127.0.N.x block and a random port, so files run in
 * parallel and a stray daemon from an aborted run cannot collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  defaultSocketPath,
  sendRequest,
  type ClientRequest,
  type ClientTarget,
  type JsonOp,
  type JsonRequest,
  type JsonSuccess,
  type ResponseFor,
} from '../../src/client/index.js';
import { readPidFile } from '../../src/daemon/data-dir.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI_ENTRY = path.join(ROOT, 'src/cli/main.ts');
/** node --import tsx src/cli/main.ts … */
export const CLI_ARGS = ['--import', 'tsx', CLI_ENTRY];

/** A daemon is up once its pid file names it; starting includes compiling through tsx. */
export const START_MAX_MS = 30_000;
/** A CLI command (one request) runs in well under this. */
export const COMMAND_MAX_MS = 30_000;
/** SIGTERM to exit, graceful leave included. */
export const STOP_MAX_MS = 15_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value that is not false/undefined; bounded. */
export async function waitFor<T>(
  check: () => Promise<T | false | undefined> | T | false | undefined,
  what: string,
  maxMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + maxMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError === null ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${maxMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

/** A random port in [20000, 60000) for one test file's daemons. */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `p2pmsg <args>` to completion (bounded), optionally feeding stdin. */
export function runCli(
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? COMMAND_MAX_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
      cwd: ROOT,
      env: { ...process.env, P2PMSG_DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`p2pmsg ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

export class DaemonProc {
  child: ChildProcess | null = null;
  exitCode: number | null = null;
  exited = true;
  id = '';
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly address: string,
    readonly dataDir: string,
    readonly extraArgs: readonly string[],
  ) {}

  get socket(): ClientTarget {
    return { path: defaultSocketPath(this.dataDir) };
  }

  get logFile(): string {
    return path.join(this.dataDir, 'test-daemon.log');
  }

  /**
   * Spawns `p2pmsg node` and waits until it is up (its pid file names it); `maxMs` longer
   * than START_MAX_MS for campaigns that restart daemons on a loaded machine.
   */
  async start(maxMs = START_MAX_MS): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(this.logFile, 'a');
    const args = [
      ...CLI_ARGS,
      '--data-dir',
      this.dataDir,
      'node',
      '--listen',
      this.address,
      '--log-format',
      'json',
      ...this.extraArgs,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    this.child = child;
    this.exited = false;
    this.exitCode = null;
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.exitCode = code ?? (signal === null ? null : -1);
      for (const w of this.exitWaiters.splice(0)) w();
    });
    await waitFor(
      () => {
        if (this.exited) throw new Error(`${this.name} exited while starting: ${this.tail()}`);
        return readPidFile(path.join(this.dataDir, 'daemon.pid')) === child.pid;
      },
      `${this.name} (${this.address}) to start`,
      maxMs,
      50,
    );
    const status = await this.ask({ op: 'status' });
    this.id = String(status.status['id']);
  }

  /** SIGKILL: no goodbye, no flush (what a crash or `kill -9` does). */
  async kill(): Promise<void> {
    if (this.exited || this.child === null) return;
    this.child.kill('SIGKILL');
    await this.waitExit(STOP_MAX_MS);
  }

  /** SIGTERM and wait for the graceful exit; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.exited && this.child !== null) {
      this.child.kill('SIGTERM');
      await this.waitExit(STOP_MAX_MS);
    }
    return this.exitCode;
  }

  waitExit(maxMs: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${maxMs} ms`)),
        maxMs,
      );
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  request<R extends ClientRequest>(request: R): Promise<ResponseFor<R>> {
    return sendRequest(this.socket, request, { timeoutMs: COMMAND_MAX_MS });
  }

  /** One NDJSON op that must succeed. */
  async ask<Op extends JsonOp>(op: Extract<JsonRequest, { op: Op }>): Promise<JsonSuccess<Op>> {
    const response = (await this.request({ kind: 'json', request: op })) as unknown as
      JsonSuccess<Op> | { ok: false; error: { code: string; message: string } };
    if (!response.ok) {
      throw new Error(
        `${this.name}: ${op.op} failed: ${response.error.code}: ${response.error.message}`,
      );
    }
    return response;
  }

  /** The last lines of the daemon's log, for failure messages. */
  tail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** A set of daemons on 127.0.<block>.2, .3, … sharing one port and one temp directory. */
export class Testbed {
  readonly dir: string;
  readonly port = randomPort();
  readonly procs: DaemonProc[] = [];

  constructor(readonly block: number) {
    // Short: the client socket path must fit in 107 bytes.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `p2i${block}-`));
  }

  addressOf(index: number): string {
    return `127.0.${this.block}.${index + 2}:${this.port}`;
  }

  /** Creates daemon `index` (not started); all but the first bootstrap from the first. */
  add(extraArgs: readonly string[] = []): DaemonProc {
    const index = this.procs.length;
    const bootstrap = index === 0 ? [] : ['--bootstrap', this.addressOf(0)];
    const proc = new DaemonProc(
      `node${index + 1}`,
      this.addressOf(index),
      path.join(this.dir, `n${index + 1}`),
      [...bootstrap, ...extraArgs],
    );
    this.procs.push(proc);
    return proc;
  }

  /**
   * A stopped daemon brought back on the same address and data directory with other
   * options (say another bootstrap); it replaces the old process in `procs`.
   */
  async restartWith(
    proc: DaemonProc,
    extraArgs: readonly string[],
    maxMs = START_MAX_MS,
  ): Promise<DaemonProc> {
    if (!proc.exited) throw new Error(`${proc.name} is still running`);
    const again = new DaemonProc(proc.name, proc.address, proc.dataDir, extraArgs);
    this.procs[this.procs.indexOf(proc)] = again;
    await again.start(maxMs);
    return again;
  }

  /** Starts `count` daemons: the first alone, then the rest together. */
  async startNetwork(count: number, extraArgs: readonly string[] = []): Promise<DaemonProc[]> {
    for (let i = 0; i < count; i++) this.add(extraArgs);
    await (this.procs[0] as DaemonProc).start();
    await Promise.all(this.procs.slice(1).map((p) => p.start()));
    return this.procs;
  }

  /**
   * Waits until every running daemon has `minNeighbours` neighbours and knows every other in its
   * directory. A test that asserts a neighbour count asks for it here: right after a join the
   * overlay is still growing.
   */
  async settle(maxMs = 90_000, minNeighbours = 1): Promise<void> {
    const live = this.procs.filter((p) => !p.exited);
    let state = '';
    try {
      await waitFor(
        async () => {
          const rows: string[] = [];
          let ok = true;
          for (const p of live) {
            const { status } = await p.ask({ op: 'status' });
            rows.push(
              `${p.name}: ${status['neighbours']} neighbours, ${status['directory']} known`,
            );
            if (
              Number(status['neighbours']) < minNeighbours ||
              Number(status['directory']) < live.length
            ) {
              ok = false;
            }
          }
          state = rows.join('; ');
          return ok;
        },
        `${live.length} daemons to join and learn each other`,
        maxMs,
        200,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${state}`);
    }
  }

  /** SIGKILLs every daemon still running and removes the directory. */
  async cleanup(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill().catch(() => {})));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every daemon's log tail, for a failing test's message. */
  logs(): string {
    return this.procs.map((p) => `--- ${p.name} ${p.address}\n${p.tail()}`).join('\n');
  }
}
