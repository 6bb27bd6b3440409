/**
 * Node identity (DESIGN.md §3): the ID is the same whichever real suite computed it, has the
 * documented shape, and names exactly one pair of keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../../src/engine/crypto/noble.js';
import { nodeSuite } from '../../src/engine/crypto/node.js';
import { base32Encode } from '../../src/engine/base32.js';
import { identityFromSecrets, nodeIdOf } from '../../src/engine/identity.js';

const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** The ID as DESIGN.md §3 defines it, computed without the cache. */
function idByDefinition(signPublic: Uint8Array, dhPublic: Uint8Array): string {
  const joined = new Uint8Array([...signPublic, ...dhPublic]);
  return base32Encode(nodeSuite.sha256(joined).subarray(0, 20));
}

describe('identity', () => {
  it('nodeIdOf is the definition however keys share first bytes, repeat or change in place', () => {
    // Keys drawn from a few prefixes: cache slots collide (same first four bytes) often.
    const key = fc
      .tuple(fc.constantFrom(0, 1, 2), fc.uint8Array({ minLength: 28, maxLength: 28 }))
      .map(([prefix, rest]) => new Uint8Array([prefix, 0, 0, 7, ...rest]));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, key), { minLength: 1, maxLength: 20 }), (pairs) => {
        for (const [sign, dh] of [...pairs, ...pairs]) {
          expect(nodeIdOf(nodeSuite, sign, dh)).toBe(idByDefinition(sign, dh));
          // The caller's buffers are reused (a link's hello): the cache must not hold them.
          sign[10] = (sign[10] as number) ^ 0xff;
          expect(nodeIdOf(nodeSuite, sign, dh)).toBe(idByDefinition(sign, dh));
          sign[10] = (sign[10] as number) ^ 0xff;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('identityFromSecrets gives the same identity with the noble and node suites', () => {
    fc.assert(
      fc.property(secret, secret, (sign, dh) => {
        const a = identityFromSecrets(nobleSuite, sign, dh);
        const b = identityFromSecrets(nodeSuite, sign, dh);
        expect(b.id).toBe(a.id);
        expect(b.signPublic).toEqual(a.signPublic);
        expect(b.dhPublic).toEqual(a.dhPublic);
      }),
      { numRuns: 100 },
    );
  });

  it('the id is 32 lowercase base32 characters (20 bytes)', () => {
    fc.assert(
      fc.property(secret, secret, (sign, dh) => {
        expect(identityFromSecrets(nodeSuite, sign, dh).id).toMatch(/^[a-z2-7]{32}$/);
      }),
      { numRuns: 200 },
    );
  });

  it('copies the secrets: wiping the caller’s buffers leaves the identity intact', () => {
    const sign = new Uint8Array(32).fill(1);
    const dh = new Uint8Array(32).fill(2);
    const identity = identityFromSecrets(nodeSuite, sign, dh);
    sign.fill(0);
    dh.fill(0);
    expect(identity.signSecret).toEqual(new Uint8Array(32).fill(1));
    expect(identity.dhSecret).toEqual(new Uint8Array(32).fill(2));
  });

  it('nodeIdOf changes when any bit of either public key changes', () => {
    fc.assert(
      fc.property(secret, secret, fc.integer({ min: 0, max: 511 }), (sign, dh, bit) => {
        const { id, signPublic, dhPublic } = identityFromSecrets(nodeSuite, sign, dh);
        const keys = [signPublic.slice(), dhPublic.slice()];
        const key = keys[bit >> 8]!;
        key[(bit >> 3) & 31] = key[(bit >> 3) & 31]! ^ (1 << (bit & 7));
        expect(nodeIdOf(nodeSuite, keys[0]!, keys[1]!)).not.toBe(id);
      }),
      { numRuns: 512 },
    );
  });

  it('nodeIdOf is order-sensitive: swapping the two keys names another node', () => {
    const { id, signPublic, dhPublic } = identityFromSecrets(
      nodeSuite,
      new Uint8Array(32).fill(3),
      new Uint8Array(32).fill(4),
    );
    expect(nodeIdOf(nodeSuite, dhPublic, signPublic)).not.toBe(id);
  });
});
