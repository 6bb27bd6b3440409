/**
 * The next hop's address in a routing slot (limits.ts HOP_ADDRESS_BYTES): a node address
 * "a.b.c.d:port" or "[v6]:port" (transports/tcp/address.ts) as form ‖ IP ‖ port.
 *
 *   offset  bytes  field
 *        0      1  form: 0 none, 4 IPv4, 6 IPv6
 *        1     16  IP: IPv4 in the first 4 bytes and zeros after; IPv6 all 16; none all zero
 *       17      2  port, big-endian, 1..65535 (zero for none)
 *
 * Rules:
 * 1. Exact round trip: an address is written only when decoding gives back the very same
 *    string — dotted decimal without leading zeros, IPv6 in RFC 5952's canonical text —
 *    because the simulator and the directory name a node by its address string. Anything
 *    else (a host name, "::ffff:1.2.3.4", an upper-case or uncompressed IPv6) is written
 *    as form 0: the relay then needs its own directory, as before the address was carried.
 * 2. Remote bytes never throw: a form, padding or port that breaks the layout decodes to
 *    `null`, which the peel turns into 'bad-slot'.
 */
import { IPV6_GROUPS, parseIpv6 } from '../ipv6.js';
import { allZero } from './keys.js';
import {
  HOP_ADDRESS_BYTES,
  HOP_ADDRESS_IP_BYTES,
  HOP_ADDRESS_IPV4,
  HOP_ADDRESS_IPV6,
  HOP_ADDRESS_NONE,
} from './limits.js';

const PORT_OFFSET = 1 + HOP_ADDRESS_IP_BYTES;
const IPV4_BYTES = 4;
const PORT_MAX = 65535;

const IPV4_ADDRESS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/;
const IPV6_ADDRESS = /^\[([0-9a-f:]{2,39})\]:(\d{1,5})$/;

/** Writes `address` (or form 0: undefined, or not writable by Rule 1) at out[at, at + 19). */
export function writeHopAddress(out: Uint8Array, at: number, address: string | undefined): void {
  out.fill(0, at, at + HOP_ADDRESS_BYTES);
  if (address === undefined) return;
  // Rule 1: only what reads back as the same string.
  if (!writeParsed(out, at, address) || readHopAddress(out, at) !== address) {
    out.fill(0, at, at + HOP_ADDRESS_BYTES);
  }
}

/** Form, IP and port of an IP-literal address; false (bytes partly written) otherwise. */
function writeParsed(out: Uint8Array, at: number, address: string): boolean {
  const v4 = IPV4_ADDRESS.exec(address);
  const v6 = v4 === null ? IPV6_ADDRESS.exec(address) : null;
  const parsed =
    v4 !== null
      ? writeIpv4(out, at + 1, v4)
      : v6 !== null && writeIpv6(out, at + 1, v6[1] as string);
  if (!parsed) return false;
  const port = Number((v4 ?? v6)?.at(-1));
  if (port < 1 || port > PORT_MAX) return false;
  out[at] = v4 !== null ? HOP_ADDRESS_IPV4 : HOP_ADDRESS_IPV6;
  out[at + PORT_OFFSET] = port >>> 8;
  out[at + PORT_OFFSET + 1] = port & 0xff;
  return true;
}

/** The address at bytes[at, at + 19): a string, undefined for form 0, null if malformed. */
export function readHopAddress(bytes: Uint8Array, at: number): string | undefined | null {
  const form = bytes[at];
  const ip = at + 1;
  const port = ((bytes[at + PORT_OFFSET] as number) << 8) | (bytes[at + PORT_OFFSET + 1] as number);
  if (form === HOP_ADDRESS_NONE) {
    return allZero(bytes, ip, at + HOP_ADDRESS_BYTES) ? undefined : null;
  }
  if (port === 0 || port > PORT_MAX) return null;
  if (form === HOP_ADDRESS_IPV4) {
    if (!allZero(bytes, ip + IPV4_BYTES, ip + HOP_ADDRESS_IP_BYTES)) return null;
    return `${[...bytes.subarray(ip, ip + IPV4_BYTES)].join('.')}:${port}`;
  }
  if (form === HOP_ADDRESS_IPV6) return `[${ipv6Text(bytes, ip)}]:${port}`;
  return null;
}

function writeIpv4(out: Uint8Array, at: number, match: RegExpExecArray): boolean {
  for (let i = 0; i < IPV4_BYTES; i++) {
    const octet = Number(match[i + 1]);
    if (octet > 255) return false;
    out[at + i] = octet;
  }
  return true;
}

/** Writes the groups of the text between the brackets; false if it is not IPv6. */
function writeIpv6(out: Uint8Array, at: number, text: string): boolean {
  const groups = parseIpv6(text);
  if (groups === null) return false;
  groups.forEach((value, g) => {
    out[at + 2 * g] = value >>> 8;
    out[at + 2 * g + 1] = value & 0xff;
  });
  return true;
}

/**
 * RFC 5952 text of 16 bytes: lower-case hex, no leading zeros, the longest run of ≥ 2 zero
 * groups (the first of equal runs) as "::".
 */
function ipv6Text(bytes: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let g = 0; g < IPV6_GROUPS; g++) {
    groups.push(((bytes[at + 2 * g] as number) << 8) | (bytes[at + 2 * g + 1] as number));
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let start = 0; start < IPV6_GROUPS;) {
    let end = start;
    while (end < IPV6_GROUPS && groups[end] === 0) end++;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end + 1;
  }
  const hex = (list: number[]): string => list.map((v) => v.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
