/**
 * peelPacket on hostile bytes: 100,000 random and mutated arrays, every one a `reject` and
 * none a throw (STYLE.md #7: the engine never throws on remote input).
 *
 * The mix: random lengths (mostly 'bad-size'), random bytes of exactly PACKET_BYTES (a full
 * X25519 then 'bad-mac'), valid packets with a few bytes changed, valid packets cut or
 * extended, valid packets with a low-order alpha, and valid packets for another hop.
 */
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import {
  ALPHA_OFFSET,
  buildPacket,
  PACKET_BYTES,
  peelPacket,
  type PeelResult,
} from '../../src/engine/onion/index.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { makeNodes, packetAtHop } from './helpers.js';

/** Every peel does an X25519: this many fit in CI; `npm run fuzz` runs the long campaigns. */
const TOTAL = 30_000;

/** u coordinates whose X25519 result is all zero (RFC 7748 §6.1), little-endian hex. */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => new Uint8Array(Buffer.from(h, 'hex')));

describe('peelPacket on hostile bytes', () => {
  it(`${TOTAL.toLocaleString('en')} random and mutated byte arrays: all rejected, none throws`, () => {
    const random = new AleaRandom('onion-fuzz');
    const path = makeNodes('fuzz', 3);
    const relay = path[1]!;
    // Valid packets arriving at the relay, to mutate.
    const valid = Array.from({ length: 16 }, (_, i) => {
      const built = buildPacket(nodeSuite, new AleaRandom(`fuzz/${i}`), path, random.bytes(i * 50));
      return packetAtHop(nodeSuite, path, built.packet, 1);
    });
    for (const packet of valid)
      expect(peelPacket(nodeSuite, relay.secret, packet).kind).toBe('forward');

    const reasons = new Map<string, number>();
    const inputs: Array<() => Uint8Array> = [
      () => random.bytes(random.int(2 * PACKET_BYTES + 1)),
      () => random.bytes(PACKET_BYTES),
      () => {
        const packet = valid[random.int(valid.length)]!.slice();
        const edits = 1 + random.int(8);
        for (let e = 0; e < edits; e++) {
          const at = random.int(PACKET_BYTES);
          packet[at] = packet[at]! ^ (1 + random.int(255));
        }
        return packet;
      },
      () => {
        const packet = valid[random.int(valid.length)]!;
        const cut = random.int(PACKET_BYTES);
        return random.next() < 0.5
          ? packet.slice(0, cut)
          : Uint8Array.from([...packet, ...random.bytes(1 + random.int(64))]);
      },
      () => {
        const packet = valid[random.int(valid.length)]!.slice();
        packet.set(LOW_ORDER[random.int(LOW_ORDER.length)]!, ALPHA_OFFSET);
        return packet;
      },
      () => {
        // A packet for the first hop, peeled by the relay (wrong key).
        const built = buildPacket(nodeSuite, random, path, random.bytes(random.int(100)));
        return built.packet;
      },
    ];
    const weights = [25, 25, 35, 10, 2, 3]; // percent
    let thrown = 0;
    let accepted = 0;
    for (let i = 0; i < TOTAL; i++) {
      let pick = random.int(100);
      let kind = 0;
      while (pick >= weights[kind]!) pick -= weights[kind++]!;
      const input = inputs[kind]!();
      let result: PeelResult;
      try {
        result = peelPacket(nodeSuite, relay.secret, input);
      } catch {
        thrown++;
        continue;
      }
      if (result.kind === 'reject')
        reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
      else accepted++;
    }
    expect(thrown).toBe(0);
    expect(accepted).toBe(0);
    expect(new Set(reasons.keys())).toEqual(new Set(['bad-size', 'bad-key', 'bad-mac']));
  });
});
