/**
 * The event-loop ceiling: a bare push/pop loop on the simulator's queue (`CalendarQueue`)
 * with no network and no engine; `main` also prints the binary heap it replaced in
 * session 19 (`EventQueue`), for comparison.
 *
 * Every simulator benchmark compares its events/s against this number: it is the most the
 * scheduler alone can do with that many events pending. The loop keeps the queue at a
 * steady size: each pop pushes one event a pseudo-random 1–1000 ms later (a fixed LCG, so
 * every run does the same work). Payloads are small objects reused as they are popped, like
 * the network's pooled event records.
 *
 * Run: `npx tsx bench/sim-eventloop.ts` (prints the ceiling at ~1k and ~100k pending).
 */
import { pathToFileURL } from 'node:url';
import { CalendarQueue } from '../src/transports/sim/calendar-queue.js';
import { EventQueue } from '../src/transports/sim/scheduler.js';

class Payload {
  kind = 1;
  node = 0;
  queueNext: Payload | null = null;
}

type Queue = Pick<CalendarQueue<Payload>, 'push' | 'pop' | 'lastPoppedTime'>;

export interface EventLoopCeiling {
  eventsPerSecond: number;
  pending: number;
  events: number;
}

/** Pops and pushes `events` times with `pending` events in the queue; returns events/s. */
export function runEventLoopCeiling(
  events: number,
  pending = 1_000,
  queue: Queue = new CalendarQueue<Payload>(),
): EventLoopCeiling {
  let state = 0x2545f491;
  const nextDelay = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    return 1 + ((state >>> 8) % 1000);
  };
  for (let i = 0; i < pending; i++) queue.push(nextDelay(), new Payload());
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    const item = queue.pop() as Payload;
    const now = queue.lastPoppedTime;
    checksum += item.kind;
    queue.push(now + nextDelay(), item);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (checksum !== events) throw new Error('event loop lost events');
  return { eventsPerSecond: events / seconds, pending, events };
}

function main(): void {
  const queues = {
    calendar: () => new CalendarQueue<Payload>(),
    'binary heap': () => new EventQueue<Payload>(1_024),
  };
  for (const [name, make] of Object.entries(queues)) {
    // Warm-up so the JIT has compiled the queue before we time it.
    runEventLoopCeiling(200_000, 1_000, make());
    for (const pending of [1_000, 100_000]) {
      const result = runEventLoopCeiling(2_000_000, pending, make());
      console.log(
        `event loop ceiling (${name}), ${pending.toLocaleString('en')} pending: ` +
          `${Math.round(result.eventsPerSecond).toLocaleString('en')} events/s`,
      );
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
