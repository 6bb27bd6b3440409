/**
 * The client protocol's public surface: the codec (protocol.ts, json.ts), the daemon side
 * (server.ts) and the CLI side (client.ts).
 */
export * from './protocol.js';
export {
  ClientServer,
  ClientServerError,
  type ClientHandler,
  type ClientServerEvent,
  type ClientServerLimits,
  type ClientServerOptions,
  type ClientServerStats,
  DEFAULT_SERVER_LIMITS,
  HandlerError,
  type PullBatch,
  type PushOptions,
  type PushOutcome,
} from './server.js';
export {
  ClientError,
  type ClientErrorCode,
  type ClientTarget,
  defaultSocketPath,
  openWatch,
  parseTarget,
  type ResponseFor,
  sendRequest,
  type SendOptions,
  type WatchHandle,
} from './client.js';
export { loopbackHost, parseHostPort } from './listen.js';
export * as clientLimits from './limits.js';
