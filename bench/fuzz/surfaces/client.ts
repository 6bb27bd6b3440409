/**
 * Surface `client`: the client protocol's parsers, in process (src/client/protocol.ts,
 * json.ts). Nine inputs in ten are requests (what the daemon parses from any local user);
 * one in ten is a response (what the CLI parses from its daemon).
 *
 * Rules checked on every input: `decodeRequest` answers a request or a RequestError with a
 * known code, never a throw; a request it accepts is valid by the protocol's own rules and
 * re-encodes to a request that decodes to the same value. The response decoders answer a
 * value or a message, never a throw.
 */
import fc from 'fast-check';
import {
  bodyProblem,
  decodeJsonLine,
  decodePullResponse,
  decodePushResponse,
  decodeRequest,
  encodeRequest,
  isDestination,
  REQUEST_ERROR_CODES,
} from '../../../src/client/protocol.js';
import { InvariantError, showBytes, statelessSurface } from '../campaign.js';
import { arbMutatedRequest, arbMutatedResponse, arbRandomRequest } from '../inputs/client.js';

const CODES = new Set<string>(REQUEST_ERROR_CODES);
const enc = new TextEncoder();
const lenient = new TextDecoder('utf-8', { fatal: false });

/** 'request:<kind>' or 'error:<code>'; throws InvariantError on a malformed answer. */
export function requestOutcome(input: Uint8Array): string {
  const result = decodeRequest(input);
  if (!result.ok) {
    const { code, message } = result.error;
    if (!CODES.has(code) || typeof message !== 'string')
      throw new InvariantError(`unknown request error ${String(code)}`);
    return `error:${code}`;
  }
  const request = result.request;
  if (request.kind === 'push') {
    if (!isDestination(request.destination))
      throw new InvariantError(`accepted destination ${JSON.stringify(request.destination)}`);
    const problem = bodyProblem(request.message);
    if (problem !== null) throw new InvariantError(`accepted a message that ${problem}`);
  }
  const again = decodeRequest(enc.encode(encodeRequest(request)));
  if (!again.ok || JSON.stringify(again.request) !== JSON.stringify(request))
    throw new InvariantError('an accepted request does not survive re-encoding');
  return request.kind === 'json' ? `request:json:${request.request.op}` : `request:${request.kind}`;
}

/** Every response decoder on the text; 'response:<accepted by>' or 'response:none'. */
export function responseOutcome(input: Uint8Array): string {
  const text = lenient.decode(input);
  const accepted: string[] = [];
  if (decodePushResponse(text).ok) accepted.push('push');
  if (decodePullResponse(text).ok) accepted.push('pull');
  if (text.endsWith('\n') && decodeJsonLine(text.slice(0, -1)).ok) accepted.push('json');
  return `response:${accepted.length === 0 ? 'none' : accepted.join('+')}`;
}

export interface ClientInput {
  response: boolean;
  bytes: Uint8Array;
}

/** Random and mutated requests, as the CI test draws them; a tenth are responses. */
export const arbRequestBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  arbRandomRequest,
  arbMutatedRequest,
);

const arbClientInput: fc.Arbitrary<ClientInput> = fc.oneof(
  { weight: 9, arbitrary: arbRequestBytes.map((bytes) => ({ response: false, bytes })) },
  { weight: 1, arbitrary: arbMutatedResponse.map((bytes) => ({ response: true, bytes })) },
);

export const clientSurface = statelessSurface<ClientInput>({
  name: 'client',
  typedError: 'RequestError (decodeRequest result); {ok:false} from the response decoders',
  prepare: () => ({
    arbitrary: arbClientInput,
    run: ({ response, bytes }) => (response ? responseOutcome(bytes) : requestOutcome(bytes)),
  }),
  show: ({ response, bytes }) => `${response ? 'response' : 'request'} ${showBytes(bytes)}`,
});
