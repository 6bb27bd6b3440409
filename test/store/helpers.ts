/**
 * Shared fixtures for store tests: a temp data dir per test, a manual clock, node IDs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Store, type StoreOptions } from '../../src/store/index.js';

export const ALICE = 'a'.repeat(32);
export const BOB = 'b'.repeat(32);
export const CAROL = 'c'.repeat(32);
export const RELAY1 = 'r'.repeat(32);
export const RELAY2 = 's'.repeat(32);

/** A fixed-width hex message id from a number (tests only). */
export const mid = (n: number): string => n.toString(16).padStart(32, '0');

export function tempDir(prefix = 'p2pmsg-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/** Opens a store in a fresh temp dir; returns it with its path and clock. */
export function freshStore(options: Partial<StoreOptions> = {}): {
  store: Store;
  file: string;
  dir: string;
  clock: ManualClock;
} {
  const dir = tempDir();
  const file = path.join(dir, 'data', 'store.sqlite');
  const clock = new ManualClock();
  const store = Store.open({ path: file, now: clock.now, ...options });
  return { store, file, dir, clock };
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
