/**
 * What the client commands share: finding the daemon (`--socket`, else the socket in
 * `--data-dir`, else in ~/.p2pmsg), one request with its failure turned into one clear line,
 * and the few formatting helpers the human output uses.
 *
 * Rule: a daemon that is not there, refuses, or answers `{"ok":false}` is a CommandError
 * (exit 1, `error: <what happened>`); a bad argument is a UsageError (exit 2).
 */
import {
  ClientError,
  defaultSocketPath,
  parseTarget,
  sendRequest,
  type ClientRequest,
  type ClientTarget,
  type JsonOp,
  type JsonRequest,
  type JsonSuccess,
  type ResponseFor,
} from '../client/index.js';
import { resolveDataDir } from '../daemon/data-dir.js';
import { CommandError, UsageError } from './errors.js';
import { stringOption } from './options.js';

/** The options every client command accepts (global --data-dir and --socket, --json). */
export interface ClientOptions {
  dataDir?: unknown;
  socket?: unknown;
  json?: unknown;
}

export function dataDirOf(options: ClientOptions): string {
  return resolveDataDir(stringOption(options.dataDir, '--data-dir'));
}

/** Where the daemon listens: `--socket` (a path or a loopback host:port), else the data dir's. */
export function targetOf(options: ClientOptions): ClientTarget {
  const socket = stringOption(options.socket, '--socket');
  return socket !== undefined
    ? parseTarget(socket)
    : { path: defaultSocketPath(dataDirOf(options)) };
}

/** Sends one request; a ClientError becomes a CommandError with its message. */
export async function request<R extends ClientRequest>(
  target: ClientTarget,
  req: R,
): Promise<ResponseFor<R>> {
  try {
    return await sendRequest(target, req);
  } catch (err) {
    if (err instanceof ClientError) {
      if (err.code === 'bad-request') throw new UsageError(err.message);
      throw new CommandError(err.message);
    }
    throw err;
  }
}

/** One NDJSON op; `{"ok":false}` becomes a CommandError naming the daemon's reason. */
export async function ask<Op extends JsonOp>(
  target: ClientTarget,
  op: Extract<JsonRequest, { op: Op }>,
): Promise<JsonSuccess<Op>> {
  const response = (await request(target, { kind: 'json', request: op })) as unknown as
    JsonSuccess<Op> | { ok: false; error: { code: string; message: string } };
  if (!response.ok) throw new CommandError(`${response.error.message} (${response.error.code})`);
  return response;
}

/** `2025-01-31 17:04:05` in local time. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  );
}

/** `17:04:05.123` in local time. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** `3h 2m`, `4m 10s`, `950 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Lines of a table with columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A message body for a terminal: continuation lines indented under the first. */
export function indentBody(body: string, indent: string): string {
  return body.split('\n').join(`\n${indent}`);
}

/** Help text shared by the client commands. */
export const CLIENT_OPTIONS_HELP = {
  title: 'Finding the daemon',
  body:
    '  The command talks to the daemon on the Unix socket in its data directory\n' +
    '  (~/.p2pmsg/client.sock, or <dir>/client.sock with --data-dir <dir>), or on\n' +
    '  --socket <path|127.0.0.1:PORT> (a daemon started with --client-listen).',
};

export const CLIENT_EXIT_HELP = {
  title: 'Exit codes',
  body: '  0 ok; 1 failed (the daemon refused, or is not running); 2 bad usage',
};
