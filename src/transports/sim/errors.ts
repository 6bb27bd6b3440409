/**
 * The simulator's named errors (STYLE.md #7). A bad scenario or network configuration is a
 * `SimConfigError`; calling the network wrongly (crash a node that is not live, go back in
 * time) is a `SimUsageError`; an engine that throws is a bug, re-thrown as a `SimEngineError`
 * that names the node, its incarnation, the virtual time and the input, with the original
 * error as `cause`.
 */

export class SimConfigError extends Error {
  override name = 'SimConfigError';
}

export class SimUsageError extends Error {
  override name = 'SimUsageError';
}

export class SimEngineError extends Error {
  override name = 'SimEngineError';

  constructor(
    message: string,
    readonly nodeIndex: number,
    readonly time: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
