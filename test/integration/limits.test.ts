/**
 * Every resource limit of the daemon reached on a real `p2pmsg node` process running its
 * default limits (issue 8 #3): each test imports the constant it reaches, drives a hostile
 * peer or client past it, and reads the daemon's own account of what it did (its status
 * counters and its debug log). Daemon on 127.0.17.2; hostile peers are raw sockets speaking
 * our Noise and HELLO/AUTH by hand (raw-node.ts).
 *
 * Runtime-level tests of the same limits with shrunken values are in
 * test/transports/tcp/hostile.test.ts and test/client/server.test.ts; the control rate at
 * the engine level in test/engine/links.test.ts.
 */
import * as net from 'node:net';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTIONS_MAX, REQUEST_MAX_BYTES, REQUEST_TIMEOUT_MS } from '../../src/client/limits.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { base32Decode } from '../../src/engine/base32.js';
import { buildPacket } from '../../src/engine/onion/packet.js';
import {
  CONTROL_BURST,
  CONTROL_DROPS_BEFORE_CLOSE,
  DEFAULT_OVERLAY,
} from '../../src/engine/overlay/config.js';
import { encodeMessage } from '../../src/engine/wire/codec.js';
import { DEFAULT_TCP_LIMITS } from '../../src/transports/tcp/limits.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { rawExchange } from '../client/helpers.js';
import { keyPair, RawPeer } from '../transports/tcp/helpers.js';
import { withLengthPrefix } from '../../src/transports/tcp/framing.js';
import { sleep, Testbed, waitFor, type DaemonProc } from './harness.js';
import { RawNode } from './raw-node.js';
import { messageOf } from '../support/link-peer.js';

const PING = encodeMessage({ type: 'ping' });
/** Slack on top of a timeout before a test calls the cut-off missing (a busy CI machine). */
const SLACK_MS = 15_000;

interface LogLine {
  msg: string;
  [field: string]: unknown;
}

function logLines(p: DaemonProc): LogLine[] {
  return fs
    .readFileSync(p.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** Why the daemon closed the link whose peer used local port `port`, from its debug log. */
function closeReasonOf(p: DaemonProc, port: number): string {
  const lines = logLines(p);
  const opened = lines.find(
    (l) => l.msg === 'tcp: link opened' && String(l['address']).endsWith(`:${port}`),
  );
  const closed = lines.find(
    (l) =>
      (l.msg === 'tcp: link closed by engine' || l.msg === 'tcp: link closed') &&
      l['link'] === opened?.['link'],
  );
  if (closed === undefined) {
    const links = lines.filter((l) => l.msg.startsWith('tcp: link')).slice(-8);
    throw new Error(
      `no close of the link from port ${port} in the log; last: ${JSON.stringify(links)}`,
    );
  }
  return String(closed['reason']);
}

/** Why inbound sockets failed before their link opened, from the log. */
function handshakeFailures(p: DaemonProc): string[] {
  return logLines(p)
    .filter((l) => l.msg === 'tcp: inbound handshake failed')
    .map((l) => String(l['reason']));
}

async function engineCounter(p: DaemonProc, name: string): Promise<number> {
  const { status } = await p.ask({ op: 'status' });
  return Number((status['engine'] as Record<string, number>)[name]);
}

async function connectSilent(address: string, count: number): Promise<RawPeer[]> {
  const peers: RawPeer[] = [];
  for (let i = 0; i < count; i++) peers.push(await RawPeer.connect(address));
  return peers;
}

describe('resource limits of a real daemon at its default values', () => {
  const bed = new Testbed(17);
  let daemon: DaemonProc;
  const cleanup: { destroy(): void }[] = [];

  beforeAll(async () => {
    daemon = bed.add(['--log-level', 'debug']);
    await daemon.start();
  }, 60_000);

  afterAll(async () => {
    for (const c of cleanup) c.destroy();
    await bed.cleanup();
  }, 30_000);

  it('pendingHandshakesMax: one silent socket past it is refused at once; idleBeforeHandshakeMs cuts off the rest', async () => {
    const max = DEFAULT_TCP_LIMITS.pendingHandshakesMax;
    const silent = await connectSilent(daemon.address, max);
    cleanup.push(...silent);
    await waitFor(
      async () => Number((await daemon.ask({ op: 'status' })).status['pendingHandshakes']) === max,
      `${max} pending handshakes`,
      10_000,
    );
    const extra = await RawPeer.connect(daemon.address);
    cleanup.push(extra);
    await extra.until(() => extra.closed, 'the refusal of the extra socket', 5_000);
    expect(silent.some((p) => p.closed)).toBe(false); // refused while the others were waiting
    expect(logLines(daemon).filter((l) => l.msg === 'tcp: inbound refused')).toContainEqual(
      expect.objectContaining({ why: 'too many handshakes' }),
    );
    // Nobody said a word: each is cut off by the idle timeout, not the handshake timeout.
    await waitFor(
      () => silent.every((p) => p.closed),
      'the idle cut-off',
      DEFAULT_TCP_LIMITS.idleBeforeHandshakeMs + SLACK_MS,
    );
    expect(handshakeFailures(daemon).filter((r) => r === 'idle-timeout').length).toBe(max);
    const { status } = await daemon.ask({ op: 'status' });
    expect(status['pendingHandshakes']).toBe(0);
  }, 60_000);

  it('linksMax: with every link slot held by proven nodes, the next one is closed links-full', async () => {
    const max = DEFAULT_OVERLAY.linksMax; // the engine's cap, below the transport's
    expect(max).toBeLessThan(DEFAULT_TCP_LIMITS.linksMax);
    const held: RawNode[] = [];
    for (let i = 0; i < max; i++) held.push(await RawNode.connect(daemon.address, `held ${i}`));
    cleanup.push(...held);
    const { status } = await daemon.ask({ op: 'status' });
    expect(status['links']).toBe(max);
    await expect(RawNode.connect(daemon.address, 'one too many')).rejects.toThrow(/closed before/);
    expect(logLines(daemon)).toContainEqual(
      expect.objectContaining({ msg: 'tcp: link closed by engine', reason: 'links-full' }),
    );
    expect(held.some((n) => n.closed)).toBe(false);
    for (const n of held) n.destroy();
    await waitFor(
      async () => Number((await daemon.ask({ op: 'status' })).status['links']) === 0,
      'the held links to close',
      10_000,
    );
    // A slot freed is a slot taken again.
    const again = await RawNode.connect(daemon.address, 'after the others left');
    cleanup.push(again);
    again.destroy();
  }, 60_000);

  it('controlRatePerS: a peer flooding control frames is dropped after CONTROL_BURST and closed after CONTROL_DROPS_BEFORE_CLOSE drops', async () => {
    const flooder = await RawNode.connect(daemon.address, 'control flooder');
    cleanup.push(flooder);
    const dropsBefore = await engineCounter(daemon, 'controlRateDrops');
    let sent = 0;
    const cap = 10 * (CONTROL_BURST + CONTROL_DROPS_BEFORE_CLOSE);
    while (!flooder.closed && sent < cap) {
      for (let i = 0; i < 1_000; i++) flooder.send(PING);
      sent += 1_000;
      await sleep(0);
    }
    await flooder.peer.until(() => flooder.closed, 'the control-rate close', 10_000);
    expect(sent).toBeGreaterThanOrEqual(CONTROL_BURST + CONTROL_DROPS_BEFORE_CLOSE - 2);
    expect(closeReasonOf(daemon, flooder.localPort)).toBe('control-rate');
    expect((await engineCounter(daemon, 'controlRateDrops')) - dropsBefore).toBe(
      CONTROL_DROPS_BEFORE_CLOSE,
    );
    expect(await engineCounter(daemon, 'controlRateCloses')).toBe(1);
  }, 60_000);

  it('sendBufferMaxBytes: a peer that never reads what it makes the daemon send is closed send-buffer-full', async () => {
    const sleeper = await RawNode.connect(daemon.address, 'never reads');
    cleanup.push(sleeper);
    sleeper.peer.socket.pause();
    // Onion packets through the daemon and back to us: data frames, so no rate limit; each
    // makes the daemon send us a 2 KiB packet that we never read.
    const idBytes = (id: string): Uint8Array => base32Decode(id) ?? new Uint8Array();
    const path = [
      { id: idBytes(daemon.id), dhPublic: sleeper.daemonHello.dhKey },
      { id: idBytes(sleeper.identity.id), dhPublic: sleeper.identity.dhPublic },
    ];
    const random = new SeededRandomSource('send-buffer').fork('onion');
    let sent = 0;
    while (!sleeper.closed && sent < 60_000) {
      for (let i = 0; i < 200; i++) {
        sleeper.send(
          encodeMessage({
            type: 'onion',
            packet: buildPacket(nodeSuite, random, path, Uint8Array.of(sent & 0xff)).packet,
          }),
        );
        sent += 1;
      }
      await sleep(1);
    }
    await sleeper.peer.until(() => sleeper.closed, 'the send-buffer-full close', 20_000);
    expect(closeReasonOf(daemon, sleeper.localPort)).toBe('send-buffer-full');
    // The bound is the daemon's own: over DEFAULT_TCP_LIMITS.sendBufferMaxBytes.
    expect(DEFAULT_TCP_LIMITS.sendBufferMaxBytes).toBe(512 * 1024);
  }, 120_000);

  describe('the client socket', () => {
    const socketPath = () => (daemon.socket as { path: string }).path;

    it('CONNECTIONS_MAX: one connection past it gets FAIL and is closed; a freed slot serves again', async () => {
      const held = await Promise.all(
        Array.from(
          { length: CONNECTIONS_MAX },
          () =>
            new Promise<net.Socket>((resolve, reject) => {
              const s = net.connect(socketPath(), () => resolve(s));
              s.once('error', reject);
            }),
        ),
      );
      cleanup.push(...held);
      const closed = new Set<net.Socket>();
      for (const h of held) h.once('close', () => closed.add(h));
      // The server may register the last of them a moment after they connected.
      await waitFor(
        async () => (await rawExchange(socketPath(), 'PULL\n')).text === 'FAIL\n',
        'a connection past the limit to be refused',
        REQUEST_TIMEOUT_MS / 2,
        50,
      );
      expect(closed.size).toBe(0); // all CONNECTIONS_MAX were held when it was refused
      held[0]?.destroy();
      await waitFor(
        async () => (await rawExchange(socketPath(), 'PULL\n')).text.startsWith('SUCCESS'),
        'a freed slot to serve a PULL',
        REQUEST_TIMEOUT_MS,
      );
      for (const s of held) s.destroy();
      await waitFor(
        async () => (await rawExchange(socketPath(), 'PULL\n')).text.startsWith('SUCCESS'),
        'every slot to be free again',
        REQUEST_TIMEOUT_MS,
      );
    }, 30_000);

    it('REQUEST_MAX_BYTES: a request line of exactly the limit is served, one byte more is refused too-large', async () => {
      const status = '{"op":"status"}';
      // The limit counts the terminating newline.
      const atLimit = status.slice(0, -1) + ' '.repeat(REQUEST_MAX_BYTES - 1 - status.length) + '}';
      expect(`${atLimit}\n`.length).toBe(REQUEST_MAX_BYTES);
      const ok = JSON.parse((await rawExchange(socketPath(), `${atLimit}\n`)).text);
      expect(ok).toMatchObject({ ok: true });
      const over = `${atLimit.slice(0, -1)} }`;
      const refused = JSON.parse((await rawExchange(socketPath(), `${over}\n`)).text);
      expect(refused).toMatchObject({ ok: false, error: { code: 'too-large' } });
      const seed = `PUSH IP:127.0.0.9:7000 MSG:${'x'.repeat(REQUEST_MAX_BYTES)}\n`;
      expect((await rawExchange(socketPath(), seed)).text).toBe('FAIL\n');
    }, 30_000);

    it('REQUEST_TIMEOUT_MS: slowloris — a partial request that stalls gets FAIL and is closed', async () => {
      const stalled = await rawExchange(socketPath(), 'PUSH IP:127.0.0.9:7000 MSG:hel');
      expect(stalled.text).toBe('FAIL\n');
      // It waited for the daemon's own timeout (a lower bound: the timer cannot fire early).
      expect(stalled.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    }, 30_000);
  });
  describe('idle and handshake timeouts', () => {
    it.concurrent(
      'handshakeTimeoutMs (transport): a peer that stalls inside the Noise handshake is cut off',
      async () => {
        const staller = await RawPeer.connect(daemon.address);
        cleanup.push(staller);
        staller.socket.write(withLengthPrefix(keyPair('staller e').public)); // message 1 only
        await staller.until(
          () => staller.closed,
          'the handshake timeout',
          DEFAULT_TCP_LIMITS.handshakeTimeoutMs + SLACK_MS,
        );
        // The daemon logs after it closes the socket: under load the line lands a little later.
        // (Polled: the raw peer's own `until` re-checks only on its reads, and it is closed.)
        await waitFor(
          () => handshakeFailures(daemon).includes('handshake-timeout') || undefined,
          'the handshake-timeout log line',
          SLACK_MS,
        ).catch(() => undefined);
        expect(handshakeFailures(daemon)).toContain('handshake-timeout');
      },
      60_000,
    );

    /** Why the daemon cut `node` off, once it has (the engine sweeps once a heartbeat). */
    async function cutOff(node: RawNode, timeoutMs: number): Promise<string> {
      cleanup.push(node);
      const maxMs = timeoutMs + DEFAULT_OVERLAY.heartbeatIntervalMs + SLACK_MS;
      await node.peer.until(() => node.closed, 'the daemon to cut it off', maxMs);
      return closeReasonOf(daemon, node.localPort);
    }

    it.concurrent(
      'handshakeTimeoutMs (engine): Noise done, HELLO sent, AUTH never: the link is closed',
      async () => {
        const mute = await RawNode.connect(daemon.address, 'hello only', { auth: false });
        expect(await cutOff(mute, DEFAULT_OVERLAY.handshakeTimeoutMs)).toBe('handshake-timeout');
      },
      60_000,
    );

    it.concurrent(
      'linkIdleMs: a proven node that then says nothing gets CLOSING, and is cut off when it does not close',
      async () => {
        const idle = await RawNode.connect(daemon.address, 'silent after auth');
        cleanup.push(idle);
        const seen: string[] = [];
        await idle.peer.until(
          () => {
            for (const frame of idle.peer.frames()) seen.push(messageOf(frame).type);
            return seen.includes('closing') || idle.closed;
          },
          'CLOSING from the daemon',
          DEFAULT_OVERLAY.linkIdleMs + DEFAULT_OVERLAY.heartbeatIntervalMs + SLACK_MS,
        );
        expect(seen).toContain('closing');
        expect(await cutOff(idle, DEFAULT_OVERLAY.handshakeTimeoutMs)).toBe('retired');
      },
      90_000,
    );

    it.concurrent(
      'heartbeatTimeoutMs: a neighbour that joins and goes silent is dropped and its link closed',
      async () => {
        const quiet = await RawNode.connect(daemon.address, 'joins then silent');
        cleanup.push(quiet);
        quiet.send(encodeMessage({ type: 'join' }));
        await waitFor(
          async () => (await daemon.ask({ op: 'status' })).status['neighbours'] === 1,
          'the daemon to take it as a neighbour',
          10_000,
        );
        await quiet.peer.until(
          () => quiet.closed,
          'the heartbeat timeout',
          DEFAULT_OVERLAY.heartbeatTimeoutMs + DEFAULT_OVERLAY.heartbeatIntervalMs + SLACK_MS,
        );
        expect(logLines(daemon)).toContainEqual(
          expect.objectContaining({
            msg: 'neighbour down',
            peer: quiet.identity.id,
            reason: 'heartbeat-timeout',
          }),
        );
      },
      60_000,
    );
  });
});
