/**
 * A rolling 64-bit fingerprint of a run (two 32-bit lanes via Math.imul), so two runs can
 * be compared for byte-identical behaviour by one string (STYLE.md #13). The network mixes
 * in every engine input it delivers and every event it drops: time, node, kind, a numeric
 * argument (link, dial), and for frames the length and the first TRACE_FRAME_HEAD_BYTES.
 * Cheap enough to stay on in every run; it is a fingerprint, not a cryptographic hash.
 */
import { TRACE_FRAME_HEAD_BYTES } from './limits.js';
import { fmix32 } from '../../engine/mix32.js';

export class TraceHash {
  private h1 = 0x811c9dc5;
  private h2 = 0x9e3779b9;

  /** Mixes one 32-bit word into both lanes (a rotate keeps high bits reaching low ones). */
  word(w: number): void {
    const h1 = this.h1 ^ w;
    this.h1 = Math.imul((h1 << 5) | (h1 >>> 27), 0x01000193);
    const h2 = Math.imul(this.h2 ^ w, 0x5bd1e995);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  /** One event: time (ms, may exceed 2^32), node index, kind code, argument. */
  event(time: number, node: number, kind: number, arg: number): void {
    this.word(time | 0);
    this.word((time / 4294967296) | 0);
    this.word(node);
    this.word(kind);
    this.word(arg | 0);
  }

  /** A frame's length and head. */
  frame(bytes: Uint8Array): void {
    const n = bytes.length;
    this.word(n);
    const end = n < TRACE_FRAME_HEAD_BYTES ? n : TRACE_FRAME_HEAD_BYTES;
    let i = 0;
    for (; i + 4 <= end; i += 4) {
      this.word(
        (bytes[i] as number) |
          ((bytes[i + 1] as number) << 8) |
          ((bytes[i + 2] as number) << 16) |
          ((bytes[i + 3] as number) << 24),
      );
    }
    for (; i < end; i++) this.word(bytes[i] as number);
  }

  /** The fingerprint so far: 16 lowercase hex digits. */
  digest(): string {
    const a = fmix32(this.h1 ^ this.h2)
      .toString(16)
      .padStart(8, '0');
    const b = fmix32(this.h2 + Math.imul(this.h1, 0x27d4eb2d))
      .toString(16)
      .padStart(8, '0');
    return a + b;
  }
}
