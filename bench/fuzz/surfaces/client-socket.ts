/**
 * Surface `client-socket`: the daemon's client server (src/client/server.ts) on a real Unix
 * socket, one connection per input: the request bytes (the `client` surface's requests)
 * written in one to three chunks, then a half-close, then everything the server answers.
 *
 * Rules checked on every input: the server answers within INPUT_HANG_MS; what it answers is
 * a PUSH response, a PULL response or JSON lines the CLI's decoders accept (or nothing, for
 * a client that sent nothing); it never reports a server error; and once the campaign ends
 * no connection is left open.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientHandler } from '../../../src/client/handler.js';
import {
  decodeJsonLine,
  decodePullResponse,
  decodePushResponse,
} from '../../../src/client/protocol.js';
import { ClientServer } from '../../../src/client/server.js';
import { InvariantError, showBytes, type Surface } from '../campaign.js';
import { INPUT_HANG_MS } from '../limits.js';
import { drawInput } from '../random.js';
import { arbRequestBytes } from './client.js';

/** A daemon with nothing in it: every request has a quick, valid answer. */
const EMPTY_DAEMON: ClientHandler = {
  push: async () => ({ ok: true, id: '0'.repeat(32) }),
  pull: async () => ({ messages: [], commit: () => {} }),
  status: async () => ({ id: 'fuzz' }),
  peers: async () => [],
  conversations: async () => [],
  history: async () => [],
  contacts: async () => [],
  contactAdd: async () => ({ ok: true, created: true }),
  contactRemove: async () => false,
  watch: () => () => {},
  trace: async () => null,
};

export interface SocketInput {
  bytes: Uint8Array;
  /** Where the writes are cut (ascending offsets into `bytes`). */
  cuts: number[];
}

const arbSocketInput: fc.Arbitrary<SocketInput> = fc
  .tuple(arbRequestBytes, fc.array(fc.nat(), { maxLength: 2 }))
  .map(([bytes, cuts]) => ({
    bytes,
    cuts: cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b),
  }));

/** Writes the input, half-closes, resolves with all the server sent before it closed. */
function exchange(path: string, { bytes, cuts }: SocketInput): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new InvariantError(`no close from the server within ${INPUT_HANG_MS} ms`));
    }, INPUT_HANG_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {}); // a reset after the answer is the server's right
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.once('connect', () => {
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        if (cut > from) socket.write(bytes.subarray(from, cut));
        from = Math.max(from, cut);
      }
      socket.end();
    });
  });
}

/** What kind of answer `text` is, or InvariantError if the CLI could not read it. */
function answerOutcome(text: string, sent: Uint8Array): string {
  if (text === '') {
    if (sent.length === 0) return 'answer:none';
    throw new InvariantError('the server closed without answering a request');
  }
  if (decodePushResponse(text).ok) return `answer:${text.trimEnd()}`;
  if (decodePullResponse(text).ok) return 'answer:pull';
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : null;
  const json = lines?.map(decodeJsonLine);
  if (json === undefined || !json.every((l) => l.ok))
    throw new InvariantError(`unreadable answer ${JSON.stringify(text.slice(0, 80))}`);
  const first = json[0];
  if (first?.ok !== true) throw new InvariantError('no JSON line'); // unreachable: checked above
  return first.value.ok ? 'answer:json-ok' : `answer:json-error:${first.value.error.code}`;
}

export const clientSocketSurface: Surface<SocketInput> = {
  name: 'client-socket',
  typedError: 'FAIL or a JSON error object on the socket',
  episodeInputs: 1,
  async open(seed) {
    const dir = mkdtempSync(join(tmpdir(), 'p2f-'));
    const serverErrors: unknown[] = [];
    const server = await ClientServer.start({
      handler: EMPTY_DAEMON,
      socketPath: join(dir, 'c.sock'),
      onEvent: (event) => {
        if (event.type === 'server-error' || event.type === 'handler-error')
          serverErrors.push(event.error);
      },
    });
    const path = server.socketPath as string;
    return {
      input: (index) => drawInput(arbSocketInput, seed, 'client-socket', index),
      async run(input) {
        const outcome = answerOutcome(await exchange(path, input), input.bytes);
        if (serverErrors.length > 0)
          throw new InvariantError(`server reported ${String(serverErrors.splice(0)[0])}`);
        return outcome;
      },
      show: ({ bytes, cuts }) => `cuts ${cuts.join(',')} ${showBytes(bytes)}`,
      async close() {
        // The server sees each close a moment after the client does.
        const deadline = Date.now() + INPUT_HANG_MS;
        while (server.connectionCount > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 10));
        const open = server.connectionCount;
        await server.close();
        rmSync(dir, { recursive: true, force: true });
        if (open > 0) throw new InvariantError(`${open} connections still open at the end`);
      },
    };
  },
};
