/**
 * Signed directory records (DESIGN.md §3 Identity): a node's *descriptor* and the
 * *revocation* it broadcasts when it leaves. Both are self-certifying: the node ID is the
 * hash of the keys inside, and the Ed25519 signature over everything before it proves the
 * holder of those keys wrote it.
 *
 * Layout (big-endian):
 *   descriptor: 01 | signKey 32 | dhKey 32 | address (u8 len + ASCII) | relay u8 (0/1)
 *               | issued u48 ms | expires u48 ms | signature 64
 *   revocation: 02 | signKey 32 | dhKey 32 | issued u48 ms | signature 64
 * The signature covers DOMAIN || every byte before it. Decoding never throws.
 */
import type { CryptoSuite } from '../crypto/suite.js';
import { nodeIdOf, type Identity } from '../identity.js';
import type { NodeId } from '../types.js';
import { Reader, Writer } from '../wire/codec.js';
import { idHashOf, type IdHash } from './digest.js';
import { DESCRIPTOR_MAX_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../wire/limits.js';

const DOMAIN = new TextEncoder().encode('p2pmsg directory record v1');
const DESCRIPTOR = 1;
const REVOCATION = 2;

export interface Descriptor extends IdHash {
  kind: 'descriptor';
  id: NodeId;
  signKey: Uint8Array;
  dhKey: Uint8Array;
  address: string;
  relay: boolean;
  issued: number;
  expires: number;
  /** The whole signed record, as sent. */
  bytes: Uint8Array;
}

export interface Revocation {
  kind: 'revocation';
  id: NodeId;
  signKey: Uint8Array;
  dhKey: Uint8Array;
  issued: number;
  bytes: Uint8Array;
}

export type DirectoryRecord = Descriptor | Revocation;

export interface DescriptorFields {
  address: string;
  relay: boolean;
  issued: number;
  expires: number;
}

export function signDescriptor(
  crypto: CryptoSuite,
  identity: Identity,
  fields: DescriptorFields,
): Descriptor {
  const w = new Writer();
  w.u8(DESCRIPTOR);
  w.fixed(identity.signPublic, PUBLIC_KEY_BYTES, 'descriptor.signKey');
  w.fixed(identity.dhPublic, PUBLIC_KEY_BYTES, 'descriptor.dhKey');
  w.address(fields.address, 'descriptor.address');
  w.flag(fields.relay, 'descriptor.relay');
  w.timestamp(fields.issued, 'descriptor.issued');
  w.timestamp(fields.expires, 'descriptor.expires');
  const bytes = sign(crypto, identity, w);
  const { idHashA, idHashB } = idHashOf(identity.id);
  // The fields in openRecord's order: one object shape for every descriptor a loop reads.
  return {
    kind: 'descriptor',
    id: identity.id,
    signKey: identity.signPublic,
    dhKey: identity.dhPublic,
    address: fields.address,
    relay: fields.relay,
    issued: fields.issued,
    expires: fields.expires,
    bytes,
    idHashA,
    idHashB,
  };
}

export function signRevocation(
  crypto: CryptoSuite,
  identity: Identity,
  issued: number,
): Revocation {
  const w = new Writer();
  w.u8(REVOCATION);
  w.fixed(identity.signPublic, PUBLIC_KEY_BYTES, 'revocation.signKey');
  w.fixed(identity.dhPublic, PUBLIC_KEY_BYTES, 'revocation.dhKey');
  w.timestamp(issued, 'revocation.issued');
  const bytes = sign(crypto, identity, w);
  return {
    kind: 'revocation',
    id: identity.id,
    signKey: identity.signPublic,
    dhKey: identity.dhPublic,
    issued,
    bytes,
  };
}

function sign(crypto: CryptoSuite, identity: Identity, w: Writer): Uint8Array {
  const unsigned = w.take();
  const signature = crypto.ed25519Sign(identity.signSecret, withDomain(unsigned));
  w.fixed(signature, SIGNATURE_BYTES, 'record.signature');
  return w.take();
}

function withDomain(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOMAIN.length + bytes.length);
  out.set(DOMAIN, 0);
  out.set(bytes, DOMAIN.length);
  return out;
}

export type RecordRejection = 'malformed' | 'forged';

/**
 * Opens records: `openRecord` itself, or whatever a runtime passes in front of it (the
 * simulator shares one cache among all its engines: src/sim/record-cache.ts).
 */
export type RecordOpener = (
  crypto: CryptoSuite,
  bytes: Uint8Array,
) => DirectoryRecord | RecordRejection;

/**
 * The record in `bytes` if it is well formed and its signature verifies, else why not.
 * Expiry is the directory's business (it depends on the time).
 */
export function openRecord(
  crypto: CryptoSuite,
  bytes: Uint8Array,
): DirectoryRecord | RecordRejection {
  if (bytes.length > DESCRIPTOR_MAX_BYTES || bytes.length < 1 + SIGNATURE_BYTES) return 'malformed';
  const end = bytes.length - SIGNATURE_BYTES;
  const r = new Reader(bytes, 0, end);
  const type = r.u8('record.type');
  const signKey = r.fixed(PUBLIC_KEY_BYTES, 'record.signKey');
  const dhKey = r.fixed(PUBLIC_KEY_BYTES, 'record.dhKey');
  let record: DirectoryRecord | undefined;
  if (type === DESCRIPTOR) {
    const address = r.address('descriptor.address');
    const relay = r.flag('descriptor.relay');
    const issued = r.timestamp('descriptor.issued');
    const expires = r.timestamp('descriptor.expires');
    record = {
      kind: 'descriptor',
      id: '',
      signKey,
      dhKey,
      address,
      relay,
      issued,
      expires,
      bytes,
      idHashA: 0,
      idHashB: 0,
    };
  } else if (type === REVOCATION) {
    const issued = r.timestamp('revocation.issued');
    record = { kind: 'revocation', id: '', signKey, dhKey, issued, bytes };
  }
  if (!record || r.error !== null || r.pos !== end) return 'malformed';
  // Keep views into the record's own bytes rather than the reader's copies: every node of a
  // simulation holds every descriptor, and two fewer buffers each is a quarter of the memory.
  record.signKey = bytes.subarray(1, 1 + PUBLIC_KEY_BYTES);
  record.dhKey = bytes.subarray(1 + PUBLIC_KEY_BYTES, 1 + 2 * PUBLIC_KEY_BYTES);
  const signature = bytes.subarray(end);
  if (!crypto.ed25519Verify(signKey, withDomain(bytes.subarray(0, end)), signature))
    return 'forged';
  record.id = nodeIdOf(crypto, signKey, dhKey);
  if (record.kind === 'descriptor') Object.assign(record, idHashOf(record.id));
  return record;
}
