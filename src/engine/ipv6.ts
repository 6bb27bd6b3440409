/**
 * IPv6 literals' text (RFC 4291 §2.2, no zone): hex groups of 1–4 digits, either case, at
 * most one "::" standing for one or more zero groups, and optionally a dotted IPv4 address
 * as the last two groups ("::ffff:1.2.3.4"). Used by path choice (network groups) and by
 * onion slots (onion/hop-address.ts, which carries only the canonical hex form).
 */

export const IPV6_GROUPS = 8;

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 8 16-bit groups of `text` (the part between the brackets), or null if malformed. */
export function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  // A dotted quad may only end the address: the tail's end, or the head's without "::".
  const head = groupsOf(halves[0] as string, !compressed);
  const tail = compressed ? groupsOf(halves[1] as string, true) : [];
  if (head === null || tail === null) return null;
  const missing = IPV6_GROUPS - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** The 16-bit groups of one side of "::"; null if any is malformed. */
function groupsOf(half: string, dottedLast: boolean): number[] | null {
  if (half === '') return [];
  const parts = half.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const quad = dottedLast && i === parts.length - 1 ? DOTTED_QUAD.exec(part) : null;
    if (quad !== null) {
      const octets = quad.slice(1).map(Number);
      if (octets.some((octet) => octet > 255)) return null;
      groups.push(((octets[0] as number) << 8) | (octets[1] as number));
      groups.push(((octets[2] as number) << 8) | (octets[3] as number));
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}
