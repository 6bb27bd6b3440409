/**
 * A garbage sender: at its rate it sends one of its ready links a bad frame — random bytes,
 * or one of its own recent frames with a few bytes flipped (a mutated onion packet still
 * decodes as a frame, and fails its MAC at the relay instead). What contains it: the
 * receiver's decoder returns a typed error and closes the link (links.ts; counted as
 * `drop` 'decode:…'), a mutated packet is dropped by its MAC check (packetDropped), and the
 * garbage node keeps losing the neighbours it offends.
 */
import { GARBAGE_CAPTURE_MAX, GARBAGE_FLIPS_MAX, GARBAGE_RANDOM_BYTES_MAX } from './limits.js';
import { bump, type Behaviour } from './shell.js';

export function garbage(): Behaviour {
  const recent: Uint8Array[] = [];
  return {
    onSend(_ctx, _link, bytes) {
      if (recent.length >= GARBAGE_CAPTURE_MAX) recent.shift();
      recent.push(bytes);
      return true;
    },
    onTimer(ctx) {
      const ready = ctx.links().filter((l) => l.ready);
      if (ready.length === 0) return;
      const link = ready[ctx.random.int(ready.length)] as (typeof ready)[number];
      const base = recent.length > 0 && ctx.random.next() < 0.5 ? recent : null;
      let frame: Uint8Array;
      if (base === null) {
        frame = ctx.random.bytes(1 + ctx.random.int(GARBAGE_RANDOM_BYTES_MAX));
        bump(ctx.tally, 'randomFrames');
      } else {
        // A copy: sent frames may be shared by several links (network.ts Rule 4).
        frame = (base[ctx.random.int(base.length)] as Uint8Array).slice();
        const flips = 1 + ctx.random.int(GARBAGE_FLIPS_MAX);
        for (let i = 0; i < flips; i++) {
          const at = ctx.random.int(frame.length);
          frame[at] = (frame[at] as number) ^ (1 + ctx.random.int(255));
        }
        bump(ctx.tally, 'mutatedFrames');
      }
      ctx.send(link.id, frame);
    },
  };
}
