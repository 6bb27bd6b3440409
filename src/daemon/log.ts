/**
 * The daemon's log: one line per entry, readable on a terminal, NDJSON for machines
 * (`--log-format json`: one `{"time","level","msg",...fields}` object per line, written with
 * JSON.stringify — TOOLCHAIN.md's "no dependency" NDJSON).
 *
 * Rule 1: logging never throws into the caller: a field that cannot be serialised is
 *         written as its String(), and a write error is ignored (a closed stdout must not
 *         take the daemon down). A failed write to a file (a `--detach`ed daemon's log on a
 *         full or read-only disk) does not throw but emits 'error' on process.stderr, which
 *         would end the process: the default writer listens for it and drops the line.
 * Rule 2: no secrets and no message bodies are ever logged; fields are ids, addresses,
 *         counts and reasons.
 */
import type { LogFormat, LogLevel } from './config.js';

export interface LogEntry {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export interface Logger {
  log(entry: LogEntry): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Longest text value shown on a terminal line before it is cut. */
const TEXT_FIELD_MAX_CHARS = 200;

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  /** Where lines go; default process.stderr. */
  write?: (line: string) => void;
  now?: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  if (options.write === undefined) ignoreStderrErrors();
  const write =
    options.write ??
    ((line: string) => {
      try {
        process.stderr.write(line);
      } catch {
        // Rule 1.
      }
    });
  const now = options.now ?? Date.now;
  const threshold = RANK[options.level];
  const format = options.format === 'json' ? formatJson : formatText;
  const log = (entry: LogEntry): void => {
    if (RANK[entry.level] < threshold) return;
    try {
      write(format(now(), entry));
    } catch {
      // Rule 1.
    }
  };
  const at =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void =>
      log({ ...fields, level, msg });
  return { log, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let stderrGuarded = false;

/** Rule 1: an 'error' on stderr (ENOSPC, EROFS, EPIPE) loses the line, not the process. */
function ignoreStderrErrors(): void {
  if (stderrGuarded) return;
  stderrGuarded = true;
  process.stderr.on('error', () => {});
}

function formatJson(time: number, entry: LogEntry): string {
  const { level, msg, ...fields } = entry;
  const record: Record<string, unknown> = { time: new Date(time).toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) record[key] = jsonSafe(value);
  return `${JSON.stringify(record)}\n`;
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return String(value);
  }
}

/** `12:34:56.789 INFO  msg key=value key="two words"` */
function formatText(time: number, entry: LogEntry): string {
  const { level, msg, ...fields } = entry;
  const clock = new Date(time).toISOString().slice(11, 23);
  const parts = [`${clock} ${level.toUpperCase().padEnd(5)} ${msg}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${textValue(jsonSafe(value))}`);
  }
  return `${parts.join(' ')}\n`;
}

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const cut = text.length > TEXT_FIELD_MAX_CHARS ? `${text.slice(0, TEXT_FIELD_MAX_CHARS)}…` : text;
  return /^[\w.:/@[\]-]+$/.test(cut) ? cut : JSON.stringify(cut);
}
