/**
 * fast-check with a reproduce line (STYLE.md #13): a failing property prints its seed and
 * the exact command that replays it. `FC_SEED=<n>` replays a seed; `FC_RUNS=<n>` runs more.
 */
import fc from 'fast-check';

export function checkProperty<Ts>(
  file: string,
  testName: string,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  params: fc.Parameters<Ts> = {},
): void | Promise<void> {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const runs = process.env.FC_RUNS === undefined ? undefined : Number(process.env.FC_RUNS);
  const options: fc.Parameters<Ts> = {
    ...params,
    ...(seed === undefined ? {} : { seed }),
    ...(runs === undefined ? {} : { numRuns: runs }),
  };
  const report = (details: fc.RunDetails<Ts>): void => {
    if (!details.failed) return;
    const replay = `FC_SEED=${details.seed} npx vitest run ${file} -t ${JSON.stringify(testName)}`;
    const cause =
      details.errorInstance instanceof Error
        ? details.errorInstance.message
        : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details)}\ncause: ${cause}\nreproduce: ${replay}`);
  };
  const details = fc.check(property as fc.IProperty<Ts>, options);
  if (details instanceof Promise) return details.then(report);
  report(details);
}
