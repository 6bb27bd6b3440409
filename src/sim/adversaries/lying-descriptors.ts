/**
 * A liar in the directory: at its rate it broadcasts to its neighbours a descriptor that
 * lies, one kind after the other:
 *
 *   forged         another node's descriptor it heard, with its signature altered
 *   stale          the oldest descriptor of another node it heard (replaced since, as a rule)
 *   future         its own, signed, issued an hour ahead (beyond any clock skew)
 *   wrong-address  its own, signed, naming another node's address
 *   wrong-key      signed with its own key but a DH key it does not hold: a new node ID
 *
 * What contains it: records are self-certifying (the ID is the hash of the keys, the
 * signature covers every field; directory/records.ts), so forged ones are refused and
 * counted, stale and future ones too (directory.ts Rule 2), and none of those travels past
 * the first honest node. The signed lies (wrong address or key) are accepted — no one can
 * tell them from truth — but a path through them fails: the hop before dials the address
 * and meets a node whose hello proves a different ID (links.ts 'unexpected-identity'), the
 * packet is lost and the sender retries on another path.
 */
import type { Identity } from '../../engine/identity.js';
import { nodeIdOf } from '../../engine/identity.js';
import { openRecord, signDescriptor } from '../../engine/directory/records.js';
import { decodeFrame, encodeMessage } from '../../engine/wire/codec.js';
import {
  BROADCAST_HOPS_MAX,
  BROADCAST_ID_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from '../../engine/wire/limits.js';
import { MESSAGE_CODES } from '../../engine/wire/messages.js';
import { LIE_BROADCAST_MS, LIE_FUTURE_MS, LIE_LIFETIME_MS, LYING_CAPTURE_MAX } from './limits.js';
import { bump, type Behaviour, frameCode, type ShellContext } from './shell.js';

const BROADCAST = MESSAGE_CODES.broadcast.code;
const CHUNK = MESSAGE_CODES.directoryChunk.code;
const KINDS = ['forged', 'stale', 'future', 'wrong-address', 'wrong-key'] as const;

export function lyingDescriptors(): Behaviour {
  /** Descriptors of other nodes, as heard: signed bytes, oldest first. */
  const heard: { id: string; address: string; bytes: Uint8Array }[] = [];
  let turn = 0;
  const remember = (ctx: ShellContext, bytes: Uint8Array): void => {
    const record = openRecord(ctx.crypto, bytes);
    if (typeof record === 'string' || record.kind !== 'descriptor') return;
    if (record.id === ctx.identity.id || heard.some((h) => h.id === record.id)) return;
    if (heard.length >= LYING_CAPTURE_MAX) heard.shift();
    heard.push({ id: record.id, address: record.address, bytes });
  };
  return {
    onFrame(ctx, _link, bytes) {
      const code = frameCode(bytes);
      if (code !== BROADCAST && code !== CHUNK) return true;
      const decoded = decodeFrame(bytes);
      if (decoded.kind !== 'message') return true;
      const m = decoded.message;
      if (m.type === 'broadcast' && m.kind === 'descriptor') remember(ctx, m.body);
      if (m.type === 'directoryChunk') for (const d of m.descriptors) remember(ctx, d);
      return true;
    },
    onTimer(ctx) {
      const kind = KINDS[turn++ % KINDS.length] as (typeof KINDS)[number];
      const body = lie(ctx, kind, heard);
      if (body === null) return;
      const ready = ctx.links().filter((l) => l.ready);
      if (ready.length === 0) return;
      const frame = encodeMessage({
        type: 'broadcast',
        id: ctx.random.bytes(BROADCAST_ID_BYTES),
        origin: ctx.identity.id,
        expiresAt: ctx.now + LIE_BROADCAST_MS,
        hops: BROADCAST_HOPS_MAX,
        kind: 'descriptor',
        body,
      });
      for (const link of ready) ctx.send(link.id, frame);
      bump(ctx.tally, kind);
    },
  };
}

function lie(
  ctx: ShellContext,
  kind: (typeof KINDS)[number],
  heard: readonly { id: string; address: string; bytes: Uint8Array }[],
): Uint8Array | null {
  const now = ctx.now;
  const own = (identity: Identity, address: string, issued: number): Uint8Array =>
    signDescriptor(ctx.crypto, identity, {
      address,
      relay: true,
      issued,
      expires: issued + LIE_LIFETIME_MS,
    }).bytes;
  const address = ctx.node.resolve(ctx.identity.id, now)?.address ?? '';
  switch (kind) {
    case 'forged': {
      const victim = heard[ctx.random.int(Math.max(1, heard.length))];
      if (victim === undefined) return null;
      const bytes = victim.bytes.slice();
      const at = bytes.length - 1 - ctx.random.int(SIGNATURE_BYTES);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      return bytes;
    }
    case 'stale':
      return heard[0]?.bytes ?? null;
    case 'future':
      return own(ctx.identity, address, now + LIE_FUTURE_MS);
    case 'wrong-address': {
      const other = heard[ctx.random.int(Math.max(1, heard.length))];
      return other === undefined ? null : own(ctx.identity, other.address, now);
    }
    case 'wrong-key': {
      const dhPublic = ctx.random.bytes(PUBLIC_KEY_BYTES);
      const id = nodeIdOf(ctx.crypto, ctx.identity.signPublic, dhPublic);
      return own({ ...ctx.identity, dhPublic, id }, address, now);
    }
  }
}
