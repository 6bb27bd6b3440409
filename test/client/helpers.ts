/**
 * Fixtures for client-protocol tests: a scripted handler, temp socket dirs, a raw byte-level
 * client (what a seed-protocol client written in any language does), and a stale socket.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientHandler, PushOptions, PushOutcome } from '../../src/client/server.js';
import type { MessageInfo } from '../../src/client/protocol.js';

export function socketDir(): string {
  // Short paths: sun_path is 108 bytes.
  return fs.mkdtempSync(path.join(os.tmpdir(), 'p2c-'));
}

export function message(n: number, body = `message ${n}`, address = '127.0.0.2:7000'): MessageInfo {
  return {
    id: n.toString(16).padStart(32, '0'),
    from: 'b'.repeat(32),
    address,
    body,
    sentAt: n,
    receivedAt: n,
  };
}

/** A handler whose answers tests script and whose calls tests inspect. */
export class FakeHandler implements ClientHandler {
  pushes: Array<[string, string]> = [];
  /** The options of each push, in order (the NDJSON `shards` field). */
  pushOptions: PushOptions[] = [];
  unread: MessageInfo[] = [];
  commits: string[][] = [];
  pushOutcome: PushOutcome = { ok: true, id: 'f'.repeat(32) };
  /** Delay before push/pull answer (ms); Infinity never answers. */
  delayMs = 0;
  throwOn: string | null = null;
  watchers = new Set<(m: MessageInfo) => void>();
  unsubscribed = 0;

  private async wait(op: string): Promise<void> {
    if (this.throwOn === op) throw new Error(`scripted failure in ${op}`);
    if (this.delayMs === Infinity) await new Promise(() => {});
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
  }

  async push(destination: string, body: string, options: PushOptions = {}): Promise<PushOutcome> {
    await this.wait('push');
    this.pushes.push([destination, body]);
    this.pushOptions.push(options);
    return this.pushOutcome;
  }

  async pull(limit: number) {
    await this.wait('pull');
    const messages = this.unread.slice(0, limit);
    return {
      messages,
      commit: () => {
        this.commits.push(messages.map((m) => m.id));
        const ids = new Set(messages.map((m) => m.id));
        this.unread = this.unread.filter((m) => !ids.has(m.id));
      },
    };
  }

  async status() {
    await this.wait('status');
    return { id: 'me', peers: 3 };
  }
  async peers() {
    return [{ id: 'p1', address: '127.0.0.5:7000' }];
  }
  async conversations(limit: number) {
    return [{ peer: 'b'.repeat(32), alias: 'bob', lastAt: 5, unread: 1, total: limit }];
  }
  async history(peer: string, limit: number) {
    return [{ direction: 'in' as const, id: '1', peer, body: `last ${limit}`, at: 1, read: true }];
  }
  async contacts() {
    return [{ alias: 'bob', id: 'b'.repeat(32) }];
  }
  async contactAdd(alias: string, _id: string) {
    if (alias === 'taken')
      return {
        ok: false as const,
        reason: 'alias-taken',
        message: 'alias taken names someone else',
      };
    return { ok: true as const, created: true };
  }
  async contactRemove(alias: string) {
    return alias === 'bob';
  }
  watch(onMessage: (m: MessageInfo) => void): () => void {
    if (this.throwOn === 'watch') throw new Error('scripted failure in watch');
    this.watchers.add(onMessage);
    return () => {
      this.unsubscribed++;
      this.watchers.delete(onMessage);
    };
  }
  deliver(m: MessageInfo): void {
    for (const w of this.watchers) w(m);
  }
}

export interface RawResult {
  text: string;
  /** ms from connect to the server closing. */
  elapsedMs: number;
}

/** Connects, writes `bytes` (optionally half-closing), reads until the server closes. */
export function rawExchange(
  target: string | { host: string; port: number },
  bytes: string | Uint8Array,
  options: { halfClose?: boolean } = {},
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const socket =
      typeof target === 'string' ? net.connect(target) : net.connect(target.port, target.host);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('connect', () => {
      if (bytes.length > 0) socket.write(bytes);
      if (options.halfClose === true) socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve({ text, elapsedMs: Date.now() - start }));
  });
}

/** A socket file nobody listens on, as a crashed daemon leaves behind. */
export async function makeStaleSocket(file: string): Promise<void> {
  const temp = `${file}.t`;
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(temp, r));
  fs.linkSync(temp, file);
  await new Promise<void>((r) => server.close(() => r())); // unlinks temp, not file
}

export function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}
