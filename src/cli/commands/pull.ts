/**
 * `p2pmsg pull [--json]`: takes the unread messages from the daemon (they are marked read
 * once the daemon has written them all) and prints them, oldest first.
 */
import type { CAC } from 'cac';
import type { MessageInfo } from '../../client/protocol.js';
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
import { EXIT_OK } from '../errors.js';

export const pullCommand: CliCommand = {
  name: 'pull',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('pull', 'Take the unread messages (marks them read; `inbox` only looks)')
      .option('--json', 'Print the messages as JSON')
      .example('  $ p2pmsg pull')
      .example('  $ p2pmsg pull --json | jq -r ".[].body"')
      .action((options: ClientOptions) => runPull(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runPull(io: CliIo, options: ClientOptions): Promise<number> {
  const { messages } = await ask(targetOf(options), { op: 'pull' });
  if (options.json === true) {
    io.out(JSON.stringify(messages));
    return EXIT_OK;
  }
  if (messages.length === 0) io.out('no new messages');
  for (const m of messages) io.out(formatMessage(m));
  return EXIT_OK;
}

/** `[2025-01-31 17:04:05] 5xq2…kz (127.0.0.3:7000): body` */
export function formatMessage(m: MessageInfo, name = m.from): string {
  const head = `[${formatTime(m.receivedAt)}] ${name} (${m.address}): `;
  return head + indentBody(m.body, ' '.repeat(4));
}
