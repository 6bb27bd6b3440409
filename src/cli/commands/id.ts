/**
 * `p2pmsg id [--json]`: this node's ID (what others send to), and with --json its address.
 * Prints the bare ID so scripts can use `$(p2pmsg id)`.
 */
import type { CAC } from 'cac';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { EXIT_OK } from '../errors.js';

export const idCommand: CliCommand = {
  name: 'id',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('id', "Print this node's ID (give it to people who want to message you)")
      .option('--json', 'Print {"id","address"} as JSON')
      .example('  $ p2pmsg id')
      .example('  $ p2pmsg contacts add alice $(p2pmsg --data-dir /tmp/alice id)')
      .action((options: ClientOptions) => runId(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runId(io: CliIo, options: ClientOptions): Promise<number> {
  const { status } = await ask(targetOf(options), { op: 'status' });
  if (options.json === true) {
    io.out(JSON.stringify({ id: status['id'], address: status['address'] }));
  } else {
    io.out(String(status['id']));
  }
  return EXIT_OK;
}
