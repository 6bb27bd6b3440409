/**
 * What `p2pmsg node` does once its flags are parsed (node.ts registers the command): settings
 * resolved, then the daemon in the foreground or started detached. Loaded only when the
 * command runs.
 */
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
import { SHUTDOWN_MAX_MS } from '../../daemon/limits.js';
import { createLogger } from '../../daemon/log.js';
import { DETACHED_ENV } from '../../daemon/spawn.js';
import { StoreError } from '../../store/index.js';
import type { CliIo } from '../context.js';
import { stringOption } from '../options.js';
import { CommandError, EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { packageVersion } from '../version.js';
import type { NodeOptions } from './node.js';

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

export async function runNode(io: CliIo, options: NodeOptions): Promise<number> {
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
