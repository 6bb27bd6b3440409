/**
 * Wire limits: every size the codec accepts, in one place (STYLE.md #4). Decoding rejects
 * anything outside them with a typed reason; encoding our own oversize value is a bug.
 */

/** Bumped on any incompatible change of the frame layout or a message body. */
export const PROTOCOL_VERSION = 1;

/** Frame header: u32 length (of everything after it) + u8 version + u8 type. */
export const FRAME_LENGTH_BYTES = 4;
export const FRAME_HEADER_BYTES = FRAME_LENGTH_BYTES + 2;

/**
 * Largest frame, header included. Room for one fixed-size onion packet (2 KiB payload
 * class, as Nym's Sphinx packets) plus headers, and for the largest control message
 * (a shuffle of PEER_ENTRIES_MAX entries of ~90 bytes ≈ 2.9 KiB). 8 KiB keeps a single
 * hostile frame cheap to buffer.
 */
export const FRAME_MAX_BYTES = 8 * 1024;

/**
 * Frames sent at once are carved from shared slabs of this size (codec.ts
 * encodeTransientMessage), those up to FRAME_SLAB_CARVE_MAX: pings, IHAVEs, shuffles. Node's
 * Buffer pool uses 8 KiB; a held frame pins at most one slab.
 */
export const FRAME_SLAB_BYTES = 16 * 1024;
export const FRAME_SLAB_CARVE_MAX = 1024;

export const NODE_ID_BYTES = 20;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Link-hello challenge nonce: 128 bits, never repeats by chance. */
export const HELLO_NONCE_BYTES = 16;

/** "host:port" in ASCII. The longest IPv6 literal with port is 47 chars; DNS names fit in 64. */
export const ADDRESS_MAX_BYTES = 64;

/**
 * Most peer entries in one message (shuffle, shuffle reply, leave suggestions). HyParView
 * shuffles k_a + k_p + 1 = 8 entries; 32 leaves room for larger test configs.
 */
export const PEER_ENTRIES_MAX = 32;

/** Largest random-walk TTL on the wire (HyParView's ARWL is 6). */
export const TTL_MAX = 16;

/** Timestamps are u48 milliseconds since the epoch: exact in a JS number, good to year 10889. */
export const TIMESTAMP_BYTES = 6;
export const TIMESTAMP_MAX = 2 ** 48 - 1;

/** A broadcast ID: 128 bits, unique by construction (a hash of origin, kind and body). */
export const BROADCAST_ID_BYTES = 16;
/**
 * Hop limit of a broadcast. A 10^5-node overlay of degree ≥ 4 has a diameter near
 * log_3(10^5) ≈ 11; 32 leaves room for the longer paths of a tree under repair.
 */
export const BROADCAST_HOPS_MAX = 32;
/** A broadcast body: a descriptor (~240 bytes) or a revocation, with room to grow. */
export const BROADCAST_BODY_MAX = 1024;
/** Broadcast IDs announced in one IHAVE (Plumtree's lazy push, batched). */
export const IHAVE_IDS_MAX = 64;
/** A signed descriptor or revocation, encoded (the largest descriptor is 206 bytes). */
export const DESCRIPTOR_MAX_BYTES = 300;
/** Descriptors in one directory-sync chunk: 24 × (2 + 300) bytes fits in one frame. */
export const DIRECTORY_CHUNK_MAX = 24;
/**
 * A directory-sync digest's Bloom filter (directory/digest.ts): 4 KiB holds ~3,300 records
 * at ~1% false positives; larger directories are covered a slice per request.
 */
export const DIRECTORY_DIGEST_MAX_BYTES = 4096;
/**
 * Distinct node IDs and addresses the decoder keeps interned (codec.ts `intern`): past it
 * the table starts over, which loses sharing, never a value. 2^18 covers the IDs and
 * addresses of a 100,000-node simulation; strings of ≤ 64 bytes, so ≤ ~25 MB in a daemon
 * fed distinct IDs on purpose.
 */
export const INTERNED_STRINGS_MAX = 1 << 18;
