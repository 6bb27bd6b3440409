/**
 * `p2pmsg node`: runs the daemon (DESIGN.md §4, issue 5 item 3) in the foreground until
 * SIGTERM or SIGINT, or in the background with --detach.
 *
 * Settings come from the flags, then `config.json` in the data directory, then defaults
 * (src/daemon/config.ts). A bad setting is one `error:` line and exit 2; a daemon that
 * cannot start (data dir locked, port in use, store unreadable) is one line and exit 1.
 *
 * Signals: the first SIGTERM/SIGINT leaves gracefully (neighbours told, the outbox and
 * inbox already on disk, the store closed) and exits 0; a second one, or a graceful stop
 * that takes longer than SHUTDOWN_MAX_MS, exits 1 at once.
 */
import type { CAC } from 'cac';
import { ClientServerError } from '../../client/index.js';
import {
  configPath,
  ConfigError,
  readConfigFile,
  resolveSettings,
  type DaemonSettings,
  type SettingsInput,
} from '../../daemon/config.js';
import { Daemon } from '../../daemon/daemon.js';
import { DataDirError, ensureDataDir, resolveDataDir } from '../../daemon/data-dir.js';
import { DetachError, startDetached } from '../../daemon/detach.js';
import { HOPS_DEFAULT, HOPS_MAX, LISTEN_DEFAULT, SHUTDOWN_MAX_MS } from '../../daemon/limits.js';
import { createLogger } from '../../daemon/log.js';
import { DETACHED_ENV } from '../../daemon/spawn.js';
import { StoreError } from '../../store/index.js';
import type { CliCommand, CliIo } from '../context.js';
import { stringOption } from '../options.js';
import { CommandError, EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { packageVersion } from '../version.js';

interface NodeOptions {
  dataDir?: unknown;
  listen?: unknown;
  advertise?: unknown;
  bootstrap?: unknown;
  relay?: unknown;
  clientListen?: unknown;
  hops?: unknown;
  shards?: unknown;
  logFormat?: unknown;
  logLevel?: unknown;
  detach?: unknown;
}

export const nodeCommand: CliCommand = {
  name: 'node',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('node', 'Run the node daemon (foreground; --detach for background)')
      .option('--listen <host:port>', `Address to accept links on (default ${LISTEN_DEFAULT})`)
      .option('--advertise <host:port>', 'Address peers should dial (default: --listen)')
      .option('--bootstrap <host:port>', 'A node to join through (repeatable)')
      .option('--no-relay', 'Do not relay messages for others')
      .option('--client-listen <127.0.0.1:port>', 'Also serve clients on loopback TCP')
      .option('--hops <n>', `Relays per message path, 1..${HOPS_MAX} (default ${HOPS_DEFAULT})`)
      .option(
        '--shards <n/k>',
        'Split messages into n shards on node-disjoint paths, any k rebuild one (default none)',
      )
      .option('--log-format <text|json>', 'Log lines for people (text) or machines (json)')
      .option('--log-level <level>', 'debug, info, warn or error (default info)')
      .option('--detach', 'Run in the background; logs go to <data-dir>/daemon.log')
      .example('  $ p2pmsg node --listen 127.0.0.2:7000')
      .example('  $ p2pmsg --data-dir /tmp/bob node --listen 127.0.0.3:7000 \\')
      .example('        --bootstrap 127.0.0.2:7000 --detach')
      .example('  $ p2pmsg node --listen 0.0.0.0:7000 --advertise 203.0.113.7:7000')
      .action((options: NodeOptions) => runNode(io, options));
  },
  helpSections: [
    {
      title: 'Data directory',
      body:
        '  ~/.p2pmsg or --data-dir: store.sqlite (identity, messages), client.sock,\n' +
        '  config.json (optional: the same settings as the flags, camelCase keys, e.g.\n' +
        '  {"listen":"127.0.0.2:7000","bootstrap":["127.0.0.3:7000"],"relay":false}),\n' +
        '  daemon.lock, daemon.pid and daemon.log (with --detach). Flags win over the file.',
    },
    {
      title: 'Signals',
      body:
        '  SIGTERM or SIGINT (Ctrl-C): leave the network gracefully and exit 0.\n' +
        '  A second signal exits at once with code 1.',
    },
    {
      title: 'Exit codes',
      body:
        '  0 stopped by a signal; 1 could not start or failed while running;\n' +
        '  2 bad flag or config.json',
    },
  ],
};

/** The settings the flags give (undefined where a flag was not given). */
function flagSettings(options: NodeOptions): SettingsInput {
  const list = (value: unknown): unknown =>
    value === undefined ? undefined : Array.isArray(value) ? value.map(String) : [String(value)];
  const text = (value: unknown, flag: string): unknown =>
    value === undefined || value === true ? value : stringOption(value, flag);
  return {
    listen: text(options.listen, '--listen'),
    advertise: text(options.advertise, '--advertise'),
    bootstrap: list(options.bootstrap),
    // cac defaults a --no-* flag to true: only false means the flag was given.
    relay: options.relay === false ? false : undefined,
    clientListen: text(options.clientListen, '--client-listen'),
    hops: options.hops,
    shards: text(options.shards, '--shards'),
    logFormat: text(options.logFormat, '--log-format'),
    logLevel: text(options.logLevel, '--log-level'),
  };
}

/** The child's command line for --detach: the flags that were given, and the data dir. */
function childArgs(dataDir: string, flags: SettingsInput): string[] {
  const args = ['--data-dir', dataDir, 'node'];
  const add = (flag: string, value: unknown) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--listen', flags.listen);
  add('--advertise', flags.advertise);
  for (const b of (flags.bootstrap as string[] | undefined) ?? []) add('--bootstrap', b);
  if (flags.relay === false) args.push('--no-relay');
  add('--client-listen', flags.clientListen);
  add('--hops', flags.hops);
  add('--shards', flags.shards);
  add('--log-format', flags.logFormat);
  add('--log-level', flags.logLevel);
  return args;
}

async function runNode(io: CliIo, options: NodeOptions): Promise<number> {
  const dataDir = resolveDataDir(stringOption(options.dataDir, '--data-dir'));
  const flags = flagSettings(options);
  let settings: DaemonSettings;
  try {
    ensureDataDir(dataDir);
    settings = resolveSettings(readConfigFile(configPath(dataDir)), flags);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    if (err instanceof DataDirError) throw new CommandError(err.message);
    throw err;
  }
  if (options.detach === true && io.env[DETACHED_ENV] !== '1') {
    try {
      const { pid, logFile } = await startDetached(dataDir, childArgs(dataDir, flags));
      io.out(`daemon started in the background: pid ${pid}, logs in ${logFile}`);
      io.out(`stop it with: kill ${pid}`);
      return EXIT_OK;
    } catch (err) {
      if (err instanceof DetachError) throw new CommandError(err.message);
      throw err;
    }
  }
  return runForeground(io, dataDir, settings);
}

async function runForeground(io: CliIo, dataDir: string, settings: DaemonSettings) {
  const log = createLogger({ format: settings.logFormat, level: settings.logLevel });
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ dataDir, settings, log, version: packageVersion() });
  } catch (err) {
    throw startError(err, settings);
  }
  let signalled = false;
  const unsubscribe = io.onSignal?.((signal) => {
    if (signalled) {
      log.error(`${signal} again: exiting without finishing the graceful stop`);
      process.exit(EXIT_FAILED); // The operator insists; everything accepted is on disk.
    }
    signalled = true;
    log.info(`${signal}: leaving the network`);
    setTimeout(() => {
      log.error(`graceful stop took over ${SHUTDOWN_MAX_MS} ms; exiting`);
      process.exit(EXIT_FAILED);
    }, SHUTDOWN_MAX_MS).unref();
    void daemon.stop(signal);
  });
  const code = await daemon.done;
  unsubscribe?.();
  return code;
}

/** One clear line for each way a start can fail; anything else is a bug (rethrown). */
function startError(err: unknown, settings: DaemonSettings): unknown {
  if (
    err instanceof DataDirError ||
    err instanceof StoreError ||
    err instanceof ClientServerError
  ) {
    return new CommandError(err.message);
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new CommandError(`cannot listen on ${settings.listen}: the address is in use`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
    return new CommandError(`cannot listen on ${settings.listen}: ${(err as Error).message}`);
  }
  return err;
}
