/**
 * `p2pmsg conversations [--json]`: one line per peer you exchanged messages with, most
 * recent first (the seed's "group the conversations based on who they are with").
 */
import type { CAC } from 'cac';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  formatTime,
  table,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { EXIT_OK } from '../errors.js';

export const conversationsCommand: CliCommand = {
  name: 'conversations',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('conversations', 'List conversations (one per peer), most recent first')
      .option('--json', 'Print the list as JSON')
      .example('  $ p2pmsg conversations')
      .action((options: ClientOptions) => runConversations(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runConversations(io: CliIo, options: ClientOptions): Promise<number> {
  const { conversations } = await ask(targetOf(options), { op: 'conversations' });
  if (options.json === true) {
    io.out(JSON.stringify(conversations));
    return EXIT_OK;
  }
  if (conversations.length === 0) {
    io.out('no conversations yet');
    return EXIT_OK;
  }
  const rows = conversations.map((c) => [
    c.alias ?? c.peer,
    formatTime(c.lastAt),
    String(c.unread),
    String(c.total),
    c.alias === null ? '' : c.peer,
  ]);
  for (const line of table([['PEER', 'LAST', 'UNREAD', 'TOTAL', 'ID'], ...rows])) io.out(line);
  return EXIT_OK;
}
