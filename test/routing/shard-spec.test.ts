/**
 * The shard setting's one text form (routing/shard-spec.ts), shared by the CLI, the daemon
 * config, the NDJSON push field and the scenario key: "n/k" or "none", with clear errors.
 */
import { describe, expect, it } from 'vitest';
import { SHARDS_PER_MESSAGE_MAX } from '../../src/engine/routing/config.js';
import {
  formatShardSpec,
  parseShardSpec,
  shardSpecProblem,
} from '../../src/engine/routing/shard-spec.js';

describe('parseShardSpec', () => {
  it.each([
    ['3/2', { n: 3, k: 2 }],
    ['1/1', { n: 1, k: 1 }],
    [`${SHARDS_PER_MESSAGE_MAX}/1`, { n: SHARDS_PER_MESSAGE_MAX, k: 1 }],
    [' 5/3 ', { n: 5, k: 3 }],
    ['none', null],
  ])('%j is %j', (text, spec) => {
    expect(parseShardSpec(text)).toEqual({ ok: true, spec });
    if (spec !== null) expect(formatShardSpec(spec)).toBe(text.trim());
  });

  it.each([
    ['2/3', 'k (3) cannot exceed n (2)'],
    [`${SHARDS_PER_MESSAGE_MAX + 1}/2`, `at most ${SHARDS_PER_MESSAGE_MAX} shards per message`],
    ['0/0', 'n must be a whole number of shards from 1'],
    ['3/0', 'k must be a whole number from 1 to n (3), found 0'],
    ['3', 'expected n/k with 1 ≤ k ≤ n ≤'],
    ['3/2/1', 'expected n/k'],
    ['-3/2', 'expected n/k'],
    ['3.5/2', 'expected n/k'],
    ['', 'expected n/k'],
    ['off', 'found "off"'],
    [3, 'found 3'],
    [null, 'found null'],
  ])('%j is refused: %s', (value, message) => {
    const result = parseShardSpec(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('shardSpecProblem checks numbers the way the engine receives them', () => {
    expect(shardSpecProblem(3, 2)).toBeNull();
    expect(shardSpecProblem(2.5, 2)).toContain('whole number');
    expect(shardSpecProblem(3, Number.NaN)).toContain('k must be');
    expect(formatShardSpec(null)).toBe('none');
  });
});
