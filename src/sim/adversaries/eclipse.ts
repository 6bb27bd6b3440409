/**
 * An eclipse (partitioning) attacker: it joins the network through the victim (world.ts
 * gives attackers the victim as their only bootstrap contact), then at its rate asks the
 * victim, over their link, to take it as a high-priority neighbour — a request HyParView
 * never refuses, evicting a random neighbour instead (overlay/hyparview.ts). Enough
 * attackers asking often enough fill the victim's active view. Then they drop the victim's
 * traffic both ways: broadcasts and IHAVEs (its descriptor announcements, and the records it
 * should hear), directory sync chunks and onion packets.
 *
 * What contains it, and what does not: one attacker among honest neighbours changes nothing
 * (the other neighbours carry the traffic); an established victim keeps the oldest half of
 * its view, which requests cannot evict (hyparview.ts, eviction protection); a victim
 * surrounded from its own join is fully eclipsed: its broadcasts are cut, so its descriptor
 * expires in every directory and it becomes unreachable, while its own sending keeps
 * working as long as its directory does (onion packets travel on links the sender opens to
 * the relays it chose, not through its neighbours). Measured in the
 * adversaries section of summary.json (eclipse).
 */
import { encodeMessage } from '../../engine/wire/codec.js';
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import { bump, type Behaviour, frameCode } from './shell.js';

/** Frames to and from the victim that attackers drop: everything that spreads information. */
const DROPPED = new Set<number>(
  (['broadcast', 'ihave', 'graft', 'directoryChunk', 'onion'] as const).map(
    (type) => MESSAGE_CODES[type].code,
  ),
);
const NEIGHBOUR_REQUEST = encodeMessage({ type: 'neighbour', priority: 'high' });
/** The attacker's engine may tell the victim it is not its neighbour; the attacker does not. */
const DISCONNECT = MESSAGE_CODES.disconnect.code;

export function eclipse(victimAddress: string): Behaviour {
  return {
    onTimer(ctx) {
      for (const link of ctx.links()) {
        if (!link.ready || link.remoteAddress !== victimAddress) continue;
        ctx.send(link.id, NEIGHBOUR_REQUEST);
        bump(ctx.tally, 'neighbourRequests');
      }
    },
    onFrame(ctx, link, bytes) {
      if (link.remoteAddress !== victimAddress || !DROPPED.has(frameCode(bytes) ?? -1)) return true;
      bump(ctx.tally, 'victimFramesDropped');
      return false;
    },
    onSend(ctx, link, bytes) {
      if (link.remoteAddress !== victimAddress) return true;
      const code = frameCode(bytes) ?? -1;
      if (code === DISCONNECT) return false;
      if (!DROPPED.has(code)) return true;
      bump(ctx.tally, 'victimFramesDropped');
      return false;
    },
  };
}
