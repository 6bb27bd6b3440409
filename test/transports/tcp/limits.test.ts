/**
 * The transport's link cap at its real value (issue 8 #3): DEFAULT_TCP_LIMITS.linksMax
 * Noise links open on a TcpRuntime whose engine keeps every one, and the next socket is
 * refused. In the daemon the engine's own cap (DEFAULT_OVERLAY.linksMax, lower) closes
 * links first — test/integration/limits.test.ts — so this one is reached only here; the
 * shrunken-limit versions of every transport limit are in hostile.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TCP_LIMITS } from '../../../src/transports/tcp/limits.js';
import { Harness, keyPair, RecordingEngine, waitFor, type RawPeer } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('TcpRuntime at its default limits', () => {
  it('linksMax: that many Noise links stay open; one more socket is refused at once', async () => {
    const engine = new RecordingEngine();
    const { runtime } = harness.runtime('server', '127.0.0.2', engine);
    expect(runtime.limits.linksMax).toBe(DEFAULT_TCP_LIMITS.linksMax);
    const address = await runtime.listen();
    await runtime.start();
    const peers: RawPeer[] = [];
    for (let i = 0; i < DEFAULT_TCP_LIMITS.linksMax; i++) {
      const peer = await harness.peer(address);
      await peer.handshake(keyPair(`link ${i}`));
      peers.push(peer);
    }
    await waitFor(
      () => runtime.linkCount === DEFAULT_TCP_LIMITS.linksMax,
      'every link open',
      20_000,
    );
    const extra = await harness.peer(address);
    await extra.until(() => extra.closed, 'the refusal', 5_000);
    expect(runtime.stats.inboundRefused).toBe(1);
    expect(peers.some((p) => p.closed)).toBe(false);
    expect(engine.of('linkOpened').length).toBe(DEFAULT_TCP_LIMITS.linksMax);
  }, 60_000);
});
