/**
 * A broadcast flooder: at its rate it broadcasts a probe of its own, through its own engine
 * (so each is a well-formed broadcast with a fresh ID, its true origin and a valid expiry).
 * What contains it: every honest node passes on at most ORIGIN_QUOTA broadcasts of one
 * origin per period (engine/broadcast/origin-quota.ts), so the excess stops at the
 * flooder's neighbours (counted as broadcastQuotaExceeded). Its `broadcastSent` events are
 * hidden from the metrics, which measure the honest probes only.
 */
import { BROADCAST_SIZE_DEFAULT } from '../limits.js';
import { bump, type Behaviour } from './shell.js';

export function broadcastFlood(): Behaviour {
  const body = new Uint8Array(BROADCAST_SIZE_DEFAULT);
  let feeding = false;
  return {
    onTimer(ctx) {
      feeding = true;
      ctx.feed({ type: 'command', command: { type: 'broadcast', body } });
      feeding = false;
      bump(ctx.tally, 'broadcasts');
    },
    onEvent(_ctx, event) {
      return !(feeding && event.type === 'broadcastSent');
    },
  };
}
