/**
 * TcpRuntime on real loopback sockets (127.0.0.x): what the handshake proves, how the runtime
 * carries out outputs the compliance suite does not cover, and how it stops. Every wait is
 * bounded; every runtime and socket is torn down in afterEach.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSuite } from '../../../src/engine/crypto/node.js';
import type { Input, Output } from '../../../src/engine/types.js';
import { DEFAULT_TCP_LIMITS, TcpConfigError } from '../../../src/transports/tcp/limits.js';
import { TcpRuntime, TcpUsageError, parseAddress } from '../../../src/transports/tcp/runtime.js';
import { Harness, keyPair, RecordingEngine, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Host a dials host b on start; both record. */
async function dialPair(
  aOptions: Parameters<Harness['runtime']>[3] = {},
  bOptions: Parameters<Harness['runtime']>[3] = {},
  onOpened: (input: Extract<Input, { type: 'linkOpened' }>) => Output[] = () => [],
) {
  let target = '';
  const ea = new RecordingEngine((input) =>
    input.type === 'start'
      ? [{ type: 'dial', dial: 5, address: target }]
      : input.type === 'linkOpened'
        ? onOpened(input)
        : [],
  );
  const eb = new RecordingEngine();
  const a = harness.runtime('a', '127.0.0.2', ea, aOptions);
  const b = harness.runtime('b', '127.0.0.3', eb, bOptions);
  target = await b.runtime.listen();
  await b.runtime.start();
  await a.runtime.start();
  return { a, b, ea, eb };
}

describe('TcpRuntime: the handshake proves the static keys', () => {
  it('each side’s remoteStaticKey is the other’s public key', async () => {
    const { a, b, ea, eb } = await dialPair();
    await waitFor(
      () => ea.of('linkOpened').length === 1 && eb.of('linkOpened').length === 1,
      'links',
    );
    const atA = ea.of('linkOpened')[0]!;
    const atB = eb.of('linkOpened')[0]!;
    expect(atA.remoteStaticKey).toEqual(b.keys.public);
    expect(atB.remoteStaticKey).toEqual(a.keys.public);
    expect(atA.dial).toBe(5);
    expect(atA.remoteAddress).toBe(b.runtime.address);
    // Dials leave from the listen host, so the callee sees the dialer's own IP.
    expect(atB.remoteAddress.startsWith('127.0.0.2:')).toBe(true);
    expect(a.runtime.linkInfo(atA.link)?.remoteStaticKey).toEqual(b.keys.public);
    expect(a.runtime.linkInfo(atA.link)?.remoteAddress).toBe(b.runtime.address);
    expect(b.runtime.linkInfo(atB.link)?.remoteAddress).toBe(atB.remoteAddress);
    expect(a.runtime.linkCount).toBe(1);
    expect(b.runtime.linkCount).toBe(1);
  });

  it('peers with different prologues (protocol versions) never link', async () => {
    const { a, b, ea, eb } = await dialPair(
      { prologue: Uint8Array.of(1) },
      { prologue: Uint8Array.of(2) },
    );
    await waitFor(() => ea.of('dialFailed').length === 1, 'dialFailed');
    expect(ea.of('dialFailed')[0]!.reason).toBe('handshake-failed');
    await waitFor(() => b.runtime.stats.inboundFailed === 1, 'the responder counting the failure');
    expect(eb.of('linkOpened')).toEqual([]);
    expect(a.runtime.linkCount + b.runtime.linkCount).toBe(0);
  });

  it('refuses a static public key that does not match the secret', () => {
    const keys = keyPair('x');
    expect(
      () =>
        new TcpRuntime({
          engine: new RecordingEngine(),
          listenHost: '127.0.0.2',
          listenPort: 0,
          staticSecret: keys.secret,
          staticPublic: keyPair('y').public,
          suite: nodeSuite,
        }),
    ).toThrow(TcpConfigError);
    expect(() =>
      harness.runtime('z', '127.0.0.2', new RecordingEngine(), { limits: { linksMax: 0 } }),
    ).toThrow(TcpConfigError);
  });
});

describe('TcpRuntime: outputs and lifecycle', () => {
  it('a dial to a malformed address fails with bad-address; sends on unknown links are counted', async () => {
    const engine = new RecordingEngine((input) =>
      input.type === 'start'
        ? [
            { type: 'dial', dial: 1, address: 'no-port' },
            { type: 'dial', dial: 2, address: '127.0.0.1:99999' },
            { type: 'send', link: 77, bytes: Uint8Array.of(1) },
            { type: 'close', link: 77, reason: 'none' },
          ]
        : [],
    );
    const { runtime } = harness.runtime('m', '127.0.0.2', engine);
    await runtime.start();
    expect(engine.of('dialFailed').map((i) => [i.dial, i.reason])).toEqual([
      [1, 'bad-address'],
      [2, 'bad-address'],
    ]);
    expect(runtime.stats.framesDropped).toBe(1);
    await expect(runtime.start()).rejects.toThrow(TcpUsageError);
  });

  it('an oversize frame from our own engine is dropped and counted, the link stays', async () => {
    const big = new Uint8Array(DEFAULT_TCP_LIMITS.frameMaxBytes + 1);
    const { a, ea, eb } = await dialPair({}, {}, (input) => [
      { type: 'send', link: input.link, bytes: big },
      { type: 'send', link: input.link, bytes: Uint8Array.of(7) },
    ]);
    await waitFor(() => eb.of('frame').length === 1, 'the small frame');
    expect(eb.of('frame')[0]!.bytes).toEqual(Uint8Array.of(7));
    expect(a.runtime.stats.framesOversize).toBe(1);
    expect(ea.of('linkClosed')).toEqual([]);
  });

  it('stop closes every link and the listener; the peer sees linkClosed', async () => {
    const { b, ea } = await dialPair();
    await waitFor(() => ea.of('linkOpened').length === 1, 'link');
    const address = b.runtime.address;
    await b.runtime.stop();
    await waitFor(() => ea.of('linkClosed').length === 1, 'linkClosed at the dialer');
    const target = parseAddress(address)!;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: target.host, port: target.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('commands reach the engine in order; after stop nothing does', async () => {
    const engine = new RecordingEngine();
    const { runtime } = harness.runtime('c', '127.0.0.2', engine);
    await runtime.start();
    runtime.command({ type: 'leave' });
    expect(engine.inputs.map((r) => r.input.type)).toEqual(['start', 'command']);
    await runtime.stop();
    runtime.command({ type: 'leave' });
    expect(engine.inputs.length).toBe(2);
  });
});

describe('parseAddress', () => {
  it('accepts host:port and [v6]:port, refuses the rest', () => {
    expect(parseAddress('127.0.0.2:7000')).toEqual({ host: '127.0.0.2', port: 7000 });
    expect(parseAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseAddress('example.org:1')).toEqual({ host: 'example.org', port: 1 });
    for (const bad of ['', '1.2.3.4', '1.2.3.4:0', '1.2.3.4:65536', '::1:80', 'a b:1']) {
      expect(parseAddress(bad)).toBeNull();
    }
  });
});
