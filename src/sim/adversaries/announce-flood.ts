/**
 * An announcement flooder: at its rate it signs a fresh descriptor of its own — its true
 * address and keys, relay, issued now — and broadcasts it to its neighbours as far as
 * broadcasts go. Every copy is valid and newer than the last, so honest nodes accept it and
 * pass it on (a descriptor refused by a sample still travels, directory.ts rule 5).
 *
 * What it wins, and what contains it: in a full directory nothing (it is held once, like any
 * node). In a sampled directory bottom-k admits it by its rank under the node's secret salt,
 * however often it announces — except for the slots of members the node found unreachable
 * (directory.ts rule 7): those go to the first descriptor issued after the failure, and a
 * node that announces every few seconds is usually first. Measured by
 * `adversaries.sampleHealing` in summary.json. The per-origin broadcast quota (30 a minute,
 * engine/broadcast/origin-quota.ts) bounds how far a faster flooder's copies travel.
 */
import { openRecord, signDescriptor } from '../../engine/directory/records.js';
import { encodeMessage } from '../../engine/wire/codec.js';
import { BROADCAST_HOPS_MAX, BROADCAST_ID_BYTES } from '../../engine/wire/limits.js';
import { ANNOUNCE_BROADCAST_MS } from './limits.js';
import { bump, type Behaviour } from './shell.js';

export function announceFlood(): Behaviour {
  return {
    onTimer(ctx) {
      const now = ctx.now;
      // Its engine's own descriptor gives the address and the lifetime the network accepts.
      const saved = ctx.node.savedDescriptors(now).find((d) => d.id === ctx.identity.id);
      const own = saved === undefined ? undefined : openRecord(ctx.crypto, saved.bytes);
      const ready = ctx.links().filter((l) => l.ready);
      if (typeof own !== 'object' || own.kind !== 'descriptor' || ready.length === 0) return;
      const body = signDescriptor(ctx.crypto, ctx.identity, {
        address: own.address,
        relay: true,
        issued: now,
        expires: now + (own.expires - own.issued),
      }).bytes;
      const frame = encodeMessage({
        type: 'broadcast',
        id: ctx.random.bytes(BROADCAST_ID_BYTES),
        origin: ctx.identity.id,
        expiresAt: now + ANNOUNCE_BROADCAST_MS,
        hops: BROADCAST_HOPS_MAX,
        kind: 'descriptor',
        body,
      });
      for (const link of ready) ctx.send(link.id, frame);
      bump(ctx.tally, 'announcements');
    },
  };
}
