/**
 * Lowercase RFC 4648 base32 without padding, for node IDs (20 bytes ⇒ 32 characters).
 * Decoding never throws: it returns null for anything that is not canonical base32.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function base32Encode(bytes: Uint8Array): string {
  // Character codes joined once, not `out += char`: V8 keeps a string grown one character
  // at a time as a tree of cons cells (~680 bytes for a 32-character node ID, against 56
  // flat), and node IDs are held by the thousand in every directory and view.
  const codes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes.push(ALPHABET.charCodeAt((buffer >>> bits) & 31));
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) codes.push(ALPHABET.charCodeAt((buffer << (5 - bits)) & 31));
  return String.fromCharCode(...codes);
}

/** The bytes of a canonical encoding (unused trailing bits zero), else null. */
export function base32Decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (LOOKUP[code] as number) : -1;
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
