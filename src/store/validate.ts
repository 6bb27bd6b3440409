/**
 * Argument checks at the store's edge (noble style: check lengths and shapes before any
 * work). `check*` throw StoreInputError (the caller's bug); `aliasProblem` returns a reason
 * because aliases come straight from the user.
 */
import { StoreInputError } from './errors.js';
import {
  ADDRESS_MAX_CHARS,
  ALIAS_MAX_CHARS,
  ALIAS_PATTERN,
  BODY_MAX_BYTES,
  DESTINATION_MAX_CHARS,
  ERROR_TEXT_MAX_CHARS,
  MESSAGE_ID_HEX_CHARS,
  NODE_ID_CHARS,
} from './limits.js';

const NODE_ID_PATTERN = new RegExp(`^[a-z2-7]{${NODE_ID_CHARS}}$`);
const MESSAGE_ID_PATTERN = new RegExp(`^[0-9a-f]{${MESSAGE_ID_HEX_CHARS}}$`);
/** A lone UTF-16 surrogate cannot be stored as UTF-8 intact (SQLite would write U+FFFD). */
const LONE_SURROGATE = /\p{Surrogate}/u;
/** Printable ASCII without space: addresses and destinations. */
const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID_PATTERN.test(value);
}

export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID_PATTERN.test(value);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function checkNodeId(value: string, what = 'node id'): void {
  if (!isNodeId(value)) throw new StoreInputError(`${what} is not a node ID: ${preview(value)}`);
}

export function checkMessageId(value: string): void {
  if (!isMessageId(value)) {
    throw new StoreInputError(`message id is not ${MESSAGE_ID_HEX_CHARS} hex chars`);
  }
}

export function checkBody(body: string): void {
  if (typeof body !== 'string') throw new StoreInputError('body is not a string');
  if (LONE_SURROGATE.test(body)) throw new StoreInputError('body has a lone surrogate');
  const bytes = utf8Length(body);
  if (bytes > BODY_MAX_BYTES) {
    throw new StoreInputError(`body is ${bytes} bytes (max ${BODY_MAX_BYTES})`);
  }
}

export function checkToken(value: string, what: string, maxChars: number): void {
  if (typeof value !== 'string' || value.length > maxChars || !PRINTABLE_TOKEN.test(value)) {
    throw new StoreInputError(`${what} must be 1..${maxChars} printable ASCII characters`);
  }
}

export const checkDestination = (value: string): void =>
  checkToken(value, 'destination', DESTINATION_MAX_CHARS);
export const checkAddress = (value: string): void =>
  checkToken(value, 'address', ADDRESS_MAX_CHARS);

export function checkTime(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreInputError(`${what} must be a non-negative integer (ms), got ${value}`);
  }
}

export function checkLimit(value: number, max: number, what = 'limit'): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new StoreInputError(`${what} must be an integer in 1..${max}, got ${value}`);
  }
}

/** Error text is clipped, not refused: a long reason must not fail the write it explains. */
export function clipError(text: string): string {
  const clean = text.replace(LONE_SURROGATE, '\ufffd');
  return clean.length <= ERROR_TEXT_MAX_CHARS ? clean : clean.slice(0, ERROR_TEXT_MAX_CHARS);
}

/**
 * Why `alias` cannot be a contact alias, or null if it can. Aliases share the destination
 * namespace with addresses and node IDs, so they must not look like either: at least one
 * letter (no `127.0.0.1`), no `:` (no `host:port`), not node-ID shaped.
 */
export function aliasProblem(alias: string): string | null {
  if (typeof alias !== 'string' || alias.length === 0) return 'alias is empty';
  if (alias.length > ALIAS_MAX_CHARS) return `alias is longer than ${ALIAS_MAX_CHARS} characters`;
  if (!ALIAS_PATTERN.test(alias)) {
    return 'alias may use only a-z, 0-9, ".", "_", "-" and must start with a letter or digit';
  }
  if (!/[a-z]/.test(alias)) return 'alias must contain a letter (it would look like an address)';
  if (isNodeId(alias)) return 'alias must not look like a node ID';
  return null;
}

function preview(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
