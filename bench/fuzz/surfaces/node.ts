/**
 * Surface `node`: a node's `handle()` (src/engine/node.ts) fed frames by a hostile peer over
 * an authenticated link.
 *
 * Theory of operation. The target is rebuilt from the keys of the node that received the
 * most traffic in a captured simulation (capture.ts), with every invariant checked after
 * every input (`checkInvariants`: views, links, broadcast, routing, onion frame sizes). The
 * attacker is a node of its own keys: for each input it makes sure it has a ready link to
 * the target (a fresh link, signed HELLO/AUTH, then JOIN, so it is an active neighbour and
 * broadcast and directory traffic is accepted from it), then sends one frame:
 * - a captured frame, mutated (bit flips, truncation, splices with other captured frames,
 *   length-field edits, type-code swaps) — most inputs;
 * - a captured frame as it was (a replay);
 * - a generated valid message of any type (well-formed, meaningless);
 * - random bytes with a plausible header;
 * - or no frame: the attacker closes its link.
 * Each input also moves the clock on (0–2 s, ~60 ms on average), and the target gets its `tick`
 * when its wake-up is due, so timers, retries and timeouts interleave with the attack. Dials
 * the target asks for fail at once (nobody else is reachable).
 *
 * Rules checked on every input: `handle()` never throws (a broken invariant throws in
 * `checkInvariants`); every frame the target sends is on the attacker's open link and is one
 * well-formed frame; it closes only links that exist. Inputs share the target's state within
 * an episode of EPISODE_INPUTS; every episode starts from a fresh target at the capture's
 * clock start.
 */
import fc from 'fast-check';
import { suiteByName } from '../../../src/engine/crypto/index.js';
import type { CryptoSuite } from '../../../src/engine/crypto/suite.js';
import { DEFAULT_BROADCAST } from '../../../src/engine/broadcast/config.js';
import { DEFAULT_DIRECTORY } from '../../../src/engine/directory/config.js';
import { identityFromSecrets, type Identity } from '../../../src/engine/identity.js';
import { signAuth } from '../../../src/engine/link-auth.js';
import { Node } from '../../../src/engine/node.js';
import { TEST_OVERLAY } from '../../../src/engine/overlay/config.js';
import { TEST_ROUTING } from '../../../src/engine/routing/config.js';
import type { Input, LinkId, Output } from '../../../src/engine/types.js';
import { decodeFrame, encodeMessage } from '../../../src/engine/wire/codec.js';
import { HELLO_NONCE_BYTES } from '../../../src/engine/wire/limits.js';
import { AleaRandom, SeededRandomSource } from '../../../src/transports/sim/rng.js';
import { arbMessage } from '../../../test/wire/arbitraries.js';
import { captureTraffic, type Capture } from '../capture.js';
import { InvariantError, showBytes, type Surface } from '../campaign.js';
import { arbMutations } from '../inputs/bytes.js';
import { arbFrameMutation, arbRandomFrame, mutateFrameAll } from '../inputs/frames.js';
import { drawInput } from '../random.js';

/**
 * Inputs per episode (a fresh target): enough for its bounded tables to fill up, short
 * enough that most of an episode runs while captured broadcasts are still fresh (one
 * minute of lifetime at ~60 ms per input).
 */
const EPISODE_INPUTS = 2_000;
/** Longest clock step between two inputs: several heartbeats, less than a timeout. */
const STEP_MAX_MS = 2_000;
/** Outputs one input may cause, handshake and dial failures included: a loop guard. */
const OUTPUTS_PER_INPUT_MAX = 10_000;
const ATTACKER_ADDRESS = '10.66.0.1:7000';

export interface NodeInput {
  kind: 'mutated' | 'captured' | 'generated' | 'random' | 'close';
  frame: Uint8Array;
  stepMs: number;
}

function arbNodeInput(capture: Capture): fc.Arbitrary<NodeInput> {
  const { frames } = capture;
  const arbIndex = fc.nat(frames.length - 1);
  const arbStep = fc.oneof(
    { weight: 19, arbitrary: fc.integer({ min: 0, max: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: STEP_MAX_MS }) },
  );
  const frame = (kind: NodeInput['kind'], arbitrary: fc.Arbitrary<Uint8Array>) =>
    fc.tuple(arbitrary, arbStep).map(([bytes, stepMs]) => ({ kind, frame: bytes, stepMs }));
  return fc.oneof(
    {
      weight: 55,
      arbitrary: frame(
        'mutated',
        fc
          .tuple(arbIndex, arbMutations(arbFrameMutation))
          .map(([i, mutations]) => mutateFrameAll(frames[i]!, mutations, frames)),
      ),
    },
    {
      weight: 15,
      arbitrary: frame(
        'captured',
        arbIndex.map((i) => frames[i]!),
      ),
    },
    { weight: 15, arbitrary: frame('generated', arbMessage.map(encodeMessage)) },
    { weight: 10, arbitrary: frame('random', arbRandomFrame) },
    { weight: 5, arbitrary: frame('close', fc.constant(new Uint8Array(0))) },
  );
}

/** The target node, the attacker's link to it, and the checks on what the target says. */
class Episode {
  readonly target: Node;
  private now: number;
  private wakeAt = Infinity;
  private link: LinkId | undefined;
  private nextLink = 1;
  /** Links the target may still send on: the attacker's current one, until closed. */
  private readonly open = new Set<LinkId>();
  /** Why the target closed the attacker's link during the current input. */
  closedBy: string | undefined;
  /** Whether the attacker is in the target's active view (broadcasts are accepted). */
  private neighbour = false;

  constructor(
    capture: Capture,
    private readonly crypto: CryptoSuite,
    private readonly attacker: Identity,
    private readonly random: AleaRandom,
    seed: string,
    /** Over TCP the transport proves the peer's DH key; in the simulator it does not. */
    private readonly noiseProven: boolean,
  ) {
    this.now = capture.clockStart;
    this.target = new Node({
      identity: capture.identity,
      crypto,
      random: new SeededRandomSource(seed),
      address: capture.address,
      bootstrap: [],
      overlay: TEST_OVERLAY,
      broadcast: DEFAULT_BROADCAST,
      directory: DEFAULT_DIRECTORY,
      routing: TEST_ROUTING,
      checkInvariants: true,
    });
    this.handle({ type: 'start' });
  }

  /** Moves the clock on, firing the target's wake-up if it is due. */
  advance(ms: number): void {
    this.now += ms;
    if (this.now >= this.wakeAt) this.handle({ type: 'tick' });
  }

  /** A ready link for the attacker, as a neighbour; false if the target refused it. */
  connect(): boolean {
    if (this.link !== undefined) {
      if (!this.neighbour) this.send(encodeMessage({ type: 'join' }));
      return this.link !== undefined;
    }
    const link = this.nextLink++;
    this.open.add(link);
    this.link = link;
    const hello = this.handle({
      type: 'linkOpened',
      link,
      remoteAddress: ATTACKER_ADDRESS,
      ...(this.noiseProven ? { remoteStaticKey: this.attacker.dhPublic } : {}),
    }).find((o) => o.type === 'send' && o.link === link);
    const decoded = hello?.type === 'send' ? decodeFrame(hello.bytes) : undefined;
    if (decoded?.kind !== 'message' || decoded.message.type !== 'hello') return false;
    const theirs = decoded.message;
    const nonce = this.random.bytes(HELLO_NONCE_BYTES);
    const mine = { signKey: this.attacker.signPublic, dhKey: this.attacker.dhPublic, nonce };
    this.send(encodeMessage({ type: 'hello', ...mine, address: ATTACKER_ADDRESS }));
    const signature = signAuth(this.crypto, this.attacker.signSecret, mine, theirs);
    this.send(encodeMessage({ type: 'auth', signature }));
    this.send(encodeMessage({ type: 'join' }));
    return this.link !== undefined;
  }

  /** One frame from the attacker on its link (if the target has not closed it). */
  send(bytes: Uint8Array): void {
    if (this.link !== undefined) this.handle({ type: 'frame', link: this.link, bytes });
  }

  /** The attacker hangs up. */
  hangUp(): void {
    const link = this.link;
    if (link === undefined) return;
    this.link = undefined;
    this.open.delete(link);
    this.handle({ type: 'linkClosed', link, reason: 'peer-closed' });
  }

  /** Runs `input` and everything it causes (dial failures), checking every output. */
  private handle(input: Input): Output[] {
    const outputs = this.target.handle(input, this.now);
    let count = outputs.length;
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i] as Output;
      this.check(output);
      if (output.type === 'dial') {
        const more = this.target.handle(
          { type: 'dialFailed', dial: output.dial, reason: 'refused' },
          this.now,
        );
        count += more.length;
        if (count > OUTPUTS_PER_INPUT_MAX)
          throw new InvariantError(`over ${OUTPUTS_PER_INPUT_MAX} outputs for one input`);
        outputs.push(...more);
      }
    }
    return outputs;
  }

  private check(output: Output): void {
    switch (output.type) {
      case 'send': {
        if (!this.open.has(output.link))
          throw new InvariantError(`send on link ${output.link}, which is not open`);
        const decoded = decodeFrame(output.bytes);
        if (decoded.kind !== 'message' || decoded.size !== output.bytes.length)
          throw new InvariantError(`the target sent a bad frame: ${showBytes(output.bytes)}`);
        return;
      }
      case 'close':
        if (!this.open.delete(output.link))
          throw new InvariantError(`close of link ${output.link}, which is not open`);
        if (output.link === this.link) {
          this.link = undefined;
          this.closedBy = output.reason;
        }
        return;
      case 'wake':
        this.wakeAt = output.at;
        return;
      case 'event': {
        const { event } = output;
        if (event.type === 'neighbourUp' || event.type === 'neighbourDown')
          if (event.peer === this.attacker.id) this.neighbour = event.type === 'neighbourUp';
        return;
      }
      default:
        return;
    }
  }
}

const messageType = (bytes: Uint8Array): string => {
  const decoded = decodeFrame(bytes);
  return decoded.kind === 'message' ? decoded.message.type : 'undecodable';
};

export interface NodeSurfaceOptions {
  crypto: 'real' | 'modelled';
}

export function nodeSurface(options: NodeSurfaceOptions = { crypto: 'real' }): Surface<NodeInput> {
  return {
    name: 'node',
    typedError: 'link closed with a reason (the engine never throws on remote input)',
    episodeInputs: EPISODE_INPUTS,
    open(seed) {
      const capture = captureTraffic(seed, options.crypto);
      const crypto = suiteByName(options.crypto === 'real' ? 'node' : 'modelled');
      const keys = new AleaRandom(`${seed}/node/attacker`);
      const attacker = identityFromSecrets(crypto, keys.bytes(32), keys.bytes(32));
      const arbitrary = arbNodeInput(capture);
      let episode: Episode | undefined;
      return {
        input: (index) => drawInput(arbitrary, seed, 'node', index),
        run(input, index, fresh) {
          const number = Math.floor(index / EPISODE_INPUTS);
          if (fresh || index % EPISODE_INPUTS === 0) {
            const label = `${seed}/node/episode/${number}`;
            const random = new AleaRandom(`${label}/attacker`);
            episode = new Episode(capture, crypto, attacker, random, label, number % 2 === 1);
          }
          const e = episode as Episode;
          e.advance(input.stepMs);
          if (input.kind === 'close') {
            e.hangUp();
            return 'attacker-closed';
          }
          e.closedBy = undefined;
          if (!e.connect()) return `refused:${e.closedBy ?? 'no-hello'}`;
          e.send(input.frame);
          return e.closedBy === undefined
            ? `kept:${messageType(input.frame)}`
            : `closed:${e.closedBy}`;
        },
        show: ({ kind, frame, stepMs }) => `${kind} after ${stepMs} ms: ${showBytes(frame)}`,
      };
    },
  };
}
