import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexOf } from '../../src/engine/hex.js';
import { checkProperty } from '../support/property.js';

describe('hexOf', () => {
  it('writes lowercase hex, two digits a byte', () => {
    expect(hexOf(new Uint8Array([0, 1, 0x0f, 0x10, 0xab, 0xff]))).toBe('00010f10abff');
    expect(hexOf(new Uint8Array(0))).toBe('');
  });

  it('property: agrees with Buffer.toString("hex") for any bytes', () => {
    checkProperty(
      'test/engine/hex.test.ts',
      'property: agrees with Buffer.toString("hex") for any bytes',
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(hexOf(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      }),
    );
  });
});
