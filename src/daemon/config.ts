/**
 * The daemon's settings: defaults, then `config.json` in the data directory, then flags.
 *
 * Rule 1: the config file has exactly the flags' settings, under their camelCase names
 *         (`--client-listen` is `clientListen`, `--no-relay` is `"relay": false`). An
 *         unknown key is an error naming the key (with a did-you-mean), never ignored: a
 *         typo must not silently run a node with the wrong settings.
 * Rule 2: every value is checked the same way whichever source it came from, and an error
 *         names its source (`config.json: hops: …` or `--hops: …`).
 * Rule 3: a flag given wins over the file; the file wins over the default. `bootstrap`
 *         from flags replaces the file's list (it does not add to it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loopbackHost, parseHostPort } from '../client/listen.js';
import { parseShardSpec, type ShardSpec } from '../engine/routing/shard-spec.js';
import { didYouMean } from '../sim/did-you-mean.js';
import { parseAddress } from '../transports/tcp/address.js';
import {
  CONFIG_FILE_NAME,
  CONFIG_MAX_BYTES,
  HOPS_DEFAULT,
  HOPS_MAX,
  LISTEN_DEFAULT,
  MESSAGE_TTL_MS,
} from './limits.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bootstrap addresses per node: a handful is plenty; the overlay learns the rest. */
export const BOOTSTRAP_MAX = 16;

export interface DaemonSettings {
  /** host:port the node listens on for links. */
  listen: string;
  /** host:port peers dial (the descriptor's address); default: `listen`. */
  advertise: string;
  bootstrap: string[];
  relay: boolean;
  /** Loopback host:port for the client protocol over TCP, besides the Unix socket. */
  clientListen: string | null;
  hops: number;
  /**
   * Messages sent without a shard setting of their own are split into n shards, any k of
   * which rebuild them (`--shards n/k`); null: one packet (`none`, the default).
   */
  shards: ShardSpec | null;
  /** How long a message is retried (MESSAGE_TTL_MS; not a flag). */
  messageTtlMs: number;
  logFormat: LogFormat;
  logLevel: LogLevel;
}

/** The settings as flags or the file give them: any subset, values still unchecked. */
export type SettingsInput = Partial<Record<keyof FileSettings, unknown>>;

/** Keys of config.json (Rule 1). `advertise` is absent when it is the listen address. */
interface FileSettings {
  listen: string;
  advertise: string;
  bootstrap: string[];
  relay: boolean;
  clientListen: string;
  hops: number;
  shards: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
}

export const CONFIG_KEYS: readonly (keyof FileSettings)[] = [
  'listen',
  'advertise',
  'bootstrap',
  'relay',
  'clientListen',
  'hops',
  'shards',
  'logFormat',
  'logLevel',
];

/** A setting that cannot work; `message` names the source and the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function configPath(dataDir: string): string {
  return path.join(dataDir, CONFIG_FILE_NAME);
}

/** Reads `config.json` if present; {} if absent. Throws ConfigError for a bad file. */
export function readConfigFile(file: string): SettingsInput {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > CONFIG_MAX_BYTES) {
      throw new ConfigError(`${file}: over ${CONFIG_MAX_BYTES} bytes; is it a config file?`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: must be a JSON object of settings`);
  }
  const input: SettingsInput = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const guess = didYouMean(key, CONFIG_KEYS);
      throw new ConfigError(
        `${path.basename(file)}: unknown key ${JSON.stringify(key)}` +
          (guess === undefined ? '' : ` (did you mean "${guess}"?)`) +
          `; known keys: ${CONFIG_KEYS.join(', ')}`,
      );
    }
    input[key as keyof FileSettings] = v;
  }
  return input;
}

/**
 * Merges defaults, the file and the flags (Rule 3) and checks every value (Rule 2).
 * `fileName` and `flagName` label errors.
 */
export function resolveSettings(
  file: SettingsInput,
  flags: SettingsInput,
  fileName = CONFIG_FILE_NAME,
): DaemonSettings {
  const pick = (key: keyof FileSettings): { value: unknown; source: string } | undefined => {
    if (flags[key] !== undefined) return { value: flags[key], source: `--${kebab(key)}` };
    if (file[key] !== undefined) return { value: file[key], source: `${fileName}: ${key}` };
    return undefined;
  };
  const listenIn = pick('listen');
  const listen = listenIn === undefined ? LISTEN_DEFAULT : checkNodeAddress(listenIn, true);
  const advertiseIn = pick('advertise');
  const advertise =
    advertiseIn === undefined ? defaultAdvertise(listen) : checkNodeAddress(advertiseIn, false);
  const clientIn = pick('clientListen');
  return {
    listen,
    advertise,
    bootstrap: checkBootstrap(pick('bootstrap')),
    relay: checkBoolean(pick('relay')) ?? true,
    clientListen: clientIn === undefined ? null : checkClientListen(clientIn),
    hops: checkInteger(pick('hops'), 1, HOPS_MAX) ?? HOPS_DEFAULT,
    shards: checkShards(pick('shards')),
    messageTtlMs: MESSAGE_TTL_MS,
    logFormat: checkChoice(pick('logFormat'), LOG_FORMATS) ?? 'text',
    logLevel: checkChoice(pick('logLevel'), LOG_LEVELS) ?? 'info',
  };
}

type Picked = { value: unknown; source: string } | undefined;

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** host:port with a port of 1..65535 (listen may use port 0: any free port). */
function checkNodeAddress(picked: NonNullable<Picked>, isListen: boolean): string {
  const { value, source } = picked;
  if (Array.isArray(value)) throw new ConfigError(`${source}: given more than once`);
  const text = typeof value === 'string' ? value : '';
  const parsed = text === '' ? null : parseHostPort(text);
  const portOk = parsed !== null && (parsed.port >= 1 || (isListen && parsed.port === 0));
  if (parsed === null || !portOk || parsed.host === '') {
    throw new ConfigError(
      `${source}: expected host:port (e.g. 203.0.113.7:7000), found ${show(value)}`,
    );
  }
  return text;
}

/** A wildcard listen address is not an address peers can dial. */
function defaultAdvertise(listen: string): string {
  const host = (parseHostPort(listen) as { host: string }).host;
  if (host === '0.0.0.0' || host === '::') {
    throw new ConfigError(
      `--listen ${listen} listens on every interface, so peers need to be told which address ` +
        'to dial: add --advertise <public-ip>:<port>',
    );
  }
  return listen;
}

function checkBootstrap(picked: Picked): string[] {
  if (picked === undefined) return [];
  const { value, source } = picked;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > BOOTSTRAP_MAX) {
    throw new ConfigError(`${source}: at most ${BOOTSTRAP_MAX} bootstrap addresses`);
  }
  return list.map((item) => {
    if (typeof item !== 'string' || parseAddress(item) === null) {
      throw new ConfigError(`${source}: expected host:port, found ${show(item)}`);
    }
    return item;
  });
}

function checkClientListen(picked: NonNullable<Picked>): string {
  const { value, source } = picked;
  const parsed = typeof value === 'string' ? parseHostPort(value) : null;
  if (parsed === null) {
    throw new ConfigError(`${source}: expected 127.0.0.1:PORT, found ${show(value)}`);
  }
  if (loopbackHost(parsed.host) === null) {
    throw new ConfigError(
      `${source}: ${parsed.host} is not a loopback address; the client protocol has no ` +
        'authentication, so it is served only on 127.0.0.1 or ::1',
    );
  }
  return value as string;
}

function checkBoolean(picked: Picked): boolean | undefined {
  if (picked === undefined) return undefined;
  if (typeof picked.value !== 'boolean') {
    throw new ConfigError(`${picked.source}: expected true or false, found ${show(picked.value)}`);
  }
  return picked.value;
}

function checkInteger(picked: Picked, min: number, max: number): number | undefined {
  if (picked === undefined) return undefined;
  const { value, source } = picked;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${source}: expected an integer from ${min} to ${max}, found ${show(value)}`,
    );
  }
  return n;
}

/** "n/k" or "none" (engine/routing/shard-spec.ts); absent: none. */
function checkShards(picked: Picked): ShardSpec | null {
  if (picked === undefined) return null;
  const parsed = parseShardSpec(picked.value);
  if (!parsed.ok) throw new ConfigError(`${picked.source}: ${parsed.message}`);
  return parsed.spec;
}

function checkChoice<T extends string>(picked: Picked, choices: readonly T[]): T | undefined {
  if (picked === undefined) return undefined;
  const { value, source } = picked;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${source}: expected one of ${choices.join(', ')}, found ${show(value)}`);
  }
  return value as T;
}
