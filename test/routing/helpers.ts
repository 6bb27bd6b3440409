/**
 * A small simulated network for routing tests: real `Node`s on SimWorld (no sockets), small
 * limits (TEST_OVERLAY, TEST_ROUTING), invariants checked after every input, and a record
 * of every event, delivery and onion frame.
 */
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import { TEST_ROUTING, type RoutingConfig } from '../../src/engine/routing/config.js';
import type { DeliveredMessage, EngineEvent, NodeId } from '../../src/engine/types.js';
import { MESSAGE_CODES } from '../../src/engine/wire/messages.js';
import { SeededRandomSource } from '../../src/transports/sim/rng.js';
import { SimWorld } from '../../src/sim/world.js';

export const ONION_CODE = MESSAGE_CODES.onion.code;

export interface Recorded<T> {
  node: number;
  at: number;
  value: T;
}

export interface OnionFrame {
  node: number;
  at: number;
  link: number;
  bytes: Uint8Array;
}

export interface RoutingNet {
  w: SimWorld;
  events: Recorded<EngineEvent>[];
  deliveries: Recorded<DeliveredMessage>[];
  /** Onion frames as sent (the buffers themselves: a test may tamper with them in flight). */
  onionFrames: OnionFrame[];
  /** Called for every onion frame as it leaves, before it travels (tests tamper here). */
  onOnion: ((frame: OnionFrame) => void) | undefined;
  /** Called for every event (tests react to attempts here). */
  onEvent: ((node: number, event: EngineEvent, at: number) => void) | undefined;
  id(index: number): NodeId;
  index(id: NodeId): number;
  /**
   * Sends `body` from node `from` to node `to`, split into shards when `shards` is given;
   * returns the message ID (hex).
   */
  send(
    from: number,
    to: number,
    body: string,
    expiresInMs?: number,
    shards?: { n: number; k: number },
  ): string;
  eventsOf<T extends EngineEvent['type']>(
    type: T,
    messageId?: string,
  ): Recorded<Extract<EngineEvent, { type: T }>>[];
}

export interface NetOptions {
  seed?: number;
  nodes?: number;
  crypto?: 'real' | 'modelled';
  routing?: RoutingConfig;
  /** Simulated time to let the overlay and directories form. */
  settleMs?: number;
}

const HEX = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A network of `nodes` (default 12) that has settled: every directory knows every node. */
export function routingNet(options: NetOptions = {}): RoutingNet {
  const seed = options.seed ?? 1;
  const events: Recorded<EngineEvent>[] = [];
  const deliveries: Recorded<DeliveredMessage>[] = [];
  const onionFrames: OnionFrame[] = [];
  const ids = new SeededRandomSource(`${seed}/message-ids`).fork('ids');
  const net: RoutingNet = {
    w: undefined as unknown as SimWorld,
    events,
    deliveries,
    onionFrames,
    onOnion: undefined,
    onEvent: undefined,
    id: (index) => net.w.idOf(index) as NodeId,
    index: (id) => net.w.indexOf(id) as number,
    send(from, to, body, expiresInMs = 120_000, shards = undefined) {
      const messageId = ids.bytes(16);
      net.w.net.command(from, {
        type: 'send',
        messageId,
        to: net.id(to),
        body: new TextEncoder().encode(body),
        expiresAt: net.w.now + expiresInMs,
        ...(shards === undefined ? {} : { shards }),
      });
      return HEX(messageId);
    },
    eventsOf<T extends EngineEvent['type']>(type: T, messageId?: string) {
      return events.filter(
        (e) =>
          e.value.type === type &&
          (messageId === undefined || ('messageId' in e.value && e.value.messageId === messageId)),
      ) as Recorded<Extract<EngineEvent, { type: T }>>[];
    },
  };
  net.w = new SimWorld({
    seed: String(seed),
    crypto: options.crypto ?? 'modelled',
    overlay: TEST_OVERLAY,
    broadcast: DEFAULT_BROADCAST,
    directory: DEFAULT_DIRECTORY,
    routing: options.routing ?? TEST_ROUTING,
    latency: { kind: 'constant', ms: 20 },
    loss: 0,
    checkInvariants: true,
    onEvent: (node, value, at) => {
      events.push({ node, at, value });
      net.onEvent?.(node, value, at);
    },
    onDeliver: (node, value, at) => void deliveries.push({ node, at, value }),
    onSend: (node, bytes, at, link) => {
      if (bytes[5] !== ONION_CODE) return;
      const frame = { node, at, link, bytes };
      onionFrames.push(frame);
      net.onOnion?.(frame);
    },
  });
  const nodes = options.nodes ?? 12;
  for (let i = 0; i < nodes; i++) net.w.net.at(i * 100, () => net.w.addNode());
  net.w.net.runUntil(options.settleMs ?? 30_000);
  return net;
}

/** Runs the world `ms` further. */
export function advance(net: RoutingNet, ms: number): void {
  net.w.net.runUntil(net.w.now + ms);
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
