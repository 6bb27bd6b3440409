/**
 * `p2pmsg trace <message-id> [--json]`: every attempt of a message this node sent — the
 * path chosen (relays, then the target), when it left, whether and when it was
 * acknowledged, and why the next attempt was made.
 */
import type { CAC } from 'cac';
import type { TraceInfo } from '../../client/protocol.js';
import type { CliCommand, CliIo } from '../context.js';
import {
  ask,
  CLIENT_EXIT_HELP,
  CLIENT_OPTIONS_HELP,
  formatClock,
  formatTime,
  targetOf,
  type ClientOptions,
} from '../daemon-client.js';
import { EXIT_OK } from '../errors.js';

export const traceCommand: CliCommand = {
  name: 'trace',
  register(cli: CAC, io: CliIo): void {
    cli
      .command('trace <message-id>', 'Show every attempt of a sent message: path, times, acks')
      .option('--json', 'Print {message, attempts} as JSON')
      .example('  $ p2pmsg trace 1d5cfef4e76a45c5573c65bd7e4698f0')
      .example('  $ p2pmsg trace $(p2pmsg send alice hi)')
      .action((id: unknown, options: ClientOptions) => runTrace(io, String(id), options));
  },
  helpSections: [
    {
      title: 'Output',
      body:
        '  One line per attempt: when it left, the path (first relay … target), and how it\n' +
        '  ended: acked (with the round trip), timeout or failed (with the reason; a timeout\n' +
        '  is why the next attempt left, on a new path).',
    },
    CLIENT_OPTIONS_HELP,
    CLIENT_EXIT_HELP,
  ],
};

async function runTrace(io: CliIo, id: string, options: ClientOptions): Promise<number> {
  const { message, attempts } = await ask(targetOf(options), { op: 'trace', id });
  if (options.json === true) {
    io.out(JSON.stringify({ message, attempts }));
    return EXIT_OK;
  }
  for (const line of describeTrace({ message, attempts })) io.out(line);
  return EXIT_OK;
}

const short = (id: string): string => (id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id);

export function describeTrace({ message: m, attempts }: TraceInfo): string[] {
  const lines = [
    `message ${m.id} to ${m.destination}${m.destination === m.peer ? '' : ` (${m.peer})`}`,
  ];
  lines.push(`accepted ${formatTime(m.createdAt)}, expires ${formatTime(m.expiresAt)}`);
  if (m.state === 'delivered' && m.deliveredAt !== null) {
    lines.push(`delivered ${formatTime(m.deliveredAt)} after ${m.attempts} attempt(s)`);
  } else if (m.state === 'failed') {
    lines.push(`failed: ${m.lastError ?? 'unknown reason'} (${m.attempts} attempt(s))`);
  } else {
    lines.push(`pending: ${m.attempts} attempt(s) so far`);
  }
  if (attempts.length === 0) lines.push('  no attempt has left yet');
  for (const a of attempts) {
    const path = a.path.length === 0 ? '(no path)' : a.path.map(short).join(' → ');
    let end: string;
    if (a.outcome === 'acked' && a.ackedAt !== null) {
      end = `acked ${formatClock(a.ackedAt)} (+${a.ackedAt - a.sentAt} ms)`;
    } else if (a.outcome === 'in-flight') {
      end = 'in flight';
    } else {
      end = `${a.outcome}${a.reason === null ? '' : `: ${a.reason}`}`;
    }
    lines.push(`  #${a.attempt} left ${formatClock(a.sentAt)}  ${path}  ${end}`);
  }
  return lines;
}
