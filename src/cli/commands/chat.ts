/**
 * `p2pmsg chat <peer>`: an interactive conversation. Shows the recent history with the
 * peer, then streams its new messages as they arrive (the daemon's `watch`), and sends
 * every line typed. Ends on Ctrl-D, Ctrl-C or `/quit`.
 *
 * Works with a pipe as well as a terminal: `printf 'hi\nbye\n' | p2pmsg chat bob` sends
 * two messages and leaves.
 */
import type { CAC } from 'cac';
import { createInterface } from 'node:readline';
import { bodyProblem, ClientError, openWatch, type HistoryItem } from '../../client/index.js';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  formatTime,
  indentBody,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

/** Messages of history shown before the live part. */
export const CHAT_HISTORY_LINES = 20;
const QUIT = '/quit';

export const chatCommand: CliCommand = {
  name: 'chat',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('chat <peer>', 'Talk with a peer: history, then live messages; type to send')
      .example('  $ p2pmsg chat alice')
      .example('  $ p2pmsg --data-dir /tmp/bob chat 127.0.0.2:7000')
      .action((peer: unknown, options: ClientOptions) => runChat(io, String(peer), options));
  },
  helpSections: [
    {
      title: 'Keys',
      body:
        '  Enter sends the line; Ctrl-D, Ctrl-C or /quit leaves. Sent lines are marked\n' +
        '  ✓ once the peer acknowledged them (in the history shown at the start).',
    },
    CLIENT_OPTIONS_HELP,
    CLIENT_EXIT_HELP,
  ],
};

const STATE_MARK: Readonly<Record<string, string>> = { delivered: '✓', pending: '…', failed: '✗' };

async function runChat(io: CliIo, peer: string, options: ClientOptions): Promise<number> {
  const stdin = io.stdin;
  if (stdin === undefined) throw new UsageError('chat needs a standard input');
  const target = targetOf(options);
  const { messages } = await ask(target, { op: 'history', peer, limit: CHAT_HISTORY_LINES });
  for (const m of messages) io.out(historyLine(m, peer));
  let watch;
  try {
    watch = await openWatch(
      target,
      (m) => io.out(`[${formatTime(m.receivedAt)}] ${peer}: ${indentBody(m.body, '    ')}`),
      { peer },
    );
  } catch (err) {
    if (err instanceof ClientError) throw new CommandError(err.message);
    throw err;
  }
  io.err(`chatting with ${peer}: type a message and press Enter; Ctrl-D or ${QUIT} to leave`);
  const rl = createInterface({ input: stdin, terminal: false });
  const unsubscribe = io.onSignal?.(() => rl.close());
  let leaving = false;
  let daemonGone: unknown = null;
  const gone = (err: unknown): void => {
    if (leaving) return; // We closed the watch ourselves.
    daemonGone =
      err instanceof ClientError
        ? new CommandError(err.message)
        : (err ?? new CommandError('the daemon ended the conversation (did it stop?)'));
    rl.close();
  };
  watch.done.then(() => gone(null), gone);
  try {
    for await (const raw of rl) {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === QUIT) break;
      if (line.trim() === '') continue;
      const problem = bodyProblem(line);
      if (problem !== null) {
        io.err(`not sent: ${problem}`);
        continue;
      }
      try {
        await ask(target, { op: 'push', to: peer, body: line });
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        io.err(`not sent: ${err.message}`);
      }
    }
  } finally {
    leaving = daemonGone === null;
    unsubscribe?.();
    watch.close();
    rl.close();
  }
  if (daemonGone !== null) throw daemonGone;
  return EXIT_OK;
}

function historyLine(m: HistoryItem, peer: string): string {
  const who = m.direction === 'out' ? 'you' : peer;
  const mark = m.direction === 'out' ? ` ${STATE_MARK[m.state ?? ''] ?? ''}` : '';
  return `[${formatTime(m.at)}] ${who}: ${indentBody(m.body, '    ')}${mark}`;
}
