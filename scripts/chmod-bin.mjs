// After the build: make the CLI entry point executable (npm links it as `p2pmsg`).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);
