/**
 * Onion packets (src/engine/onion/packet.ts): delivery along any path, one size everywhere,
 * integrity of every bit, replay tags, unlinkability, hidden path length, misuse errors.
 * The noble suite runs the same properties with few runs (its X25519 is ~30× slower).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { hopKeys, keystream, xorInto } from '../../src/engine/onion/keys.js';
import {
  ALPHA_OFFSET,
  BETA_BYTES,
  BETA_OFFSET,
  BODY_BYTES,
  BODY_OFFSET,
  buildPacket,
  HEADER_BYTES,
  HOPS_MAX,
  OnionError,
  PACKET_BYTES,
  PAYLOAD_MAX,
  peelPacket,
  REPLAY_TAG_BYTES,
  ReplayCache,
  SLOT_ADDRESS_OFFSET,
  SLOT_BYTES,
} from '../../src/engine/onion/index.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';
import {
  bitPosition,
  flipBit,
  hex,
  makeNodes,
  onionCase,
  packetAtHop,
  peelAll,
  type TestNode,
} from './helpers.js';
import { referenceCarried as carried } from './reference.js';

const FILE = 'test/onion/packet.test.ts';
const SUITES: Array<[CryptoSuite, number]> = [
  [nodeSuite, 200],
  [nobleSuite, 8],
];

function build(suite: CryptoSuite, seed: number | string, path: TestNode[], payload: Uint8Array) {
  return buildPacket(suite, new AleaRandom(`onion/${seed}`), path, payload).packet;
}

describe.each(SUITES)('onion packets with the %s suite', (suite, runs) => {
  const name = (text: string) => `${suite.name}: ${text}`;

  it(name('any path of 1..HOPS_MAX hops forwards to the next ids and delivers at the last'), () =>
    checkProperty(
      FILE,
      name('any path of 1..HOPS_MAX hops forwards to the next ids and delivers at the last'),
      fc.property(onionCase, ({ seed, hops, payload }) => {
        const path = makeNodes(`p/${seed}`, hops);
        const built = buildPacket(suite, new AleaRandom(`onion/${seed}`), path, payload);
        expect(hex(built.firstHop)).toBe(hex(path[0]!.id));
        const { results, packets } = peelAll(suite, path, built.packet);
        expect(results).toHaveLength(hops);
        results.forEach((result, i) => {
          if (i < hops - 1) {
            expect(result.kind).toBe('forward');
            if (result.kind === 'forward') {
              expect(hex(result.nextHop)).toBe(hex(path[i + 1]!.id));
              expect(result.nextAddress).toBe(carried(path[i + 1]!.address));
            }
          } else {
            expect(result.kind).toBe('deliver');
            if (result.kind === 'deliver') expect(hex(result.payload)).toBe(hex(payload));
          }
        });
        for (const packet of packets) expect(packet.length).toBe(PACKET_BYTES);
      }),
      { numRuns: runs },
    ),
  );

  it(name('a flipped bit anywhere is rejected at the next hop'), () =>
    checkProperty(
      FILE,
      name('a flipped bit anywhere is rejected at the next hop'),
      fc.property(onionCase, fc.nat(HOPS_MAX - 1), bitPosition, (c, at, bit) => {
        const path = makeNodes(`f/${c.seed}`, c.hops);
        const hop = at % c.hops;
        const arriving = packetAtHop(suite, path, build(suite, c.seed, path, c.payload), hop);
        const result = peelPacket(suite, path[hop]!.secret, flipBit(arriving, bit));
        expect(result.kind).toBe('reject');
      }),
      { numRuns: runs },
    ),
  );

  it(name('peeling with the wrong key rejects'), () =>
    checkProperty(
      FILE,
      name('peeling with the wrong key rejects'),
      fc.property(onionCase, ({ seed, hops, payload }) => {
        const path = makeNodes(`w/${seed}`, hops);
        const [stranger] = makeNodes(`stranger/${seed}`, 1);
        const packet = build(suite, seed, path, payload);
        expect(peelPacket(suite, stranger!.secret, packet)).toEqual({
          kind: 'reject',
          reason: 'bad-mac',
        });
        // The second hop's key does not open the first hop's layer either.
        if (hops > 1) expect(peelPacket(suite, path[1]!.secret, packet).kind).toBe('reject');
      }),
      { numRuns: Math.max(4, runs / 4) },
    ),
  );
});

describe('onion packets: integrity, replay, unlinkability (node suite)', () => {
  it('every one of the 16,384 bit flips is rejected at a first, middle and last hop', () => {
    const path = makeNodes('exhaustive', 3);
    const packet = build(nodeSuite, 'exhaustive', path, new TextEncoder().encode('hi'));
    for (let hop = 0; hop < 3; hop++) {
      const arriving = packetAtHop(nodeSuite, path, packet, hop);
      const reasons = new Map<string, number>();
      for (let bit = 0; bit < PACKET_BYTES * 8; bit++) {
        const result = peelPacket(nodeSuite, path[hop]!.secret, flipBit(arriving, bit));
        const key = result.kind === 'reject' ? result.reason : result.kind;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
      // Almost all are MAC failures; a flip in alpha could in principle hit a low-order point.
      expect([...reasons.keys()].every((r) => r === 'bad-mac' || r === 'bad-key')).toBe(true);
    }
  });

  it('the same packet peeled twice gives the same replay tag, so the cache drops it', () => {
    const path = makeNodes('replay', 4);
    const packet = build(nodeSuite, 'replay', path, Uint8Array.of(1, 2, 3));
    const cache = new ReplayCache(16, 60_000);
    const first = peelPacket(nodeSuite, path[0]!.secret, packet);
    const again = peelPacket(nodeSuite, path[0]!.secret, packet.slice());
    expect(first.kind).toBe('forward');
    if (first.kind !== 'forward' || again.kind !== 'forward') return;
    expect(first.replayTag).toHaveLength(REPLAY_TAG_BYTES);
    expect(hex(again.replayTag)).toBe(hex(first.replayTag));
    expect(hex(again.packet)).toBe(hex(first.packet));
    expect(cache.check(first.replayTag, 0)).toBe('fresh');
    expect(cache.check(again.replayTag, 1)).toBe('replay');
  });

  it('a packet at any offset inside a larger buffer peels the same (aligned or not)', () => {
    const path = makeNodes('offsets', 3);
    const packet = build(nodeSuite, 'offsets', path, Uint8Array.of(4, 5, 6));
    const plain = (r: ReturnType<typeof peelPacket>) =>
      JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));
    const expected = plain(peelPacket(nodeSuite, path[0]!.secret, packet));
    for (let offset = 0; offset < 8; offset++) {
      const big = new Uint8Array(PACKET_BYTES + 16).fill(0xee);
      big.set(packet, offset);
      const view = big.subarray(offset, offset + PACKET_BYTES);
      expect(plain(peelPacket(nodeSuite, path[0]!.secret, view))).toBe(expected);
      expect(hex(big.subarray(offset, offset + PACKET_BYTES))).toBe(hex(packet)); // untouched
    }
  });

  it('different packets give different replay tags, at every hop', () => {
    const path = makeNodes('tags', HOPS_MAX);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { results } = peelAll(
        nodeSuite,
        path,
        build(nodeSuite, `tags/${i}`, path, Uint8Array.of(7)),
      );
      for (const result of results) {
        expect(result.kind).not.toBe('reject');
        if (result.kind !== 'reject') seen.add(hex(result.replayTag));
      }
    }
    expect(seen.size).toBe(50 * HOPS_MAX);
  });

  it('a forwarded packet shares no 16-byte aligned window with the packet that came in', () =>
    checkProperty(
      FILE,
      'a forwarded packet shares no 16-byte aligned window with the packet that came in',
      fc.property(onionCase, ({ seed, hops, payload }) => {
        const path = makeNodes(`u/${seed}`, hops);
        const { packets } = peelAll(nodeSuite, path, build(nodeSuite, seed, path, payload));
        for (let i = 1; i < packets.length; i++) {
          const incoming = Buffer.from(packets[i - 1]!);
          const windows = new Set<string>();
          for (let at = 0; at + 16 <= incoming.length; at++) {
            windows.add(incoming.toString('hex', at, at + 16));
          }
          const outgoing = Buffer.from(packets[i]!);
          for (let at = 0; at < outgoing.length; at += 16) {
            expect(windows.has(outgoing.toString('hex', at, at + 16))).toBe(false);
          }
        }
      }),
      { numRuns: 60 },
    ));

  it('headers of every path length look alike: same size, uniform bytes, no zero tail', () => {
    const samples = 200;
    const limit = (sd: number) => 6 * sd;
    const byPathLength: number[][] = [];
    for (let hops = 1; hops <= HOPS_MAX; hops++) {
      const path = makeNodes(`len/${hops}`, hops);
      const sums = new Array<number>(HEADER_BYTES).fill(0);
      const histogram = new Array<number>(256).fill(0);
      for (let i = 0; i < samples; i++) {
        const packet = build(nodeSuite, `len/${hops}/${i}`, path, new Uint8Array(0));
        expect(packet.length).toBe(PACKET_BYTES);
        // The slots a short path does not use are not zeros on the wire.
        const unused = packet.subarray(BETA_OFFSET + hops * SLOT_BYTES, BETA_OFFSET + BETA_BYTES);
        if (hops < HOPS_MAX) expect(unused.some((b) => b !== 0)).toBe(true);
        for (let at = 0; at < HEADER_BYTES; at++) {
          sums[at]! += packet[at]!;
          histogram[packet[at]!]!++;
        }
      }
      // Byte values over the header are uniform: chi-squared with 255 degrees of freedom.
      const expected = (samples * HEADER_BYTES) / 256;
      const chi2 = histogram.reduce((acc, count) => acc + (count - expected) ** 2 / expected, 0);
      expect(chi2).toBeLessThan(255 + limit(Math.sqrt(2 * 255)));
      // Every header position has the mean of a uniform byte (sd of one byte is ~73.9), but
      // alpha's last byte: an X25519 public key is below 2^255, so its top bit is always 0.
      const means = sums.map((s) => s / samples);
      const sdMean = 73.9 / Math.sqrt(samples);
      means.forEach((mean, at) => {
        if (at === ALPHA_OFFSET + 31) expect(mean).toBeLessThan(128);
        else expect(Math.abs(mean - 127.5)).toBeLessThan(limit(sdMean));
      });
      byPathLength.push(means);
    }
    // And no position tells a 1-hop header from a HOPS_MAX-hop one.
    const first = byPathLength[0]!;
    const last = byPathLength[HOPS_MAX - 1]!;
    const sdDiff = (73.9 * Math.SQRT2) / Math.sqrt(samples);
    first.forEach((mean, at) => expect(Math.abs(mean - last[at]!)).toBeLessThan(limit(sdDiff)));
  });
});

describe('onion packets: what the recipient sees', () => {
  it('after its own slot, the recipient decrypts random-looking bytes for every path length', () => {
    for (let hops = 1; hops <= HOPS_MAX; hops++) {
      const path = makeNodes(`tail/${hops}`, hops);
      const recipient = path[hops - 1]!;
      let sum = 0;
      let count = 0;
      for (let i = 0; i < 20; i++) {
        const packet = build(nodeSuite, `tail/${hops}/${i}`, path, new Uint8Array(0));
        const arriving = packetAtHop(nodeSuite, path, packet, hops - 1);
        const alpha = arriving.subarray(ALPHA_OFFSET, ALPHA_OFFSET + 32);
        const keys = hopKeys(nodeSuite, nodeSuite.x25519(recipient.secret, alpha)!);
        const routing = arriving.slice(BETA_OFFSET, BETA_OFFSET + BETA_BYTES);
        xorInto(routing, 0, keystream(nodeSuite, keys.header, BETA_BYTES), 0, BETA_BYTES);
        expect(routing[0]).toBe(2); // deliver
        for (let at = SLOT_BYTES; at < BETA_BYTES; at++) sum += routing[at]!;
        count += BETA_BYTES - SLOT_BYTES;
      }
      // Zero padding (as in Sphinx) would pull this mean towards 0 for short paths.
      const sd = 73.9 / Math.sqrt(count);
      expect(Math.abs(sum / count - 127.5)).toBeLessThan(6 * sd);
    }
  });
});

describe('onion packets: reject reasons and misuse', () => {
  const [relay] = makeNodes('reasons', 1);

  /**
   * A one-hop packet whose decrypted slot and body are chosen freely: what only a malicious
   * sender could make, since every byte is covered by a valid MAC.
   */
  function craft(slot: Uint8Array, body: Uint8Array): Uint8Array {
    const random = new AleaRandom('craft');
    const ephemeral = random.bytes(32);
    const shared = nodeSuite.x25519(ephemeral, relay!.dhPublic)!;
    const keys = hopKeys(nodeSuite, shared);
    const packet = new Uint8Array(PACKET_BYTES);
    packet.set(nodeSuite.x25519PublicKey(ephemeral), ALPHA_OFFSET);
    packet.set(slot, BETA_OFFSET);
    xorInto(packet, BETA_OFFSET, keystream(nodeSuite, keys.header, BETA_BYTES), 0, BETA_BYTES);
    packet.set(body, BODY_OFFSET);
    xorInto(packet, BODY_OFFSET, keystream(nodeSuite, keys.payload, BODY_BYTES), 0, BODY_BYTES);
    packet.set(nodeSuite.hmacSha256(keys.mac, packet.subarray(ALPHA_OFFSET)).subarray(0, 16), 0);
    return packet;
  }
  const slotOf = (...bytes: number[]) => {
    const slot = new Uint8Array(SLOT_BYTES);
    slot.set(bytes);
    return slot;
  };
  const bodyOf = (...bytes: number[]) => {
    const body = new Uint8Array(BODY_BYTES);
    body.set(bytes);
    return body;
  };
  const peel = (packet: Uint8Array) => peelPacket(nodeSuite, relay!.secret, packet);

  it('a crafted well-formed packet delivers (the crafting is right)', () => {
    const result = peel(craft(slotOf(2), bodyOf(0, 3, 9, 8, 7)));
    expect(result.kind).toBe('deliver');
    if (result.kind === 'deliver') expect([...result.payload]).toEqual([9, 8, 7]);
  });

  it('names each kind of bad packet', () => {
    const reason = (packet: Uint8Array) => {
      const result = peel(packet);
      return result.kind === 'reject' ? result.reason : result.kind;
    };
    const good = craft(slotOf(2), bodyOf(0, 0));
    expect(reason(good)).toBe('deliver');
    expect(reason(good.subarray(1))).toBe('bad-size');
    expect(reason(new Uint8Array(PACKET_BYTES + 1))).toBe('bad-size');
    expect(reason(new Uint8Array(0))).toBe('bad-size');
    expect(reason(new Uint8Array(PACKET_BYTES))).toBe('bad-key'); // alpha = 0, low order
    expect(reason(flipBit(good, 8 * PACKET_BYTES - 1))).toBe('bad-mac');
    expect(reason(craft(slotOf(3), bodyOf(0, 0)))).toBe('bad-slot');
    expect(reason(craft(slotOf(0), bodyOf(0, 0)))).toBe('bad-slot');
    expect(reason(craft(slotOf(2, 0, 0, 1), bodyOf(0, 0)))).toBe('bad-slot');
    // A forward slot's address field (hop-address.ts): an unknown form, a form 0 or IPv4
    // field with bytes in its padding, a port of 0.
    const forwardTo = (...address: number[]) => {
      const slot = slotOf(1);
      slot.set(address, SLOT_ADDRESS_OFFSET);
      return craft(slot, bodyOf());
    };
    expect(reason(forwardTo(0))).toBe('forward');
    expect(reason(forwardTo(4, 10, 0, 0, 1, ...new Array(12).fill(0), 0x1b, 0x58))).toBe('forward');
    expect(reason(forwardTo(5, 10, 0, 0, 1, ...new Array(12).fill(0), 0x1b, 0x58))).toBe(
      'bad-slot',
    );
    expect(reason(forwardTo(0, 0, 0, 0, 0, ...new Array(12).fill(0), 0x1b, 0x58))).toBe('bad-slot');
    expect(reason(forwardTo(4, 10, 0, 0, 1, 7, ...new Array(11).fill(0), 0x1b, 0x58))).toBe(
      'bad-slot',
    );
    expect(reason(forwardTo(4, 10, 0, 0, 1, ...new Array(12).fill(0), 0, 0))).toBe('bad-slot');
    const tooLong = PAYLOAD_MAX + 1;
    expect(reason(craft(slotOf(2), bodyOf(tooLong >> 8, tooLong & 255)))).toBe('bad-payload');
    expect(reason(craft(slotOf(2), bodyOf(0, 1, 5, 1)))).toBe('bad-payload'); // padding not zero
  });

  it('accepts the largest and the empty payload, refuses one byte more', () => {
    const path = makeNodes('sizes', 2);
    for (const size of [0, 1, PAYLOAD_MAX]) {
      const payload = new Uint8Array(size).fill(0xab);
      const { results } = peelAll(nodeSuite, path, build(nodeSuite, size, path, payload));
      const last = results.at(-1)!;
      expect(last.kind).toBe('deliver');
      if (last.kind === 'deliver') expect(hex(last.payload)).toBe(hex(payload));
    }
    expect(() => build(nodeSuite, 0, path, new Uint8Array(PAYLOAD_MAX + 1))).toThrow(OnionError);
  });

  it('throws OnionError on local misuse', () => {
    const path = makeNodes('misuse', HOPS_MAX + 1);
    const payload = new Uint8Array(1);
    const bad = (p: typeof path) => () => build(nodeSuite, 0, p, payload);
    expect(bad([])).toThrow(OnionError);
    expect(bad(path)).toThrow(/1\.\.5 hops/);
    expect(bad([{ ...path[0]!, id: new Uint8Array(19) }])).toThrow(OnionError);
    expect(bad([{ ...path[0]!, dhPublic: new Uint8Array(31) }])).toThrow(OnionError);
    expect(bad([{ ...path[0]!, dhPublic: new Uint8Array(32) }])).toThrow(/low-order/);
    expect(() => peelPacket(nodeSuite, new Uint8Array(31), new Uint8Array(PACKET_BYTES))).toThrow(
      OnionError,
    );
  });
});

describe('xorInto', () => {
  it('matches a byte loop for every length and alignment of target and source', () =>
    checkProperty(
      FILE,
      'xorInto matches a byte loop for every length and alignment of target and source',
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.uint8Array({ minLength: 300, maxLength: 300 }),
        fc.nat(7),
        fc.nat(7),
        (data, key, at, from) => {
          const length = Math.min(data.length, key.length - from);
          const target = new Uint8Array(at + data.length + 3);
          target.set(data, at);
          const expected = target.slice();
          for (let i = 0; i < length; i++) expected[at + i]! ^= key[from + i]!;
          xorInto(target, at, key, from, length);
          expect(hex(target)).toBe(hex(expected));
        },
      ),
      { numRuns: 500 },
    ));
});
