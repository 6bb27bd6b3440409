/**
 * Hostile and broken peers against a TcpRuntime with the small test limits (STYLE.md #6):
 * garbage, silence, a stalled handshake, a peer that never reads, too many connections, an
 * oversize or tampered frame. Each ends only the offending link with a named reason; the
 * listener keeps serving and the process never throws. Real sockets on 127.0.0.x; every wait
 * is bounded and nothing asserts on speed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Input, Output } from '../../../src/engine/types.js';
import { withLengthPrefix } from '../../../src/transports/tcp/framing.js';
import { TEST_TCP_LIMITS, type TcpLimits } from '../../../src/transports/tcp/limits.js';
import { Harness, keyPair, RecordingEngine, type RawPeer, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function server(limits: Partial<TcpLimits> = {}, script?: (input: Input, now: number) => Output[]) {
  const engine = new RecordingEngine(script);
  const { runtime, keys } = harness.runtime('server', '127.0.0.2', engine, {
    limits: { ...TEST_TCP_LIMITS, ...limits },
  });
  return { engine, runtime, keys };
}

/** A well-behaved client runtime that dials `address` on start. */
async function goodClient(label: string, host: string, address: string) {
  const engine = new RecordingEngine((input) =>
    input.type === 'start' ? [{ type: 'dial', dial: 1, address }] : [],
  );
  const { runtime } = harness.runtime(label, host, engine, { limits: TEST_TCP_LIMITS });
  await runtime.start();
  return { engine, runtime };
}

const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 151 + 7) & 0xff);

describe('TcpRuntime against hostile peers', () => {
  it('garbage instead of a handshake: the link closes and the listener keeps serving', async () => {
    const s = server();
    const address = await s.runtime.listen();
    await s.runtime.start();
    // An announced length over the handshake limit, then a forged e with a garbage message 3.
    const oversize = await harness.peer(address);
    oversize.socket.write(Uint8Array.of(0xff, 0xff, 1, 2, 3));
    const forged = await harness.peer(address);
    forged.socket.write(withLengthPrefix(random(32)));
    await forged.until(() => forged.received.length === 1, 'handshake message 2');
    forged.socket.write(withLengthPrefix(random(64)));
    await oversize.until(() => oversize.closed, 'close of the oversize peer');
    await forged.until(() => forged.closed, 'close of the forging peer');
    expect(s.runtime.stats.inboundFailed).toBe(2);
    expect(s.runtime.stats.closedByReason['handshake-failed']).toBe(2);
    const good = await goodClient('good', '127.0.0.3', address);
    await waitFor(
      () => good.engine.of('linkOpened').length === 1 && s.engine.of('linkOpened').length === 1,
      'a good client’s link on both sides',
    );
  });

  it('a client that connects and says nothing is cut off after the idle timeout', async () => {
    const s = server();
    const address = await s.runtime.listen();
    const silent = await harness.peer(address);
    await silent.until(() => silent.closed, 'the idle cut-off', 5_000);
    expect(s.runtime.stats.closedByReason['idle-timeout']).toBe(1);
    expect(s.runtime.pendingCount).toBe(0);
  });

  it('a client that stalls mid-handshake is cut off after the handshake timeout', async () => {
    const s = server();
    const address = await s.runtime.listen();
    const staller = await harness.peer(address);
    staller.socket.write(withLengthPrefix(keyPair('e').public)); // message 1, then nothing
    await staller.until(() => staller.closed, 'the handshake timeout', 5_000);
    expect(s.runtime.stats.closedByReason['handshake-timeout']).toBe(1);
  });

  it('a peer that never reads: the buffer stays bounded and the link closes with send-buffer-full', async () => {
    const limit = TEST_TCP_LIMITS.sendBufferMaxBytes;
    const frame = new Uint8Array(TEST_TCP_LIMITS.frameMaxBytes).fill(0x5a);
    const open = new Set<number>();
    let reentered = false;
    let handling = false;
    const s = server({}, (input, now) => {
      if (handling) reentered = true;
      handling = true;
      try {
        if (input.type === 'linkOpened') open.add(input.link);
        if (input.type === 'linkClosed') open.delete(input.link);
        if (input.type !== 'linkOpened' && input.type !== 'tick') return [];
        // Every millisecond, a burst of 4 largest frames (half the limit) to every open link:
        // a peer that reads keeps up, one that does not falls behind.
        const out: Output[] = [];
        for (const link of open)
          for (let i = 0; i < 4; i++) out.push({ type: 'send', link, bytes: frame });
        out.push({ type: 'wake', at: now + 1 });
        return out;
      } finally {
        handling = false;
      }
    });
    const address = await s.runtime.listen();
    await s.runtime.start();
    const reader = await harness.peer(address);
    await reader.handshake(keyPair('reader'));
    reader.socket.on('data', () => reader.received.splice(0)); // reads and discards
    await waitFor(() => s.engine.of('linkOpened').length === 1, 'the reader’s link');
    const sleeper: RawPeer = await harness.peer(address);
    await sleeper.handshake(keyPair('sleeper'));
    sleeper.socket.pause(); // never reads again
    await waitFor(() => s.engine.of('linkClosed').length === 1, 'send-buffer-full', 15_000);
    const closed = s.engine.of('linkClosed')[0]!;
    expect(closed.reason).toBe('send-buffer-full');
    expect(closed.link).toBe(s.engine.of('linkOpened')[1]!.link);
    expect(s.runtime.stats.peakSendBufferBytes).toBeLessThanOrEqual(limit);
    expect(s.runtime.stats.peakSendBufferBytes).toBeGreaterThan(limit / 2); // it did fill up
    expect(s.runtime.linkCount).toBe(1); // the reader's link is untouched
    expect(reentered).toBe(false);
  });

  it('max links reached: further inbound connections are refused until one closes', async () => {
    const s = server({ linksMax: 2 });
    const address = await s.runtime.listen();
    await s.runtime.start();
    const first = await goodClient('c1', '127.0.0.3', address);
    await waitFor(() => first.engine.of('linkOpened').length === 1, 'link 1');
    const second = await goodClient('c2', '127.0.0.4', address);
    await waitFor(() => second.engine.of('linkOpened').length === 1, 'link 2');
    const third = await goodClient('c3', '127.0.0.5', address);
    await waitFor(() => third.engine.of('dialFailed').length === 1, 'the third dial failing');
    expect(s.runtime.stats.inboundRefused).toBe(1);
    expect(s.engine.of('linkOpened').length).toBe(2);
    await first.runtime.stop();
    await waitFor(() => s.runtime.linkCount === 1, 'the server noticing the close');
    const fourth = await goodClient('c4', '127.0.0.6', address);
    await waitFor(() => fourth.engine.of('linkOpened').length === 1, 'a link after one closed');
  });

  it('pending handshakes are capped: extra silent sockets are refused at once', async () => {
    const s = server({ pendingHandshakesMax: 2, linksMax: 10, idleBeforeHandshakeMs: 2_000 });
    const address = await s.runtime.listen();
    const peers: RawPeer[] = [];
    for (let i = 0; i < 4; i++) peers.push(await harness.peer(address));
    await waitFor(() => s.runtime.stats.inboundRefused === 2, 'two refusals');
    expect(s.runtime.pendingCount).toBe(2);
    await peers[3]!.until(() => peers[3]!.closed, 'the refused socket closing');
  });

  it('a frame over the limit closes the link; frames before it are delivered', async () => {
    const frameMax = 1024;
    const s = server({ frameMaxBytes: frameMax });
    const address = await s.runtime.listen();
    await s.runtime.start();
    const peer = await harness.peer(address);
    await peer.handshake(keyPair('big'));
    peer.sendFrame(new Uint8Array(frameMax).fill(1));
    peer.sendFrame(new Uint8Array(frameMax + 1).fill(2));
    await waitFor(() => s.engine.of('linkClosed').length === 1, 'linkClosed');
    expect(s.engine.of('frame').map((f) => f.bytes.length)).toEqual([frameMax]);
    expect(s.engine.of('linkClosed')[0]!.reason).toBe('frame-too-large');
    await peer.until(() => peer.closed, 'the socket closing');
  });

  it('a tampered transport message closes the link with decrypt-failed', async () => {
    const s = server();
    const address = await s.runtime.listen();
    await s.runtime.start();
    const peer = await harness.peer(address);
    await peer.handshake(keyPair('tamper'));
    peer.sendFrame(Uint8Array.of(1, 2, 3));
    peer.socket.write(withLengthPrefix(random(40)));
    await waitFor(() => s.engine.of('linkClosed').length === 1, 'linkClosed');
    expect(s.engine.of('frame').map((f) => Array.from(f.bytes))).toEqual([[1, 2, 3]]);
    expect(s.engine.of('linkClosed')[0]!.reason).toBe('decrypt-failed');
  });

  it('a peer that closes right after its frames: all arrive, then remote-closed', async () => {
    const s = server();
    const address = await s.runtime.listen();
    await s.runtime.start();
    const peer = await harness.peer(address);
    const proven = await peer.handshake(keyPair('closer'));
    expect(proven).toEqual(s.keys.public);
    for (let i = 0; i < 50; i++) peer.sendFrame(Uint8Array.of(i));
    peer.socket.end();
    await waitFor(() => s.engine.of('linkClosed').length === 1, 'linkClosed');
    expect(s.engine.of('frame').map((f) => f.bytes[0])).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(s.engine.of('linkClosed')[0]!.reason).toBe('remote-closed');
    expect(s.engine.of('linkOpened')[0]!.remoteStaticKey).toEqual(keyPair('closer').public);
  });

  it('stop does not wait for a closed link to drain to a peer that never reads', async () => {
    const frame = new Uint8Array(TEST_TCP_LIMITS.frameMaxBytes);
    const s = server({ closeLingerMs: 600_000 }, (input) => {
      if (input.type !== 'linkOpened') return [];
      const out: Output[] = [];
      for (let i = 0; i < 7; i++) out.push({ type: 'send', link: input.link, bytes: frame });
      out.push({ type: 'close', link: input.link, reason: 'done' });
      return out;
    });
    const address = await s.runtime.listen();
    await s.runtime.start();
    const peer = await harness.peer(address);
    await peer.handshake(keyPair('paused'));
    peer.socket.pause(); // it will not see the frames, nor the FIN after them
    await waitFor(() => s.engine.of('linkOpened').length === 1, 'the link');
    const stopped = await Promise.race([
      s.runtime.stop().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    expect(stopped).toBe(true);
  });
});
