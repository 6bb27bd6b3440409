/**
 * Byte strings joined into a buffer that is reused, for inputs consumed at once (hashed,
 * signed, verified) and never kept. An array of its own per join costs V8 a backing store
 * past 64 bytes (a malloc, and a sweep by the collector; bench/typed-array-cost.mjs), and the
 * link handshake's transcript and the modelled suite's hash inputs are ~200–260 bytes, four of
 * each per handshake. Each user keeps its own JoinBuffer, so one join never overwrites
 * another's bytes while they are in use (a transcript is a part of a modelled signature).
 */
export class JoinBuffer {
  private buffer: Uint8Array;

  /** `initialBytes`: the usual size of a join; the buffer grows if a join needs more. */
  constructor(initialBytes: number) {
    this.buffer = new Uint8Array(initialBytes);
  }

  /** The parts end to end, a view valid until this buffer's next join. */
  join(parts: readonly Uint8Array[]): Uint8Array {
    let length = 0;
    for (const part of parts) length += part.length;
    if (length > this.buffer.length) this.buffer = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      this.buffer.set(part, offset);
      offset += part.length;
    }
    return this.buffer.subarray(0, length);
  }
}
