/**
 * The reference onion: a slow, straight-line rendering of the format described in the header
 * of src/engine/onion/packet.ts and src/engine/onion/keys.ts, written from that text and not
 * from the code (STYLE.md #16). The real module must agree with it byte for byte given the
 * same random draws (test/onion/reference.test.ts).
 *
 * Deliberately naive: every step makes new arrays with `cat`, `xor` and `range`; keys come
 * from one full `suite.hkdf` call per label; the filler follows the recurrence literally;
 * nothing is done in place and nothing is wiped. Sizes are written out as numbers here, and a
 * test checks they equal the module's constants.
 */
import type { CryptoSuite } from '../../src/engine/crypto/suite.js';
import type { Random } from '../../src/engine/random.js';

export const REF = {
  packet: 2048,
  hops: 5,
  slot: 1 + 20 + 32 + 16,
  beta: 5 * (1 + 20 + 32 + 16),
  header: 16 + 32 + 5 * 69,
  body: 2048 - (16 + 32 + 5 * 69),
  payloadMax: 2048 - (16 + 32 + 5 * 69) - 2,
  tag: 16,
} as const;

const text = (s: string) => new TextEncoder().encode(s);

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new Error(`reference xor: ${a.length} vs ${b.length}`);
  return a.map((byte, i) => byte ^ (b[i] as number));
}

/** x[from, to) as a copy. */
function range(x: Uint8Array, from: number, to: number): Uint8Array {
  if (from < 0 || to > x.length || from > to) throw new Error('reference range out of bounds');
  return x.slice(from, to);
}

const zeros = (n: number) => new Uint8Array(n);

interface Keys {
  rho: Uint8Array;
  pi: Uint8Array;
  mac: Uint8Array;
  tag: Uint8Array;
}

function keysOf(suite: CryptoSuite, s: Uint8Array): Keys {
  const salt = text('p2pmsg/onion/v1');
  const kdf = (label: string, n: number) => suite.hkdf(s, salt, text(label), n);
  const stream = (key: Uint8Array, n: number) =>
    range(suite.aeadSeal(key, zeros(12), zeros(n)), 0, n);
  return {
    rho: stream(kdf('p2pmsg onion v1 header', 32), REF.beta + REF.slot),
    pi: stream(kdf('p2pmsg onion v1 payload', 32), REF.body),
    mac: kdf('p2pmsg onion v1 mac', 32),
    tag: kdf('p2pmsg onion v1 replay', 16),
  };
}

const macOf = (suite: CryptoSuite, key: Uint8Array, data: Uint8Array) =>
  range(suite.hmacSha256(key, data), 0, 16);

export function referenceBuild(
  suite: CryptoSuite,
  random: Random,
  path: ReadonlyArray<{ id: Uint8Array; dhPublic: Uint8Array }>,
  payload: Uint8Array,
): Uint8Array {
  const n = path.length;
  const { slot: SLOT, beta: BETA, body: BODY } = REF;
  // 1. ephemeral keys and shared secrets, in path order
  const alpha: Uint8Array[] = [];
  const keys: Keys[] = [];
  for (let i = 0; i < n; i++) {
    const x = random.bytes(32);
    alpha.push(suite.x25519PublicKey(x));
    const s = suite.x25519(x, path[i]!.dhPublic);
    if (s === null) throw new Error('reference: low-order key');
    keys.push(keysOf(suite, s));
  }
  // 2. filler
  let phi: Uint8Array = zeros(0);
  for (let k = 1; k <= n - 1; k++) {
    phi = xor(cat(phi, zeros(SLOT)), range(keys[k - 1]!.rho, BETA - (k - 1) * SLOT, BETA + SLOT));
  }
  // 3. the recipient's beta
  const pad = random.bytes(BETA - n * SLOT);
  const deliverSlot = cat(Uint8Array.of(2), zeros(SLOT - 1));
  const beta: Uint8Array[] = new Array<Uint8Array>(n);
  beta[n - 1] = cat(
    xor(cat(deliverSlot, pad), range(keys[n - 1]!.rho, 0, BETA - (n - 1) * SLOT)),
    phi,
  );
  // 4. bodies
  const body = cat(Uint8Array.of(payload.length >> 8, payload.length & 255), payload);
  const delta: Uint8Array[] = new Array<Uint8Array>(n);
  delta[n - 1] = xor(cat(body, zeros(BODY - body.length)), keys[n - 1]!.pi);
  for (let i = n - 2; i >= 0; i--) delta[i] = xor(delta[i + 1]!, keys[i]!.pi);
  // 5. headers and MACs, last hop first
  const gamma: Uint8Array[] = new Array<Uint8Array>(n);
  gamma[n - 1] = macOf(suite, keys[n - 1]!.mac, cat(alpha[n - 1]!, beta[n - 1]!, delta[n - 1]!));
  for (let i = n - 2; i >= 0; i--) {
    const forwardSlot = cat(Uint8Array.of(1), path[i + 1]!.id, alpha[i + 1]!, gamma[i + 1]!);
    beta[i] = xor(
      cat(forwardSlot, range(beta[i + 1]!, 0, BETA - SLOT)),
      range(keys[i]!.rho, 0, BETA),
    );
    gamma[i] = macOf(suite, keys[i]!.mac, cat(alpha[i]!, beta[i]!, delta[i]!));
  }
  // 6.
  return cat(gamma[0]!, alpha[0]!, beta[0]!, delta[0]!);
}

export type ReferencePeel =
  | { kind: 'forward'; nextHop: Uint8Array; packet: Uint8Array; replayTag: Uint8Array }
  | { kind: 'deliver'; payload: Uint8Array; replayTag: Uint8Array }
  | { kind: 'reject'; reason: string };

export function referencePeel(
  suite: CryptoSuite,
  secret: Uint8Array,
  packet: Uint8Array,
): ReferencePeel {
  const { slot: SLOT, beta: BETA, header: HEADER } = REF;
  if (packet.length !== REF.packet) return { kind: 'reject', reason: 'bad-size' };
  const gamma = range(packet, 0, 16);
  const alpha = range(packet, 16, 48);
  const beta = range(packet, 48, HEADER);
  const delta = range(packet, HEADER, REF.packet);
  const s = suite.x25519(secret, alpha);
  if (s === null) return { kind: 'reject', reason: 'bad-key' };
  const k = keysOf(suite, s);
  const expected = macOf(suite, k.mac, cat(alpha, beta, delta));
  if (expected.some((byte, i) => byte !== gamma[i])) return { kind: 'reject', reason: 'bad-mac' };
  const b = xor(cat(beta, zeros(SLOT)), k.rho);
  const slot = range(b, 0, SLOT);
  const plainBody = xor(delta, k.pi);
  if (slot[0] === 1) {
    const nextHop = range(slot, 1, 21);
    const nextAlpha = range(slot, 21, 53);
    const nextGamma = range(slot, 53, 69);
    const next = cat(nextGamma, nextAlpha, range(b, SLOT, SLOT + BETA), plainBody);
    return { kind: 'forward', nextHop, packet: next, replayTag: k.tag };
  }
  if (slot[0] === 2 && range(slot, 1, SLOT).every((byte) => byte === 0)) {
    const length = plainBody[0]! * 256 + plainBody[1]!;
    if (length > REF.payloadMax) return { kind: 'reject', reason: 'bad-payload' };
    if (!range(plainBody, 2 + length, REF.body).every((byte) => byte === 0)) {
      return { kind: 'reject', reason: 'bad-payload' };
    }
    return { kind: 'deliver', payload: range(plainBody, 2, 2 + length), replayTag: k.tag };
  }
  return { kind: 'reject', reason: 'bad-slot' };
}
