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
import type { PeelResult } from '../../src/engine/onion/index.js';
import type { Random } from '../../src/engine/random.js';

export const REF = {
  packet: 2048,
  hops: 5,
  slot: 1 + 20 + 32 + 16 + 19,
  beta: 5 * (1 + 20 + 32 + 16 + 19),
  header: 16 + 32 + 5 * 88,
  body: 2048 - (16 + 32 + 5 * 88),
  payloadMax: 2048 - (16 + 32 + 5 * 88) - 2,
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

/**
 * The 19 bytes of a next hop's address (hop-address.ts's header): form 4 or 6, the IP, the
 * port; all zero unless the text is exactly the canonical form of an IP literal, which here
 * is what the WHATWG URL parser prints for the host (RFC 5952 for IPv6).
 */
function addressField(address: string | undefined): Uint8Array {
  const none = zeros(19);
  const match = address === undefined ? null : /^(.+):(\d+)$/.exec(address);
  if (match === null) return none;
  const host = match[1]!;
  const port = Number(match[2]);
  if (String(port) !== match[2] || port < 1 || port > 65535) return none;
  let canonical: string;
  try {
    canonical = new URL(`http://${host}/`).hostname;
  } catch {
    return none;
  }
  if (canonical !== host) return none;
  const portBytes = Uint8Array.of(port >> 8, port & 255);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    return cat(
      Uint8Array.of(4),
      Uint8Array.from(host.split('.').map(Number)),
      zeros(12),
      portBytes,
    );
  }
  if (!host.startsWith('[')) return none;
  const [head, tail] = host.slice(1, -1).split('::') as [string, string | undefined];
  const groupsOf = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const left = groupsOf(head);
  const right = groupsOf(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return cat(
    Uint8Array.of(6),
    Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 255])),
    portBytes,
  );
}

/** The text of an address field, or undefined for none (the field was made by addressField). */
function addressText(field: Uint8Array): string | undefined {
  const port = field[17]! * 256 + field[18]!;
  if (field[0] === 4) return `${[...range(field, 1, 5)].join('.')}:${port}`;
  if (field[0] !== 6) return undefined;
  const groups = Array.from({ length: 8 }, (_, g) =>
    (field[1 + 2 * g]! * 256 + field[2 + 2 * g]!).toString(16),
  );
  return `${new URL(`http://[${groups.join(':')}]/`).hostname}:${port}`;
}

/** What a slot carries of `address` by the rule above: the address itself, or nothing. */
export const referenceCarried = (address: string | undefined): string | undefined =>
  addressText(addressField(address));

const macOf = (suite: CryptoSuite, key: Uint8Array, data: Uint8Array) =>
  range(suite.hmacSha256(key, data), 0, 16);

export function referenceBuild(
  suite: CryptoSuite,
  random: Random,
  path: ReadonlyArray<{ id: Uint8Array; dhPublic: Uint8Array; address?: string }>,
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
    const forwardSlot = cat(
      Uint8Array.of(1),
      path[i + 1]!.id,
      alpha[i + 1]!,
      gamma[i + 1]!,
      addressField(path[i + 1]!.address),
    );
    beta[i] = xor(
      cat(forwardSlot, range(beta[i + 1]!, 0, BETA - SLOT)),
      range(keys[i]!.rho, 0, BETA),
    );
    gamma[i] = macOf(suite, keys[i]!.mac, cat(alpha[i]!, beta[i]!, delta[i]!));
  }
  // 6.
  return cat(gamma[0]!, alpha[0]!, beta[0]!, delta[0]!);
}

/** What the module's peel returns (its shape, so the two compare field by field). */
export type ReferencePeel = PeelResult;

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
    const field = range(slot, 69, 88);
    const nextAddress = addressText(field);
    // A field that addressField would not have written back is malformed.
    if (!addressField(nextAddress).every((byte, i) => byte === field[i])) {
      return { kind: 'reject', reason: 'bad-slot' };
    }
    const next = cat(nextGamma, nextAlpha, range(b, SLOT, SLOT + BETA), plainBody);
    return { kind: 'forward', nextHop, nextAddress, packet: next, replayTag: k.tag };
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
