#!/usr/bin/env node
/**
 * The `p2pmsg` executable: wires the real process to runCli (app.ts) and sets the exit code.
 * Everything testable lives in app.ts and commands/.
 */

import { spawn } from 'node:child_process';
import { selfCommand } from '../daemon/spawn.js';
import type { CliIo, Ended } from './context.js';
import { runCli } from './app.js';

/** This command line again with extra Node flags; our signals are passed on to it. */
function relaunch(nodeFlags: readonly string[], env: Readonly<Record<string, string>>) {
  const self = selfCommand(nodeFlags);
  const child = spawn(self.command, [...self.args, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const pass = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', pass);
  process.on('SIGTERM', pass);
  return new Promise<Ended>((resolve, reject) => {
    const done = () => {
      process.off('SIGINT', pass);
      process.off('SIGTERM', pass);
    };
    child.once('error', (err) => (done(), reject(err)));
    child.once('exit', (code, signal) => (done(), resolve({ code, signal })));
  });
}

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
  relaunch,
};

process.exitCode = await runCli(process.argv.slice(2), io);
