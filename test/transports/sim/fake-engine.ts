/**
 * A tiny scriptable engine for the simulator's tests: it records every input with its time
 * and answers with whatever its `behaviour` returns. Helpers build the outputs.
 */
import type { Engine, Input, NodeSnapshot, Output } from '../../../src/engine/types.js';
import type { SimNodeContext } from '../../../src/transports/sim/network.js';

export interface Recorded {
  now: number;
  input: Input;
}

export type Behaviour = (input: Input, now: number, engine: FakeEngine) => Output[];

export class FakeEngine implements Engine {
  readonly inputs: Recorded[] = [];
  /** Links this engine believes open, with their remote address. */
  readonly open = new Map<number, string>();

  constructor(
    readonly ctx: SimNodeContext,
    private readonly behaviour: Behaviour = () => [],
  ) {}

  handle(input: Input, now: number): Output[] {
    this.inputs.push({ now, input });
    if (input.type === 'linkOpened') this.open.set(input.link, input.remoteAddress);
    if (input.type === 'linkClosed') this.open.delete(input.link);
    return this.behaviour(input, now, this);
  }

  snapshot(): NodeSnapshot {
    return { id: `n${this.ctx.index}`, active: [], passive: [], relays: [] };
  }

  /** The recorded inputs of one type. */
  of<T extends Input['type']>(type: T): { now: number; input: Extract<Input, { type: T }> }[] {
    return this.inputs.filter((r) => r.input.type === type) as {
      now: number;
      input: Extract<Input, { type: T }>;
    }[];
  }
}

export const send = (link: number, bytes: Uint8Array | number[]): Output => ({
  type: 'send',
  link,
  bytes: bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes),
});
export const dial = (dialNo: number, address: string): Output => ({
  type: 'dial',
  dial: dialNo,
  address,
});
export const close = (link: number): Output => ({ type: 'close', link, reason: 'test' });
export const wake = (at: number): Output => ({ type: 'wake', at });
