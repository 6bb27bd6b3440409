/**
 * "Any bytes from a client ⇒ a request or a typed error, never a throw" (protocol.ts Rule 5).
 *
 * 100,000 inputs in two halves: random byte strings (often given a plausible `PUSH IP:`,
 * `PULL` or `{` prefix so the deeper parsers run), and valid requests put through mutations
 * (bit flips, byte replacement, truncation, insertion, deletion, duplication, splices). A
 * decoded request must be valid by the protocol's own rules and re-encode to a request that
 * decodes to the same value. The generators and the check are the fuzzing campaign's
 * (bench/fuzz/: `npm run fuzz -- --surface client`).
 *
 * FUZZ_SEED=<seed> replays a run; otherwise every run explores new inputs.
 */
import { describe, expect, it } from 'vitest';
import { arbMutatedRequest, arbRandomRequest } from '../../bench/fuzz/inputs/client.js';
import { requestOutcome } from '../../bench/fuzz/surfaces/client.js';
import { countOutcomes, distinctOutcomes, tallyOutcomes } from '../support/outcomes.js';

const RUNS_PER_HALF = 50_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = { numRuns: RUNS_PER_HALF, seed: SEED };

describe('client protocol fuzz', () => {
  it('random bytes: a request or a typed error, never a throw', () => {
    const tally = tallyOutcomes(arbRandomRequest, requestOutcome, params);
    expect(distinctOutcomes(tally, 'error:')).toBeGreaterThan(5);
  });

  it('mutated valid requests: a request or a typed error, never a throw', () => {
    const tally = tallyOutcomes(arbMutatedRequest, requestOutcome, params);
    expect(countOutcomes(tally, 'request:')).toBeGreaterThan(0); // some mutations stay valid
  });
});
