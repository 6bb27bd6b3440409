/**
 * The target's shard buffers (routing/shard-buffers.ts): bounded in messages and in shards,
 * expiring by age, a resent shard kept once, shards of two splits of one message both kept.
 */
import { describe, expect, it } from 'vitest';
import { modelledSuite } from '../../src/engine/crypto/index.js';
import {
  indexMask,
  maskSize,
  SHARD_BUFFER_SHARDS_MAX,
  ShardBuffers,
} from '../../src/engine/routing/shard-buffers.js';
import { splitMessage } from '../../src/engine/shards/split.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';

const random = new AleaRandom('shard-buffers');
const split = (n: number, k: number, body = 'hello') =>
  splitMessage(
    modelledSuite,
    random,
    new Uint8Array(16).fill(1),
    new TextEncoder().encode(body),
    n,
    k,
  );

describe('ShardBuffers', () => {
  it('keeps a resent shard once, and shards of a second split beside the first', () => {
    const buffers = new ShardBuffers(4, 60_000);
    const [a0, a1] = split(3, 2);
    const [b0] = split(3, 2);
    expect(buffers.add('m', a0!, 0).verdict).toBe('added');
    expect(buffers.add('m', { ...a0!, tags: a0!.tags.slice() }, 10).verdict).toBe('duplicate');
    expect(buffers.add('m', b0!, 20).verdict).toBe('added');
    const { buffer } = buffers.add('m', a1!, 30);
    expect(buffer.shards).toEqual([a0, b0, a1]);
    expect(indexMask(buffer.shards)).toBe(0b011);
    expect(maskSize(0b1011)).toBe(3);
    expect(buffers.size).toBe(1);
  });

  it('at capacity the oldest buffer is evicted, and counted', () => {
    const buffers = new ShardBuffers(2, 60_000);
    const [s] = split(2, 2);
    buffers.add('a', s!, 0);
    buffers.add('b', s!, 1);
    const { buffer } = buffers.add('c', s!, 2);
    expect(buffers.size).toBe(2);
    expect(buffers.evictions).toBe(1);
    // 'a' is gone: adding to it makes a new, empty buffer (evicting 'b').
    expect(buffers.add('a', s!, 3).buffer).not.toBe(buffer);
    expect(buffers.add('c', s!, 4)).toEqual({ verdict: 'duplicate', buffer });
    expect(buffers.evictions).toBe(2);
  });

  it('a buffer expires maxAgeMs after its first shard; a clock stepping back moves nothing', () => {
    const buffers = new ShardBuffers(8, 1_000);
    const [s0, s1] = split(2, 2);
    buffers.add('a', s0!, 100);
    buffers.add('b', s0!, 600);
    buffers.add('a', s1!, 900); // a shard more does not extend the buffer's life
    buffers.flush(500); // back in time: nothing changes
    expect(buffers.size).toBe(2);
    buffers.flush(1_100);
    expect([buffers.size, buffers.expired]).toEqual([1, 1]);
    expect(buffers.add('a', s1!, 1_100).buffer.shards).toHaveLength(1);
    buffers.flush(1_600);
    expect(buffers.expired).toBe(2);
  });

  it(`a buffer holds at most ${SHARD_BUFFER_SHARDS_MAX} distinct shards`, () => {
    const buffers = new ShardBuffers(1, 60_000);
    const shards = [...split(8, 2, 'x'), ...split(8, 2, 'y'), ...split(8, 2, 'z')];
    const verdicts = shards.map((s) => buffers.add('m', s, 0).verdict);
    expect(verdicts.filter((v) => v === 'added')).toHaveLength(SHARD_BUFFER_SHARDS_MAX);
    expect(verdicts.slice(SHARD_BUFFER_SHARDS_MAX).every((v) => v === 'full')).toBe(true);
  });
});
