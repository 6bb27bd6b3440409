/**
 * `p2pmsg peers [--json]`: the node's neighbours (its active view) and the nodes it knows
 * but is not connected to (its passive view), with their addresses and contact aliases.
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
import { EXIT_OK } from '../errors.js';

export const peersCommand: CliCommand = {
  name: 'peers',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('peers', 'List neighbours (connected) and known nodes (not connected)')
      .option('--json', 'Print the list as JSON')
      .example('  $ p2pmsg peers')
      .action((options: ClientOptions) => runPeers(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runPeers(io: CliIo, options: ClientOptions): Promise<number> {
  const { peers } = await ask(targetOf(options), { op: 'peers' });
  if (options.json === true) {
    io.out(JSON.stringify(peers));
    return EXIT_OK;
  }
  if (peers.length === 0) {
    io.out('no peers yet (is a --bootstrap node reachable?)');
    return EXIT_OK;
  }
  const rows = peers.map((p) => [
    String(p['id']),
    p['view'] === 'active' ? 'neighbour' : 'known',
    String(p['address'] ?? '-'),
    String(p['alias'] ?? ''),
  ]);
  for (const line of table([['ID', 'STATE', 'ADDRESS', 'ALIAS'], ...rows])) io.out(line);
  return EXIT_OK;
}
