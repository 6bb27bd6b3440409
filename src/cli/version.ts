/**
 * The package version for `--version`: read from the nearest package.json named p2pmsg above
 * this file, which works both from src/cli (tsx) and from dist/src/cli (the built binary).
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How far up to look; src/cli/ and dist/src/cli/ are 2 and 3 levels below the root. */
const PACKAGE_SEARCH_DEPTH = 5;

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < PACKAGE_SEARCH_DEPTH; i++) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'p2pmsg' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0-unknown';
}
