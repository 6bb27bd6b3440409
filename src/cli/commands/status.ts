/**
 * `p2pmsg status [--json]`: the daemon's health in a few lines — who it is, where it
 * listens, its neighbours and directory, what waits in the outbox and the inbox.
 */
import type { CAC } from 'cac';
import type { JsonObject } from '../../client/protocol.js';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  formatDuration,
  table,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { EXIT_OK } from '../errors.js';

export const statusCommand: CliCommand = {
  name: 'status',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('status', "Show the daemon's state: identity, neighbours, directory, queues")
      .option('--json', 'Print the status object as JSON')
      .example('  $ p2pmsg status')
      .example('  $ p2pmsg --data-dir /tmp/alice status --json')
      .action((options: ClientOptions) => runStatus(io, options));
  },
  helpSections: [CLIENT_OPTIONS_HELP, CLIENT_EXIT_HELP],
};

async function runStatus(io: CliIo, options: ClientOptions): Promise<number> {
  const { status } = await ask(targetOf(options), { op: 'status' });
  if (options.json === true) {
    io.out(JSON.stringify(status));
    return EXIT_OK;
  }
  for (const line of describeStatus(status)) io.out(line);
  return EXIT_OK;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function describeStatus(s: JsonObject): string[] {
  const outbox = (s['outbox'] ?? {}) as JsonObject;
  const inbox = (s['inbox'] ?? {}) as JsonObject;
  const active = Array.isArray(s['active']) ? (s['active'] as string[]) : [];
  return table([
    ['node', String(s['id'])],
    ['address', `${String(s['address'])}${s['relay'] === false ? '  (not a relay)' : '  (relay)'}`],
    ['neighbours', `${num(s['neighbours'])}${active.length > 0 ? `  ${active.join(' ')}` : ''}`],
    ['directory', `${num(s['directory'])} nodes, ${num(s['relays'])} relays`],
    ['links', `${num(s['links'])} open, ${num(s['pendingHandshakes'])} in handshake`],
    [
      'outbox',
      `${num(outbox['pending'])} pending (${num(outbox['accepted'])} accepted, ` +
        `${num(outbox['acked'])} delivered, ${num(outbox['failed'])} failed since start)`,
    ],
    ['inbox', `${num(inbox['unread'])} unread (${num(inbox['received'])} received since start)`],
    ['uptime', formatDuration(num(s['uptimeMs']))],
    ['daemon', `pid ${String(s['pid'])}, version ${String(s['version'])}, ${String(s['dataDir'])}`],
  ]);
}
