/**
 * The CLI's side of the client protocol: connect to the daemon's socket, send one request,
 * read the whole response (the daemon closes after it), decode it.
 *
 * Rule 1: every failure is a ClientError with a code the CLI turns into one clear line:
 *         'daemon-not-running' (ENOENT / ECONNREFUSED, naming the socket and how to start a
 *         daemon), 'timeout', 'protocol' (the bytes are not a valid response), 'refused'
 *         (the daemon turned the connection away, e.g. too many clients), 'bad-request'
 *         (we were asked to send something no daemon accepts), 'io' (anything else).
 * Rule 2: a response is bounded (RESPONSE_MAX_BYTES) and the whole exchange has a timeout.
 * Rule 3: a JSON error object is a valid response, returned, not thrown: the caller knows
 *         what `{"ok":false}` means for its command.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { parseHostPort } from './listen.js';
import { CLIENT_TIMEOUT_MS, RESPONSE_MAX_BYTES, SOCKET_FILE_NAME } from './limits.js';
import {
  type ClientRequest,
  decodeJsonLine,
  decodePullResponse,
  decodePushResponse,
  encodeRequest,
  FAIL,
  type JsonOp,
  type JsonResponse,
  type MessageInfo,
  ProtocolEncodeError,
  type PullItem,
} from './protocol.js';

export type ClientErrorCode =
  'daemon-not-running' | 'timeout' | 'protocol' | 'refused' | 'bad-request' | 'io';

export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A Unix socket path, or a loopback TCP address. */
export type ClientTarget = { path: string } | { host: string; port: number };

/** The daemon's socket inside a data directory. */
export function defaultSocketPath(dataDir: string): string {
  return path.join(dataDir, SOCKET_FILE_NAME);
}

/** `host:port` is TCP; anything else (in particular anything with a `/`) is a socket path. */
export function parseTarget(text: string): ClientTarget {
  if (!text.includes('/')) {
    const hp = parseHostPort(text);
    if (hp !== null) return hp;
  }
  return { path: text };
}

function describe(target: ClientTarget): string {
  return 'path' in target ? target.path : `${target.host}:${target.port}`;
}

export type ResponseFor<R extends ClientRequest> = R extends { kind: 'push' }
  ? { kind: 'push'; ok: boolean }
  : R extends { kind: 'pull' }
    ? { kind: 'pull'; messages: PullItem[] | null }
    : R extends { kind: 'json'; request: { op: infer Op extends JsonOp } }
      ? JsonResponse<Op>
      : never;

export interface SendOptions {
  timeoutMs?: number;
}

function connectError(err: NodeJS.ErrnoException, target: ClientTarget): ClientError {
  const where = describe(target);
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new ClientError(
      'daemon-not-running',
      `no p2pmsg daemon is listening on ${where} (start one with \`p2pmsg node\`, ` +
        'or pass the same --data-dir it uses)',
      { cause: err },
    );
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new ClientError('io', `permission denied on ${where}: is the daemon another user's?`, {
      cause: err,
    });
  }
  return new ClientError('io', `cannot talk to the daemon on ${where}: ${err.message}`, {
    cause: err,
  });
}

function connect(target: ClientTarget): net.Socket {
  return 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host);
}

/** Encodes a request, turning local misuse into a ClientError. */
function encode(request: ClientRequest): string {
  try {
    return encodeRequest(request);
  } catch (err) {
    if (err instanceof ProtocolEncodeError) throw new ClientError('bad-request', err.message);
    throw err;
  }
}

/** Sends one request and resolves with its decoded response (Rules 1–3). */
export async function sendRequest<R extends ClientRequest>(
  target: ClientTarget,
  request: R,
  options: SendOptions = {},
): Promise<ResponseFor<R>> {
  const text = encode(request);
  const body = await exchange(target, text, options.timeoutMs ?? CLIENT_TIMEOUT_MS);
  return decodeResponse(request, body) as ResponseFor<R>;
}

/** Writes `text`, reads until the daemon closes, returns what it sent. */
function exchange(target: ClientTarget, text: string, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(target);
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    const settle = (err: ClientError | null): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err !== null) reject(err);
      else {
        try {
          resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size)));
        } catch {
          reject(new ClientError('protocol', 'the daemon answered with invalid UTF-8'));
        }
      }
    };
    const timer = setTimeout(() => {
      settle(
        new ClientError(
          'timeout',
          `no answer from the daemon on ${describe(target)} within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(text);
    });
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > RESPONSE_MAX_BYTES) {
        settle(new ClientError('protocol', `response over ${RESPONSE_MAX_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    socket.once('end', () => settle(null));
    // A close without an end or an error (destroyed under us): the first settle wins.
    socket.once('close', () => settle(new ClientError('io', 'the connection closed early')));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) settle(connectError(err, target));
      else
        settle(
          new ClientError('io', `connection to the daemon failed: ${err.message}`, { cause: err }),
        );
    });
  });
}

function decodeResponse(request: ClientRequest, body: string): unknown {
  if (body.length === 0) throw new ClientError('protocol', 'the daemon closed without answering');
  switch (request.kind) {
    case 'push': {
      const result = decodePushResponse(body);
      if (!result.ok) throw new ClientError('protocol', result.message);
      return { kind: 'push', ok: result.value };
    }
    case 'pull': {
      const result = decodePullResponse(body);
      if (!result.ok) throw new ClientError('protocol', result.message);
      return { kind: 'pull', messages: result.value };
    }
    case 'json': {
      if (body === `${FAIL}\n`) {
        throw new ClientError('refused', 'the daemon refused the connection (too many clients?)');
      }
      const newline = body.indexOf('\n');
      if (newline !== body.length - 1) {
        throw new ClientError('protocol', 'expected exactly one JSON line');
      }
      const result = decodeJsonLine(body.slice(0, -1));
      if (!result.ok) throw new ClientError('protocol', result.message);
      return result.value;
    }
  }
}

export interface WatchHandle {
  /** Stops watching (closes the connection). */
  close(): void;
  /**
   * Settles when the stream ends: resolves on close, rejects with a ClientError on a
   * protocol or connection error, or with whatever `onMessage` threw.
   */
  done: Promise<void>;
}

/**
 * Opens a `watch`: resolves once the daemon confirmed the subscription, then calls
 * `onMessage` for each new message until `close()` or the daemon goes away.
 */
export async function openWatch(
  target: ClientTarget,
  onMessage: (message: MessageInfo) => void,
  options: SendOptions & { peer?: string } = {},
): Promise<WatchHandle> {
  const request: ClientRequest = {
    kind: 'json',
    request: options.peer === undefined ? { op: 'watch' } : { op: 'watch', peer: options.peer },
  };
  const text = encode(request);
  const timeoutMs = options.timeoutMs ?? CLIENT_TIMEOUT_MS;
  return new Promise<WatchHandle>((resolveOpen, rejectOpen) => {
    const socket = connect(target);
    let opened = false;
    let connected = false;
    let pending = '';
    let resolveDone: () => void = () => {};
    let rejectDone: (err: unknown) => void = () => {};
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => {}); // Observed by whoever awaits `done`; never an unhandled rejection.
    const handle: WatchHandle = { close: () => socket.destroy(), done };
    const fail = (err: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      if (opened) rejectDone(err);
      else rejectOpen(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new ClientError(
            'timeout',
            `no answer from the daemon on ${describe(target)} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const onLine = (line: string): void => {
      if (!opened && line === FAIL) {
        fail(new ClientError('refused', 'the daemon refused the connection (too many clients?)'));
        return;
      }
      const decoded = decodeJsonLine(line);
      if (!decoded.ok) return fail(new ClientError('protocol', decoded.message));
      const value = decoded.value as Record<string, unknown>;
      if (value.ok === false) {
        const error = (value as { error: { code: string; message: string } }).error;
        return fail(new ClientError('refused', `${error.code}: ${error.message}`));
      }
      if (!opened) {
        if (value.watching !== true) {
          return fail(new ClientError('protocol', 'watch was not confirmed'));
        }
        opened = true;
        clearTimeout(timer);
        resolveOpen(handle);
        return;
      }
      const message = value.message as MessageInfo | undefined;
      if (typeof message !== 'object' || message === null || typeof message.body !== 'string') {
        return fail(new ClientError('protocol', 'watch line without a message'));
      }
      try {
        onMessage(message);
      } catch (err) {
        fail(err); // The caller's bug ends its watch (`done` rejects), not the process.
      }
    };
    socket.once('connect', () => {
      connected = true;
      socket.write(text);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      if (pending.length > RESPONSE_MAX_BYTES) {
        return fail(new ClientError('protocol', 'watch line too long'));
      }
      let newline: number;
      while (socket.readable && (newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        onLine(line);
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (opened) resolveDone();
      else rejectOpen(new ClientError('protocol', 'the daemon closed the watch unconfirmed'));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) fail(connectError(err, target));
      else fail(new ClientError('io', `watch connection failed: ${err.message}`, { cause: err }));
    });
  });
}
