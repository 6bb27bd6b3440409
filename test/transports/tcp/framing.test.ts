/**
 * The u16 length-prefixed reader: whole, byte by byte, in random chunkings, and with an
 * oversize declared length (refused before any of it is buffered).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FramingUsageError,
  NoiseFrameReader,
  withLengthPrefix,
  type ReadResult,
} from '../../../src/transports/tcp/framing.js';
import { checkProperty } from '../../support/property.js';

const FILE = 'test/transports/tcp/framing.test.ts';

function drain(reader: NoiseFrameReader, out: Uint8Array[]): ReadResult | null {
  for (;;) {
    const r = reader.next();
    if (r.kind === 'none') return null;
    if (r.kind === 'too-large') return r;
    out.push(r.bytes);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('NoiseFrameReader', () => {
  it('reads messages whole, byte by byte, and split anywhere', () => {
    checkProperty(
      FILE,
      'reads messages whole, byte by byte, and split anywhere',
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 50 }),
        (messages, cuts) => {
          const stream = concat(messages.map(withLengthPrefix));
          const reader = new NoiseFrameReader(300);
          const out: Uint8Array[] = [];
          let at = 0;
          let k = 0;
          while (at < stream.length) {
            const size = cuts[k++ % cuts.length] as number;
            reader.push(stream.subarray(at, at + size));
            expect(drain(reader, out)).toBeNull();
            at += size;
          }
          expect(out).toEqual(messages);
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  it('refuses a declared length over the limit as soon as the prefix is in', () => {
    const reader = new NoiseFrameReader(100);
    reader.push(Uint8Array.of(0));
    expect(reader.next().kind).toBe('none');
    reader.push(Uint8Array.of(101));
    expect(reader.next()).toEqual({ kind: 'too-large', length: 101 });
    reader.push(Uint8Array.of(1, 2, 3));
    expect(reader.next()).toEqual({ kind: 'too-large', length: 101 });
  });

  it('a raised limit applies to the next message; messages are copies', () => {
    const reader = new NoiseFrameReader(4);
    const chunk = concat([withLengthPrefix(Uint8Array.of(1, 2)), Uint8Array.of(0, 10)]);
    reader.push(chunk);
    const first = reader.next();
    expect(first).toEqual({ kind: 'message', bytes: Uint8Array.of(1, 2) });
    reader.setMaxMessageBytes(10);
    expect(reader.next().kind).toBe('none');
    reader.push(new Uint8Array(10).fill(7));
    expect(reader.next()).toEqual({ kind: 'message', bytes: new Uint8Array(10).fill(7) });
    chunk.fill(0);
    expect(first.kind === 'message' && first.bytes[0]).toBe(1);
  });

  it('pushing before draining is local misuse', () => {
    const reader = new NoiseFrameReader(10);
    reader.push(withLengthPrefix(Uint8Array.of(1)));
    expect(() => reader.push(Uint8Array.of(0))).toThrow(FramingUsageError);
    expect(() => new NoiseFrameReader(70_000)).toThrow(FramingUsageError);
  });
});
