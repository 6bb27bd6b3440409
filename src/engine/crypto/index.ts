/**
 * The crypto suites by name (suite.ts explains why there are three). The simulator picks one
 * per run from its config; the daemon always runs `node`.
 */
import { modelledSuite } from './modelled.js';
import { nobleSuite } from './noble.js';
import { nodeSuite } from './node.js';
import { CryptoInputError, type CryptoSuite, type SuiteName } from './suite.js';

export { modelledSuite } from './modelled.js';
export { nobleSuite } from './noble.js';
export { nodeSuite } from './node.js';
export * from './suite.js';

export function suiteByName(name: SuiteName): CryptoSuite {
  switch (name) {
    case 'noble':
      return nobleSuite;
    case 'node':
      return nodeSuite;
    case 'modelled':
      return modelledSuite;
    default: {
      const unknown: never = name;
      throw new CryptoInputError(`unknown crypto suite ${String(unknown)}`);
    }
  }
}
