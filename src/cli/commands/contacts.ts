/**
 * `p2pmsg contacts [add <alias> <id> | remove <alias>] [--json]`: names for node IDs, usable
 * wherever a destination is (`send alice …`, `chat alice`).
 */
import type { CAC } from 'cac';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  table,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

export const contactsCommand: CliCommand = {
  name: 'contacts',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('contacts [action] [...args]', 'List, add or remove contacts (alias → node ID)')
      .usage('contacts [add <alias> <node-id> | remove <alias>] [--json]')
      .option('--json', 'Print the list (or the outcome) as JSON')
      .example('  $ p2pmsg contacts')
      .example('  $ p2pmsg contacts add bob 5xq2mzl3dtxq4bbnq2w5tnlrvbn4lhkz')
      .example('  $ p2pmsg contacts remove bob')
      .action((action: unknown, args: unknown[], options: ClientOptions) =>
        runContacts(
          io,
          action === undefined ? undefined : String(action),
          args.map(String),
          options,
        ),
      );
  },
  helpSections: [
    {
      title: 'Aliases',
      body:
        '  1..32 of a-z 0-9 . _ -, starting with a letter or digit, with at least one letter\n' +
        '  (so an alias never looks like an address or a node ID).',
    },
    CLIENT_OPTIONS_HELP,
    CLIENT_EXIT_HELP,
  ],
};

async function runContacts(
  io: CliIo,
  action: string | undefined,
  args: string[],
  options: ClientOptions,
): Promise<number> {
  const target = targetOf(options);
  const json = options.json === true;
  if (action === undefined || action === 'list') {
    if (args.length > 0) throw new UsageError('`contacts` takes no arguments');
    const { contacts } = await ask(target, { op: 'contacts' });
    if (json) io.out(JSON.stringify(contacts));
    else if (contacts.length === 0) io.out('no contacts yet (p2pmsg contacts add <alias> <id>)');
    else
      for (const line of table([['ALIAS', 'ID'], ...contacts.map((c) => [c.alias, c.id])]))
        io.out(line);
    return EXIT_OK;
  }
  if (action === 'add') {
    const [alias, id, ...extra] = args;
    if (alias === undefined || id === undefined || extra.length > 0) {
      throw new UsageError('usage: contacts add <alias> <node-id>');
    }
    const { created } = await ask(target, { op: 'contact-add', alias, id });
    io.out(
      json
        ? JSON.stringify({ alias, id, created })
        : `${created ? 'added' : 'already had'} ${alias} → ${id}`,
    );
    return EXIT_OK;
  }
  if (action === 'remove' || action === 'rm') {
    const [alias, ...extra] = args;
    if (alias === undefined || extra.length > 0)
      throw new UsageError('usage: contacts remove <alias>');
    const { removed } = await ask(target, { op: 'contact-remove', alias });
    if (json) io.out(JSON.stringify({ alias, removed }));
    else if (!removed) throw new CommandError(`no contact named ${alias}`);
    else io.out(`removed ${alias}`);
    return EXIT_OK;
  }
  throw new UsageError(`unknown contacts action ${JSON.stringify(action)} (add, remove or none)`);
}
