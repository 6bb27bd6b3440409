/**
 * A Broadcaster on its own, for unit tests of the broadcast layer: a host that does nothing
 * unless a test says what to record, and probe broadcasts numbered by the test.
 */
import { Broadcaster, type BroadcastHost } from '../../src/engine/broadcast/broadcaster.js';
import type { BroadcastConfig } from '../../src/engine/broadcast/config.js';
import type { NodeId } from '../../src/engine/types.js';
import type { Message } from '../../src/engine/wire/messages.js';
import { identityOf } from './link-peer.js';

export type BroadcastMessage = Extract<Message, { type: 'broadcast' }>;

/** A broadcaster whose host ignores everything but what `host` overrides. */
export function testBroadcaster(
  config: BroadcastConfig,
  host: Partial<BroadcastHost> = {},
): Broadcaster {
  return new Broadcaster(config, {
    broadcastNeighbours: () => [],
    sendToNeighbour: () => {},
    sendFrameToNeighbours: () => {},
    validateBroadcast: () => true,
    deliverBroadcast: () => {},
    duplicateBroadcast: () => {},
    ...host,
  });
}

/**
 * Probe `n` of `origin`, expiring at `expiresAt`: its ID is `n` as a little-endian u32 (so
 * its first byte is `n` below 256) and zeros.
 */
export function probeMessage(
  n: number,
  expiresAt: number,
  origin: NodeId = identityOf('origin').id,
  body: Uint8Array = new Uint8Array(4),
): BroadcastMessage {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, n, true);
  return { type: 'broadcast', id, origin, expiresAt, hops: 8, kind: 'probe', body };
}
