#!/usr/bin/env node
/**
 * The `p2pmsg` executable: wires the real process to runCli (app.ts) and sets the exit code.
 * Everything testable lives in app.ts and commands/.
 */

import type { CliIo } from './context.js';
import { runCli } from './app.js';

const io: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  progress: process.stderr,
  clock: () => performance.now(),
  env: process.env,
  stdin: process.stdin,
  onSignal: (handler) => {
    const onInt = () => handler('SIGINT');
    const onTerm = () => handler('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  },
  write: (text) => void process.stdout.write(text),
};

process.exitCode = await runCli(process.argv.slice(2), io);
