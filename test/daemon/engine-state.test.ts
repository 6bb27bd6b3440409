/**
 * The engine's durable state (src/daemon/engine-state.ts) between a real Node and a real
 * Store: a flush writes only what changed, in batches; loading gives a new engine the relays
 * the last one knew and the replay tags with their first-sighting times; a tampered row is
 * refused by the engine; a failing store is logged, not fatal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { modelledSuite, nodeSuite } from '../../src/engine/crypto/index.js';
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { signDescriptor } from '../../src/engine/directory/records.js';
import { identityFromSecrets, type Identity } from '../../src/engine/identity.js';
import { Node } from '../../src/engine/node.js';
import { DEFAULT_ROUTING } from '../../src/engine/routing/config.js';
import type { RestoreState } from '../../src/engine/types.js';
import { EngineStateSaver, loadEngineState } from '../../src/daemon/engine-state.js';
import { createLogger, type Logger } from '../../src/daemon/log.js';
import { Store, storeLimits } from '../../src/store/index.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { freshStore, removeDir } from '../store/helpers.js';

const T0 = 1_700_000_000_000;
const LIFETIME = DEFAULT_DIRECTORY.descriptorLifetimeMs;
const MAX_AGE = DEFAULT_ROUTING.replayMaxAgeMs;
const REPLAY_MAX = DEFAULT_ROUTING.replayCacheMax;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function identity(suite: CryptoSuite, seed: number): Identity {
  const sign = new Uint8Array(32);
  new DataView(sign.buffer).setUint32(0, seed + 1);
  const dh = sign.slice();
  dh[31] = 0xdd;
  return identityFromSecrets(suite, sign, dh);
}

function descriptorOf(suite: CryptoSuite, who: Identity, issued: number, relay = true) {
  return signDescriptor(suite, who, {
    address: `10.0.${(who.signPublic[0]! % 250) + 1}.1:7000`,
    relay,
    issued,
    expires: issued + LIFETIME,
  });
}

function startedNode(suite: CryptoSuite, restore: RestoreState, now: number): Node {
  const me = identity(suite, 0);
  const node = new Node({
    identity: me,
    crypto: suite,
    random: new SeededRandomSource('engine-state'),
    address: '10.9.9.9:7000',
    bootstrap: [],
    restore,
  });
  node.handle({ type: 'start' }, now);
  return node;
}

function logger() {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger({
    format: 'json',
    level: 'debug',
    write: (line) => void lines.push(JSON.parse(line) as { level: string; msg: string }),
  });
  return { log, lines };
}

/** A saver for `node` over `store`, knowing what the store holds now. */
function saverFor(store: Store, node: Node, log: Logger, startedAt = T0): EngineStateSaver {
  const loaded = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
  return new EngineStateSaver(store, node, MAX_AGE, log, loaded, startedAt);
}

function openStore() {
  const s = freshStore({ now: () => T0 });
  dirs.push(s.dir);
  return s;
}

describe('engine state in the store', () => {
  const suite = nodeSuite;
  const [a, b, c] = [1, 2, 3].map((seed) => identity(suite, seed)) as [
    Identity,
    Identity,
    Identity,
  ];

  it('a flush writes what changed only; the next life gets the same relays back', () => {
    const { store, clock } = openStore();
    const { log } = logger();
    const descriptors = [descriptorOf(suite, a, T0), descriptorOf(suite, b, T0, false)];
    const loaded = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
    expect(loaded.restore.descriptors).toEqual([]);
    const first = startedNode(
      suite,
      { descriptors: descriptors.map((d) => d.bytes), replayTags: [] },
      T0,
    );
    const saver = new EngineStateSaver(store, first, MAX_AGE, log, loaded, T0);
    expect(saver.flush(T0)).toMatchObject({ descriptorsWritten: 2, descriptorsRemoved: 0 });
    expect(saver.flush(T0 + 1)).toMatchObject({ descriptorsWritten: 0, descriptorsRemoved: 0 });

    clock.t = T0 + 60_000;
    const again = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
    expect(again.restore.descriptors).toHaveLength(2);
    const second = startedNode(suite, again.restore, clock.t);
    expect(second.snapshot().relays).toEqual([a.id]);
    expect(second.counters()['directoryRestored']).toBe(2);

    // Loaded rows are known to be on disk: the new life's first flush writes nothing.
    const saver2 = new EngineStateSaver(store, second, MAX_AGE, log, again, clock.t);
    expect(saver2.flush(clock.t)).toMatchObject({ descriptorsWritten: 0, descriptorsRemoved: 0 });
  });

  it('a newer descriptor replaces its row; one the engine no longer holds loses it', () => {
    const { store, clock } = openStore();
    const { log } = logger();
    const old = descriptorOf(suite, a, T0);
    const shortLived = signDescriptor(suite, b, {
      address: '10.0.0.2:7000',
      relay: true,
      issued: T0,
      expires: T0 + 60_000,
    });
    const first = startedNode(
      suite,
      { descriptors: [old.bytes, shortLived.bytes], replayTags: [] },
      T0,
    );
    saverFor(store, first, log).flush(T0);

    const newer = descriptorOf(suite, a, T0 + 1_000);
    const loaded = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
    const second = startedNode(
      suite,
      { descriptors: [...loaded.restore.descriptors, newer.bytes], replayTags: [] },
      T0 + 1_000,
    );
    const saver = new EngineStateSaver(store, second, MAX_AGE, log, loaded, T0 + 1_000);
    // At T0 + 60 s b's descriptor has expired: its row goes, a's is replaced.
    expect(saver.flush(T0 + 60_000)).toMatchObject({
      descriptorsWritten: 1,
      descriptorsRemoved: 1,
    });
    clock.t = T0 + 60_000;
    expect(store.freshestDescriptors().map((d) => [d.nodeId, d.descriptor])).toEqual([
      [a.id, newer.bytes],
    ]);
  });

  it('a tampered row is loaded but refused by the engine, counted, and deleted', () => {
    const { store } = openStore();
    const { log } = logger();
    const good = descriptorOf(suite, a, T0);
    const forged = descriptorOf(suite, c, T0).bytes.slice();
    // Point c's record at another address without its key: the signature no longer holds.
    forged[1 + 32 + 32 + 1]! ^= 0x01;
    store.putDescriptor(a.id, good.bytes, good.expires);
    store.putDescriptor(c.id, forged, good.expires);
    const loaded = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
    expect(loaded.restore.descriptors).toHaveLength(2);
    const node = startedNode(suite, loaded.restore, T0);
    expect(node.snapshot().relays).toEqual([a.id]);
    expect(node.counters()).toMatchObject({ directoryRestoreRejected: 1, directoryForged: 1 });
    // The engine does not hold it, so the first flush deletes the row.
    const saver = new EngineStateSaver(store, node, MAX_AGE, log, loaded, T0);
    expect(saver.flush(T0)).toMatchObject({ descriptorsWritten: 0, descriptorsRemoved: 1 });
    expect(store.freshestDescriptors().map((d) => d.nodeId)).toEqual([a.id]);
  });

  it('replay tags go to disk with their first-sighting time and come back with it', () => {
    const { store } = openStore();
    const { log } = logger();
    const tags = [
      { tag: new Uint8Array(16).fill(1), seenAt: T0 - 5_000 },
      { tag: new Uint8Array(16).fill(2), seenAt: T0 - 1_000 },
    ];
    const node = startedNode(suite, { descriptors: [], replayTags: tags }, T0);
    const loaded = loadEngineState(store, MAX_AGE, REPLAY_MAX, log);
    // Started before the tags were seen, so they count as not yet on disk.
    const saver = new EngineStateSaver(store, node, MAX_AGE, log, loaded, T0 - 10_000);
    expect(saver.flush(T0).replayTagsWritten).toBe(2);
    // The next flush starts from the newest tag written (inclusive): one harmless rewrite.
    expect(saver.flush(T0 + 1).replayTagsWritten).toBe(1);
    expect(store.liveReplayTags().map((t) => t.expiresAt)).toEqual([
      T0 - 5_000 + MAX_AGE,
      T0 - 1_000 + MAX_AGE,
    ]);
    expect(loadEngineState(store, MAX_AGE, REPLAY_MAX, log).restore.replayTags).toEqual(tags);
  });

  it('more changes than one batch take several transactions, all written', () => {
    const fast = modelledSuite;
    const { store, clock } = openStore();
    const { log } = logger();
    const n = storeLimits.DIRECTORY_BATCH_MAX + 200;
    const many = Array.from(
      { length: n },
      (_, i) => descriptorOf(fast, identity(fast, 100 + i), T0).bytes,
    );
    const node = startedNode(fast, { descriptors: many, replayTags: [] }, T0);
    const saver = saverFor(store, node, log);
    expect(saver.flush(T0).descriptorsWritten).toBe(n);
    clock.t = T0 + 1;
    expect(store.freshestDescriptors()).toHaveLength(n);
  });

  it('a store that refuses writes is logged and is not fatal', () => {
    const { store, file } = openStore();
    const { log, lines } = logger();
    const node = startedNode(
      suite,
      { descriptors: [descriptorOf(suite, a, T0).bytes], replayTags: [] },
      T0,
    );
    const readonly = Store.open({ path: file, readonly: true, now: () => T0 });
    try {
      const saver = saverFor(readonly, node, log);
      expect(saver.flush(T0)).toMatchObject({ descriptorsWritten: 0 });
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', code: 'readonly' }));
    } finally {
      readonly.close();
      store.close();
    }
  });
});
