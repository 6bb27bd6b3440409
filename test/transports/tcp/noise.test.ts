/**
 * Noise_XX_25519_ChaChaPoly_SHA256 against the published cacophony vectors (noise-vectors.json
 * says where they come from), with both real suites, plus properties: fresh parties always
 * agree and learn each other's static key; any flipped bit in any handshake message is refused.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../../src/engine/crypto/node.js';
import type { CryptoSuite } from '../../../src/engine/crypto/suite.js';
import {
  CipherState,
  NOISE_MESSAGE_MAX_BYTES,
  NoiseHandshake,
  NoiseUsageError,
  type NoiseResult,
} from '../../../src/transports/tcp/noise.js';
import { checkProperty } from '../../support/property.js';

const FILE = 'test/transports/tcp/noise.test.ts';

interface Vector {
  name: string;
  init_prologue: string;
  init_static: string;
  init_ephemeral: string;
  resp_prologue: string;
  resp_static: string;
  resp_ephemeral: string;
  messages: { payload: string; ciphertext: string }[];
}

const vectors = (
  JSON.parse(readFileSync(new URL('./noise-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function unwrap<T>(result: NoiseResult<T>): T {
  if (!result.ok) throw new Error(`noise failed: ${result.error.kind}: ${result.error.detail}`);
  return result.value;
}

/** An ephemeral source that hands out the given secrets once each. */
function fixed(...secrets: Uint8Array[]): () => Uint8Array {
  return () => {
    const next = secrets.shift();
    if (next === undefined) throw new Error('test: no more ephemeral secrets');
    return next.slice();
  };
}

function pair(
  suite: CryptoSuite,
  keys: { is: Uint8Array; ie: Uint8Array; rs: Uint8Array; re: Uint8Array },
  prologue?: Uint8Array,
  responderPrologue: Uint8Array | undefined = prologue,
) {
  const initiator = new NoiseHandshake({
    suite,
    initiator: true,
    staticSecret: keys.is,
    ephemeralSecret: fixed(keys.ie),
    ...(prologue === undefined ? {} : { prologue }),
  });
  const responder = new NoiseHandshake({
    suite,
    initiator: false,
    staticSecret: keys.rs,
    ephemeralSecret: fixed(keys.re),
    ...(responderPrologue === undefined ? {} : { prologue: responderPrologue }),
  });
  return { initiator, responder };
}

const SUITES: [string, CryptoSuite][] = [
  ['node', nodeSuite],
  ['noble', nobleSuite],
];

describe('Noise XX: published vectors (cacophony)', () => {
  for (const vector of vectors) {
    for (const [suiteName, suite] of SUITES) {
      it(`${vector.name} with the ${suiteName} suite: every message byte for byte`, () => {
        expect(vector.name).toBe('Noise_XX_25519_ChaChaPoly_SHA256');
        const { initiator, responder } = pair(
          suite,
          {
            is: hex(vector.init_static),
            ie: hex(vector.init_ephemeral),
            rs: hex(vector.resp_static),
            re: hex(vector.resp_ephemeral),
          },
          hex(vector.init_prologue),
          hex(vector.resp_prologue),
        );
        const handshake = vector.messages.slice(0, 3);
        handshake.forEach((m, i) => {
          const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
          const message = unwrap(writer.writeMessage(hex(m.payload)));
          expect(toHex(message)).toBe(m.ciphertext);
          expect(toHex(unwrap(reader.readMessage(message)))).toBe(m.payload);
        });
        expect(initiator.complete && responder.complete).toBe(true);
        const a = initiator.finish();
        const b = responder.finish();
        expect(toHex(a.remoteStaticKey)).toBe(
          toHex(suite.x25519PublicKey(hex(vector.resp_static))),
        );
        expect(toHex(b.remoteStaticKey)).toBe(
          toHex(suite.x25519PublicKey(hex(vector.init_static))),
        );
        expect(toHex(a.handshakeHash)).toBe(toHex(b.handshakeHash));
        vector.messages.slice(3).forEach((m, j) => {
          const i = j + 3;
          const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
          const ciphertext = writer.send.encrypt(hex(m.payload));
          expect(toHex(ciphertext)).toBe(m.ciphertext);
          expect(toHex(unwrap(reader.receive.decrypt(ciphertext)))).toBe(m.payload);
        });
      });
    }
  }
});

/** Secrets that are not all zero (a zero scalar is legal but makes duplicate keys likely). */
const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });

function handshakeOf(
  suite: CryptoSuite,
  keys: { is: Uint8Array; ie: Uint8Array; rs: Uint8Array; re: Uint8Array },
  prologue?: Uint8Array,
): { messages: Uint8Array[]; initiator: NoiseHandshake; responder: NoiseHandshake } {
  const { initiator, responder } = pair(suite, keys, prologue);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
    const message = unwrap(writer.writeMessage());
    unwrap(reader.readMessage(message));
    messages.push(message);
  }
  return { messages, initiator, responder };
}

describe('Noise XX: properties', () => {
  it('any two fresh parties complete the handshake and each learns the other’s static key', () => {
    checkProperty(
      FILE,
      'any two fresh parties complete the handshake and each learns the other’s static key',
      fc.property(
        secret,
        secret,
        secret,
        secret,
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 2048 }),
        (is, ie, rs, re, prologue, payload) => {
          const { initiator, responder } = handshakeOf(nodeSuite, { is, ie, rs, re }, prologue);
          const a = initiator.finish();
          const b = responder.finish();
          expect(a.remoteStaticKey).toEqual(nodeSuite.x25519PublicKey(rs));
          expect(b.remoteStaticKey).toEqual(nodeSuite.x25519PublicKey(is));
          expect(a.handshakeHash).toEqual(b.handshakeHash);
          expect(unwrap(b.receive.decrypt(a.send.encrypt(payload)))).toEqual(payload);
          expect(unwrap(a.receive.decrypt(b.send.encrypt(payload)))).toEqual(payload);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a flipped bit in any handshake message is rejected', () => {
    checkProperty(
      FILE,
      'a flipped bit in any handshake message is rejected',
      fc.property(
        secret,
        secret,
        secret,
        secret,
        fc.integer({ min: 0, max: 2 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (is, ie, rs, re, which, at, bit) => {
          const keys = { is, ie, rs, re };
          const { messages } = handshakeOf(nodeSuite, keys);
          const { initiator, responder } = pair(nodeSuite, keys);
          let rejected = false;
          for (let i = 0; i < 3 && !rejected; i++) {
            const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
            const written = writer.writeMessage();
            if (!written.ok) {
              rejected = true; // the flipped e of message 0 was a low-order point
              break;
            }
            const message = written.value;
            if (i <= which) expect(message).toEqual(messages[i]);
            if (i === which) {
              const tampered = message.slice();
              const index = at % tampered.length;
              tampered[index] = (tampered[index] as number) ^ (1 << bit);
              const result = reader.readMessage(tampered);
              if (!result.ok) {
                rejected = true;
                break;
              }
              // Message 0 is `e` in the clear: a flipped bit there is caught by the peer's
              // next message, whose MAC covers a transcript the two sides no longer share.
              expect(which).toBe(0);
            } else {
              const read = reader.readMessage(message);
              if (!read.ok) rejected = true;
            }
          }
          expect(rejected).toBe(true);
          expect(initiator.complete && responder.complete).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('Noise XX: failures are typed results, never throws on remote bytes', () => {
  const keys = () => ({
    is: new Uint8Array(32).fill(1),
    ie: new Uint8Array(32).fill(2),
    rs: new Uint8Array(32).fill(3),
    re: new Uint8Array(32).fill(4),
  });

  it('a truncated message is bad-length and the failure is final', () => {
    const { initiator, responder } = pair(nodeSuite, keys());
    const first = unwrap(initiator.writeMessage());
    const result = responder.readMessage(first.subarray(0, 31));
    expect(result.ok ? null : result.error.kind).toBe('bad-length');
    const again = responder.readMessage(first);
    expect(again.ok ? null : again.error.kind).toBe('bad-length');
    expect(responder.failure?.kind).toBe('bad-length');
  });

  it('a message when it is our turn to write is out-of-order', () => {
    const { initiator } = pair(nodeSuite, keys());
    const result = initiator.readMessage(new Uint8Array(32));
    expect(result.ok ? null : result.error.kind).toBe('out-of-order');
  });

  it('a fourth handshake message is out-of-order', () => {
    const { responder } = handshakeOf(nodeSuite, keys());
    const result = responder.readMessage(new Uint8Array(64));
    expect(result.ok ? null : result.error.kind).toBe('out-of-order');
  });

  it('a different prologue fails the MAC of message 1', () => {
    const { initiator, responder } = pair(nodeSuite, keys(), Uint8Array.of(1), Uint8Array.of(2));
    unwrap(responder.readMessage(unwrap(initiator.writeMessage())));
    const second = unwrap(responder.writeMessage());
    const result = initiator.readMessage(second);
    expect(result.ok ? null : result.error.kind).toBe('bad-mac');
  });

  it('a low-order ephemeral from the initiator fails the responder’s write with bad-key', () => {
    const { responder } = pair(nodeSuite, keys());
    unwrap(responder.readMessage(new Uint8Array(32))); // u = 0
    const result = responder.writeMessage();
    expect(result.ok ? null : result.error.kind).toBe('bad-key');
  });

  it('an oversize handshake message is bad-length', () => {
    const { responder } = pair(nodeSuite, keys());
    const result = responder.readMessage(new Uint8Array(NOISE_MESSAGE_MAX_BYTES + 1));
    expect(result.ok ? null : result.error.kind).toBe('bad-length');
  });

  it('writing out of turn and finishing early are local misuse and throw', () => {
    const { initiator, responder } = pair(nodeSuite, keys());
    expect(() => responder.writeMessage()).toThrow(NoiseUsageError);
    expect(() => initiator.finish()).toThrow(NoiseUsageError);
    expect(
      () =>
        new NoiseHandshake({
          suite: nodeSuite,
          initiator: true,
          staticSecret: new Uint8Array(31),
          ephemeralSecret: () => new Uint8Array(32),
        }),
    ).toThrow(NoiseUsageError);
  });

  it('transport: replayed, reordered or tampered messages fail; the counter does not move', () => {
    const { initiator, responder } = handshakeOf(nodeSuite, keys());
    const a = initiator.finish();
    const b = responder.finish();
    const m0 = a.send.encrypt(Uint8Array.of(1, 2, 3));
    const m1 = a.send.encrypt(Uint8Array.of(4, 5, 6));
    const reordered = b.receive.decrypt(m1);
    expect(reordered.ok ? null : reordered.error.kind).toBe('bad-mac');
    expect(b.receive.counter).toBe(0);
    expect(unwrap(b.receive.decrypt(m0))).toEqual(Uint8Array.of(1, 2, 3));
    const replay = b.receive.decrypt(m0);
    expect(replay.ok ? null : replay.error.kind).toBe('bad-mac');
    const short = b.receive.decrypt(new Uint8Array(15));
    expect(short.ok ? null : short.error.kind).toBe('bad-length');
    expect(unwrap(b.receive.decrypt(m1))).toEqual(Uint8Array.of(4, 5, 6));
  });

  it('finish and destroy wipe the secrets the handshake held', () => {
    const k = keys();
    const ephemerals: Uint8Array[] = [];
    const capture = (value: Uint8Array) => () => {
      const copy = value.slice();
      ephemerals.push(copy);
      return copy;
    };
    const initiator = new NoiseHandshake({
      suite: nodeSuite,
      initiator: true,
      staticSecret: k.is,
      ephemeralSecret: capture(k.ie),
    });
    const responder = new NoiseHandshake({
      suite: nodeSuite,
      initiator: false,
      staticSecret: k.rs,
      ephemeralSecret: capture(k.re),
    });
    unwrap(responder.readMessage(unwrap(initiator.writeMessage())));
    unwrap(initiator.readMessage(unwrap(responder.writeMessage())));
    unwrap(responder.readMessage(unwrap(initiator.writeMessage())));
    for (const e of ephemerals) expect(e.every((x) => x === 0)).toBe(true);
    expect(k.is.some((x) => x !== 0)).toBe(true); // the caller's static key is left alone
    const session = initiator.finish();
    session.send.destroy();
    expect(() => session.send.encrypt(new Uint8Array(1))).toThrow(NoiseUsageError);
  });

  it('a CipherState with no key passes bytes through (the spec’s first message)', () => {
    const cipher = new CipherState(nodeSuite);
    expect(unwrap(cipher.decryptWithAd(new Uint8Array(0), Uint8Array.of(9)))).toEqual(
      Uint8Array.of(9),
    );
  });
});
