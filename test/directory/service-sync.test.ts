/**
 * Directory sync and announcement scope as the directory service does them
 * (src/engine/directory/service.ts): a neighbour's first request in a link's life gets the
 * whole directory, later ones a random part of at most syncRecordsMax descriptors; our own
 * descriptor is pinned; our records leave with announceHops − 1 hops left.
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
