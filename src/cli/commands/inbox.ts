/**
 * `p2pmsg inbox [--json]`: what is waiting, by conversation, without taking it: unread
 * messages stay unread (use `pull` to take them, `chat <peer>` to answer).
 */
import type { CAC } from 'cac';
import { clientLimits } from '../../client/index.js';
import type { HistoryItem } from '../../client/protocol.js';
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

export const inboxCommand: CliCommand = {
  name: 'inbox',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('inbox', 'Show unread messages by conversation, without marking them read')
      .option('--json', 'Print [{peer, alias, unread, messages}] as JSON')
      .example('  $ p2pmsg inbox')
      .action((options: ClientOptions) => runInbox(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runInbox(io: CliIo, options: ClientOptions): Promise<number> {
  const target = targetOf(options);
  const { conversations } = await ask(target, {
    op: 'conversations',
    limit: clientLimits.CONVERSATIONS_LIMIT_MAX,
  });
  const waiting = conversations.filter((c) => c.unread > 0);
  const groups: { peer: string; alias: string | null; unread: number; messages: HistoryItem[] }[] =
    [];
  for (const c of waiting) {
    const limit = Math.min(clientLimits.HISTORY_LIMIT_MAX, Math.max(c.unread * 2, 1));
    const { messages } = await ask(target, { op: 'history', peer: c.peer, limit });
    const unread = messages.filter((m) => m.direction === 'in' && m.read === false);
    groups.push({ peer: c.peer, alias: c.alias, unread: c.unread, messages: unread });
  }
  if (options.json === true) {
    io.out(JSON.stringify(groups));
    return EXIT_OK;
  }
  if (groups.length === 0) io.out('no unread messages');
  for (const g of groups) {
    io.out(`${g.alias ?? g.peer}: ${g.unread} unread${g.alias === null ? '' : `  (${g.peer})`}`);
    for (const m of g.messages) {
      io.out(`  [${formatTime(m.at)}] ${indentBody(m.body, ' '.repeat(4))}`);
    }
  }
  return EXIT_OK;
}
