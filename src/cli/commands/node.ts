/**
 * `p2pmsg node`: runs the daemon (DESIGN.md §4, issue 5 item 3) in the foreground until
 * SIGTERM or SIGINT, or in the background with --detach.
 *
 * Settings come from the flags, then `config.json` in the data directory, then defaults
 * (src/daemon/config.ts). A bad setting is one `error:` line and exit 2; a daemon that
 * cannot start (data dir locked, port in use, store unreadable) is one line and exit 1.
 *
 * Signals: the first SIGTERM/SIGINT leaves gracefully (neighbours told, the outbox and
 * inbox already on disk, the store closed) and exits 0; a second one, or a graceful stop
 * that takes longer than SHUTDOWN_MAX_MS, exits 1 at once.
 *
 * This file registers the command and its help; node-run.ts, imported when it runs, does it.
 */
import type { CAC } from 'cac';
import { HOPS_DEFAULT, HOPS_MAX, LISTEN_DEFAULT } from '../../daemon/limits.js';
import type { CliCommand, CliIo } from '../context.js';

export interface NodeOptions {
  dataDir?: unknown;
  listen?: unknown;
  advertise?: unknown;
  bootstrap?: unknown;
  relay?: unknown;
  clientListen?: unknown;
  hops?: unknown;
  shards?: unknown;
  logFormat?: unknown;
  logLevel?: unknown;
  detach?: unknown;
}

export const nodeCommand: CliCommand = {
  name: 'node',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('node', 'Run the node daemon (foreground; --detach for background)')
      .option('--listen <host:port>', `Address to accept links on (default ${LISTEN_DEFAULT})`)
      .option('--advertise <host:port>', 'Address peers should dial (default: --listen)')
      .option('--bootstrap <host:port>', 'A node to join through (repeatable)')
      .option('--no-relay', 'Do not relay messages for others')
      .option('--client-listen <127.0.0.1:port>', 'Also serve clients on loopback TCP')
      .option('--hops <n>', `Relays per message path, 1..${HOPS_MAX} (default ${HOPS_DEFAULT})`)
      .option(
        '--shards <n/k>',
        'Split messages into n shards on node-disjoint paths, any k rebuild one (default none)',
      )
      .option('--log-format <text|json>', 'Log lines for people (text) or machines (json)')
      .option('--log-level <level>', 'debug, info, warn or error (default info)')
      .option('--detach', 'Run in the background; logs go to <data-dir>/daemon.log')
      .example('  $ p2pmsg node --listen 127.0.0.2:7000')
      .example('  $ p2pmsg --data-dir /tmp/bob node --listen 127.0.0.3:7000 \\')
      .example('        --bootstrap 127.0.0.2:7000 --detach')
      .example('  $ p2pmsg node --listen 0.0.0.0:7000 --advertise 203.0.113.7:7000')
      // The daemon's modules load only when it runs: `--help` and the other commands stay quick.
      .action(async (options: NodeOptions) => (await import('./node-run.js')).runNode(io, options));
  },
  helpSections: [
    {
      title: 'Data directory',
      body:
        '  ~/.p2pmsg or --data-dir: store.sqlite (identity, messages), client.sock,\n' +
        '  config.json (optional: the same settings as the flags, camelCase keys, e.g.\n' +
        '  {"listen":"127.0.0.2:7000","bootstrap":["127.0.0.3:7000"],"relay":false}),\n' +
        '  daemon.lock, daemon.pid and daemon.log (with --detach). Flags win over the file.',
    },
    {
      title: 'Signals',
      body:
        '  SIGTERM or SIGINT (Ctrl-C): leave the network gracefully and exit 0.\n' +
        '  A second signal exits at once with code 1.',
    },
    {
      title: 'Exit codes',
      body:
        '  0 stopped by a signal; 1 could not start or failed while running;\n' +
        '  2 bad flag or config.json',
    },
  ],
};
