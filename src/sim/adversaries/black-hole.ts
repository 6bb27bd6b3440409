/**
 * A black hole: a relay that accepts every onion packet and forwards none. It keeps its
 * place in the overlay and its descriptor in every directory, so senders keep choosing it;
 * what contains it is the sender's retry on a fresh path that avoids the relays of the failed
 * attempt (routing/sender.ts, path.ts preference 2). Adversaries send and receive no workload
 * messages (runner.ts), so every onion frame it would send is one it relays.
 */
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import { bump, type Behaviour, frameCode } from './shell.js';

const ONION = MESSAGE_CODES.onion.code;

export function blackHole(): Behaviour {
  return {
    onSend(ctx, _link, bytes) {
      if (frameCode(bytes) !== ONION) return true;
      bump(ctx.tally, 'onionDropped');
      return false;
    },
  };
}
