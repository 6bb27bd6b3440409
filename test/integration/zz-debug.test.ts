import { it } from 'vitest';
import { sleep, Testbed } from './harness.js';
it('debug sender kill x3', async () => {
  for (let round = 0; round < 3; round++) {
    const bed = new Testbed(19);
    try {
      const d = await bed.startNetwork(5, ['--log-level', 'debug']);
      await bed.settle();
      const [sender, target] = [d[0]!, d[1]!];
      await target.kill();
      const t0 = Date.now();
      const { id } = await sender.ask({ op: 'push', to: target.id, body: 'x' });
      await sender.kill();
      await target.start();
      await sender.start();
      console.log('round', round, 'up at', Date.now() - t0);
      let line = '';
      for (let i = 0; i < 45; i++) {
        await sleep(2000);
        const t = await sender.ask({ op: 'trace', id });
        line = `${Date.now() - t0} ${t.message.state} ` + t.attempts.map((a) => `${a.attempt}:${a.outcome}:${a.sentAt - t0}:${a.path.map((x) => x.slice(0, 3)).join('>')}`).join(' | ');
        if (t.message.state === 'delivered') break;
      }
      console.log(line);
      const fs = await import('node:fs');
      for (const p of d) {
        const lines = fs.readFileSync(p.logFile, 'utf8').split('\n').filter((l) => /packetDropped|drop"|dial failed|duplicate/.test(l));
        console.log(p.name, p.id.slice(0, 3), lines.map((l) => { const j = JSON.parse(l); return `${Date.parse(j.time) - t0}:${j.reason ?? j.what ?? j.msg}`; }).join(' '));
      }
    } finally {
      await bed.cleanup();
    }
  }
}, 600000);
