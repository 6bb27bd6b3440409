/**
 * Fixed-size onion packets, modelled on Sphinx (Danezis & Goldberg, "Sphinx: A Compact and
 * Provably Secure Mix Format", IEEE S&P 2009), with per-hop ephemeral keys as in Outfox and
 * a MAC over the whole packet. Pure: randomness and crypto are injected.
 *
 * Packet (PACKET_BYTES = 2048; limits.ts has every size):
 *
 *   offset  bytes  field
 *        0     16  gamma  MAC of this hop: HMAC-SHA256(mac key, alpha ‖ beta ‖ delta)[0, 16)
 *       16     32  alpha  ephemeral X25519 public key for this hop
 *       48    440  beta   routing information: HOPS_MAX = 5 encrypted slots of 88 bytes
 *      488   1560  delta  encrypted body: u16 length ‖ payload ‖ zeros (PAYLOAD_MAX = 1558)
 *
 *   decrypted slot: 0 kind (1 forward, 2 deliver) ‖ 1 next id (20) ‖ 21 next alpha (32) ‖
 *   53 next gamma (16) ‖ 69 next address (19, hop-address.ts); a deliver slot is the kind
 *   byte followed by 87 zero bytes.
 *
 * Notation. n = path length (1..HOPS_MAX, the recipient is hop n − 1), SLOT = 88,
 * BETA = HOPS_MAX · SLOT, BODY = 1560, ⊕ xor, ‖ concatenation, x[a, b) a byte range.
 * Keys of hop i come from its shared secret s_i (keys.ts): rho_i = keystream(header key,
 * BETA + SLOT), pi_i = keystream(payload key, BODY), mk_i = MAC key, tag_i = replay tag.
 *
 * Building (sender), with random draws in exactly this order:
 *   1. for i = 0..n−1: x_i ← random.bytes(32); alpha_i = X25519(x_i, 9);
 *      s_i = X25519(x_i, dhPublic_i) (a low-order key throws OnionError).
 *   2. filler: phi_0 = empty; phi_k = (phi_{k−1} ‖ 0^SLOT) ⊕ rho_{k−1}[BETA − (k−1)·SLOT,
 *      BETA + SLOT) for k = 1..n−1 (length k · SLOT).
 *   3. pad ← random.bytes(BETA − n · SLOT);
 *      beta_{n−1} = ((0x02 ‖ 0^(SLOT−1) ‖ pad) ⊕ rho_{n−1}[0, BETA − (n−1)·SLOT)) ‖ phi_{n−1}.
 *   4. body = u16be(|payload|) ‖ payload ‖ zeros to BODY bytes;
 *      delta_{n−1} = body ⊕ pi_{n−1}; delta_i = delta_{i+1} ⊕ pi_i.
 *   5. for i = n−2..0: beta_i = (0x01 ‖ id_{i+1} ‖ alpha_{i+1} ‖ gamma_{i+1} ‖
 *      address_{i+1} ‖ beta_{i+1}[0, BETA − SLOT)) ⊕ rho_i[0, BETA),
 *      where gamma_i = HMAC(mk_i, alpha_i ‖ beta_i ‖ delta_i)[0, 16) for every i.
 *   6. the packet is gamma_0 ‖ alpha_0 ‖ beta_0 ‖ delta_0, sent to id_0.
 *
 * Peeling (hop with X25519 secret x), in this order, each failure a typed reject:
 *   1. |packet| = PACKET_BYTES, else 'bad-size'.
 *   2. s = X25519(x, alpha); a low-order alpha gives no secret: 'bad-key'.
 *   3. HMAC(mk, packet[16, end))[0, 16) = gamma (compared without early exit), else 'bad-mac'.
 *   4. B = (beta ‖ 0^SLOT) ⊕ rho; the slot is B[0, SLOT).
 *      forward: the address is well formed (hop-address.ts), else 'bad-slot';
 *        out = next gamma ‖ next alpha ‖ B[SLOT, SLOT + BETA) ‖ delta ⊕ pi.
 *      deliver: the rest of the slot is zero, else 'bad-slot'; body = delta ⊕ pi; its length
 *        is ≤ PAYLOAD_MAX and the padding is zero, else 'bad-payload'.
 *      any other kind: 'bad-slot'.
 *   Both success results carry tag = the replay tag of s. The filler makes B[SLOT, SLOT +
 *   BETA) equal the beta_{i+1} the sender built, so the next MAC verifies (Sphinx §3.2).
 *
 * Choices, and why:
 * - Keys. Each hop's slot carries the next hop's ephemeral public key (Outfox-style) instead
 *   of Sphinx's one group element blinded at every hop (alpha_{i+1} = alpha_i^{b_i}). A
 *   relay then does one X25519 per peel, with its own static secret (the cheapest kind for
 *   node:crypto, whose cost is mostly key import), where blinding adds a second one with a
 *   fresh scalar; the sender does 2 per hop instead of i + 2 for hop i (clamped X25519
 *   scalars cannot be multiplied together without leaving the suite). The price is 32
 *   header bytes per hop: 160 of 2,048. The outgoing alpha is a fresh random key read from
 *   inside the encrypted slot, so it is as unlinkable to the incoming one as a blinded one.
 * - The next hop's address in the slot. A relay whose directory is a sample of the network
 *   knows few of the relays a sender may pick after it; with the address it dials the next
 *   hop all the same, and the link's handshake proves the ID in the slot (links.ts), so a
 *   wrong address costs a failed dial, never a packet handed to someone else. The relay
 *   prefers its own directory's address when it has one (routing/relay.ts). 19 bytes of
 *   binary IP and port per slot (limits.ts), 95 of the payload's bytes in all.
 * - MAC over the whole packet. Sphinx's MAC covers only beta, because a reply block's
 *   header is made before its payload is known, and Sphinx therefore needs a wide-block
 *   cipher (LIONESS) on the payload so that tampering destroys it. There are no reply
 *   blocks here (an acknowledgement travels in a fresh forward packet that the recipient
 *   builds), so the sender knows delta_i for every hop and gamma_i covers alpha, beta and
 *   delta: a flipped bit anywhere is rejected by the next hop (alpha too: X25519 ignores
 *   the top bit of a public key, so without alpha in the MAC that one bit would go
 *   unnoticed), there is no tagging attack on the payload, and a plain stream cipher
 *   suffices for the body.
 * - Hidden position and length. beta always holds HOPS_MAX slots; the padding of the last
 *   slot is random rather than zero (Sphinx pads with zeros, which tells the recipient
 *   where the filler starts and so the path length), and the filler is keystream, so every
 *   byte a hop sees after decrypting, except its own slot, looks random.
 * - Unlinkability. gamma and alpha are replaced by values from inside the encrypted slot,
 *   beta is decrypted and shifted, delta is re-encrypted: the outgoing packet shares no
 *   part with the incoming one (test/onion/packet.test.ts checks 16-byte windows).
 * - Replay. A replayed packet yields the same s, so the same tag; the routing layer keeps
 *   tags in a ReplayCache (replay-cache.ts) and drops repeats.
 *
 * Rules (STYLE.md #7): local misuse (bad path, oversize payload, wrong key length, a low-order
 * key from our directory) throws `OnionError`; packet bytes from a peer never throw, they
 * give a `reject` with a reason. Per-hop secrets (x_i, s_i, derived keys, keystreams) are
 * wiped before returning.
 */
import type { CryptoSuite } from '../crypto/suite.js';
import { X25519_KEY_BYTES } from '../crypto/suite.js';
import type { Random } from '../random.js';
import { readHopAddress, writeHopAddress } from './hop-address.js';
import {
  allZero,
  equalAt,
  hopKeys,
  keystream,
  wipe,
  wipeHopKeys,
  xorInto,
  type HopKeys,
} from './keys.js';
import {
  ALPHA_BYTES,
  ALPHA_OFFSET,
  BETA_BYTES,
  BETA_OFFSET,
  BODY_BYTES,
  BODY_OFFSET,
  HOP_ID_BYTES,
  HOPS_MAX,
  LENGTH_PREFIX_BYTES,
  MAC_BYTES,
  MAC_OFFSET,
  PACKET_BYTES,
  PAYLOAD_MAX,
  SLOT_ADDRESS_OFFSET,
  SLOT_ALPHA_OFFSET,
  SLOT_BYTES,
  SLOT_ID_OFFSET,
  SLOT_KIND_DELIVER,
  SLOT_KIND_FORWARD,
  SLOT_KIND_OFFSET,
  SLOT_MAC_OFFSET,
} from './limits.js';

/** Local misuse of the onion module (STYLE.md #7): a bug in the caller. */
export class OnionError extends Error {
  override name = 'OnionError';
}

/** One hop of a path: its node id, X25519 public key and address (from its descriptor). */
export interface OnionHop {
  readonly id: Uint8Array;
  readonly dhPublic: Uint8Array;
  /** Told to the hop before this one (hop-address.ts: IP literals only; else not carried). */
  readonly address?: string;
}

export interface BuiltPacket {
  /** PACKET_BYTES bytes, to be sent to `firstHop`. */
  readonly packet: Uint8Array;
  /** The id of path[0]. */
  readonly firstHop: Uint8Array;
}

export type RejectReason = 'bad-size' | 'bad-key' | 'bad-mac' | 'bad-slot' | 'bad-payload';

export type PeelResult =
  | {
      kind: 'forward';
      nextHop: Uint8Array;
      /** The next hop's address as the sender wrote it, if it wrote one. */
      nextAddress: string | undefined;
      packet: Uint8Array;
      replayTag: Uint8Array;
    }
  | { kind: 'deliver'; payload: Uint8Array; replayTag: Uint8Array }
  | { kind: 'reject'; reason: RejectReason };

/** Routing keystream length: beta plus the one slot shifted in at every hop. */
const RHO_BYTES = BETA_BYTES + SLOT_BYTES;

function checkBytes(what: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new OnionError(`${what}: expected Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new OnionError(`${what}: expected ${length} bytes, got ${value.length}`);
  }
}

function checkBuildInput(path: readonly OnionHop[], payload: Uint8Array): void {
  if (!Array.isArray(path) || path.length < 1 || path.length > HOPS_MAX) {
    throw new OnionError(`path: expected 1..${HOPS_MAX} hops, got ${String(path?.length)}`);
  }
  path.forEach((hop, i) => {
    checkBytes(`path[${i}].id`, hop.id, HOP_ID_BYTES);
    checkBytes(`path[${i}].dhPublic`, hop.dhPublic, X25519_KEY_BYTES);
    if (hop.address !== undefined && typeof hop.address !== 'string') {
      throw new OnionError(`path[${i}].address: expected a string`);
    }
  });
  checkBytes('payload', payload);
  if (payload.length > PAYLOAD_MAX) {
    throw new OnionError(`payload: at most ${PAYLOAD_MAX} bytes, got ${payload.length}`);
  }
}

/** Step 1: one ephemeral key pair and shared secret per hop, in path order. */
function hopSecrets(
  suite: CryptoSuite,
  random: Random,
  path: readonly OnionHop[],
): { alphas: Uint8Array[]; keys: HopKeys[] } {
  const alphas: Uint8Array[] = [];
  const keys: HopKeys[] = [];
  try {
    path.forEach((hop, i) => {
      const ephemeral = random.bytes(X25519_KEY_BYTES);
      checkBytes('random.bytes(32)', ephemeral, X25519_KEY_BYTES);
      alphas.push(suite.x25519PublicKey(ephemeral));
      const shared = suite.x25519(ephemeral, hop.dhPublic);
      wipe(ephemeral);
      if (shared === null) throw new OnionError(`path[${i}].dhPublic: low-order X25519 key`);
      keys.push(hopKeys(suite, shared));
      wipe(shared);
    });
  } catch (error) {
    keys.forEach(wipeHopKeys);
    throw error;
  }
  return { alphas, keys };
}

/** Builds an onion packet for `path` (relays, then the recipient) carrying `payload`. */
export function buildPacket(
  suite: CryptoSuite,
  random: Random,
  path: readonly OnionHop[],
  payload: Uint8Array,
): BuiltPacket {
  checkBuildInput(path, payload);
  const n = path.length;
  const { alphas, keys } = hopSecrets(suite, random, path);
  const rhos: Uint8Array[] = [];
  const out = new Uint8Array(PACKET_BYTES);
  try {
    for (const k of keys) rhos.push(keystream(suite, k.header, RHO_BYTES));
    // Step 2: the filler phi_{n-1}, grown in place (phi_{k-1} then zeros, xor a keystream tail).
    const filler = new Uint8Array((n - 1) * SLOT_BYTES);
    for (let k = 1; k < n; k++) {
      xorInto(
        filler,
        0,
        rhos[k - 1] as Uint8Array,
        BETA_BYTES - (k - 1) * SLOT_BYTES,
        k * SLOT_BYTES,
      );
    }
    // Step 3: the recipient's beta: deliver slot, random padding, encrypted; then the filler.
    const pad = random.bytes(BETA_BYTES - n * SLOT_BYTES);
    checkBytes('random.bytes(pad)', pad, BETA_BYTES - n * SLOT_BYTES);
    out[BETA_OFFSET + SLOT_KIND_OFFSET] = SLOT_KIND_DELIVER;
    out.set(pad, BETA_OFFSET + SLOT_BYTES);
    xorInto(out, BETA_OFFSET, rhos[n - 1] as Uint8Array, 0, BETA_BYTES - (n - 1) * SLOT_BYTES);
    out.set(filler, BETA_OFFSET + BETA_BYTES - filler.length);
    // Step 4: the plaintext body; each hop's layer is added below, innermost first.
    out[BODY_OFFSET] = payload.length >>> 8;
    out[BODY_OFFSET + 1] = payload.length & 0xff;
    out.set(payload, BODY_OFFSET + LENGTH_PREFIX_BYTES);
    // Steps 4-5, from the recipient back to the first hop, in place: `out` holds packet i+1.
    for (let i = n - 1; i >= 0; i--) {
      if (i < n - 1) wrapHeader(out, path[i + 1] as OnionHop, rhos[i] as Uint8Array);
      const pi = keystream(suite, (keys[i] as HopKeys).payload, BODY_BYTES);
      xorInto(out, BODY_OFFSET, pi, 0, BODY_BYTES);
      wipe(pi);
      out.set(alphas[i] as Uint8Array, ALPHA_OFFSET);
      const mac = suite.hmacSha256((keys[i] as HopKeys).mac, out.subarray(ALPHA_OFFSET));
      out.set(mac.subarray(0, MAC_BYTES), MAC_OFFSET);
    }
  } finally {
    keys.forEach(wipeHopKeys);
    wipe(...rhos);
  }
  return { packet: out, firstHop: (path[0] as OnionHop).id.slice() };
}

/**
 * Step 5 for one hop, in place: `packet` holds hop i+1's packet; afterwards its beta is
 * beta_i (the forward slot to `next`, then beta_{i+1} shifted right by one slot, all
 * encrypted with `rho`). gamma and alpha still hold hop i+1's and are then overwritten.
 */
function wrapHeader(packet: Uint8Array, next: OnionHop, rho: Uint8Array): void {
  packet.copyWithin(BETA_OFFSET + SLOT_BYTES, BETA_OFFSET, BETA_OFFSET + BETA_BYTES - SLOT_BYTES);
  packet[BETA_OFFSET + SLOT_KIND_OFFSET] = SLOT_KIND_FORWARD;
  packet.set(next.id, BETA_OFFSET + SLOT_ID_OFFSET);
  writeHopAddress(packet, BETA_OFFSET + SLOT_ADDRESS_OFFSET, next.address);
  packet.copyWithin(BETA_OFFSET + SLOT_ALPHA_OFFSET, ALPHA_OFFSET, ALPHA_OFFSET + ALPHA_BYTES);
  packet.copyWithin(BETA_OFFSET + SLOT_MAC_OFFSET, MAC_OFFSET, MAC_OFFSET + MAC_BYTES);
  xorInto(packet, BETA_OFFSET, rho, 0, BETA_BYTES);
}

const reject = (reason: RejectReason): PeelResult => ({ kind: 'reject', reason });

/**
 * Peels one layer with this hop's X25519 secret. Never throws on packet bytes: anything that
 * is not a well-formed packet for this hop is a `reject` with a reason.
 */
export function peelPacket(
  suite: CryptoSuite,
  dhSecret: Uint8Array,
  packet: Uint8Array,
): PeelResult {
  checkBytes('dhSecret', dhSecret, X25519_KEY_BYTES);
  checkBytes('packet', packet);
  if (packet.length !== PACKET_BYTES) return reject('bad-size');
  const shared = suite.x25519(dhSecret, packet.subarray(ALPHA_OFFSET, ALPHA_OFFSET + ALPHA_BYTES));
  if (shared === null) return reject('bad-key');
  const keys = hopKeys(suite, shared);
  wipe(shared);
  let routing: Uint8Array | undefined;
  try {
    const mac = suite.hmacSha256(keys.mac, packet.subarray(ALPHA_OFFSET));
    if (!equalAt(mac.subarray(0, MAC_BYTES), packet, MAC_OFFSET)) return reject('bad-mac');
    // B = (beta ‖ 0^SLOT) ⊕ rho.
    routing = keystream(suite, keys.header, RHO_BYTES);
    xorInto(routing, 0, packet, BETA_OFFSET, BETA_BYTES);
    const kind = routing[SLOT_KIND_OFFSET];
    if (kind === SLOT_KIND_FORWARD) return forward(suite, keys, packet, routing);
    if (kind === SLOT_KIND_DELIVER && allZero(routing, 1, SLOT_BYTES)) {
      return deliver(suite, keys, packet);
    }
    return reject('bad-slot');
  } finally {
    wipeHopKeys(keys);
    if (routing !== undefined) wipe(routing);
  }
}

function forward(
  suite: CryptoSuite,
  keys: HopKeys,
  packet: Uint8Array,
  routing: Uint8Array,
): PeelResult {
  const nextAddress = readHopAddress(routing, SLOT_ADDRESS_OFFSET);
  if (nextAddress === null) return reject('bad-slot');
  const out = new Uint8Array(PACKET_BYTES);
  out.set(routing.subarray(SLOT_MAC_OFFSET, SLOT_MAC_OFFSET + MAC_BYTES), MAC_OFFSET);
  out.set(routing.subarray(SLOT_ALPHA_OFFSET, SLOT_ALPHA_OFFSET + ALPHA_BYTES), ALPHA_OFFSET);
  out.set(routing.subarray(SLOT_BYTES, SLOT_BYTES + BETA_BYTES), BETA_OFFSET);
  // delta ⊕ pi, computed in the keystream's own (aligned) buffer, which then holds no secret.
  const body = keystream(suite, keys.payload, BODY_BYTES);
  xorInto(body, 0, packet, BODY_OFFSET, BODY_BYTES);
  out.set(body, BODY_OFFSET);
  const nextHop = routing.slice(SLOT_ID_OFFSET, SLOT_ID_OFFSET + HOP_ID_BYTES);
  return { kind: 'forward', nextHop, nextAddress, packet: out, replayTag: keys.replayTag };
}

function deliver(suite: CryptoSuite, keys: HopKeys, packet: Uint8Array): PeelResult {
  const body = keystream(suite, keys.payload, BODY_BYTES);
  xorInto(body, 0, packet, BODY_OFFSET, BODY_BYTES);
  try {
    const length = ((body[0] as number) << 8) | (body[1] as number);
    if (length > PAYLOAD_MAX) return reject('bad-payload');
    const end = LENGTH_PREFIX_BYTES + length;
    if (!allZero(body, end, BODY_BYTES)) return reject('bad-payload');
    const payload = body.slice(LENGTH_PREFIX_BYTES, end);
    return { kind: 'deliver', payload, replayTag: keys.replayTag };
  } finally {
    wipe(body);
  }
}
