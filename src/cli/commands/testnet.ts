/**
 * `p2pmsg testnet --nodes N`: a real network on one machine — N daemons on 127.0.0.2,
 * 127.0.0.3, … (one port, one loopback address each; Linux routes all of 127/8 to lo), each
 * with its own data directory under one temporary directory, the first the others'
 * bootstrap. Prints how to talk to each node, then waits; Ctrl-C (or SIGTERM) stops them all.
 *
 * Theory of operation. Each daemon is this same CLI (`selfCommand`) running `node`, in its
 * own process group (so the terminal's Ctrl-C reaches only us, and each daemon gets exactly
 * one SIGTERM: a second signal would make it skip its graceful leave), with its output in
 * `<dir>/nodeK/daemon.log`. A daemon is up when its pid file names it. The first is started
 * alone; the others then start together. On stop: SIGTERM to all, SHUTDOWN_MAX_MS for them
 * to leave, SIGKILL for any left; the temporary directory is removed unless --dir or --keep.
 */
import type { CAC } from 'cac';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSocketPath, sendRequest } from '../../client/index.js';
import { pidFilePath, readPidFile } from '../../daemon/data-dir.js';
import {
  DETACH_READY_MAX_MS,
  LOG_FILE_NAME,
  POLL_INTERVAL_MS,
  SHUTDOWN_MAX_MS,
  TESTNET_NODES_DEFAULT,
  TESTNET_NODES_MAX,
  TESTNET_PORT_DEFAULT,
} from '../../daemon/limits.js';
import { selfCommand } from '../../daemon/spawn.js';
import type { CliCommand, CliIo } from '../context.js';
import { table } from '../daemon-client.js';
import { intOption, stringOption } from '../options.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

interface TestnetOptions {
  nodes?: unknown;
  port?: unknown;
  dir?: unknown;
  keep?: unknown;
  logFormat?: unknown;
  json?: unknown;
}

interface Member {
  name: string;
  address: string;
  dataDir: string;
  child: ChildProcess;
  exited: boolean;
  id?: string;
}

export const testnetCommand: CliCommand = {
  name: 'testnet',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('testnet', 'Run N real daemons on 127.0.0.2, 127.0.0.3, … until Ctrl-C')
      .option(
        '--nodes <n>',
        `Daemons to start, 1..${TESTNET_NODES_MAX} (default ${TESTNET_NODES_DEFAULT})`,
      )
      .option('--port <port>', `Port every daemon listens on (default ${TESTNET_PORT_DEFAULT})`)
      .option('--dir <dir>', 'Put the data directories here (kept) instead of a temporary one')
      .option('--keep', 'Keep the temporary data directories after stopping')
      .option('--log-format <text|json>', "The daemons' log format (default text)")
      .option('--json', 'Print the nodes as one JSON line instead of the instructions')
      .example('  $ p2pmsg testnet --nodes 5')
      .example('  $ p2pmsg testnet --nodes 3 --port 7100 --dir /tmp/net')
      .action((options: TestnetOptions) => runTestnet(io, options));
  },
  helpSections: [
    {
      title: 'Stopping',
      body:
        '  Ctrl-C (SIGINT) or SIGTERM stops every daemon gracefully (SIGKILL after\n' +
        `  ${SHUTDOWN_MAX_MS / 1000} s) and removes the temporary directory unless --keep or --dir.`,
    },
  ],
};

async function runTestnet(io: CliIo, options: TestnetOptions): Promise<number> {
  const count = intOption(options.nodes, '--nodes', 1, TESTNET_NODES_MAX, TESTNET_NODES_DEFAULT);
  const port = intOption(options.port, '--port', 1, 65535, TESTNET_PORT_DEFAULT);
  const logFormat = stringOption(options.logFormat, '--log-format') ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') {
    throw new UsageError(`--log-format: expected text or json, found ${logFormat}`);
  }
  const given = stringOption(options.dir, '--dir');
  const dir =
    given === undefined
      ? fs.mkdtempSync(path.join(os.tmpdir(), 'p2pmsg-net-'))
      : path.resolve(given);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keep = given !== undefined || options.keep === true;
  const members: Member[] = [];
  const stop = () => stopAll(members);
  const onExit = () => {
    for (const m of members) if (!m.exited) m.child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  try {
    const first = `127.0.0.2:${port}`;
    for (let i = 1; i <= count; i++) {
      const address = `127.0.0.${i + 1}:${port}`;
      const bootstrap = i === 1 ? [] : ['--bootstrap', first];
      members.push(launch(`node${i}`, address, path.join(dir, `node${i}`), bootstrap, logFormat));
      if (i === 1) await ready(members[0] as Member);
    }
    await Promise.all(members.slice(1).map(ready));
    for (const m of members) {
      const response = await sendRequest(
        { path: defaultSocketPath(m.dataDir) },
        { kind: 'json', request: { op: 'status' } },
      );
      if (response.ok) m.id = String(response.status['id']);
    }
    printInstructions(io, dir, members, options.json === true, keep);
    await untilSignalOrAllGone(io, members);
    return EXIT_OK;
  } finally {
    await stop();
    process.off('exit', onExit);
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function launch(
  name: string,
  address: string,
  dataDir: string,
  bootstrap: string[],
  logFormat: string,
): Member {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fd = fs.openSync(path.join(dataDir, LOG_FILE_NAME), 'a', 0o600);
  const self = selfCommand();
  const args = [
    '--data-dir',
    dataDir,
    'node',
    '--listen',
    address,
    ...bootstrap,
    '--log-format',
    logFormat,
  ];
  let child: ChildProcess;
  try {
    child = spawn(self.command, [...self.args, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  const member: Member = { name, address, dataDir, child, exited: false };
  child.once('exit', () => (member.exited = true));
  return member;
}

async function ready(m: Member): Promise<void> {
  const deadline = Date.now() + DETACH_READY_MAX_MS;
  while (readPidFile(pidFilePath(m.dataDir)) !== m.child.pid) {
    if (m.exited) {
      throw new CommandError(
        `${m.name} (${m.address}) exited while starting; see ${path.join(m.dataDir, LOG_FILE_NAME)}`,
      );
    }
    if (Date.now() > deadline)
      throw new CommandError(`${m.name} did not start within ${DETACH_READY_MAX_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

function printInstructions(
  io: CliIo,
  dir: string,
  members: Member[],
  json: boolean,
  keep: boolean,
) {
  if (json) {
    io.out(
      JSON.stringify({
        dir,
        nodes: members.map((m) => ({
          name: m.name,
          address: m.address,
          id: m.id ?? null,
          dataDir: m.dataDir,
          pid: m.child.pid,
        })),
      }),
    );
    return;
  }
  io.out(`testnet: ${members.length} daemons, data in ${dir}${keep ? '' : ' (removed on exit)'}`);
  io.out('');
  for (const line of table([
    ['NODE', 'ADDRESS', 'ID', 'TALK TO IT WITH'],
    ...members.map((m) => [
      m.name,
      m.address,
      m.id ?? '?',
      `p2pmsg --data-dir ${m.dataDir} <command>`,
    ]),
  ])) {
    io.out(`  ${line}`);
  }
  const [a, b] = members;
  io.out('');
  if (a !== undefined && b !== undefined) {
    io.out('try:');
    io.out(`  p2pmsg --data-dir ${a.dataDir} send ${b.id ?? b.address} "hello from ${a.name}"`);
    io.out(`  p2pmsg --data-dir ${b.dataDir} pull`);
    io.out(`  p2pmsg --data-dir ${b.dataDir} chat ${a.address}`);
    io.out(`  p2pmsg --data-dir ${a.dataDir} peers`);
  }
  io.out(`logs: ${path.join(dir, 'node*', LOG_FILE_NAME)}`);
  io.out('Ctrl-C stops every daemon.');
}

/** Resolves on SIGINT/SIGTERM, or once every daemon has exited by itself. */
function untilSignalOrAllGone(io: CliIo, members: Member[]): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe: (() => void) | undefined;
    const finish = () => {
      unsubscribe?.();
      resolve();
    };
    unsubscribe = io.onSignal?.((signal) => {
      io.err(`${signal}: stopping ${members.length} daemons`);
      finish();
    });
    for (const m of members) {
      m.child.once('exit', (code, signal) => {
        io.err(
          `${m.name} exited (${signal ?? `code ${code}`}); see ${path.join(m.dataDir, LOG_FILE_NAME)}`,
        );
        if (members.every((x) => x.exited)) finish();
      });
    }
  });
}

async function stopAll(members: Member[]): Promise<void> {
  for (const m of members) if (!m.exited) m.child.kill('SIGTERM');
  const deadline = Date.now() + SHUTDOWN_MAX_MS;
  while (members.some((m) => !m.exited) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  for (const m of members) if (!m.exited) m.child.kill('SIGKILL');
}
