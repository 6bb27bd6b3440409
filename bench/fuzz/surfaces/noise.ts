/**
 * Surface `noise`: the Noise XX handshake (src/transports/tcp/noise.ts) and its transport
 * decryption, fed mutated and random messages in place of the peer's.
 *
 * Theory of operation. Every KEYS_EVERY inputs get fresh static and ephemeral keys, and a
 * real handshake between them records the three messages and a transport message, with the
 * runtime's prologue and (empty) payloads. An input names a slot and the bytes arriving in
 * it:
 * - `m1` → the responder; `m2` → the initiator; `m3` → the responder; `transport` → the
 *   responder's receiving CipherState after a complete handshake;
 * - `early` → an initiator that has not written m1 yet (out of order).
 * The state machine under test is rebuilt from the recorded keys for every input (the
 * ephemerals are fixed per key set), so each input stands alone.
 *
 * Rules checked on every input: no throw; a failure is a NoiseError of a known kind and is
 * final (the next read and write answer the same error); bytes that differ from the real
 * message are never accepted once a key is mixed in, and a changed m1 (unauthenticated
 * when sent) makes the initiator refuse the responder's m2 — a handshake never completes
 * over a tampered message.
 */
import fc from 'fast-check';
import { nodeSuite } from '../../../src/engine/crypto/node.js';
import {
  CipherState,
  NoiseHandshake,
  type NoiseResult,
} from '../../../src/transports/tcp/noise.js';
import type { NoiseErrorKind } from '../../../src/transports/tcp/noise.js';
import { DEFAULT_PROLOGUE } from '../../../src/transports/tcp/runtime.js';
import { AleaRandom } from '../../../src/transports/sim/rng.js';
import { InvariantError, showBytes, type Surface } from '../campaign.js';
import { arbByteMutation, arbMutations, mutate } from '../inputs/bytes.js';
import { drawInput } from '../random.js';

/** Inputs per key set: key generation is cheap next to a handshake, but not free. */
const KEYS_EVERY = 1_000;
const KINDS = new Set<NoiseErrorKind>([
  'bad-length',
  'bad-mac',
  'bad-key',
  'out-of-order',
  'nonce-exhausted',
]);
const SLOTS = ['m1', 'm2', 'm3', 'transport', 'early'] as const;
type Slot = (typeof SLOTS)[number];

/** u coordinates whose X25519 result is all zero (RFC 7748 §6.1), little-endian hex. */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

export interface NoiseInput {
  slot: Slot;
  bytes: Uint8Array;
}

interface KeySet {
  initiatorStatic: Uint8Array;
  responderStatic: Uint8Array;
  /** Public halves, derived once (each would cost a scalar multiplication per handshake). */
  initiatorPublic: Uint8Array;
  responderPublic: Uint8Array;
  initiatorEphemeral: Uint8Array;
  responderEphemeral: Uint8Array;
  /** The real messages of each slot ('early' gets m2, what a confused peer would send). */
  messages: Record<Slot, Uint8Array>;
  /** Inputs made from these messages. */
  inputs: fc.Arbitrary<NoiseInput>;
}

const suite = nodeSuite;

function handshake(initiator: boolean, keys: KeySet): NoiseHandshake {
  const ephemeral = initiator ? keys.initiatorEphemeral : keys.responderEphemeral;
  return new NoiseHandshake({
    suite,
    initiator,
    staticSecret: initiator ? keys.initiatorStatic : keys.responderStatic,
    staticPublic: initiator ? keys.initiatorPublic : keys.responderPublic,
    prologue: DEFAULT_PROLOGUE,
    ephemeralSecret: () => ephemeral.slice(),
  });
}

function value<T>(result: NoiseResult<T>, what: string): T {
  if (!result.ok) throw new InvariantError(`${what} failed on real input: ${result.error.kind}`);
  return result.value;
}

function keySet(seed: string, number: number): KeySet {
  const random = new AleaRandom(`${seed}/noise/keys/${number}`);
  const initiatorStatic = random.bytes(32);
  const responderStatic = random.bytes(32);
  const keys: KeySet = {
    initiatorStatic,
    responderStatic,
    initiatorPublic: suite.x25519PublicKey(initiatorStatic),
    responderPublic: suite.x25519PublicKey(responderStatic),
    initiatorEphemeral: random.bytes(32),
    responderEphemeral: random.bytes(32),
    messages: {} as Record<Slot, Uint8Array>,
    inputs: fc.constant({ slot: 'm1', bytes: new Uint8Array(0) }),
  };
  const i = handshake(true, keys);
  const r = handshake(false, keys);
  const m1 = value(i.writeMessage(), 'write m1');
  value(r.readMessage(m1), 'read m1');
  const m2 = value(r.writeMessage(), 'write m2');
  value(i.readMessage(m2), 'read m2');
  const m3 = value(i.writeMessage(), 'write m3');
  value(r.readMessage(m3), 'read m3');
  const transport = i.finish().send.encrypt(random.bytes(1 + random.int(200)));
  const messages = { m1, m2, m3, transport, early: m2 };
  keys.messages = messages;
  // Splices take their bytes from the other messages of the same handshake.
  keys.inputs = arbNoiseInput((slot) => [messages[slot], ...SLOTS.map((s) => messages[s])]);
  return keys;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function arbNoiseInput(messages: (slot: Slot) => Uint8Array[]): fc.Arbitrary<NoiseInput> {
  const arbSlot = fc.constantFrom<Slot>('m1', 'm2', 'm2', 'm3', 'm3', 'transport', 'early');
  return fc.oneof(
    {
      weight: 7,
      arbitrary: fc.tuple(arbSlot, arbMutations(arbByteMutation)).map(([slot, mutations]) => {
        const [real, ...donors] = messages(slot);
        const bytes = mutations.reduce((b, m) => mutate(b, m, donors), real as Uint8Array);
        return { slot, bytes };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom<Slot>('m1', 'm2'), fc.nat(LOW_ORDER.length - 1))
        .map(([slot, k]) => {
          const bytes = (messages(slot)[0] as Uint8Array).slice();
          bytes.set(LOW_ORDER[k] as Uint8Array, 0);
          return { slot, bytes };
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(arbSlot, fc.uint8Array({ maxLength: 200 }))
        .map(([slot, bytes]) => ({ slot, bytes })),
    },
  );
}

/** The failure is a known kind and final: later reads and writes repeat it. */
function checkFinal(h: NoiseHandshake, result: NoiseResult<unknown>): string {
  if (result.ok) throw new InvariantError('checkFinal on a success');
  const { kind } = result.error;
  if (!KINDS.has(kind)) throw new InvariantError(`unknown NoiseError kind ${String(kind)}`);
  const again = h.readMessage(new Uint8Array(48));
  const write = h.writeMessage();
  if (again.ok || again.error.kind !== kind || write.ok || write.error.kind !== kind)
    throw new InvariantError(`a ${kind} failure was not final`);
  return `error:${kind}`;
}

/** A responder that read the real m1 and wrote m2. */
function responderAwaitingM3(keys: KeySet): NoiseHandshake {
  const r = handshake(false, keys);
  value(r.readMessage(keys.messages.m1), 'read m1');
  value(r.writeMessage(), 'write m2');
  return r;
}

/** Runs one input against the state machine its slot names; the outcome label. */
function runInput(keys: KeySet, { slot, bytes }: NoiseInput): string {
  const real = keys.messages[slot];
  const changed = !sameBytes(bytes, real);
  const accepted = (what: string): string => {
    if (changed) throw new InvariantError(`${what}: tampered bytes accepted`);
    return `${slot}:ok`;
  };
  switch (slot) {
    case 'early': {
      const i = handshake(true, keys);
      const read = i.readMessage(bytes);
      if (read.ok) throw new InvariantError('an initiator read before writing m1');
      return `${slot}:${checkFinal(i, read)}`;
    }
    case 'm1': {
      const r = handshake(false, keys);
      const read = r.readMessage(bytes);
      if (!read.ok) return `${slot}:${checkFinal(r, read)}`;
      // m1 is not authenticated: the change must show when the initiator reads m2.
      const reply = r.writeMessage();
      if (!reply.ok) return `${slot}:reply-${checkFinal(r, reply)}`;
      const i = handshake(true, keys);
      value(i.writeMessage(), 'write m1');
      const answer = i.readMessage(reply.value);
      if (!answer.ok) {
        if (!changed) throw new InvariantError('the real m1 broke the handshake');
        return `${slot}:caught-at-m2:${checkFinal(i, answer)}`;
      }
      return accepted('m1, then m2');
    }
    case 'm2': {
      const i = handshake(true, keys);
      value(i.writeMessage(), 'write m1');
      const read = i.readMessage(bytes);
      return read.ok ? accepted('m2') : `${slot}:${checkFinal(i, read)}`;
    }
    case 'm3': {
      const r = responderAwaitingM3(keys);
      const read = r.readMessage(bytes);
      return read.ok ? accepted('m3') : `${slot}:${checkFinal(r, read)}`;
    }
    case 'transport': {
      const r = responderAwaitingM3(keys);
      value(r.readMessage(keys.messages.m3), 'read m3');
      const receive: CipherState = r.finish().receive;
      const read = receive.decrypt(bytes);
      if (read.ok) return accepted('transport');
      if (!KINDS.has(read.error.kind)) throw new InvariantError(`unknown kind ${read.error.kind}`);
      return `${slot}:error:${read.error.kind}`;
    }
  }
}

export const noiseSurface: Surface<NoiseInput> = {
  name: 'noise',
  typedError: 'NoiseError (NoiseResult with ok: false)',
  episodeInputs: 1,
  open(seed) {
    const cache = new Map<number, KeySet>();
    const keysFor = (index: number): KeySet => {
      const number = Math.floor(index / KEYS_EVERY);
      let keys = cache.get(number);
      if (keys === undefined) {
        cache.clear(); // inputs come in order: one key set at a time
        keys = keySet(seed, number);
        cache.set(number, keys);
      }
      return keys;
    };
    return {
      input: (index) => drawInput(keysFor(index).inputs, seed, 'noise', index),
      run: (input, index) => runInput(keysFor(index), input),
      show: ({ slot, bytes }) => `${slot}: ${showBytes(bytes)}`,
    };
  },
};
