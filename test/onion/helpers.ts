/**
 * Shared fixtures for the onion tests: seeded nodes, hop-by-hop peeling, bit flips and
 * fast-check arbitraries. Randomness is seeded (AleaRandom), so every failure replays.
 */
import fc from 'fast-check';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import {
  HOPS_MAX,
  PACKET_BYTES,
  PAYLOAD_MAX,
  peelPacket,
  type OnionHop,
  type PeelResult,
} from '../../src/engine/onion/index.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';

export interface TestNode extends OnionHop {
  readonly secret: Uint8Array;
}

/**
 * `count` nodes with seeded X25519 keys and 20-byte ids. Public keys come from the node suite
 * (equal to noble's by test/crypto/equivalence.test.ts, and 30× faster to make).
 */
export function makeNodes(seed: string, count: number): TestNode[] {
  const random = new AleaRandom(`nodes/${seed}`);
  const addresses = new AleaRandom(`addresses/${seed}`);
  return Array.from({ length: count }, () => {
    const secret = random.bytes(32);
    const node = { id: random.bytes(20), secret, dhPublic: nodeSuite.x25519PublicKey(secret) };
    const address = someAddress(addresses.bytes(19));
    return address === undefined ? node : { ...node, address };
  });
}

/**
 * An address of every kind a descriptor may hold, chosen by `draw[0]`: none, IPv4, IPv6 in
 * canonical text (carried in the slot), and three that are not (a host name, upper case, a
 * run of zeros left uncompressed).
 */
export function someAddress(draw: Uint8Array): string | undefined {
  const port = ((draw[17] as number) << 8) | (draw[18] as number) || 1;
  const groups = Array.from({ length: 8 }, (_, g) =>
    // Some zero groups, so that runs of them get compressed.
    (draw[1 + g] as number) < 64 ? 0 : ((draw[1 + g] as number) << 8) | (draw[9 + g] as number),
  );
  const canonicalV6 = new URL(`http://[${groups.map((v) => v.toString(16)).join(':')}]/`).hostname;
  switch ((draw[0] as number) % 6) {
    case 0:
      return undefined;
    case 1:
      return `${[...draw.subarray(1, 5)].join('.')}:${port}`;
    case 2:
      return `${canonicalV6}:${port}`;
    case 3:
      return `relay-${draw[1]}.example:${port}`;
    case 4:
      return `${canonicalV6.toUpperCase()}:${port}`;
    default:
      return `[${groups.map((v) => v.toString(16)).join(':')}]:${port}`;
  }
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const out = data.slice();
  const index = Math.floor(bit / 8);
  out[index] = (out[index] as number) ^ (1 << (bit % 8));
  return out;
}

/** Every result of peeling `packet` hop by hop along `path`; stops at the first non-forward. */
export function peelAll(
  suite: CryptoSuite,
  path: readonly TestNode[],
  packet: Uint8Array,
): { results: PeelResult[]; packets: Uint8Array[] } {
  const results: PeelResult[] = [];
  const packets: Uint8Array[] = [packet];
  let current = packet;
  for (const hop of path) {
    const result = peelPacket(suite, hop.secret, current);
    results.push(result);
    if (result.kind !== 'forward') break;
    current = result.packet;
    packets.push(current);
  }
  return { results, packets };
}

/** The packet that arrives at hop `hop` (0 = the built packet), peeling honestly before it. */
export function packetAtHop(
  suite: CryptoSuite,
  path: readonly TestNode[],
  packet: Uint8Array,
  hop: number,
): Uint8Array {
  let current = packet;
  for (let i = 0; i < hop; i++) {
    const result = peelPacket(suite, (path[i] as TestNode).secret, current);
    if (result.kind !== 'forward') throw new Error(`hop ${i} did not forward: ${result.kind}`);
    current = result.packet;
  }
  return current;
}

/** A seed, a path length and a payload: one onion to build. */
export const onionCase = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  hops: fc.integer({ min: 1, max: HOPS_MAX }),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.uint8Array({ maxLength: PAYLOAD_MAX }),
    fc.uint8Array({ minLength: PAYLOAD_MAX, maxLength: PAYLOAD_MAX }),
  ),
});

export const bitPosition = fc.integer({ min: 0, max: PACKET_BYTES * 8 - 1 });
