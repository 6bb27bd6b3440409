/**
 * Onion packet geometry: every size of the packet format in one place (STYLE.md #4). Derived
 * sizes are written as expressions, so changing one number keeps the layout consistent.
 * packet.ts describes the format itself; the table of byte offsets is in its header.
 */
import { NODE_ID_BYTES } from '../wire/limits.js';

/**
 * The one size of every onion packet on every link, 2 KiB. Why this number:
 * - Nym's Sphinx packets carry 2 KiB payloads and I2P's tunnel messages are 1 KiB: a chat
 *   message plus its end-to-end envelope (signed sender identity ~150 B, message id,
 *   timestamp, reply path ~60–100 B) fits in the ~1.5 KiB left after the header, and longer
 *   messages are split into shards (DESIGN.md §3 "Shards"), each its own packet.
 * - Every packet, cover or real, long or short, costs the same bytes on every link, so the
 *   size must stay small: 2 KiB is one or two Ethernet frames, and the relay's payload
 *   keystream and MAC over 2 KiB cost less than its one X25519 (bench/onion.ts).
 * - It fits a wire frame (FRAME_MAX_BYTES = 8 KiB) with room for the frame header.
 * - A power of two keeps the frame sizes on links free of accidental structure.
 */
export const PACKET_BYTES = 2048;

/**
 * Most hops on a path, the final recipient included. The default path is 3 relays + the
 * recipient = 4 hops (DESIGN.md §3); 5 leaves room for one more relay. The header is always
 * sized for HOPS_MAX, so the path length is hidden; each hop costs SLOT_BYTES of header.
 */
export const HOPS_MAX = 5;

/** Per-hop MAC (gamma): HMAC-SHA256 truncated to 128 bits, as Sphinx's κ = 128. */
export const MAC_BYTES = 16;
/** Per-hop ephemeral X25519 public key (alpha). */
export const ALPHA_BYTES = 32;
/** Node ids on the wire (wire/limits.ts): a relay learns the next hop's id from its slot. */
export const HOP_ID_BYTES = NODE_ID_BYTES;
/** Replay tags: 128 bits, so a cache of millions of tags never sees a chance collision. */
export const REPLAY_TAG_BYTES = 16;

/** Slot kinds, the first byte of a decrypted routing slot. Any other value is rejected. */
export const SLOT_KIND_FORWARD = 0x01;
export const SLOT_KIND_DELIVER = 0x02;

/**
 * The next hop's address in a forward slot (hop-address.ts): form ‖ IP (16) ‖ port (2).
 * Why in the slot: a relay whose directory is a sample (directory.sampleSize) knows only
 * some relays, and without it would drop every packet whose next hop it has not heard of.
 * Why binary and IP-only: a textual address would take ADDRESS_MAX_BYTES + 1 = 65 bytes a
 * slot (325 of the payload's bytes); an IP literal and port fit 19, as in Tor's link
 * specifiers. A next hop known by a host name travels without one (form 0).
 */
export const HOP_ADDRESS_IP_BYTES = 16;
export const HOP_ADDRESS_PORT_BYTES = 2;
export const HOP_ADDRESS_BYTES = 1 + HOP_ADDRESS_IP_BYTES + HOP_ADDRESS_PORT_BYTES;
/** Address forms, the first byte of a slot's address. Any other value is rejected. */
export const HOP_ADDRESS_NONE = 0;
export const HOP_ADDRESS_IPV4 = 4;
export const HOP_ADDRESS_IPV6 = 6;

/**
 * One hop's routing slot: kind ‖ next id ‖ next alpha ‖ next gamma ‖ next address
 * (88 bytes).
 */
export const SLOT_BYTES = 1 + HOP_ID_BYTES + ALPHA_BYTES + MAC_BYTES + HOP_ADDRESS_BYTES;
/** Offsets inside a decrypted slot. */
export const SLOT_KIND_OFFSET = 0;
export const SLOT_ID_OFFSET = SLOT_KIND_OFFSET + 1;
export const SLOT_ALPHA_OFFSET = SLOT_ID_OFFSET + HOP_ID_BYTES;
export const SLOT_MAC_OFFSET = SLOT_ALPHA_OFFSET + ALPHA_BYTES;
export const SLOT_ADDRESS_OFFSET = SLOT_MAC_OFFSET + MAC_BYTES;

/** Routing information (beta): one slot per hop, always HOPS_MAX of them (440 bytes). */
export const BETA_BYTES = HOPS_MAX * SLOT_BYTES;

/** Offsets in a packet: gamma ‖ alpha ‖ beta ‖ body. */
export const MAC_OFFSET = 0;
export const ALPHA_OFFSET = MAC_OFFSET + MAC_BYTES;
export const BETA_OFFSET = ALPHA_OFFSET + ALPHA_BYTES;
export const HEADER_BYTES = BETA_OFFSET + BETA_BYTES;
export const BODY_OFFSET = HEADER_BYTES;
/** The encrypted body (delta): what is left of the packet after the header (1,560 bytes). */
export const BODY_BYTES = PACKET_BYTES - HEADER_BYTES;

/** The body starts with the payload length, an unsigned 16-bit big-endian integer. */
export const LENGTH_PREFIX_BYTES = 2;
/** Largest payload one packet carries (1,558 bytes). */
export const PAYLOAD_MAX = BODY_BYTES - LENGTH_PREFIX_BYTES;
