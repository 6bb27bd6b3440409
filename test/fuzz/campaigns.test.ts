/**
 * The fuzzing campaigns (bench/fuzz/, `npm run fuzz`) at CI size: every surface for a few
 * thousand inputs, the same generators and checks as the million-input campaign. Zero
 * failures: no throw other than the surface's typed error (which surfaces turn into
 * outcomes), no broken invariant, no unhandled rejection, no input slower than
 * INPUT_HANG_MS. Each surface must also reach both sides of its parser (accepted input and
 * typed errors), so a generator that went blind fails here too.
 *
 * A fresh seed per run explores new inputs; a failure prints the seed and index, and
 * `npm run fuzz -- --surface <name> --seed <seed> --replay <index>` rebuilds the input.
 * FUZZ_SEED=<seed> runs a given seed here.
 */
import { describe, expect, it } from 'vitest';
import { runSurface, type Surface, type SurfaceResult } from '../../bench/fuzz/campaign.js';
import { INPUT_HANG_MS } from '../../bench/fuzz/limits.js';
import { drawInput } from '../../bench/fuzz/random.js';
import { surfaceByName, type SurfaceName } from '../../bench/fuzz/surfaces/index.js';
import { arbWireInput } from '../../bench/fuzz/surfaces/wire.js';
import { countOutcomes } from '../support/outcomes.js';

const SEED = process.env.FUZZ_SEED ?? `ci-${Date.now()}`;

/** Inputs per surface: a few thousand, fewer where one input costs a socket or a YAML parse. */
const CI_INPUTS: Record<SurfaceName, number> = {
  wire: 3_000,
  node: 3_000,
  noise: 2_000,
  client: 3_000,
  'client-socket': 1_000,
  scenario: 1_500,
  cli: 2_000,
};

async function campaign(name: SurfaceName): Promise<SurfaceResult> {
  const surface = surfaceByName(name, { crypto: 'real' });
  const result = await runSurface(surface, { seed: SEED, inputs: CI_INPUTS[name] });
  expect(result.failureSamples, `seed ${SEED}`).toEqual([]);
  expect(result.failures).toBe(0);
  expect(result.inputs).toBe(CI_INPUTS[name]);
  return result;
}

describe(`fuzz campaigns at CI size (seed ${SEED})`, () => {
  it('wire: every input decodes to a canonical message or a DecodeError', async () => {
    const result = await campaign('wire');
    expect(countOutcomes(result.outcomes, 'message:')).toBeGreaterThan(50);
    expect(countOutcomes(result.outcomes, 'error:')).toBeGreaterThan(1_000);
  });

  it("node: a hostile neighbour's frames never break handle() or an invariant", async () => {
    const result = await campaign('node');
    expect(countOutcomes(result.outcomes, 'kept:')).toBeGreaterThan(300); // frames the target acted on
    expect(countOutcomes(result.outcomes, 'closed:decode-error:')).toBeGreaterThan(300);
    expect(countOutcomes(result.outcomes, 'attacker-closed')).toBeGreaterThan(0);
  });

  it('noise: tampered handshake messages end in a final NoiseError, never a session', async () => {
    const result = await campaign('noise');
    for (const label of ['m1:caught-at-m2:', 'm2:error:bad-mac', 'm3:error:bad-mac', 'early:'])
      expect(countOutcomes(result.outcomes, label), label).toBeGreaterThan(0);
    expect(countOutcomes(result.outcomes, 'transport:error:')).toBeGreaterThan(0);
  });

  it('client: requests and responses parse or give a typed error', async () => {
    const result = await campaign('client');
    expect(countOutcomes(result.outcomes, 'request:')).toBeGreaterThan(0);
    expect(countOutcomes(result.outcomes, 'error:')).toBeGreaterThan(1_000);
    expect(countOutcomes(result.outcomes, 'response:')).toBeGreaterThan(0);
  });

  it('client-socket: the server answers every connection with FAIL, SUCCESS or JSON', async () => {
    const result = await campaign('client-socket');
    expect(countOutcomes(result.outcomes, 'answer:FAIL')).toBeGreaterThan(0);
    expect(countOutcomes(result.outcomes, 'answer:json-error:')).toBeGreaterThan(0);
    expect(
      countOutcomes(result.outcomes, 'answer:SUCCESS') +
        countOutcomes(result.outcomes, 'answer:json-ok'),
    ).toBeGreaterThan(0);
  });

  it('scenario: mutated scenario files load or give a ScenarioError', async () => {
    const result = await campaign('scenario');
    expect(countOutcomes(result.outcomes, 'ok')).toBeGreaterThan(0);
    expect(countOutcomes(result.outcomes, 'error:yaml')).toBeGreaterThan(0);
    expect(
      countOutcomes(result.outcomes, 'error:') - countOutcomes(result.outcomes, 'error:yaml'),
    ).toBeGreaterThan(100);
  });

  it('cli: random command lines parse or give a UsageError', async () => {
    const result = await campaign('cli');
    expect(countOutcomes(result.outcomes, 'usage-error')).toBeGreaterThan(100);
    expect(countOutcomes(result.outcomes, 'command:')).toBeGreaterThan(0);
  });
});

describe('the campaign harness', () => {
  it('an input is rebuilt from seed, surface and index alone', () => {
    const a = drawInput(arbWireInput, 'x', 'wire', 41);
    expect(drawInput(arbWireInput, 'x', 'wire', 41)).toEqual(a);
    const others = [40, 42, 43].map((i) => drawInput(arbWireInput, 'x', 'wire', i));
    expect(others.some((o) => Buffer.compare(Buffer.from(o), Buffer.from(a)) !== 0)).toBe(true);
  });

  it('reports a throw, an unhandled rejection and a slow input with their seed and index', async () => {
    const slow = (): Promise<string> =>
      new Promise((r) => setTimeout(() => r('slow'), INPUT_HANG_MS + 200));
    let stalledOnce = false;
    const faulty: Surface<number> = {
      name: 'faulty',
      typedError: 'none',
      episodeInputs: 1,
      open: () => ({
        input: (index) => index,
        run(index) {
          if (index === 1) throw new Error('bang');
          if (index === 2) void Promise.reject(new Error('left unhandled'));
          if (index === 3) return slow(); // slow every time: a hang
          if (index === 4 && !stalledOnce) {
            stalledOnce = true; // slow once only, as a stall of the machine makes it
            return slow();
          }
          return 'ok';
        },
        show: String,
      }),
    };
    const result = await runSurface(faulty, { seed: 's', inputs: 6 });
    expect(result.failures).toBe(3);
    expect(result.failureSamples.map((f) => [f.kind, f.index, f.seed])).toEqual([
      ['throw', 1, 's'],
      ['unhandled-rejection', 2, 's'],
      ['hang', 3, 's'],
    ]);
    expect(result.slowOnce).toBe(1);
    expect(result.outcomes).toEqual({ ok: 3, failure: 1, slow: 2 });
  });
});
