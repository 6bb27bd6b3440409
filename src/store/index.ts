/**
 * The store's public surface: `Store` (store.ts), its record types, errors and limits.
 * The daemon imports from here; the modules behind it are free to move.
 */
export { newMessageId, Store, storePath, type StoreOptions } from './store.js';
export {
  classifyStoreError,
  STORE_ERROR_CODES,
  StoreError,
  type StoreErrorCode,
  StoreInputError,
} from './errors.js';
export { APPLICATION_ID, migrate, MIGRATIONS, type Migration, SCHEMA_VERSION } from './schema.js';
export { aliasProblem, isMessageId, isNodeId } from './validate.js';
export type * from './types.js';
export * as storeLimits from './limits.js';
