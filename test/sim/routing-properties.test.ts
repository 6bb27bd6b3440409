/**
 * The data plane under random faults on the simulator (issue 4 "Properties", STYLE.md #14):
 *
 * - safety, while crashes, restarts and partitions run: no message is delivered twice to
 *   one engine life of its target; every onion frame on every link has the one packet
 *   size; node invariants hold after every input (checkInvariants: pending bounded, at most
 *   one answer per message, every onion frame emitted of PACKET_BYTES);
 * - liveness, after healing: in the connected network that is left, every message from a
 *   live node to a live node is delivered and acknowledged within a bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES } from '../../src/engine/wire/limits.js';
import { PACKET_BYTES } from '../../src/engine/onion/limits.js';
import { largestComponentFraction } from '../../src/sim/overlay-metrics.js';
import { checkProperty } from '../support/property.js';
import { advance, routingNet } from '../routing/helpers.js';

const FILE = 'test/sim/routing-properties.test.ts';
const MINUTE = 60_000;
/** After healing: failure detection, overlay repair, then messages get this long. */
const HEAL_SETTLE_MS = 3 * MINUTE;
const LIVENESS_BOUND_MS = 2 * MINUTE;

type Op =
  | { kind: 'crash'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'partition'; groups: number; healAfterMs: number }
  | { kind: 'send'; from: number; to: number };

const opArb = (nodes: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('crash' as const), node: fc.nat(nodes - 1) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('restart' as const), node: fc.nat(nodes - 1) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('partition' as const),
        groups: fc.integer({ min: 2, max: 3 }),
        healAfterMs: fc.integer({ min: 5_000, max: 40_000 }),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('send' as const),
        from: fc.nat(nodes - 1),
        to: fc.nat(nodes - 1),
      }),
    },
  );

const scenarioArb = fc
  .record({ seed: fc.integer({ min: 0, max: 2 ** 31 }), nodes: fc.integer({ min: 12, max: 20 }) })
  .chain(({ seed, nodes }) =>
    fc.record({
      seed: fc.constant(seed),
      nodes: fc.constant(nodes),
      ops: fc.array(opArb(nodes), { minLength: 1, maxLength: 24 }),
    }),
  );

describe('routing on the simulator under faults', () => {
  it('no duplicate delivery and one frame size while faults run; every message delivered after healing', () => {
    checkProperty(
      FILE,
      'no duplicate delivery',
      fc.property(scenarioArb, ({ seed, nodes, ops }) => {
        const net = routingNet({ seed, nodes, settleMs: 20_000 });
        const w = net.w;
        // Safety, checked as it happens.
        const frameSizes = new Set<number>();
        net.onOnion = (frame) => frameSizes.add(frame.bytes.length);
        const seen = new Set<string>();
        const checkDeliveries = (): void => {
          for (const d of net.deliveries) {
            const key = `${d.node}/${w.lifeOf(d.node)}/${Buffer.from(d.value.messageId).toString('hex')}`;
            expect(seen.has(key), `delivered twice: ${key}`).toBe(false);
            seen.add(key);
          }
          net.deliveries.length = 0;
        };
        // Phase 1: faults and traffic, one op every 2 s.
        let partitionedUntil = -1;
        for (const op of ops) {
          const live = (i: number): boolean => w.net.isLive(i);
          if (op.kind === 'crash' && live(op.node) && w.net.liveNodes().length > 4)
            w.crash(op.node);
          if (op.kind === 'restart' && !live(op.node)) w.restart(op.node);
          if (op.kind === 'partition' && w.now > partitionedUntil) {
            w.partition(op.groups);
            partitionedUntil = w.now + op.healAfterMs;
            w.net.at(partitionedUntil, () => w.net.heal());
          }
          if (op.kind === 'send' && op.from !== op.to && live(op.from)) {
            net.send(op.from, op.to, 'during faults', 60_000);
          }
          advance(net, 2_000);
          checkDeliveries();
        }
        // Phase 2: heal, settle, then every live node pair we pick must get through.
        advance(net, 45_000);
        w.net.heal();
        advance(net, HEAL_SETTLE_MS);
        checkDeliveries();
        expect(largestComponentFraction(w.liveSnapshots())).toBe(1);
        const live = w.net.liveNodes();
        const sent: { id: string; to: number }[] = [];
        for (let k = 0; k < Math.min(6, live.length); k++) {
          const from = live[k] as number;
          const to = live[(k * 5 + 3) % live.length] as number;
          if (from !== to) sent.push({ id: net.send(from, to, 'after healing'), to });
        }
        advance(net, LIVENESS_BOUND_MS);
        const delivered = new Set(
          net.deliveries.map((d) => `${d.node}:${Buffer.from(d.value.messageId).toString('hex')}`),
        );
        checkDeliveries();
        for (const { id, to } of sent) {
          expect(delivered.has(`${to}:${id}`), `message ${id} to node ${to}`).toBe(true);
          expect(net.eventsOf('messageAcked', id)).toHaveLength(1);
        }
        expect([...frameSizes]).toEqual([FRAME_HEADER_BYTES + PACKET_BYTES]);
      }),
      { numRuns: 8 },
    );
  });
});
