/**
 * The daemon's life as an operator sees it, through the real executable: --detach and the
 * pid file, the data-dir lock, SIGTERM/SIGINT leaving gracefully, `testnet`, and every
 * client command (with --json) against a small network. Daemons on 127.0.13.x; testnet on
 * 127.0.0.2… (its design) with a random port.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile } from '../../src/daemon/data-dir.js';
import {
  CLI_ARGS,
  randomPort,
  ROOT,
  runCli,
  Testbed,
  waitFor,
  type DaemonProc,
} from './harness.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('daemon lifecycle', () => {
  const bed = new Testbed(13);
  afterAll(() => bed.cleanup(), 30_000);

  it('--detach returns once the daemon is up; the lock refuses a second one; SIGTERM leaves cleanly', async () => {
    const dir = path.join(bed.dir, 'detached');
    const address = bed.addressOf(20);
    const started = await runCli([
      '--data-dir',
      dir,
      'node',
      '--listen',
      address,
      '--log-format',
      'json',
      '--detach',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const pid = readPidFile(path.join(dir, 'daemon.pid'));
    expect(pid).not.toBeNull();
    expect(started.stdout).toContain(`pid ${pid}`);
    try {
      const id = await runCli(['--data-dir', dir, 'id', '--json']);
      expect(JSON.parse(id.stdout)).toMatchObject({ address });
      const second = await runCli(['--data-dir', dir, 'node', '--listen', bed.addressOf(21)]);
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `error: another p2pmsg daemon (pid ${pid}) is using ${dir}; stop it first ` +
          `(\`kill ${pid}\`) or pass a different --data-dir`,
      );
    } finally {
      process.kill(pid as number, 'SIGTERM');
    }
    await waitFor(() => !alive(pid as number), 'the detached daemon to exit', 15_000);
    for (const f of ['daemon.pid', 'daemon.lock', 'client.sock']) {
      expect(fs.existsSync(path.join(dir, f))).toBe(false);
    }
    const log = fs.readFileSync(path.join(dir, 'daemon.log'), 'utf8').trim().split('\n');
    const messages = log.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('node started');
    expect(messages).toContain('SIGTERM: leaving the network');
    expect(messages[messages.length - 1]).toBe('stopped');
  });

  it('SIGINT in the foreground: the neighbours are told (neighbour down: left), exit 0', async () => {
    const [first, second] = [bed.add(), bed.add()];
    await first!.start();
    await second!.start();
    await waitFor(
      async () => Number((await first!.ask({ op: 'status' })).status['neighbours']) === 1,
      'the two to be neighbours',
      20_000,
    );
    second!.child!.kill('SIGINT');
    await second!.waitExit(15_000);
    expect(second!.exitCode).toBe(0);
    await waitFor(
      () => /"neighbour down".*"reason":"left"/.test(fs.readFileSync(first!.logFile, 'utf8')),
      'the first to hear the second left',
      10_000,
    );
  });

  it('testnet --nodes 3: prints the nodes, they answer, Ctrl-C stops them all and cleans up', async () => {
    const port = randomPort();
    const child = spawn(
      process.execPath,
      [...CLI_ARGS, 'testnet', '--nodes', '3', '--port', String(port), '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const line = await waitFor(
        () => stdout.split('\n').find((l) => l.startsWith('{')),
        `testnet to print its nodes (stderr: ${stderr})`,
        60_000,
      );
      const net = JSON.parse(line) as {
        dir: string;
        nodes: { address: string; dataDir: string; id: string; pid: number }[];
      };
      expect(net.nodes.map((n) => n.address)).toEqual([
        `127.0.0.2:${port}`,
        `127.0.0.3:${port}`,
        `127.0.0.4:${port}`,
      ]);
      for (const n of net.nodes) {
        const status = await runCli(['--data-dir', n.dataDir, 'status', '--json']);
        expect(JSON.parse(status.stdout)).toMatchObject({ id: n.id, address: n.address });
      }
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const n of net.nodes) expect(alive(n.pid)).toBe(false);
      expect(fs.existsSync(net.dir)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('client commands on a three-daemon network', () => {
  const bed = new Testbed(13); // its own random port: no clash with the daemons above
  let a: DaemonProc;
  let b: DaemonProc;
  const cli = (p: DaemonProc, args: string[], stdin?: string) =>
    runCli(['--data-dir', p.dataDir, ...args], stdin === undefined ? {} : { stdin });
  const ok = async (p: DaemonProc, args: string[], stdin?: string) => {
    const result = await cli(p, args, stdin);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    [a, b] = (await bed.startNetwork(3)) as [DaemonProc, DaemonProc];
    await bed.settle(90_000, 2); // the tests below read a full mesh of three
  }, 120_000);
  afterAll(() => bed.cleanup(), 30_000);

  it('id, status and peers describe the node; --json gives the same as objects', async () => {
    expect((await ok(a, ['id'])).trim()).toBe(a.id);
    const status = await ok(a, ['status']);
    expect(status).toMatch(new RegExp(`^node +${a.id}$`, 'm'));
    expect(status).toMatch(/^neighbours +2 /m);
    expect(status).toMatch(/^directory +3 nodes, 3 relays$/m);
    const peers = JSON.parse(await ok(a, ['peers', '--json'])) as { id: string; view: string }[];
    expect(peers.filter((p) => p.view === 'active').map((p) => p.id)).toContain(b.id);
    expect(await ok(a, ['peers'])).toMatch(new RegExp(`^${b.id} +neighbour +${b.address}`, 'm'));
  });

  it('contacts, send --wait (argument and stdin), inbox, pull, conversations and trace', async () => {
    expect((await ok(a, ['contacts', 'add', 'bob', b.id])).trim()).toBe(`added bob → ${b.id}`);
    expect(JSON.parse(await ok(a, ['contacts', '--json']))).toEqual([{ alias: 'bob', id: b.id }]);
    const first = (await ok(a, ['send', '--wait', 'bob', 'hello bob'])).trim().split(' ');
    expect(first[1]).toBe('delivered');
    const second = JSON.parse(
      await ok(a, ['send', '--wait', '--json', b.address, '-'], 'from stdin\nline two\n'),
    ) as { id: string; state: string };
    expect(second.state).toBe('delivered');

    const inbox = JSON.parse(await ok(b, ['inbox', '--json'])) as {
      peer: string;
      unread: number;
      messages: { body: string }[];
    }[];
    expect(inbox).toEqual([
      expect.objectContaining({
        peer: a.id,
        unread: 2,
        messages: [
          expect.objectContaining({ body: 'hello bob' }),
          expect.objectContaining({ body: 'from stdin\nline two' }),
        ],
      }),
    ]);
    expect(await ok(b, ['inbox'])).toContain('hello bob');
    const pulled = JSON.parse(await ok(b, ['pull', '--json'])) as { from: string; body: string }[];
    expect(pulled.map((m) => [m.from, m.body])).toEqual([
      [a.id, 'hello bob'],
      [a.id, 'from stdin\nline two'],
    ]);
    expect((await ok(b, ['pull'])).trim()).toBe('no new messages');
    expect((await ok(b, ['inbox'])).trim()).toBe('no unread messages');

    const conversations = JSON.parse(await ok(a, ['conversations', '--json']));
    expect(conversations).toEqual([
      expect.objectContaining({ peer: b.id, alias: 'bob', total: 2, unread: 0 }),
    ]);
    expect(await ok(a, ['conversations'])).toMatch(/^bob +\S+ \S+ +0 +2 /m);

    const trace = JSON.parse(await ok(a, ['trace', '--json', first[0]!])) as {
      message: { state: string; destination: string };
      attempts: { outcome: string; path: string[] }[];
    };
    expect(trace.message).toMatchObject({ state: 'delivered', destination: 'bob' });
    expect(trace.attempts[trace.attempts.length - 1]).toMatchObject({ outcome: 'acked' });
    expect(trace.attempts[0]!.path[trace.attempts[0]!.path.length - 1]).toBe(b.id);
    const text = await ok(a, ['trace', first[0]!]);
    expect(text).toContain(`message ${first[0]} to bob (${b.id})`);
    expect(text).toMatch(/^delivered .* after \d+ attempt\(s\)$/m);
    expect(text).toMatch(/^  #1 left \S+ .*acked/m);

    expect((await ok(a, ['contacts', 'remove', 'bob'])).trim()).toBe('removed bob');
    const again = await cli(a, ['contacts', 'remove', 'bob']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('error: no contact named bob');
  }, 120_000);

  it('chat: history first, then live messages as they arrive, and every typed line is sent', async () => {
    // a chats with b, keeping stdin open; b writes to a while the chat is open.
    const chat = spawn(
      process.execPath,
      [...CLI_ARGS, '--data-dir', a.dataDir, 'chat', b.address],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    chat.stdout.on('data', (c: Buffer) => (out += c.toString()));
    chat.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      chat.on('exit', (code) => resolve(code)),
    );
    try {
      await waitFor(() => err.includes('chatting with'), `the chat to open (${err})`, 30_000);
      expect(out).toMatch(/you: hello bob/);
      await ok(b, ['send', '--wait', a.id, 'live from bob']);
      await waitFor(() => out.includes(`${b.address}: live from bob`), 'the live message', 30_000);
      chat.stdin.write('typed in the chat\n');
      chat.stdin.end();
      expect(await exited).toBe(0);
      await waitFor(
        async () => (await ok(b, ['inbox'])).includes('typed in the chat'),
        'the typed line to reach b',
        60_000,
        500,
      );
    } finally {
      chat.kill('SIGKILL');
    }
  }, 120_000);
});
