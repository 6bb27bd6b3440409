/**
 * Real traffic to mutate: a small simulated network (production engines on SimWorld) runs
 * long enough to form its overlay and directories, carries end-to-end messages and
 * broadcasts, loses one node gracefully, and every frame sent on a link is recorded through
 * the world's `onSend` hook.
 *
 * The node that received the most frames becomes the *target*: the `node` surface rebuilds
 * it from its keys and feeds it this traffic, mutated, as if from a neighbour. The corpus
 * holds the frames the target really received (the onion packets among them peel with its
 * key, so relaying and delivery run) and, for variety, frames between other nodes: at most
 * CAPTURE_PER_TYPE_MAX distinct frames per message type of each kind.
 *
 * Deterministic: the same seed gives the same corpus, byte for byte.
 */
import { DEFAULT_BROADCAST } from '../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../src/engine/directory/config.js';
import type { Identity } from '../../src/engine/identity.js';
import { TEST_OVERLAY } from '../../src/engine/overlay/config.js';
import { TEST_ROUTING } from '../../src/engine/routing/config.js';
import { FRAME_HEADER_BYTES } from '../../src/engine/wire/limits.js';
import { SimWorld } from '../../src/sim/world.js';
import { AleaRandom } from '../../src/transports/sim/rng.js';

/** Nodes in the captured network: enough for 3-hop paths with relays to spare. */
const CAPTURE_NODES = 12;
/** Simulated time for joins, shuffles and directory sync before the workload. */
const CAPTURE_SETTLE_MS = 30_000;
/** The workload's window, and the quiet time after it for acknowledgements and retries. */
const CAPTURE_WORKLOAD_MS = 20_000;
const CAPTURE_DRAIN_MS = 10_000;
const CAPTURE_MESSAGES = 24;
const CAPTURE_BROADCASTS = 6;
/** Distinct frames kept per message type per group (the target's, the others'). */
const CAPTURE_PER_TYPE_MAX = 48;

export interface Capture {
  /** The target node's keys and address. */
  identity: Identity;
  address: string;
  /**
   * When the target's clock starts: halfway through the workload, so some captured
   * broadcasts are still fresh, some not yet issued (refused as from the future) and the
   * older ones expire while the attack goes on.
   */
  clockStart: number;
  /** Frames the target received, then frames between other nodes. */
  frames: Uint8Array[];
}

interface Sent {
  node: number;
  link: number;
  bytes: Uint8Array;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Up to CAPTURE_PER_TYPE_MAX distinct frames per type, in the order sent. */
function distinctPerType(frames: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  const out: Uint8Array[] = [];
  for (const bytes of frames) {
    const type = bytes[FRAME_HEADER_BYTES - 1] as number;
    const key = hex(bytes);
    if (seen.has(key) || (perType.get(type) ?? 0) >= CAPTURE_PER_TYPE_MAX) continue;
    seen.add(key);
    perType.set(type, (perType.get(type) ?? 0) + 1);
    out.push(bytes);
  }
  return out;
}

export function captureTraffic(seed: string, crypto: 'real' | 'modelled'): Capture {
  const sent: Sent[] = [];
  const world = new SimWorld({
    seed: `${seed}/capture`,
    crypto,
    overlay: TEST_OVERLAY,
    broadcast: DEFAULT_BROADCAST,
    directory: DEFAULT_DIRECTORY,
    routing: TEST_ROUTING,
    latency: { kind: 'constant', ms: 20 },
    loss: 0,
    checkInvariants: true,
    onSend: (node, bytes, _now, link) => sent.push({ node, link, bytes: bytes.slice() }),
  });
  const random = new AleaRandom(`${seed}/capture/workload`);
  for (let i = 0; i < CAPTURE_NODES; i++) world.net.at(i * 100, () => world.addNode());
  world.net.runUntil(CAPTURE_SETTLE_MS);

  const start = world.now;
  const leaver = CAPTURE_NODES - 1;
  for (let m = 0; m < CAPTURE_MESSAGES; m++) {
    const from = random.int(leaver);
    const to = (from + 1 + random.int(leaver - 1)) % leaver;
    world.net.at(start + random.int(CAPTURE_WORKLOAD_MS), () => {
      world.net.command(from, {
        type: 'send',
        messageId: random.bytes(16),
        to: world.idOf(to) as string,
        body: random.bytes(1 + random.int(200)),
        expiresAt: world.now + 60_000,
      });
    });
  }
  for (let b = 0; b < CAPTURE_BROADCASTS; b++) {
    const from = random.int(leaver);
    world.net.at(start + random.int(CAPTURE_WORKLOAD_MS), () =>
      world.net.command(from, { type: 'broadcast', body: random.bytes(1 + random.int(64)) }),
    );
  }
  world.net.at(start + CAPTURE_WORKLOAD_MS, () => world.leave(leaver));
  world.net.runUntil(start + CAPTURE_WORKLOAD_MS + CAPTURE_DRAIN_MS);

  // A link's id is the same at both ends: the target's links are those it sent on.
  const linksOf = new Map<number, Set<number>>();
  for (const { node, link } of sent) {
    if (!linksOf.has(node)) linksOf.set(node, new Set());
    linksOf.get(node)?.add(link);
  }
  const receivedBy = (target: number): Sent[] =>
    sent.filter((s) => s.node !== target && linksOf.get(target)?.has(s.link) === true);
  let target = 0;
  for (let i = 1; i < leaver; i++) if (receivedBy(i).length > receivedBy(target).length) target = i;

  const received = distinctPerType(receivedBy(target).map((s) => s.bytes));
  const others = distinctPerType(
    sent.filter((s) => !linksOf.get(target)?.has(s.link)).map((s) => s.bytes),
  );
  const node = world.nodeOf(target);
  if (node === undefined) throw new Error(`capture: target node ${target} is not live`);
  return {
    identity: node.identity,
    address: world.net.addressOf(target),
    clockStart: start + CAPTURE_WORKLOAD_MS / 2,
    frames: [...received, ...others],
  };
}
