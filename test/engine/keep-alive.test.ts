/**
 * Keep-alives (overlay/config.ts KEEP_ALIVE_SLACK): a neighbour's link that carries nothing
 * else gets a ping at every second heartbeat, and whatever else goes over the link, the
 * neighbour never hears nothing from us for longer than 2.1 heartbeat intervals — well inside
 * its timeout, so a live node is never declared failed for our thrift.
 *
 * A real engine is driven by hand: one neighbour (alice) joins over an authenticated link,
 * the engine's wake-ups are honoured exactly, and alice sends pings (at random times in the
 * property) so that she stays alive in the engine's eyes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERLAY, KEEP_ALIVE_SLACK } from '../../src/engine/overlay/config.js';
import type { Input, Output } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import { MESSAGE_CODES } from '../../src/engine/wire/messages.js';
import { FRAME_HEADER_BYTES } from '../../src/engine/wire/limits.js';
import { handFedNode, identityOf, LinkPeer, openAuthenticatedLink } from '../support/link-peer.js';

const T0 = 1_700_000_000_000;
const LINK = 1;
const INTERVAL = DEFAULT_OVERLAY.heartbeatIntervalMs;
const PING_CODE = MESSAGE_CODES.ping.code;

interface Sent {
  at: number;
  ping: boolean;
}

/**
 * Runs a node with alice as its only neighbour for `durationMs`, alice pinging at
 * `alicePings` (ms after the join); returns every frame the node sent alice after the join.
 */
function runWithAlice(seed: string, durationMs: number, alicePings: number[]): Sent[] {
  const node = handFedNode(seed);
  const alice = new LinkPeer(identityOf('alice'), '10.0.0.2:7000');
  let wakeAt = Infinity;
  const sent: Sent[] = [];
  const record = (outputs: Output[], now: number): void => {
    for (const out of outputs) {
      if (out.type === 'wake') wakeAt = out.at;
      if (out.type === 'send' && out.link === LINK)
        sent.push({ at: now, ping: out.bytes[FRAME_HEADER_BYTES - 1] === PING_CODE });
    }
  };
  const handle = (input: Input, now: number): void => record(node.handle(input, now), now);
  handle({ type: 'start' }, T0);
  record(openAuthenticatedLink(node, alice, LINK, T0), T0);
  handle({ type: 'frame', link: LINK, bytes: encodeMessage({ type: 'join' }) }, T0);
  sent.length = 0;
  const ping = encodeMessage({ type: 'ping' });
  const pings = [...alicePings].sort((a, b) => a - b).map((t) => T0 + t);
  let next = 0;
  for (;;) {
    const aliceAt = pings[next] ?? Infinity;
    const at = Math.min(wakeAt, aliceAt);
    if (at > T0 + durationMs) break;
    if (aliceAt <= wakeAt) {
      next++;
      handle({ type: 'frame', link: LINK, bytes: ping }, aliceAt);
    } else {
      wakeAt = Infinity;
      handle({ type: 'tick' }, at);
    }
  }
  return sent;
}

/** Alice pings every 4 s: the node always hears her, and nothing else is in play. */
const steadyAlice = (durationMs: number): number[] =>
  Array.from({ length: Math.floor(durationMs / 4_000) }, (_, i) => (i + 1) * 4_000);

/** The longest time between two frames to alice (from the join: her link's first frame). */
function longestSilence(sent: Sent[]): number {
  let last = T0;
  let longest = 0;
  for (const { at } of sent) {
    longest = Math.max(longest, at - last);
    last = at;
  }
  return longest;
}

describe('keep-alives', () => {
  it('an idle link gets a ping at every second heartbeat, never two heartbeats apart', () => {
    const duration = 10 * 60_000;
    const sent = runWithAlice('keep-alive idle', duration, steadyAlice(duration));
    const pings = sent.filter((s) => s.ping);
    // Every 2 intervals over 10 minutes (60), less what other frames (shuffles, syncs) made
    // unnecessary; pinging at every heartbeat would be ~120.
    expect(pings.length).toBeGreaterThan(40);
    expect(pings.length).toBeLessThanOrEqual(duration / (2 * INTERVAL) + 1);
    expect(longestSilence(sent)).toBeLessThanOrEqual((2 + KEEP_ALIVE_SLACK) * INTERVAL);
  });

  it('whenever alice speaks, we never stay silent for more than 2.1 intervals', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 3 * 60_000 }), { maxLength: 60 }),
        (seed, extra) => {
          const duration = 3 * 60_000;
          const sent = runWithAlice(`keep-alive ${seed}`, duration, [
            ...steadyAlice(duration),
            ...extra,
          ]);
          expect(longestSilence(sent)).toBeLessThanOrEqual((2 + KEEP_ALIVE_SLACK) * INTERVAL);
          expect(sent.filter((s) => s.ping).length).toBeLessThanOrEqual(
            duration / (2 * INTERVAL) + 1,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
