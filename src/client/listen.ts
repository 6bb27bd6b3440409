/**
 * Opening the client protocol's listeners safely (issue 5 item 5).
 *
 * Unix socket. The socket file is the only gate to the daemon (no authentication), so:
 * Rule 1: it never exists with a mode other than 0600. We bind under a random temporary
 *         name in the same directory, chmod it, then hard-link it to the final name and
 *         unlink the temporary one. `link` fails with EEXIST instead of replacing, so we
 *         never clobber a path someone created meanwhile.
 * Rule 2: an existing file at the path is removed only if it is a socket and nothing
 *         answers on it (a stale socket from a crashed daemon). If a daemon answers, start
 *         is refused; a non-socket file is never touched. (Two daemons starting in the same
 *         millisecond can still race between probe and unlink: the daemon's data-dir lock
 *         is what excludes them.)
 * Rule 3: on close the final path is unlinked only if it is still our inode.
 *
 * TCP. Only a loopback address (127.0.0.0/8, ::1) is accepted: the protocol carries no
 * credentials, so anything else would hand the inbox to the network.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SOCKET_FILE_MODE, SOCKET_PATH_MAX_BYTES } from './limits.js';

export type ClientServerErrorCode =
  'in-use' | 'not-a-socket' | 'path-too-long' | 'non-loopback' | 'bad-address' | 'listen-failed';

/** Starting the client server failed; the message says what to do. */
export class ClientServerError extends Error {
  override name = 'ClientServerError';
  constructor(
    readonly code: ClientServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How long to wait for an answer when probing an existing socket file. */
const PROBE_TIMEOUT_MS = 1_000;

/** true if something accepts connections on the Unix socket at `file`. */
export function probeSocket(file: string): Promise<'listening' | 'refused' | 'absent'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(file);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('listening'); // Accepted but slow, or a full backlog: someone is there.
    }, PROBE_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('listening');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else if (err.code === 'ENOENT') resolve('absent');
      else reject(err);
    });
  });
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export interface UnixListener {
  path: string;
  /** Unlinks the socket file if it is still ours. */
  unlink(): void;
}

/** Makes `server` listen on the Unix socket `file` (mode 0600), per Rules 1–3. */
export async function listenUnix(server: net.Server, file: string): Promise<UnixListener> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.sock`);
  for (const p of [file, temp]) {
    if (Buffer.byteLength(p) > SOCKET_PATH_MAX_BYTES) {
      throw new ClientServerError(
        'path-too-long',
        `socket path ${p} is over ${SOCKET_PATH_MAX_BYTES} bytes; use a shorter --data-dir`,
      );
    }
  }
  let existing: fs.Stats | null = null;
  try {
    existing = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing !== null) {
    if (!existing.isSocket()) {
      throw new ClientServerError(
        'not-a-socket',
        `${file} exists and is not a socket; not touching it`,
      );
    }
    const state = await probeSocket(file);
    if (state === 'listening') {
      throw new ClientServerError('in-use', `another daemon is already listening on ${file}`);
    }
    if (state === 'refused') {
      try {
        fs.unlinkSync(file); // Stale: its daemon is gone.
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
  try {
    await listen(server, { path: temp });
  } catch (err) {
    throw new ClientServerError('listen-failed', `cannot listen on ${temp}: ${String(err)}`, {
      cause: err,
    });
  }
  try {
    fs.chmodSync(temp, SOCKET_FILE_MODE);
    fs.linkSync(temp, file);
  } catch (err) {
    server.close();
    try {
      fs.unlinkSync(temp);
    } catch {
      // Best effort: the temporary name is random and in our own directory.
    }
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ClientServerError('in-use', `${file} appeared while starting; another daemon?`);
    }
    throw new ClientServerError('listen-failed', `cannot create ${file}: ${String(err)}`, {
      cause: err,
    });
  }
  fs.unlinkSync(temp);
  const ino = fs.statSync(file).ino;
  return {
    path: file,
    unlink() {
      try {
        if (fs.lstatSync(file).ino === ino) fs.unlinkSync(file);
      } catch {
        // Already gone.
      }
    },
  };
}

/** The host if it is a loopback address (`localhost` means 127.0.0.1), else null. */
export function loopbackHost(host: string): string | null {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === 'localhost') return '127.0.0.1';
  if (net.isIPv4(h)) return h.startsWith('127.') ? h : null;
  if (net.isIPv6(h)) {
    if (h === '::1') return h;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
    return mapped !== null && mapped[1]?.startsWith('127.') === true ? h : null;
  }
  return null;
}

/** Parses `host:port` / `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { host, port };
}

export interface TcpListener {
  host: string;
  port: number;
}

/** Listens on a loopback TCP address; refuses any other host with a clear error. */
export async function listenTcp(
  server: net.Server,
  address: { host: string; port: number },
): Promise<TcpListener> {
  const host = loopbackHost(address.host);
  if (host === null) {
    throw new ClientServerError(
      'non-loopback',
      `refusing to serve the client protocol on ${address.host}: it has no authentication, ` +
        'so only loopback addresses (127.0.0.1, ::1) are allowed',
    );
  }
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 65535) {
    throw new ClientServerError('bad-address', `bad port ${address.port}`);
  }
  try {
    await listen(server, { host, port: address.port });
  } catch (err) {
    throw new ClientServerError(
      'listen-failed',
      `cannot listen on ${host}:${address.port}: ${String(err)}`,
      {
        cause: err,
      },
    );
  }
  const bound = server.address() as net.AddressInfo;
  return { host: bound.address, port: bound.port };
}
