/**
 * "Any bytes ⇒ a message or a DecodeError, never a throw" (STYLE.md #7, #10).
 *
 * Two halves of 50,000 inputs each: random byte arrays (the length prefix, and sometimes the
 * version and type, forced plausible so bodies get parsed), and valid frames put through
 * mutations (bit flips, byte replacement, truncation, insertion, deletion, splices, length
 * edits, type swaps). Whenever an input decodes to a message, re-encoding it must give
 * exactly the bytes consumed: the encoding is canonical. The generators and the check are
 * the fuzzing campaign's (bench/fuzz/: `npm run fuzz -- --surface wire`).
 *
 * Inputs come from fast-check, which prints the seed (and path) of any failure. Set
 * FUZZ_SEED=<seed> to replay a run; otherwise every run explores new inputs.
 */
import { describe, expect, it } from 'vitest';
import { arbMutatedFrame, arbRandomFrame } from '../../bench/fuzz/inputs/frames.js';
import { decodeOutcome } from '../../bench/fuzz/surfaces/wire.js';
import { DECODE_ERROR_REASONS } from '../../src/engine/wire/errors.js';
import { countOutcomes, distinctOutcomes, tallyOutcomes } from '../support/outcomes.js';

const RUNS_PER_HALF = 50_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = { numRuns: RUNS_PER_HALF, seed: SEED };

describe('fuzz: any bytes give a message or a DecodeError, never a throw', () => {
  it(`${RUNS_PER_HALF} random byte arrays`, () => {
    const tally = tallyOutcomes(arbRandomFrame, decodeOutcome, params);
    // The plausible prefixes must get past the header often enough to exercise bodies.
    expect(countOutcomes(tally, 'message:')).toBeGreaterThan(0);
    expect(tally.get('error:truncated-body') ?? 0).toBeGreaterThan(100);
  });

  it(`${RUNS_PER_HALF} mutated valid frames, canonical whenever accepted`, () => {
    const tally = tallyOutcomes(arbMutatedFrame, decodeOutcome, params);
    expect(countOutcomes(tally, 'message:')).toBeGreaterThan(1_000);
    expect(distinctOutcomes(tally, 'error:')).toBeGreaterThan(DECODE_ERROR_REASONS.length / 2);
  });
});
