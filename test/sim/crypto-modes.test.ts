/**
 * `crypto: real | modelled` (issue 4 #7): the modelled suite keeps every size, every
 * accept/reject decision and every random draw of the real one, so the same small network
 * makes the same routing decisions in both modes — the same path for every attempt of
 * every message, the same deliveries at the same virtual times. Node IDs differ between
 * the modes (they hash different public keys), so everything is compared by node index.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { advance, routingNet, type RoutingNet } from '../routing/helpers.js';

const NODES = 30;

/** What the network decided, by node index and virtual time, for both modes to match. */
function decisions(crypto: 'real' | 'modelled'): string[] {
  const net = routingNet({ seed: 21, nodes: NODES, crypto });
  const log: string[] = [];
  const show = (node: number, at: number, event: EngineEvent): string | undefined => {
    switch (event.type) {
      case 'messageAttempt':
        return `${at} ${node} attempt ${event.messageId} #${event.attempt} ${event.reason} via ${event.path.map((id) => net.index(id)).join('>')}`;
      case 'messageAcked':
        return `${at} ${node} acked ${event.messageId} after ${event.attempts}`;
      case 'messageFailed':
        return `${at} ${node} failed ${event.messageId} ${event.reason}`;
      case 'packetDropped':
        return `${at} ${node} dropped ${event.reason}`;
      default:
        return undefined;
    }
  };
  net.onEvent = (node, event, at) => {
    const line = show(node, at, event);
    if (line !== undefined) log.push(line);
  };
  send(net, log);
  return log;
}

/** A few messages, one of them through a relay that crashes, and one to a dead target. */
function send(net: RoutingNet, log: string[]): void {
  const pairs: [number, number][] = [
    [0, 7],
    [3, 12],
    [25, 4],
    [9, 18],
    [14, 29],
  ];
  net.w.crash(20);
  for (const [from, to] of pairs) net.send(from, to, `from ${from} to ${to}`);
  net.send(5, 20, 'to a dead target', 15_000);
  net.w.crash(net.index(lastPathRelay(net)));
  advance(net, 40_000);
  for (const d of net.deliveries) {
    log.push(`${d.at} ${d.node} delivered ${Buffer.from(d.value.messageId).toString('hex')}`);
  }
}

/** The middle relay of the most recent attempt. */
function lastPathRelay(net: RoutingNet): string {
  const attempts = net.eventsOf('messageAttempt');
  return attempts[attempts.length - 2]!.value.path[1]!;
}

describe('crypto modes', () => {
  it('a small network makes the same routing decisions with real and modelled crypto', () => {
    const modelled = decisions('modelled');
    const real = decisions('real');
    expect(modelled.filter((l) => l.includes('attempt')).length).toBeGreaterThanOrEqual(8);
    expect(modelled.some((l) => l.includes('timeout'))).toBe(true);
    expect(modelled.some((l) => l.includes('failed'))).toBe(true);
    expect(real).toEqual(modelled);
  });
});
