/**
 * Starting another p2pmsg process from this one (`node --detach`, `testnet`): the same Node
 * binary with the same flags (tsx's loader when run from source) and the same entry script,
 * so a daemon forked from `npx tsx src/cli/main.ts` and from the built `p2pmsg` both work.
 */

/** Set in the environment of a daemon started by `--detach` (it must not fork again). */
export const DETACHED_ENV = 'P2PMSG_DETACHED';

export interface SelfCommand {
  command: string;
  args: string[];
}

/**
 * `node [execArgv…] [nodeFlags…] <this CLI's entry script>`; append the p2pmsg arguments.
 * `nodeFlags` are Node/V8 options for the new process only (`sim`'s heap flags, sim-heap.ts).
 */
export function selfCommand(nodeFlags: readonly string[] = []): SelfCommand {
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot find the p2pmsg entry script (argv[1])');
  return { command: process.execPath, args: [...process.execArgv, ...nodeFlags, script] };
}
