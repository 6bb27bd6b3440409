/**
 * The slice of better-sqlite3 12 the store uses, typed here because the package ships no
 * types and package.json carries no @types/better-sqlite3. Loaded with `createRequire`
 * (it is CommonJS) so no ambient `declare module` leaks into the rest of the project.
 *
 * Only what the store calls is declared; the shapes follow better-sqlite3's docs/api.md.
 */
import { createRequire } from 'node:module';

export type SqlValue = number | bigint | string | Buffer | Uint8Array | null;
/** One bound argument: a positional value or an object of named (`@name`) values. */
export type SqlParam = SqlValue | Record<string, SqlValue>;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = unknown> {
  run(...params: SqlParam[]): RunResult;
  get(...params: SqlParam[]): Row | undefined;
  all(...params: SqlParam[]): Row[];
  pluck(toggle?: boolean): Statement<Row>;
}

export interface Transaction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  deferred(...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
  exclusive(...args: Parameters<F>): ReturnType<F>;
}

export interface Database {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly readonly: boolean;
  readonly name: string;
  prepare<Row = unknown>(sql: string): Statement<Row>;
  exec(sql: string): Database;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): Database;
}

export interface DatabaseOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** Busy timeout in ms. */
  timeout?: number;
}

type DatabaseConstructor = new (filename: string, options?: DatabaseOptions) => Database;

const require = createRequire(import.meta.url);
const BetterSqlite3 = require('better-sqlite3') as DatabaseConstructor;

export function openDatabase(filename: string, options: DatabaseOptions): Database {
  return new BetterSqlite3(filename, options);
}
