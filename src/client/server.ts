/**
 * The daemon's side of the client protocol (DESIGN.md §4, issue 5 item 5, issue 8 item 3).
 *
 * Theory of operation. One connection carries one request and one response, then closes
 * (`watch` streams until the client leaves). Each connection goes
 *   reading → handling → writing → lingering → closed
 * and is bounded at every step:
 * - reading: bytes accumulate until the first LF (or the client half-closes). Over
 *   requestMaxBytes ⇒ error; not complete within requestTimeoutMs of connecting (a
 *   slowloris) ⇒ error. Either way the client gets `FAIL` (or a JSON error) and is closed.
 * - handling + writing: the handler must answer and the response must be flushed within
 *   responseTimeoutMs, else `FAIL` / the socket is destroyed.
 * - PULL: the messages are marked read (`commit()`) as soon as every byte of the response
 *   was handed to the kernel. A client that vanishes before that (reset, destroy, timeout)
 *   makes the write fail: nothing is committed, the messages stay unread. (Bytes already
 *   queued in the kernel when a client dies cannot be detected by a protocol without
 *   acknowledgements; that window is the socket buffer. Likewise a daemon killed between
 *   the write and the commit hands those messages out again: PULL is at-least-once.)
 * - lingering: after our response we keep reading and discarding until the client closes
 *   (closing with unread input would reset the connection and could cut the response), for
 *   at most closeGraceMs.
 * - at most connectionsMax connections are served; one more gets `FAIL` and is closed.
 *
 * No client behaviour can throw out of this module: every socket has an 'error' listener,
 * handler failures become FAIL / error objects, and decoding never throws (protocol.ts).
 */
import * as net from 'node:net';
import { listenTcp, listenUnix, type UnixListener } from './listen.js';
import {
  type ClientHandler,
  type ClientServerEvent,
  type ClientServerLimits,
  type ClientServerStats,
  DEFAULT_SERVER_LIMITS,
  HandlerError,
} from './handler.js';
import { CONVERSATIONS_LIMIT_DEFAULT, HISTORY_LIMIT_DEFAULT } from './limits.js';
import {
  type ClientRequest,
  decodeRequest,
  encodeJsonLine,
  encodePullResponse,
  encodePushResponse,
  encodeRequestError,
  findRequestEnd,
  jsonError,
  type JsonRequest,
  type MessageInfo,
  pushShards,
} from './protocol.js';

export * from './handler.js';
export { ClientServerError } from './listen.js';

export interface ClientServerOptions {
  handler: ClientHandler;
  /** Unix socket path (mode 0600). */
  socketPath?: string;
  /** Loopback TCP address, only when asked for (`--client-listen`). */
  tcp?: { host: string; port: number };
  limits?: Partial<ClientServerLimits>;
  onEvent?: (event: ClientServerEvent) => void;
}

const noop = (): void => {};
const OPEN_BRACE = 0x7b;
const line = (value: object): string => `${JSON.stringify(value)}\n`;

export class ClientServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private unix: UnixListener | null = null;
  private tcpBound: { host: string; port: number } | null = null;
  private closing = false;
  readonly stats: ClientServerStats = {
    accepted: 0,
    refused: 0,
    requests: 0,
    badRequests: 0,
    timeouts: 0,
    handlerErrors: 0,
    commits: 0,
  };
  private readonly limits: ClientServerLimits;
  private readonly handler: ClientHandler;
  private readonly emit: (event: ClientServerEvent) => void;

  private constructor(options: ClientServerOptions) {
    this.handler = options.handler;
    this.limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
    const onEvent = options.onEvent ?? noop;
    this.emit = (event) => {
      try {
        onEvent(event);
      } catch {
        // A logging bug must not break serving.
      }
    };
  }

  /** Starts listening; rejects with ClientServerError if a listener cannot be opened. */
  static async start(options: ClientServerOptions): Promise<ClientServer> {
    if (options.socketPath === undefined && options.tcp === undefined) {
      throw new TypeError('ClientServer needs a socketPath, a tcp address, or both');
    }
    const server = new ClientServer(options);
    try {
      if (options.socketPath !== undefined) {
        server.unix = await listenUnix(server.newServer(), options.socketPath);
      }
      if (options.tcp !== undefined) {
        server.tcpBound = await listenTcp(server.newServer(), options.tcp);
      }
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  get socketPath(): string | null {
    return this.unix?.path ?? null;
  }

  get tcpAddress(): { host: string; port: number } | null {
    return this.tcpBound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening, ends watchers, gives in-flight responses closeGraceMs, unlinks the socket. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const connection of this.connections) connection.shutdown();
    const deadline = setTimeout(() => {
      for (const connection of this.connections) connection.destroy();
    }, this.limits.closeGraceMs);
    await Promise.all(closed);
    clearTimeout(deadline);
    this.unix?.unlink();
  }

  private newServer(): net.Server {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    // Backstop: refused sockets still hold a descriptor for a moment; never let them pile up.
    server.maxConnections = this.limits.connectionsMax * 2;
    server.on('error', (error) => this.emit({ type: 'server-error', error }));
    this.servers.push(server);
    return server;
  }

  private accept(socket: net.Socket): void {
    socket.on('error', noop); // Resets and EPIPEs are the client's business.
    if (this.closing || this.connections.size >= this.limits.connectionsMax) {
      this.stats.refused++;
      this.emit({ type: 'refused' });
      socket.on('end', () => socket.destroy());
      socket.resume(); // Discard input so the client's FIN is seen and we close at once.
      socket.end(encodePushResponse(false));
      setTimeout(() => socket.destroy(), this.limits.closeGraceMs).unref();
      return;
    }
    this.stats.accepted++;
    const connection = new Connection(socket, this.handler, this.limits, this.stats, this.emit);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    connection.start();
  }
}

/** One client connection's life (see the theory of operation above). */
class Connection {
  private chunks: Buffer[] = [];
  private size = 0;
  private phase: 'reading' | 'handling' | 'writing' | 'lingering' | 'watching' | 'done' = 'reading';
  private timer: NodeJS.Timeout | undefined;
  private discarded = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly handler: ClientHandler,
    private readonly limits: ClientServerLimits,
    private readonly stats: ClientServerStats,
    private readonly emit: (event: ClientServerEvent) => void,
  ) {}

  start(): void {
    const { socket } = this;
    this.timer = setTimeout(() => this.onRequestTimeout(), this.limits.requestTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.once('close', () => this.onClose());
  }

  /** The server is closing: watchers end now; others get closeGraceMs to finish. */
  shutdown(): void {
    if (this.phase === 'watching') this.finish();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.phase !== 'reading') {
      // Lingering or watching: discard, but a client streaming junk is cut off.
      this.discarded += chunk.length;
      if (this.discarded > this.limits.requestMaxBytes) this.socket.destroy();
      return;
    }
    const end = findRequestEnd(chunk);
    const take = end < 0 ? chunk : chunk.subarray(0, end);
    this.chunks.push(take);
    this.size += take.length;
    if (this.size > this.limits.requestMaxBytes) {
      this.stats.badRequests++;
      const detail = `request is over ${this.limits.requestMaxBytes} bytes`;
      this.emit({ type: 'bad-request', code: 'too-large', detail });
      const json = this.chunks[0]?.[0] === OPEN_BRACE;
      this.respond(encodeRequestError({ code: 'too-large', message: detail, json }));
    } else if (end >= 0) {
      this.handle(Buffer.concat(this.chunks, this.size));
    }
  }

  private onEnd(): void {
    if (this.phase === 'reading') {
      // Half-closed after a request without a terminator (Rule 1), or a probe that sent
      // nothing (answered with silence).
      if (this.size === 0) this.finish();
      else this.handle(Buffer.concat(this.chunks, this.size));
    } else if (this.phase === 'watching' || this.phase === 'lingering') {
      this.finish();
    }
  }

  private onClose(): void {
    clearTimeout(this.timer);
    this.phase = 'done';
    this.stopWatching();
  }

  private onRequestTimeout(): void {
    if (this.phase !== 'reading') return;
    this.stats.timeouts++;
    this.emit({ type: 'request-timeout' });
    const json = this.chunks[0]?.[0] === OPEN_BRACE;
    this.respond(
      json
        ? encodeJsonLine(jsonError('timeout', 'request not received in time'))
        : encodePushResponse(false),
    );
  }

  private handle(bytes: Buffer): void {
    clearTimeout(this.timer);
    this.phase = 'handling';
    const decoded = decodeRequest(bytes);
    if (!decoded.ok) {
      this.stats.badRequests++;
      this.emit({ type: 'bad-request', code: decoded.error.code, detail: decoded.error.message });
      this.respond(encodeRequestError(decoded.error));
      return;
    }
    this.stats.requests++;
    const request = decoded.request;
    if (request.kind === 'json' && request.request.op === 'watch') {
      this.watch(request.request.peer);
      return;
    }
    const failText =
      request.kind === 'json'
        ? encodeJsonLine(jsonError('timeout', 'daemon did not answer in time'))
        : encodePushResponse(false);
    this.timer = setTimeout(() => {
      this.stats.timeouts++;
      this.emit({ type: 'response-timeout' });
      if (this.phase === 'handling') this.respond(failText);
      else this.socket.destroy(); // Writing: the client does not read.
    }, this.limits.responseTimeoutMs);
    this.dispatch(request).then(
      ({ text, commit }) => {
        if (this.phase === 'handling') this.respond(text, commit);
      },
      (error: unknown) => {
        this.stats.handlerErrors++;
        this.emit({ type: 'handler-error', error });
        if (this.phase !== 'handling') return;
        if (request.kind !== 'json') this.respond(encodePushResponse(false));
        else if (error instanceof HandlerError)
          this.respond(encodeJsonLine(jsonError(error.code, error.message)));
        else this.respond(encodeJsonLine(jsonError('internal', 'internal error in the daemon')));
      },
    );
  }

  /** The response text for a request, and the commit to run once it is flushed. */
  private async dispatch(request: ClientRequest): Promise<{ text: string; commit?: () => void }> {
    const h = this.handler;
    if (request.kind === 'push') {
      const outcome = await h.push(request.destination, request.message);
      return { text: encodePushResponse(outcome.ok) };
    }
    if (request.kind === 'pull') {
      const batch = await h.pull(this.limits.pullMessagesMax);
      return { text: encodePullResponse(batch.messages), commit: () => batch.commit() };
    }
    return this.dispatchJson(request.request);
  }

  private async dispatchJson(r: JsonRequest): Promise<{ text: string; commit?: () => void }> {
    const h = this.handler;
    const ok = (fields: object): { text: string } => ({ text: line({ ok: true, ...fields }) });
    const refused = (reason: string, message?: string): { text: string } => ({
      text: encodeJsonLine(jsonError(reason, message ?? reason)),
    });
    switch (r.op) {
      case 'status':
        return ok({ status: await h.status() });
      case 'peers':
        return ok({ peers: await h.peers() });
      case 'conversations':
        return ok({ conversations: await h.conversations(r.limit ?? CONVERSATIONS_LIMIT_DEFAULT) });
      case 'history':
        return ok({ messages: await h.history(r.peer, r.limit ?? HISTORY_LIMIT_DEFAULT) });
      case 'contacts':
        return ok({ contacts: await h.contacts() });
      case 'contact-add': {
        const result = await h.contactAdd(r.alias, r.id);
        return result.ok ? ok({ created: result.created }) : refused(result.reason, result.message);
      }
      case 'contact-remove':
        return ok({ removed: await h.contactRemove(r.alias) });
      case 'push': {
        const shards = pushShards(r);
        const outcome = await h.push(r.to, r.body, shards === undefined ? {} : { shards });
        return outcome.ok ? ok({ id: outcome.id }) : refused(outcome.reason, outcome.message);
      }
      case 'pull': {
        const batch = await h.pull(
          Math.min(r.limit ?? this.limits.pullMessagesMax, this.limits.pullMessagesMax),
        );
        return { ...ok({ messages: batch.messages }), commit: () => batch.commit() };
      }
      case 'trace': {
        if (h.trace === undefined) return refused('unsupported', 'this daemon has no trace');
        const found = await h.trace(r.id);
        return found === null
          ? refused('unknown-message', `no sent message with id ${r.id}`)
          : ok({ ...found });
      }
      case 'watch':
        throw new Error('watch is not a request/response op'); // Routed before dispatch.
    }
  }

  /**
   * Writes the whole response, runs `commit` as soon as every byte is in the kernel, then
   * half-closes. Committing in the write's callback rather than on 'finish' (after the
   * shutdown, one event-loop turn later) shrinks the window in which a crash leaves a
   * response delivered but not marked read — the seed protocol has no client ack, so a
   * SIGKILL there means the next PULL hands the messages out again (at-least-once).
   */
  private respond(text: string, commit?: () => void): void {
    if (this.phase === 'done' || this.phase === 'writing') return;
    clearTimeout(this.timer);
    this.phase = 'writing';
    const { socket } = this;
    if (socket.destroyed || !socket.writable) {
      this.finish();
      return;
    }
    // Bounded: a client that does not read the response is destroyed (no commit).
    this.timer = setTimeout(() => {
      this.stats.timeouts++;
      this.emit({ type: 'response-timeout' });
      socket.destroy();
    }, this.limits.responseTimeoutMs);
    socket.write(text, (error) => {
      if (error || socket.destroyed || commit === undefined) return;
      try {
        commit();
        this.stats.commits++;
      } catch (commitError) {
        this.emit({ type: 'commit-error', error: commitError });
      }
    });
    socket.once('finish', () => {
      clearTimeout(this.timer);
      this.linger();
    });
    socket.end();
  }

  /** Waits for the client to close (reading and discarding), at most closeGraceMs. */
  private linger(): void {
    this.phase = 'lingering';
    if (this.socket.readableEnded || this.socket.destroyed) {
      this.finish();
      return;
    }
    this.timer = setTimeout(() => this.finish(), this.limits.closeGraceMs);
  }

  /**
   * Subscribes, then writes `{"ok":true,"watching":true}` and streams messages. Messages
   * the handler delivers while subscribing are queued so they follow the first line.
   */
  private watch(peer: string | undefined): void {
    this.phase = 'watching';
    const { socket } = this;
    let queue: MessageInfo[] | null = [];
    const send = (message: MessageInfo): void => {
      if (this.phase !== 'watching' || socket.destroyed) return;
      if (queue !== null) {
        queue.push(message);
        return;
      }
      if (socket.writableLength > this.limits.watchBufferMaxBytes) {
        this.emit({ type: 'watch-overflow' });
        socket.destroy();
        return;
      }
      socket.write(line({ ok: true, message }));
    };
    try {
      this.unsubscribe = this.handler.watch(send, peer);
    } catch (error) {
      this.stats.handlerErrors++;
      this.emit({ type: 'handler-error', error });
      this.phase = 'handling';
      const known = error instanceof HandlerError;
      const failure = jsonError(
        known ? error.code : 'internal',
        known ? error.message : 'internal error in the daemon',
      );
      this.respond(encodeJsonLine(failure));
      return;
    }
    socket.write(line({ ok: true, watching: true }));
    const queued = queue;
    queue = null;
    queued.forEach(send);
    if (socket.readableEnded) {
      // The client half-closed to end its request (Rule 1): 'end' has come and gone, so
      // onEnd will not end this watch as it ends others. Found by the fuzzer (client-socket).
      this.stopWatching();
      this.phase = 'done';
      socket.end(); // after the lines above are flushed; then 'close'
    }
  }

  private stopWatching(): void {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    if (unsubscribe === null) return;
    try {
      unsubscribe();
    } catch (error) {
      this.emit({ type: 'handler-error', error });
    }
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.stopWatching();
    this.phase = 'done';
    this.socket.destroy();
  }
}
