/**
 * Directory sync and announcement scope as the directory service does them
 * (src/engine/directory/service.ts): a neighbour's first request in a link's life gets the
 * whole directory, later ones a random part of at most syncRecordsMax descriptors; our own
 * descriptor is pinned; our records leave with announceHops − 1 hops left; a periodic
 * anti-entropy request carries a digest and is answered with what it lacks.
 */
import { seededIdentity } from '../support/identities.js';
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { signDescriptor } from '../../src/engine/directory/records.js';
import { DirectoryService } from '../../src/engine/directory/service.js';
import type { Identity } from '../../src/engine/identity.js';
import type { NodeId } from '../../src/engine/types.js';
import type { Message } from '../../src/engine/wire/messages.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { digestHolds, idHashOf } from '../../src/engine/directory/digest.js';
import { DIRECTORY_CHUNK_MAX } from '../../src/engine/wire/limits.js';

const suite = modelledSuite;
const CONFIG = {
  ...DEFAULT_DIRECTORY,
  sampleSize: 40,
  announceHops: 3,
  syncRecordsMax: 5,
  syncCooldownMs: 1_000,
};

function identity(seed: number): Identity {
  return seededIdentity(suite, seed);
}

function service() {
  const sent: { peer: NodeId; message: Message }[] = [];
  const broadcasts: { kind: string; hops: number }[] = [];
  const me = identity(0);
  const s = new DirectoryService(
    me,
    '10.0.0.1:7000',
    suite,
    CONFIG,
    {
      broadcast: (kind, _body, hops) => void broadcasts.push({ kind, hops }),
      send: (peer, message) => void sent.push({ peer, message }),
    },
    new SeededRandomSource('sync-test'),
  );
  return { s, me, sent, broadcasts };
}

function records(sent: { message: Message }[]): number {
  let n = 0;
  for (const { message } of sent)
    if (message.type === 'directoryChunk') n += message.descriptors.length;
  return n;
}

describe('directory service: sync and announcement scope', () => {
  it('answers a neighbour in full once, then with a random part; in full again after it left', () => {
    const { s, sent } = service();
    const others = Array.from({ length: 60 }, (_, i) => identity(i + 1));
    for (const who of others) {
      const d = signDescriptor(suite, who, {
        address: '10.0.0.2:7000',
        relay: true,
        issued: 0,
        expires: 3_600_000,
      });
      s.onRecord(d.bytes, 0);
    }
    // The sample keeps 40 others; our own descriptor is not part of it (none announced yet).
    expect(s.directory.size).toBe(CONFIG.sampleSize);
    s.onSyncRequest('peer', 0);
    expect(records(sent)).toBe(CONFIG.sampleSize);
    sent.length = 0;
    s.onSyncRequest('peer', 500); // within the cooldown: refused
    expect(sent).toEqual([]);
    expect(s.syncRefused).toBe(1);
    s.onSyncRequest('peer', 2_000);
    expect(records(sent)).toBe(CONFIG.syncRecordsMax);
    sent.length = 0;
    s.forgetPeer('peer');
    s.onSyncRequest('peer', 2_100);
    expect(records(sent)).toBe(CONFIG.sampleSize);
  });

  it('our own descriptor is pinned: a full sample never evicts it', () => {
    const { s, me, broadcasts } = service();
    s.announce(0);
    for (let i = 1; i <= 100; i++) {
      const who = identity(i);
      s.onRecord(
        signDescriptor(suite, who, { address: 'a:1', relay: true, issued: 0, expires: 600_000 })
          .bytes,
        0,
      );
    }
    expect(s.directory.get(me.id)).toBeDefined();
    expect(s.directory.size).toBe(CONFIG.sampleSize + 1);
    // A radius of 3 overlay hops: 2 hops left after the first.
    expect(broadcasts).toEqual([{ kind: 'descriptor', hops: CONFIG.announceHops - 1 }]);
    s.revoke(1_000);
    expect(broadcasts[1]).toEqual({ kind: 'revocation', hops: CONFIG.announceHops - 1 });
  });

  it('a sync answer shares the sample and our own descriptor, never what the runtime pinned', () => {
    const { s, me, sent } = service();
    s.announce(0);
    const contact = identity(7);
    const stranger = identity(8);
    s.directory.pin(contact.id);
    for (const who of [contact, stranger]) {
      s.onRecord(
        signDescriptor(suite, who, { address: 'a:1', relay: true, issued: 0, expires: 600_000 })
          .bytes,
        0,
      );
    }
    expect(s.directory.size).toBe(3);
    s.onSyncRequest('peer', 0);
    const shared = sent.flatMap(({ message }) =>
      message.type === 'directoryChunk' ? message.descriptors : [],
    );
    const ids = shared.map((bytes) =>
      s.directory.ids().find((id) => s.directory.get(id)?.bytes === bytes),
    );
    expect(ids.sort()).toEqual([me.id, stranger.id].sort());
  });
});

describe('directory service: anti-entropy', () => {
  function descriptorOf(who: Identity, issued: number) {
    return signDescriptor(suite, who, { address: 'a:1', relay: true, issued, expires: 3_600_000 });
  }

  it('answers a digest with exactly the records the requester lacks or holds older', () => {
    const config = { ...CONFIG, sampleSize: 1_000, syncRecordsMax: DIRECTORY_CHUNK_MAX };
    const make = (seed: string) => {
      const sent: { peer: NodeId; message: Message }[] = [];
      const s = new DirectoryService(
        identity(seed === 'a' ? 0 : 1000),
        'a:1',
        suite,
        config,
        { broadcast: () => undefined, send: (peer, message) => void sent.push({ peer, message }) },
        new SeededRandomSource(seed),
      );
      return { s, sent };
    };
    const requester = make('a');
    const responder = make('b');
    const others = Array.from({ length: 200 }, (_, i) => identity(i + 1));
    // Both know 190; the responder alone knows 10 more, and a newer descriptor of 3 of them.
    others.forEach((who, i) => {
      if (i < 190) requester.s.onRecord(descriptorOf(who, 0).bytes, 0);
      responder.s.onRecord(descriptorOf(who, i < 3 ? 10 : 0).bytes, 10);
    });
    requester.s.requestAntiEntropy('b', 20);
    const request = requester.sent[0]?.message;
    expect(request?.type === 'directoryRequest' && request.digest !== undefined).toBe(true);
    if (request?.type !== 'directoryRequest') return;
    responder.s.onSyncRequest('a', 20, request.digest);
    const answered = responder.sent.flatMap(({ message }) =>
      message.type === 'directoryChunk' ? message.descriptors : [],
    );
    expect(answered).toHaveLength(13);
    for (const bytes of answered) requester.s.onRecord(bytes, 20);
    expect(requester.s.directory.size).toBe(200); // none of its own announced yet
    for (const who of others.slice(0, 3))
      expect(requester.s.directory.get(who.id)?.issued).toBe(10);
  });

  it('hears an inconsistency when a sync brings a record it lacked or a digest lacks one of ours', () => {
    // The node's anti-entropy back-off resets on it (Trickle, SYNC_BACKOFF_MAX).
    const config = { ...CONFIG, sampleSize: 1_000, syncRecordsMax: DIRECTORY_CHUNK_MAX };
    const make = (seed: number) => {
      const sent: { peer: NodeId; message: Message }[] = [];
      const s = new DirectoryService(
        identity(seed),
        'a:1',
        suite,
        config,
        { broadcast: () => undefined, send: (peer, message) => void sent.push({ peer, message }) },
        new SeededRandomSource(String(seed)),
      );
      return { s, sent };
    };
    const a = make(0);
    const b = make(1000);
    const others = Array.from({ length: 20 }, (_, i) => identity(i + 1));
    for (const who of others) {
      a.s.onRecord(descriptorOf(who, 0).bytes, 0);
      b.s.onRecord(descriptorOf(who, 0).bytes, 0);
    }
    const digestOf = (from: typeof a, at: number) => {
      from.sent.length = 0;
      from.s.requestAntiEntropy('peer', at);
      const request = from.sent[0]?.message;
      if (request?.type !== 'directoryRequest' || request.digest === undefined)
        throw new Error('no digest sent');
      return request.digest;
    };
    // The same records on both sides: nothing to send, nothing heard.
    b.s.onSyncRequest('a', 10, digestOf(a, 10));
    expect(b.sent).toEqual([]);
    expect(b.s.takeInconsistent()).toBe(false);
    // A record only b holds: b answers with it and hears it; a learns it and hears it.
    const late = identity(500);
    b.s.onRecord(descriptorOf(late, 0).bytes, 20);
    b.s.onSyncRequest('a', 20_000, digestOf(a, 20_000));
    const answer = b.sent.flatMap(({ message }) =>
      message.type === 'directoryChunk' ? message.descriptors : [],
    );
    expect(answer).toHaveLength(1);
    expect(b.s.takeInconsistent()).toBe(true);
    expect(b.s.takeInconsistent()).toBe(false); // taken
    expect(a.s.takeInconsistent()).toBe(false);
    a.s.onSyncChunk(answer, 20_000);
    expect(a.s.takeInconsistent()).toBe(true);
    // The same record again brings nothing new: nothing heard.
    a.s.onSyncChunk(answer, 20_001);
    expect(a.s.takeInconsistent()).toBe(false);
  });

  it('never answers with more than syncRecordsMax records, and a digest never names a pinned contact', () => {
    const { s, sent } = service();
    for (let i = 1; i <= 30; i++) s.onRecord(descriptorOf(identity(i), 0).bytes, 0);
    const empty = { salt: 1, slices: 1, slice: 0, bits: new Uint8Array(8) };
    s.onSyncRequest('peer', 0, empty);
    expect(records(sent)).toBe(CONFIG.syncRecordsMax);
    // A contact pinned by the runtime stays out of our digests (a neighbour could test for it).
    const contact = identity(31);
    s.directory.pin(contact.id);
    s.onRecord(descriptorOf(contact, 0).bytes, 0);
    sent.length = 0;
    s.requestAntiEntropy('peer', 0);
    const request = sent[0]?.message;
    if (request?.type !== 'directoryRequest' || request.digest === undefined)
      throw new Error('no digest sent');
    expect(digestHolds(request.digest, { ...idHashOf(contact.id), issued: 0 })).toBe(false);
    expect(digestHolds(request.digest, { ...idHashOf(identity(5).id), issued: 0 })).toBe(true);
  });
});
