/**
 * The onion module against the slow reference (test/onion/reference.ts): same random draws,
 * same bytes out of every build and every peel, with both real suites, and the same verdicts
 * on tampered packets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import {
  BETA_BYTES,
  BODY_BYTES,
  buildPacket,
  HEADER_BYTES,
  HOPS_MAX,
  PACKET_BYTES,
  PAYLOAD_MAX,
  peelPacket,
  REPLAY_TAG_BYTES,
  SLOT_BYTES,
} from '../../src/engine/onion/index.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';
import { bitPosition, flipBit, makeNodes, onionCase } from './helpers.js';
import { REF, referenceBuild, referencePeel } from './reference.js';

const FILE = 'test/onion/reference.test.ts';

const plain = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? Buffer.from(value).toString('hex')
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
      : value;

/** Builds with both implementations from the same seed, then peels every hop with both. */
function agree(suite: CryptoSuite, seed: number, hops: number, payload: Uint8Array): void {
  const path = makeNodes(`ref/${seed}`, hops);
  const real = buildPacket(suite, new AleaRandom(`onion/${seed}`), path, payload).packet;
  const reference = referenceBuild(suite, new AleaRandom(`onion/${seed}`), path, payload);
  expect(Buffer.from(real).equals(Buffer.from(reference))).toBe(true);
  let current = real;
  for (const hop of path) {
    const fast = peelPacket(suite, hop.secret, current);
    const slow = referencePeel(suite, hop.secret, current);
    expect(plain(fast)).toEqual(plain(slow));
    if (fast.kind !== 'forward') break;
    current = fast.packet;
  }
}

describe('reference onion', () => {
  it('uses the sizes written in packet.ts', () => {
    expect(REF).toEqual({
      packet: PACKET_BYTES,
      hops: HOPS_MAX,
      slot: SLOT_BYTES,
      beta: BETA_BYTES,
      header: HEADER_BYTES,
      body: BODY_BYTES,
      payloadMax: PAYLOAD_MAX,
      tag: REPLAY_TAG_BYTES,
    });
  });

  it('node suite: build and every peel agree byte for byte with the reference', () =>
    checkProperty(
      FILE,
      'node suite: build and every peel agree byte for byte with the reference',
      fc.property(onionCase, ({ seed, hops, payload }) => agree(nodeSuite, seed, hops, payload)),
      { numRuns: 150 },
    ));

  it('noble suite: build and every peel agree byte for byte with the reference', () =>
    checkProperty(
      FILE,
      'noble suite: build and every peel agree byte for byte with the reference',
      fc.property(onionCase, ({ seed, hops, payload }) => agree(nobleSuite, seed, hops, payload)),
      { numRuns: 12 },
    ));

  it('the node and noble suites build identical packets', () =>
    checkProperty(
      FILE,
      'the node and noble suites build identical packets',
      fc.property(onionCase, ({ seed, hops, payload }) => {
        const path = makeNodes(`cross/${seed}`, hops);
        const a = buildPacket(nodeSuite, new AleaRandom(`x/${seed}`), path, payload).packet;
        const b = buildPacket(nobleSuite, new AleaRandom(`x/${seed}`), path, payload).packet;
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 10 },
    ));

  it('tampered packets get the same verdict from both implementations', () =>
    checkProperty(
      FILE,
      'tampered packets get the same verdict from both implementations',
      fc.property(
        onionCase,
        bitPosition,
        fc.nat(HOPS_MAX - 1),
        ({ seed, hops, payload }, bit, at) => {
          const path = makeNodes(`tamper/${seed}`, hops);
          const built = buildPacket(nodeSuite, new AleaRandom(`t/${seed}`), path, payload);
          const hop = path[at % hops]!;
          const tampered = flipBit(built.packet, bit);
          const fast = peelPacket(nodeSuite, hop.secret, tampered);
          expect(fast.kind).toBe('reject');
          expect(plain(fast)).toEqual(plain(referencePeel(nodeSuite, hop.secret, tampered)));
        },
      ),
      { numRuns: 200 },
    ));
});
