/**
 * The relay: what a node does with an onion packet that reaches it (DESIGN.md §3 "Data
 * plane"). Every node runs it; a node whose descriptor says `relay: false` simply is not
 * chosen for paths, but it still peels packets addressed to it as their target.
 *
 * Theory of operation. A packet arrives on any authenticated link (a relay has no reason to
 * trust the previous hop, so it needs none). The relay peels one layer with its X25519
 * secret (onion/packet.ts):
 * - reject (bad MAC, bad key, …): dropped and counted; a flipped bit anywhere stops here.
 * - forward or deliver: the replay tag goes through the replay cache first; a repeat is
 *   dropped (a replayed packet yields the same tag, so it dies at the first honest hop).
 * - forward: the packet goes to the next hop by node ID, over a ready link or one opened
 *   on demand to the address in our directory or, if our directory (a sample) lacks the
 *   node, the address the sender wrote in our slot (links.ts: bounded pool, idle links
 *   close by themselves; the handshake proves the ID). No address, no room for a link:
 *   dropped and counted — the sender's retry on a fresh path repairs it, so a relay never
 *   waits or buffers beyond the link table's small per-dial queue.
 * - deliver: the payload is ours (receiver.ts).
 *
 * Rules:
 * 1. Never throws on packet bytes (peelPacket does not; nothing here does).
 * 2. Every drop is a `packetDropped` event with its reason.
 */
import { base32Encode } from '../base32.js';
import { ReplayCache } from '../onion/replay-cache.js';
import { peelPacket } from '../onion/packet.js';
import type { Millis } from '../types.js';
import type { RoutingConfig } from './config.js';
import type { RoutingHost } from './host.js';

export class Relay {
  readonly replay: ReplayCache;
  /** Packets passed on to a next hop. */
  forwarded = 0;
  /** Packets dropped, all reasons. */
  dropped = 0;

  constructor(
    private readonly host: RoutingHost,
    config: RoutingConfig,
    private readonly onPayload: (payload: Uint8Array, now: Millis) => void,
  ) {
    this.replay = new ReplayCache(config.replayCacheMax, config.replayMaxAgeMs);
  }

  onPacket(packet: Uint8Array, now: Millis): void {
    const host = this.host;
    const peeled = peelPacket(host.crypto, host.identity.dhSecret, packet);
    if (peeled.kind === 'reject') return this.drop(peeled.reason);
    if (this.replay.check(peeled.replayTag, now) === 'replay') return this.drop('replay');
    if (peeled.kind === 'deliver') return this.onPayload(peeled.payload, now);
    const next = base32Encode(peeled.nextHop);
    if (next === host.identity.id) return this.drop('next-hop-self');
    // Our directory's address first (signed by the node); else the one the sender wrote.
    const address = host.descriptor(next, now)?.address ?? peeled.nextAddress;
    const outcome = host.sendPacket(next, address, peeled.packet);
    if (outcome === 'no-address') return this.drop('next-hop-unknown');
    if (outcome === 'dropped') return this.drop('next-hop-no-link');
    this.forwarded += 1;
  }

  private drop(reason: string): void {
    this.dropped += 1;
    this.host.event({ type: 'packetDropped', reason });
  }
}
