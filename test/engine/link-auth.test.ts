/**
 * Link authentication (link-auth.ts): an AUTH verifies only for the transcript it was made
 * for, including when other handshakes sign and verify in between (the transcript is built
 * in a shared buffer).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/modelled.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { signAuth, verifyAuth, type HelloKeys } from '../../src/engine/link-auth.js';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const side = fc.record({ secret: bytes(32), dhKey: bytes(32), nonce: bytes(16) });

/** The transcript `signer` signs for `verifier`, built independently of link-auth.ts. */
function transcript(signer: HelloKeys, verifier: HelloKeys): Uint8Array {
  const parts = [
    new TextEncoder().encode('p2pmsg link auth v1'),
    verifier.nonce,
    signer.nonce,
    signer.signKey,
    signer.dhKey,
    verifier.signKey,
    verifier.dhKey,
  ];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe('link auth', () => {
  for (const [name, suite] of [
    ['modelled', modelledSuite],
    ['node', nodeSuite],
  ] as const) {
    it(`${name}: each AUTH verifies for its own pair and nonces only, signed and checked interleaved`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(side, side), { minLength: 2, maxLength: 4 }), (pairs) => {
          const hello = (s: {
            secret: Uint8Array;
            dhKey: Uint8Array;
            nonce: Uint8Array;
          }): HelloKeys & {
            secret: Uint8Array;
          } => ({
            signKey: suite.ed25519PublicKey(s.secret),
            dhKey: s.dhKey,
            nonce: s.nonce,
            secret: s.secret,
          });
          const hellos = pairs.map(([a, b]) => [hello(a), hello(b)] as const);
          // Sign every pair's AUTHs first, then verify them all: a transcript left behind in
          // the shared buffer must not leak into a later call.
          const auths = hellos.map(([a, b]) => [
            signAuth(suite, a.secret, a, b),
            signAuth(suite, b.secret, b, a),
          ]);
          hellos.forEach(([a, b], i) => {
            const [fromA, fromB] = auths[i] as Uint8Array[];
            // The signature is over the transcript as DESIGN.md §3 defines it (both signers
            // deterministic), not over whatever the buffer held.
            expect(fromA).toEqual(suite.ed25519Sign(a.secret, transcript(a, b)));
            expect(verifyAuth(suite, fromA as Uint8Array, a, b)).toBe(true);
            expect(verifyAuth(suite, fromB as Uint8Array, b, a)).toBe(true);
            // Not the other direction, nor another pair's handshake.
            expect(verifyAuth(suite, fromA as Uint8Array, b, a)).toBe(false);
            const [c, d] = hellos[(i + 1) % hellos.length] as readonly [HelloKeys, HelloKeys];
            if (
              c.nonce.some((x, k) => x !== a.nonce[k]) ||
              d.nonce.some((x, k) => x !== b.nonce[k])
            )
              expect(
                verifyAuth(
                  suite,
                  fromA as Uint8Array,
                  { ...a, nonce: c.nonce },
                  { ...b, nonce: d.nonce },
                ),
              ).toBe(false);
          });
        }),
        { numRuns: 50 },
      );
    });
  }
});
