/**
 * The end-to-end envelope (DESIGN.md §3 "End to end"): what the target of an onion packet
 * reads once the last layer is peeled. Relays never see it in the clear.
 *
 * Envelope (sealed, inside the onion payload):
 *
 *   offset  bytes  field
 *        0      1  version (1)
 *        1     32  e  ephemeral X25519 public key, fresh per envelope
 *       33    n+16 ChaCha20-Poly1305(k, nonce, plaintext, aad = version ‖ e)
 *
 *   k ‖ nonce = HKDF-SHA256(ikm = X25519(e, recipient), salt = "p2pmsg/e2e/v1",
 *                           info = "p2pmsg e2e v1" ‖ e ‖ recipient DH key, 44 bytes)
 *
 * Plaintext:
 *
 *   kind u8 (1 message, 2 ack, 3 shard, 4 shard ack) ‖ message ID (16)
 *   message, shard: sender sign key (32) ‖ sender DH key (32) ‖ sentAt u48 ms
 *                 ‖ sender address (19: onion/hop-address.ts, form 0 for none)
 *                 ‖ reply count u8 (≤ REPLY_PATH_MAX) ‖ reply relay IDs (20 each)
 *                 ‖ body length u16 ‖ body (a message: ≤ ROUTING_BODY_MAX bytes of text;
 *                   a shard: one encoded shard, shards/codec.ts, ≤ SHARD_BODY_MAX)
 *                 ‖ Ed25519 signature (64) over "p2pmsg e2e message v1" ‖ target ID (20)
 *                   ‖ every plaintext byte before the signature (the kind byte included)
 *   shard ack:    shard index u8 ‖ held u16 (bit i: the target holds shard i)
 *                 ‖ complete u8 (0 or 1: the message was rebuilt and delivered)
 *
 * Why this shape:
 * - Sealed to the recipient's static X25519 key with a fresh ephemeral key (an ECIES /
 *   HPKE base-mode construction): only the target can read it, and a relay that is handed
 *   an envelope for someone else learns nothing. The key schedule binds the ephemeral key
 *   and the recipient's key, so an envelope for one node opens for no other.
 * - The sender is named by its two public keys, not by its ID: the target derives the ID
 *   (identity.ts) and checks the signature, so no one can claim another node's ID. The
 *   signature covers the target's ID, so a target cannot re-seal a signed message to a
 *   third node as if the sender had written to it.
 * - The sender's address, signed with the rest: a target whose directory is a sample of
 *   the network may not hold the sender's descriptor, and needs the address to send the
 *   ack's last hop to it (receiver.ts) and to show where a message came from.
 * - An acknowledgement is just the message ID sealed to the sender. The ID is 16 random
 *   bytes that only sender and target know (it travels inside this envelope), so an ack
 *   that opens and names a pending ID proves the target read the message.
 * - A shard is signed on its own like a message (the signature covers the kind byte, so a
 *   shard can never pass for a message or the reverse): the target knows who sent each
 *   shard before buffering it, and only the sender can add shards to its own message.
 *   Its ack says which shards the target holds, so the sender resends only the others
 *   (shard-sender.ts).
 *
 * Rules:
 * 1. `openEnvelope` never throws on remote bytes: anything wrong is a typed rejection.
 * 2. Sealing draws exactly 32 random bytes (the ephemeral secret), in every suite.
 * 3. Ephemeral secrets, shared secrets, derived keys and plaintext scratch are wiped.
 */
import { base32Decode } from '../base32.js';
import { wipe } from '../crypto/check.js';
import {
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  X25519_KEY_BYTES,
  type CryptoSuite,
} from '../crypto/suite.js';
import { nodeIdOf, type Identity } from '../identity.js';
import { readHopAddress, writeHopAddress } from '../onion/hop-address.js';
import { HOP_ADDRESS_BYTES, PAYLOAD_MAX } from '../onion/limits.js';
import type { Random } from '../random.js';
import type { Millis, NodeId } from '../types.js';
import { Reader, Writer } from '../wire/codec.js';
import { NODE_ID_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../wire/limits.js';
import { encodedShardBytes } from '../shards/codec.js';
import { REPLY_PATH_MAX, ROUTING_BODY_MAX, SHARDS_PER_MESSAGE_MAX } from './config.js';

const encoder = new TextEncoder();
const SALT = encoder.encode('p2pmsg/e2e/v1');
const INFO = encoder.encode('p2pmsg e2e v1');
const SIGNATURE_DOMAIN = encoder.encode('p2pmsg e2e message v1');

export const E2E_VERSION = 1;
const KIND_MESSAGE = 1;
const KIND_ACK = 2;
const KIND_SHARD = 3;
const KIND_SHARD_ACK = 4;
export const MESSAGE_ID_BYTES = 16;

/**
 * The largest shard a shard envelope carries: a ROUTING_BODY_MAX message split into the most
 * shards with k = 1 (every shard then holds all of it), 1,224 bytes with the defaults.
 */
export const SHARD_BODY_MAX = encodedShardBytes(SHARDS_PER_MESSAGE_MAX, 1, ROUTING_BODY_MAX);

const HEADER_BYTES = 1 + X25519_KEY_BYTES;
/** Plaintext of the largest signed envelope (every field at its limit; the larger body). */
const MESSAGE_PLAINTEXT_MAX =
  1 +
  MESSAGE_ID_BYTES +
  2 * PUBLIC_KEY_BYTES +
  6 +
  HOP_ADDRESS_BYTES +
  1 +
  REPLY_PATH_MAX * NODE_ID_BYTES +
  2 +
  Math.max(ROUTING_BODY_MAX, SHARD_BODY_MAX) +
  SIGNATURE_BYTES;
/** The largest envelope: 1,526 bytes with the default limits (a shard of a 1 KiB message). */
export const ENVELOPE_MAX_BYTES = HEADER_BYTES + MESSAGE_PLAINTEXT_MAX + AEAD_TAG_BYTES;
if (ENVELOPE_MAX_BYTES > PAYLOAD_MAX) {
  throw new Error(`e2e: an envelope of ${ENVELOPE_MAX_BYTES} bytes exceeds PAYLOAD_MAX`);
}

/** What the sender writes in a message. */
export interface MessageFields {
  messageId: Uint8Array;
  sentAt: Millis;
  /** Relays the acknowledgement should take back (at most REPLY_PATH_MAX). */
  replyPath: readonly NodeId[];
  /**
   * The sender's own address, '' for none; carried only if it is an IP literal in
   * canonical text (hop-address.ts Rule 1), else the target reads ''.
   */
  fromAddress: string;
  body: Uint8Array;
}

/** The recipient of an envelope: its ID and X25519 public key. */
export interface Recipient {
  id: NodeId;
  dhKey: Uint8Array;
}

export type E2eRejectReason =
  'e2e-malformed' | 'e2e-bad-version' | 'e2e-bad-key' | 'e2e-undecryptable' | 'e2e-bad-signature';

/** What a shard's acknowledgement tells the sender. */
export interface ShardAck {
  messageId: Uint8Array;
  /** The shard this ack answers. */
  index: number;
  /** Bit i set: the target holds shard i (SHARDS_PER_MESSAGE_MAX ≤ 16 bits). */
  held: number;
  /** The target rebuilt and delivered the message: the sender is done. */
  complete: boolean;
}

/** A signed envelope as the target reads it: a whole message, or one shard of one. */
export type OpenedSigned = {
  kind: 'message' | 'shard';
  from: NodeId;
  signKey: Uint8Array;
  dhKey: Uint8Array;
} & MessageFields;

export type Opened =
  | OpenedSigned
  | { kind: 'ack'; messageId: Uint8Array }
  | ({ kind: 'shardAck' } & ShardAck)
  | { kind: 'reject'; reason: E2eRejectReason };

/** Local misuse of the envelope (a field beyond its limit): a bug in the caller. */
export class E2eError extends Error {
  override name = 'E2eError';
}

const WRITER = new Writer();
/** The sender address field's scratch (sealSigned). */
const ADDRESS_FIELD = new Uint8Array(HOP_ADDRESS_BYTES);

/**
 * A signed message from `sender` sealed to `target`. Null when the target's DH key is of
 * low order (a bad descriptor: remote input, so not an exception).
 */
export function sealMessage(
  suite: CryptoSuite,
  random: Random,
  sender: Identity,
  target: Recipient,
  fields: MessageFields,
): Uint8Array | null {
  return sealSigned(suite, random, sender, target, fields, KIND_MESSAGE);
}

/**
 * One shard of a message, signed by `sender` and sealed to `target`; `fields.body` is the
 * encoded shard (shards/codec.ts). Null as for sealMessage.
 */
export function sealShard(
  suite: CryptoSuite,
  random: Random,
  sender: Identity,
  target: Recipient,
  fields: MessageFields,
): Uint8Array | null {
  return sealSigned(suite, random, sender, target, fields, KIND_SHARD);
}

function sealSigned(
  suite: CryptoSuite,
  random: Random,
  sender: Identity,
  target: Recipient,
  fields: MessageFields,
  kind: typeof KIND_MESSAGE | typeof KIND_SHARD,
): Uint8Array | null {
  const targetId = idBytes(target.id, 'target.id');
  if (fields.replyPath.length > REPLY_PATH_MAX) {
    throw new E2eError(`replyPath: at most ${REPLY_PATH_MAX} relays`);
  }
  const w = WRITER;
  w.pos = 0;
  w.u8(kind);
  w.fixed(fields.messageId, MESSAGE_ID_BYTES, 'e2e.messageId');
  w.fixed(sender.signPublic, PUBLIC_KEY_BYTES, 'e2e.signKey');
  w.fixed(sender.dhPublic, PUBLIC_KEY_BYTES, 'e2e.dhKey');
  w.timestamp(fields.sentAt, 'e2e.sentAt');
  writeHopAddress(ADDRESS_FIELD, 0, fields.fromAddress); // '' is no IP literal: none
  w.fixed(ADDRESS_FIELD, HOP_ADDRESS_BYTES, 'e2e.fromAddress');
  w.u8(fields.replyPath.length);
  for (const id of fields.replyPath) w.nodeId(id, 'e2e.replyPath');
  w.blob(fields.body, bodyMax(kind), 'e2e.body');
  const signed = signedBytes(targetId, w.bytes.subarray(0, w.pos));
  w.fixed(suite.ed25519Sign(sender.signSecret, signed), SIGNATURE_BYTES, 'e2e.signature');
  wipe(signed);
  return sealPlaintext(suite, random, target, w);
}

/** An acknowledgement of `messageId` sealed to the message's sender. */
export function sealAck(
  suite: CryptoSuite,
  random: Random,
  sender: Recipient,
  messageId: Uint8Array,
): Uint8Array | null {
  const w = WRITER;
  w.pos = 0;
  w.u8(KIND_ACK);
  w.fixed(messageId, MESSAGE_ID_BYTES, 'e2e.messageId');
  return sealPlaintext(suite, random, sender, w);
}

/** An acknowledgement of one shard sealed to the message's sender. */
export function sealShardAck(
  suite: CryptoSuite,
  random: Random,
  sender: Recipient,
  ack: ShardAck,
): Uint8Array | null {
  const { index, held } = ack;
  if (!Number.isInteger(index) || index < 0 || index >= SHARDS_PER_MESSAGE_MAX) {
    throw new E2eError(`shard ack: index ${index} outside 0..${SHARDS_PER_MESSAGE_MAX - 1}`);
  }
  if (!Number.isInteger(held) || held < 0 || held >= 2 ** SHARDS_PER_MESSAGE_MAX) {
    throw new E2eError(`shard ack: held ${held} is not a set of shard indexes`);
  }
  const w = WRITER;
  w.pos = 0;
  w.u8(KIND_SHARD_ACK);
  w.fixed(ack.messageId, MESSAGE_ID_BYTES, 'e2e.messageId');
  w.u8(index);
  w.u16(held, 'e2e.held');
  w.flag(ack.complete, 'e2e.complete');
  return sealPlaintext(suite, random, sender, w);
}

/** Opens an envelope addressed to `self` (module header; never throws on `bytes`). */
export function openEnvelope(suite: CryptoSuite, self: Identity, bytes: Uint8Array): Opened {
  if (bytes.length < HEADER_BYTES + AEAD_TAG_BYTES || bytes.length > ENVELOPE_MAX_BYTES) {
    return reject('e2e-malformed');
  }
  if (bytes[0] !== E2E_VERSION) return reject('e2e-bad-version');
  const ephemeral = bytes.subarray(1, HEADER_BYTES);
  const shared = suite.x25519(self.dhSecret, ephemeral);
  if (shared === null) return reject('e2e-bad-key');
  const { key, nonce } = deriveKeys(suite, shared, ephemeral, self.dhPublic);
  const plain = suite.aeadOpen(
    key,
    nonce,
    bytes.subarray(HEADER_BYTES),
    bytes.subarray(0, HEADER_BYTES),
  );
  wipe(shared, key, nonce);
  if (plain === null) return reject('e2e-undecryptable');
  try {
    return parsePlaintext(suite, self, plain);
  } finally {
    wipe(plain);
  }
}

// ---- helpers ------------------------------------------------------------------------------

function bodyMax(kind: number): number {
  return kind === KIND_SHARD ? SHARD_BODY_MAX : ROUTING_BODY_MAX;
}

function reject(reason: E2eRejectReason): Opened {
  return { kind: 'reject', reason };
}

function idBytes(id: NodeId, what: string): Uint8Array {
  const bytes = base32Decode(id);
  if (bytes === null || bytes.length !== NODE_ID_BYTES)
    throw new E2eError(`${what}: not a node ID`);
  return bytes;
}

function signedBytes(targetId: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNATURE_DOMAIN.length + NODE_ID_BYTES + plaintext.length);
  out.set(SIGNATURE_DOMAIN, 0);
  out.set(targetId, SIGNATURE_DOMAIN.length);
  out.set(plaintext, SIGNATURE_DOMAIN.length + NODE_ID_BYTES);
  return out;
}

function deriveKeys(
  suite: CryptoSuite,
  shared: Uint8Array,
  ephemeral: Uint8Array,
  recipientDh: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const info = new Uint8Array(INFO.length + 2 * X25519_KEY_BYTES);
  info.set(INFO, 0);
  info.set(ephemeral, INFO.length);
  info.set(recipientDh, INFO.length + X25519_KEY_BYTES);
  const okm = suite.hkdf(shared, SALT, info, AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  const key = okm.slice(0, AEAD_KEY_BYTES);
  const nonce = okm.slice(AEAD_KEY_BYTES);
  wipe(okm);
  return { key, nonce };
}

/** Seals the plaintext in `w` to `to`, then wipes the writer's scratch. */
function sealPlaintext(
  suite: CryptoSuite,
  random: Random,
  to: Recipient,
  w: Writer,
): Uint8Array | null {
  const plaintext = w.bytes.subarray(0, w.pos);
  const secret = random.bytes(X25519_KEY_BYTES);
  try {
    const ephemeral = suite.x25519PublicKey(secret);
    const shared = suite.x25519(secret, to.dhKey);
    if (shared === null) return null;
    const { key, nonce } = deriveKeys(suite, shared, ephemeral, to.dhKey);
    const header = new Uint8Array(HEADER_BYTES);
    header[0] = E2E_VERSION;
    header.set(ephemeral, 1);
    const sealed = suite.aeadSeal(key, nonce, plaintext, header);
    wipe(shared, key, nonce);
    const out = new Uint8Array(HEADER_BYTES + sealed.length);
    out.set(header, 0);
    out.set(sealed, HEADER_BYTES);
    return out;
  } finally {
    wipe(secret, plaintext);
    w.pos = 0;
  }
}

function parsePlaintext(suite: CryptoSuite, self: Identity, plain: Uint8Array): Opened {
  const r = new Reader(plain, 0, plain.length);
  const kind = r.u8('e2e.kind');
  const messageId = r.fixed(MESSAGE_ID_BYTES, 'e2e.messageId');
  if (kind === KIND_ACK) {
    return r.error === null && r.remaining === 0
      ? { kind: 'ack', messageId }
      : reject('e2e-malformed');
  }
  if (kind === KIND_SHARD_ACK) {
    const index = r.u8('e2e.shardIndex');
    const held = r.u16('e2e.held');
    const complete = r.flag('e2e.complete');
    const valid =
      r.error === null &&
      r.remaining === 0 &&
      index < SHARDS_PER_MESSAGE_MAX &&
      held < 2 ** SHARDS_PER_MESSAGE_MAX;
    return valid ? { kind: 'shardAck', messageId, index, held, complete } : reject('e2e-malformed');
  }
  if (kind !== KIND_MESSAGE && kind !== KIND_SHARD) return reject('e2e-malformed');
  const signKey = r.fixed(PUBLIC_KEY_BYTES, 'e2e.signKey');
  const dhKey = r.fixed(PUBLIC_KEY_BYTES, 'e2e.dhKey');
  const sentAt = r.timestamp('e2e.sentAt');
  const fromAddress = readHopAddress(r.fixed(HOP_ADDRESS_BYTES, 'e2e.fromAddress'), 0);
  const count = r.u8('e2e.replyCount');
  if (count > REPLY_PATH_MAX) return reject('e2e-malformed');
  const replyPath: NodeId[] = [];
  for (let i = 0; i < count; i++) replyPath.push(r.nodeId('e2e.replyPath'));
  const body = r.blob(bodyMax(kind), 'e2e.body');
  const signedEnd = r.pos;
  const signature = r.fixed(SIGNATURE_BYTES, 'e2e.signature');
  if (r.error !== null || r.remaining !== 0 || fromAddress === null) {
    return reject('e2e-malformed');
  }
  const selfId = idBytes(self.id, 'self.id');
  const signed = signedBytes(selfId, plain.subarray(0, signedEnd));
  const valid = suite.ed25519Verify(signKey, signed, signature);
  wipe(signed);
  if (!valid) return reject('e2e-bad-signature');
  const from = nodeIdOf(suite, signKey, dhKey);
  return {
    kind: kind === KIND_SHARD ? 'shard' : 'message',
    from,
    signKey,
    dhKey,
    messageId,
    sentAt,
    replyPath,
    fromAddress: fromAddress ?? '',
    body,
  };
}
