/**
 * Lowercase hex of bytes (message IDs, broadcast IDs), as events and map keys name them.
 *
 * Built from character codes in one call, not `out += pair`: V8 keeps a string grown piece by
 * piece as a tree of cons cells, several times the size of the flat string, and these keys are
 * held by the ten thousand (drop lists, seen sets) in every simulated node (base32.ts idem).
 */
const DIGITS = '0123456789abcdef';

export function hexOf(bytes: Uint8Array): string {
  const codes = new Array<number>(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    codes[2 * i] = DIGITS.charCodeAt(byte >>> 4);
    codes[2 * i + 1] = DIGITS.charCodeAt(byte & 15);
  }
  return String.fromCharCode(...codes);
}

/** Whether `hex` is hexOf(bytes), without building it. */
export function hexMatches(hex: string, bytes: Uint8Array): boolean {
  if (hex.length !== 2 * bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (hex.charCodeAt(2 * i) !== DIGITS.charCodeAt(byte >>> 4)) return false;
    if (hex.charCodeAt(2 * i + 1) !== DIGITS.charCodeAt(byte & 15)) return false;
  }
  return true;
}
