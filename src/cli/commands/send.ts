/**
 * `p2pmsg send <dest> [message | -]`: hands one message to the daemon. The destination is a
 * node ID, a contact alias or `IP[:port]`; the message is the argument, or standard input
 * with `-` (or when no message is given and stdin is not a terminal), one trailing newline
 * removed.
 *
 * SUCCESS means the message is on the daemon's disk: it will be retried on fresh paths until
 * it is acknowledged or expires. Prints the message ID (for `p2pmsg trace`).
 *
 * `--shards n/k` splits the message into n shards, any k of which rebuild it, each sent on
 * its own node-disjoint path (issue 7); `--shards none` sends one packet whatever the
 * node's default (`p2pmsg node --shards`). Checked here, before the daemon is asked.
 */
import type { CAC } from 'cac';
import { bodyProblem, clientLimits } from '../../client/index.js';
// The modules themselves, not routing/index.js: that would load the whole router into the CLI.
import { ROUTING_BODY_MAX } from '../../engine/routing/config.js';
import { formatShardSpec, parseShardSpec } from '../../engine/routing/shard-spec.js';
import type { CliCommand, CliIo } from '../context.js';
import type { ClientTarget } from '../../client/index.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

interface SendOptions extends ClientOptions {
  '--'?: unknown;
  wait?: unknown;
  shards?: unknown;
}

/** `--wait` gives up after this long (exit 1; the message stays queued in the daemon). */
export const SEND_WAIT_MAX_MS = 120_000;
/** How often `--wait` asks the daemon about the message. */
const SEND_WAIT_POLL_MS = 200;

export const sendCommand: CliCommand = {
  name: 'send',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('send <dest> [message]', 'Send a message to a node ID, a contact or an IP:port')
      .usage('send <dest> [message | -]')
      .option('--json', 'Print {"id"} as JSON (with --wait: {"id","state"})')
      .option(
        '--wait',
        `Return only once the target acknowledged (at most ${SEND_WAIT_MAX_MS / 1000} s)`,
      )
      .option(
        '--shards <n/k>',
        'Split into n shards on node-disjoint paths, any k rebuild it (none: one packet)',
      )
      .example('  $ p2pmsg send alice "lunch at noon?"')
      .example('  $ p2pmsg send 127.0.0.3:7000 hello')
      .example('  $ echo "from a script" | p2pmsg send 5xq2…kz -')
      .example('  $ p2pmsg send --wait bob "are you there?"')
      .example('  $ p2pmsg send --shards 3/2 bob "survives a dead path"')
      .action((dest: unknown, message: unknown, options: SendOptions) =>
        runSend(io, String(dest), message, options),
      );
  },
  helpSections: [
    {
      title: 'Destinations',
      body:
        '  A node ID (32 characters, `p2pmsg id` on the other node), a contact alias\n' +
        '  (`p2pmsg contacts add`), or the IP:port the other node listens on.',
    },
    {
      title: 'Output',
      body:
        '  The message ID. The message is on disk and will be retried until acknowledged\n' +
        '  or expired; follow it with `p2pmsg trace <id>`.',
    },
    CLIENT_OPTIONS_HELP,
    CLIENT_EXIT_HELP,
  ],
};

async function runSend(
  io: CliIo,
  dest: string,
  message: unknown,
  options: SendOptions,
): Promise<number> {
  const rest = Array.isArray(options['--']) ? (options['--'] as unknown[]).map(String) : [];
  let body: string;
  if (message === '-' || (message === undefined && rest.length === 0)) {
    if (message === undefined && io.stdin?.isTTY === true) {
      throw new UsageError('missing message: give it as an argument, or `-` to read stdin');
    }
    body = await readStdin(io);
  } else {
    body = [...(message === undefined ? [] : [String(message)]), ...rest].join(' ');
  }
  const shards = shardsOption(options.shards);
  const problem = bodyProblem(body);
  if (problem !== null) throw new UsageError(problem);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > ROUTING_BODY_MAX) {
    throw new UsageError(`message is ${bytes} bytes; at most ${ROUTING_BODY_MAX} fit one packet`);
  }
  const target = targetOf(options);
  const { id } = await ask(target, {
    op: 'push',
    to: dest,
    body,
    ...(shards === undefined ? {} : { shards }),
  });
  if (options.wait !== true) {
    io.out(options.json === true ? JSON.stringify({ id }) : id);
    return EXIT_OK;
  }
  const state = await waitForOutcome(target, id, io);
  io.out(options.json === true ? JSON.stringify({ id, state }) : `${id} ${state}`);
  if (state !== 'delivered') throw new CommandError(`message ${id} ${state}`);
  return EXIT_OK;
}

/** `--shards n/k` or `none` in its canonical form; undefined without the flag. */
function shardsOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError('--shards: given more than once');
  const parsed = parseShardSpec(value === true ? '' : String(value));
  if (!parsed.ok) throw new UsageError(`--shards: ${parsed.message}`);
  return formatShardSpec(parsed.spec);
}

/** Polls `trace` until the message is delivered or failed, or SEND_WAIT_MAX_MS pass. */
async function waitForOutcome(target: ClientTarget, id: string, io: CliIo): Promise<string> {
  const deadline = io.clock() + SEND_WAIT_MAX_MS;
  for (;;) {
    const { message } = await ask(target, { op: 'trace', id });
    if (message.state !== 'pending') {
      return message.state === 'failed' ? `failed: ${message.lastError ?? ''}` : message.state;
    }
    if (io.clock() > deadline) {
      return `still pending after ${SEND_WAIT_MAX_MS / 1000} s (the daemon keeps trying)`;
    }
    await new Promise((r) => setTimeout(r, SEND_WAIT_POLL_MS));
  }
}

/** All of stdin, at most MESSAGE_MAX_BYTES, one trailing newline removed. */
async function readStdin(io: CliIo): Promise<string> {
  const stdin = io.stdin;
  if (stdin === undefined) throw new UsageError('no standard input to read the message from');
  const max = clientLimits.MESSAGE_MAX_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > max + 2) throw new UsageError(`message is over ${max} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.replace(/\r?\n$/, '');
}
