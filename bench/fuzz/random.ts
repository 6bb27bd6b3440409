/**
 * One input from one seed: input `index` of surface `surface` in the campaign seeded `seed`
 * is drawn from its own Alea stream, `${seed}/${surface}/${index}`. So any input is rebuilt
 * from three values, without generating the ones before it, and the fast-check arbitraries
 * the CI tests use (fc.assert) serve the campaigns unchanged (`drawInput`).
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';

type AleaState = seedrandom.State.Alea;

/** pure-rand's generator contract (as fc.Random takes it) over a seedrandom Alea stream. */
class AleaGenerator {
  private readonly prng: seedrandom.StatefulPRNG<AleaState>;

  constructor(seed: string, state?: AleaState) {
    this.prng = seedrandom.alea(seed, state === undefined ? { state: true } : { state });
  }

  clone(): AleaGenerator {
    return new AleaGenerator('', this.prng.state());
  }

  /** Uniform in -2^31 .. 2^31 - 1. */
  next(): number {
    return this.prng.int32();
  }

  getState(): readonly number[] {
    const { c, s0, s1, s2 } = this.prng.state();
    return [c, s0, s1, s2];
  }
}

/** The label of one input's stream. */
export function inputSeed(seed: string, surface: string, index: number): string {
  return `${seed}/${surface}/${index}`;
}

/**
 * fast-check's bias (small values, edge cases) on most inputs, as fc.assert does on its
 * later runs; one input in four unbiased, so large values are reached as well.
 */
function biasOf(index: number): number | undefined {
  return index % 4 === 3 ? undefined : 2 + (index % 3);
}

/** A value of `arbitrary` for input `index` (deterministic in seed, surface and index). */
export function drawInput<T>(
  arbitrary: fc.Arbitrary<T>,
  seed: string,
  surface: string,
  index: number,
): T {
  const random = new fc.Random(new AleaGenerator(inputSeed(seed, surface, index)));
  return arbitrary.generate(random, biasOf(index)).value;
}
