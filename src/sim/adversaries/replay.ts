/**
 * A replaying relay: it forwards onion packets as it should, keeps the most recent ones, and
 * sends them again to the same next hop later (at its rate). What contains it: the next
 * hop's replay cache (onion/replay-cache.ts) knows the packet's tag and drops the copy
 * (packetDropped 'replay'), so a replay never travels further than one hop.
 */
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import { REPLAY_CAPTURE_MAX } from './limits.js';
import { bump, type Behaviour, frameCode } from './shell.js';

const ONION = MESSAGE_CODES.onion.code;

export function replay(): Behaviour {
  const captured: { link: number; bytes: Uint8Array }[] = [];
  return {
    onSend(_ctx, link, bytes) {
      if (frameCode(bytes) === ONION) {
        if (captured.length >= REPLAY_CAPTURE_MAX) captured.shift();
        captured.push({ link: link.id, bytes });
      }
      return true;
    },
    onTimer(ctx) {
      if (captured.length === 0) return;
      const frame = captured[ctx.random.int(captured.length)] as (typeof captured)[number];
      if (!ctx.links().some((l) => l.id === frame.link)) return;
      ctx.send(frame.link, frame.bytes);
      bump(ctx.tally, 'replayed');
    },
  };
}
