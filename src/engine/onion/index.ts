/**
 * Onion packets for the data plane (DESIGN.md §3): `buildPacket` for senders, `peelPacket`
 * for every hop, and the relay's `ReplayCache`. packet.ts explains the format.
 */
export * from './limits.js';
export {
  buildPacket,
  OnionError,
  peelPacket,
  type BuiltPacket,
  type OnionHop,
  type PeelResult,
  type RejectReason,
} from './packet.js';
export {
  ReplayCache,
  ReplayCacheError,
  type ReplayCacheStats,
  type ReplayEntry,
  type ReplayRestoreResult,
  type ReplayVerdict,
} from './replay-cache.js';
