/**
 * A node started with state saved by an earlier life (NodeOptions.restore): descriptors go
 * through the network's checks (forged, altered, expired, future-dated, revocations and
 * garbage are refused and counted), and restored replay tags make the relay drop a packet
 * it forwarded before the restart — for exactly the replay window, as without a restart.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite, nodeSuite } from '../../src/engine/crypto/index.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { signDescriptor, signRevocation } from '../../src/engine/directory/records.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';
import { Node } from '../../src/engine/node.js';
import { buildPacket } from '../../src/engine/onion/packet.js';
import { base32Decode } from '../../src/engine/base32.js';
import { TEST_ROUTING } from '../../src/engine/routing/config.js';
import type { EngineEvent, Output, RestoreState } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { checkProperty } from '../support/property.js';

const FILE = 'test/engine/restore.test.ts';
const T0 = 1_700_000_000_000;
const LIFETIME = DEFAULT_DIRECTORY.descriptorLifetimeMs;

function identity(suite: CryptoSuite, seed: number): Identity {
  return identityFromSecrets(
    suite,
    new Uint8Array(32).fill(seed),
    new Uint8Array(32).fill(seed + 100),
  );
}

function descriptorOf(suite: CryptoSuite, who: Identity, issued: number, relay = true) {
  const address = `10.0.0.${who.signPublic[0]! % 250}:7000`;
  return signDescriptor(suite, who, { address, relay, issued, expires: issued + LIFETIME });
}

function nodeOf(suite: CryptoSuite, who: Identity, restore?: RestoreState): Node {
  return new Node({
    identity: who,
    crypto: suite,
    random: new SeededRandomSource(`restore/${who.id}`),
    address: `10.1.0.${who.signPublic[0]! % 250}:7000`,
    bootstrap: [],
    routing: TEST_ROUTING,
    checkInvariants: true,
    ...(restore === undefined ? {} : { restore }),
  });
}

const eventsOf = (outputs: Output[]): EngineEvent[] =>
  outputs.flatMap((o) => (o.type === 'event' ? [o.event] : []));

describe('restoring descriptors', () => {
  const suite = nodeSuite;
  const self = identity(suite, 1);
  const [a, b, c, d, e, f] = [2, 3, 4, 5, 6, 7].map((seed) => identity(suite, seed)) as Identity[];

  it('valid descriptors come back; forged, altered, expired, future and foreign records are refused and counted', () => {
    const now = T0;
    const good = descriptorOf(suite, a!, now - 60_000);
    const notRelay = descriptorOf(suite, b!, now - 60_000, false);
    const forged = descriptorOf(suite, c!, now - 60_000).bytes.slice();
    forged[forged.length - 1]! ^= 0x01; // the signature's last byte
    const altered = descriptorOf(suite, d!, now - 60_000).bytes.slice();
    altered[altered.length - 64 - 13]! ^= 0x01; // the relay flag
    const expired = descriptorOf(suite, e!, now - LIFETIME - 1).bytes;
    const future = descriptorOf(suite, f!, now + DEFAULT_DIRECTORY.clockSkewMs + 1).bytes;
    const revocation = signRevocation(suite, a!, now - 120_000).bytes;
    const garbage = new Uint8Array([1, 2, 3]);

    const node = nodeOf(suite, self, {
      descriptors: [
        good.bytes,
        notRelay.bytes,
        forged,
        altered,
        expired,
        future,
        revocation,
        garbage,
      ],
      replayTags: [],
    });
    const events = eventsOf(node.handle({ type: 'start' }, now));

    expect(events).toContainEqual({
      type: 'restored',
      descriptors: 2,
      descriptorsRejected: 6,
      replayTags: 0,
      replayTagsRejected: 0,
    });
    expect(node.snapshot().relays).toEqual([a!.id]);
    expect(node.resolve(b!.id, now)).toMatchObject({ id: b!.id, relay: false });
    for (const who of [c, d, e, f]) expect(node.resolve(who!.id, now)).toBeUndefined();
    expect(node.counters()).toMatchObject({
      directorySize: 2,
      directoryRestored: 2,
      directoryRestoreRejected: 6,
      directoryForged: 2, // the bad signature and the altered flag
      directoryMalformed: 2, // the revocation and the garbage
      directoryExpired: 1,
      directoryStale: 1, // issued beyond the clock skew
    });
  });

  it('what a node saves is what the next life restores', () => {
    const now = T0;
    const first = nodeOf(suite, self, {
      descriptors: [descriptorOf(suite, a!, now).bytes, descriptorOf(suite, b!, now, false).bytes],
      replayTags: [],
    });
    first.handle({ type: 'start' }, now);
    const saved = first.savedDescriptors(now);
    expect(saved.map((s) => s.id).sort()).toEqual([a!.id, b!.id].sort());
    expect(saved.every((s) => s.expires === now + LIFETIME)).toBe(true);

    const later = now + 30 * 60_000;
    const second = nodeOf(suite, self, { descriptors: saved.map((s) => s.bytes), replayTags: [] });
    second.handle({ type: 'start' }, later);
    expect(second.snapshot().relays).toEqual([a!.id]);
    expect(second.counters()['directoryRestored']).toBe(2);
    // Restored after they expired: refused, as the network's copies would be.
    const third = nodeOf(suite, self, { descriptors: saved.map((s) => s.bytes), replayTags: [] });
    third.handle({ type: 'start' }, now + LIFETIME);
    expect(third.snapshot().relays).toEqual([]);
    expect(third.counters()).toMatchObject({ directoryRestoreRejected: 2, directoryExpired: 2 });
  });

  it('any flipped bit in a saved descriptor keeps it out of the directory', () => {
    const fast = modelledSuite;
    const me = identity(fast, 1);
    const relay = identity(fast, 2);
    const bytes = descriptorOf(fast, relay, T0).bytes;
    checkProperty(
      FILE,
      'any flipped bit in a saved descriptor keeps it out of the directory',
      fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
        const tampered = bytes.slice();
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        const node = nodeOf(fast, me, { descriptors: [tampered], replayTags: [] });
        node.handle({ type: 'start' }, T0);
        expect(node.counters()).toMatchObject({ directorySize: 0, directoryRestoreRejected: 1 });
        expect(node.snapshot().relays).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Links `peer` to `relay` the way a runtime would (one dial, frames passed both ways until
 * both sides are quiet) and returns the link's id on the relay's side.
 */
function link(peer: Node, relay: Node, relayAddress: string, now: number): number {
  const LINK = 1;
  const dial = peer
    .handle({ type: 'start' }, now)
    .find((o): o is Extract<Output, { type: 'dial' }> => o.type === 'dial');
  if (dial === undefined || dial.address !== relayAddress) throw new Error('peer did not dial');
  let toRelay = relay.handle({ type: 'linkOpened', link: LINK, remoteAddress: 'peer' }, now);
  let toPeer = peer.handle(
    { type: 'linkOpened', link: LINK, dial: dial.dial, remoteAddress: relayAddress },
    now,
  );
  for (let round = 0; round < 20 && (toRelay.length > 0 || toPeer.length > 0); round++) {
    const framesForPeer = toRelay.flatMap((o) => (o.type === 'send' ? [o.bytes] : []));
    const framesForRelay = toPeer.flatMap((o) => (o.type === 'send' ? [o.bytes] : []));
    toRelay = framesForRelay.flatMap((bytes) =>
      relay.handle({ type: 'frame', link: LINK, bytes }, now),
    );
    toPeer = framesForPeer.flatMap((bytes) =>
      peer.handle({ type: 'frame', link: LINK, bytes }, now),
    );
    if (framesForPeer.length === 0 && framesForRelay.length === 0) break;
  }
  if (!relay.snapshot().active.includes(peer.identity.id)) throw new Error('no link came up');
  return LINK;
}

describe('restoring replay tags', () => {
  const suite = modelledSuite;
  const relayId = identity(suite, 10);
  const next = identity(suite, 11);
  const nextDescriptor = descriptorOf(suite, next, T0);
  const packet = buildPacket(
    suite,
    new SeededRandomSource('restore/packet').fork('onion'),
    [
      { id: base32Decode(relayId.id)!, dhPublic: relayId.dhPublic },
      { id: base32Decode(next.id)!, dhPublic: next.dhPublic },
    ],
    new TextEncoder().encode('captured before the restart'),
  ).packet;
  const frame = encodeMessage({ type: 'onion', packet });

  /** One life of the relay: started at `now` with `tags`, sent the captured frame once. */
  function life(now: number, tags: RestoreState['replayTags'], peerSeed: number) {
    const relay = nodeOf(suite, relayId, { descriptors: [nextDescriptor.bytes], replayTags: tags });
    const relayAddress = `10.1.0.${relayId.signPublic[0]! % 250}:7000`;
    relay.handle({ type: 'start' }, now);
    const peer = new Node({
      identity: identity(suite, peerSeed),
      crypto: suite,
      random: new SeededRandomSource(`restore/peer/${peerSeed}`),
      address: '10.2.0.1:7000',
      bootstrap: [relayAddress],
      routing: TEST_ROUTING,
    });
    const id = link(peer, relay, relayAddress, now);
    const outputs = relay.handle({ type: 'frame', link: id, bytes: frame }, now);
    const forwarded = outputs.some(
      (o) => o.type === 'dial' && o.address === nextDescriptor.address,
    );
    return { relay, forwarded, events: eventsOf(outputs) };
  }

  it('a packet forwarded before a restart is dropped as a replay after it', () => {
    const before = life(T0, [], 50);
    expect(before.forwarded).toBe(true);
    const saved = before.relay.replayTags(T0);
    expect(saved).toHaveLength(1);

    const after = life(T0 + 60_000, saved, 51);
    expect(after.forwarded).toBe(false);
    expect(after.events).toEqual([{ type: 'packetDropped', reason: 'replay' }]);
    expect(after.relay.counters()).toMatchObject({ replays: 1, replayTagsRestored: 1 });

    // Without the saved tags the same packet goes through again: what the store prevents.
    expect(life(T0 + 60_000, [], 52).forwarded).toBe(true);
  });

  it('a restored tag ages out exactly when it would have without the restart', () => {
    const saved = life(T0, [], 60).relay.replayTags(T0);
    const window = TEST_ROUTING.replayMaxAgeMs;
    expect(life(T0 + window - 1, saved, 61).forwarded).toBe(false);
    const late = life(T0 + window, saved, 62);
    expect(late.forwarded).toBe(true);
    expect(late.relay.counters()).toMatchObject({
      replayTagsRestored: 0,
      replayTagsRestoreRejected: 1,
    });
  });

  it('saved tags of the wrong size are refused and counted', () => {
    const node = nodeOf(suite, relayId, {
      descriptors: [],
      replayTags: [
        { tag: new Uint8Array(15), seenAt: T0 },
        { tag: new Uint8Array(16).fill(9), seenAt: T0 },
        { tag: new Uint8Array(17), seenAt: T0 },
      ],
    });
    node.handle({ type: 'start' }, T0);
    expect(node.counters()).toMatchObject({
      replayTagsRestored: 1,
      replayTagsRestoreRejected: 2,
      replayCacheSize: 1,
    });
  });
});
