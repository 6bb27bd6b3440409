/**
 * Noise_XX_25519_ChaChaPoly_SHA256, as specified by the Noise Protocol Framework, revision 34
 * (https://noiseprotocol.org/noise.html). The link handshake of DESIGN.md §3 "Links".
 *
 * Theory of operation. The spec's three objects, in its words and order (§5):
 * - `CipherState` (§5.1) holds a key `k` and a 64-bit counter `n`; the ChaCha20-Poly1305
 *   nonce is 32 zero bits followed by `n` little-endian (§12.3).
 * - `SymmetricState` (§5.2) holds the chaining key `ck` and handshake hash `h`; MixKey,
 *   MixHash, EncryptAndHash, DecryptAndHash, Split. HKDF is the spec's own (§4.3): HMAC-SHA256
 *   chained with the bytes 0x01 and 0x02, which is RFC 5869 with `ck` as salt and no info.
 * - `NoiseHandshake` (§5.3) runs the XX pattern (§7.5):
 *       -> e
 *       <- e, ee, s, es
 *       -> s, se
 *   and `finish()` splits into two transport `CipherState`s.
 *
 * Rules:
 * 1. Pure: built only on the injected `CryptoSuite` (x25519, AEAD, SHA-256, HMAC-SHA256) and an
 *    injected source of 32-byte ephemeral secrets, so tests fix the ephemerals (vectors).
 * 2. Remote bytes never throw (STYLE.md #7): `readMessage` and `CipherState.decrypt` return a
 *    `NoiseResult` whose error names the failure (bad length, bad MAC, low-order key, out of
 *    order, too large). The first failure is final: every later call returns it again.
 * 3. Our own misuse throws `NoiseUsageError`: a key of the wrong length, writing when it is the
 *    peer's turn, a payload over the 65535-byte message limit (§3), finishing early.
 * 4. Secrets are wiped when done (STYLE.md #16): DH outputs and HKDF temporaries at once, the
 *    ephemeral secrets and the chaining key when the handshake finishes or fails; transport
 *    keys by `CipherState.destroy()`. The caller's static secret is the caller's to wipe.
 * 5. `n` is a JavaScript number; the spec reserves 2^64 − 1, we stop at 2^53 − 1 (a link
 *    would need ~285 years at a million messages a second to get there). Rekey is not used.
 */
import {
  AEAD_TAG_BYTES,
  type CryptoSuite,
  HASH_BYTES,
  X25519_KEY_BYTES,
} from '../../engine/crypto/suite.js';

export const NOISE_PROTOCOL_NAME = 'Noise_XX_25519_ChaChaPoly_SHA256';
/** Every Noise message, handshake or transport, is at most 65535 bytes (§3). */
export const NOISE_MESSAGE_MAX_BYTES = 65535;
export const NOISE_TAG_BYTES = AEAD_TAG_BYTES;
export const NOISE_DH_BYTES = X25519_KEY_BYTES;
/** The largest plaintext one transport message can carry. */
export const NOISE_PLAINTEXT_MAX_BYTES = NOISE_MESSAGE_MAX_BYTES - NOISE_TAG_BYTES;
/** Rule 5: the last nonce we use. */
const NONCE_MAX = Number.MAX_SAFE_INTEGER;

export type NoiseErrorKind =
  /** A message shorter than its pattern needs, or longer than the limit. */
  | 'bad-length'
  /** The AEAD tag did not verify (tampered, wrong key, wrong prologue, wrong order). */
  | 'bad-mac'
  /** A peer's public key gave an all-zero X25519 result (RFC 7748 §6.1). */
  | 'bad-key'
  /** A message arrived when the handshake expected to write, or after it finished. */
  | 'out-of-order'
  /** The counter reached its end (Rule 5). */
  | 'nonce-exhausted';

export interface NoiseError {
  kind: NoiseErrorKind;
  detail: string;
}

export type NoiseResult<T> = { ok: true; value: T } | { ok: false; error: NoiseError };

/** Local misuse of this module (Rule 3): a bug in our code. */
export class NoiseUsageError extends Error {
  override name = 'NoiseUsageError';
}

const EMPTY = new Uint8Array(0);
const BYTE_1 = Uint8Array.of(1);

const ok = <T>(value: T): NoiseResult<T> => ({ ok: true, value });
const fail = <T>(kind: NoiseErrorKind, detail: string): NoiseResult<T> => ({
  ok: false,
  error: { kind, detail },
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function checkKey(what: string, key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== X25519_KEY_BYTES) {
    throw new NoiseUsageError(`${what}: expected ${X25519_KEY_BYTES} bytes`);
  }
}

/** §4.3 HKDF with two outputs; the temporary key and block input are wiped. */
function hkdf2(suite: CryptoSuite, ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const tempKey = suite.hmacSha256(ck, ikm);
  const out1 = suite.hmacSha256(tempKey, BYTE_1);
  const block = new Uint8Array(HASH_BYTES + 1);
  block.set(out1, 0);
  block[HASH_BYTES] = 2;
  const out2 = suite.hmacSha256(tempKey, block);
  tempKey.fill(0);
  block.fill(0);
  return [out1, out2];
}

/** §5.1. A key (or none yet) and a counter. */
export class CipherState {
  private k: Uint8Array | null = null;
  private n = 0;
  private readonly nonce = new Uint8Array(12);
  private readonly nonceView = new DataView(this.nonce.buffer);

  constructor(private readonly suite: CryptoSuite) {}

  /** Takes ownership of `key` (it is wiped by `destroy`). */
  initializeKey(key: Uint8Array | null): void {
    this.k?.fill(0);
    this.k = key;
    this.n = 0;
  }

  hasKey(): boolean {
    return this.k !== null;
  }

  /** The counter the next message will use (for tests and stats). */
  get counter(): number {
    return this.n;
  }

  private nonceFor(n: number): Uint8Array {
    // 32 zero bits, then n as 64-bit little-endian (§12.3).
    this.nonceView.setUint32(4, n >>> 0, true);
    this.nonceView.setUint32(8, Math.floor(n / 0x1_0000_0000), true);
    return this.nonce;
  }

  /** EncryptWithAd; with no key, the plaintext itself (a copy). */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === null) return plaintext.slice();
    if (this.n >= NONCE_MAX) throw new NoiseUsageError('nonce exhausted: the link must end');
    const sealed = this.suite.aeadSeal(this.k, this.nonceFor(this.n), plaintext, ad);
    this.n++;
    return sealed;
  }

  /** DecryptWithAd; the counter advances only when the tag verifies (§5.1). */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): NoiseResult<Uint8Array> {
    if (this.k === null) return ok(ciphertext.slice());
    if (this.n >= NONCE_MAX) return fail('nonce-exhausted', 'receive counter exhausted');
    if (ciphertext.length < NOISE_TAG_BYTES) {
      return fail('bad-length', `ciphertext of ${ciphertext.length} bytes is shorter than a tag`);
    }
    const plaintext = this.suite.aeadOpen(this.k, this.nonceFor(this.n), ciphertext, ad);
    if (plaintext === null) return fail('bad-mac', `tag did not verify at nonce ${this.n}`);
    this.n++;
    return ok(plaintext);
  }

  /** A transport message: `plaintext` sealed with no associated data. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    if (this.k === null) throw new NoiseUsageError('encrypt: no key');
    if (plaintext.length > NOISE_PLAINTEXT_MAX_BYTES) {
      throw new NoiseUsageError(`encrypt: ${plaintext.length} bytes is over the message limit`);
    }
    return this.encryptWithAd(EMPTY, plaintext);
  }

  /** A transport message from the peer: its plaintext, or why not. */
  decrypt(ciphertext: Uint8Array): NoiseResult<Uint8Array> {
    if (this.k === null) throw new NoiseUsageError('decrypt: no key');
    if (ciphertext.length > NOISE_MESSAGE_MAX_BYTES) {
      return fail('bad-length', `message of ${ciphertext.length} bytes is over the limit`);
    }
    return this.decryptWithAd(EMPTY, ciphertext);
  }

  /** Wipes the key; the state is unusable afterwards. */
  destroy(): void {
    this.k?.fill(0);
    this.k = null;
  }
}

/** §5.2. */
class SymmetricState {
  readonly cipher: CipherState;
  ck: Uint8Array;
  h: Uint8Array;

  constructor(
    private readonly suite: CryptoSuite,
    protocolName: string,
  ) {
    this.cipher = new CipherState(suite);
    const name = new TextEncoder().encode(protocolName);
    // A name of at most HASHLEN bytes is zero-padded, a longer one hashed (§5.2).
    if (name.length <= HASH_BYTES) {
      this.h = new Uint8Array(HASH_BYTES);
      this.h.set(name);
    } else {
      this.h = suite.sha256(name);
    }
    this.ck = this.h.slice();
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf2(this.suite, this.ck, ikm);
    this.ck.fill(0);
    this.ck = ck;
    this.cipher.initializeKey(tempK); // HASHLEN is 32, so no truncation is needed
  }

  mixHash(data: Uint8Array): void {
    this.h = this.suite.sha256(concat(this.h, data));
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decryptAndHash(ciphertext: Uint8Array): NoiseResult<Uint8Array> {
    const result = this.cipher.decryptWithAd(this.h, ciphertext);
    if (result.ok) this.mixHash(ciphertext);
    return result;
  }

  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.suite, this.ck, EMPTY);
    const c1 = new CipherState(this.suite);
    const c2 = new CipherState(this.suite);
    c1.initializeKey(k1);
    c2.initializeKey(k2);
    return [c1, c2];
  }

  destroy(): void {
    this.ck.fill(0);
    this.cipher.destroy();
  }
}

export interface NoiseHandshakeOptions {
  suite: CryptoSuite;
  initiator: boolean;
  /** Our static X25519 secret (the node's DH key); not wiped by this module. */
  staticSecret: Uint8Array;
  /** Its public key; derived from the secret when absent. */
  staticPublic?: Uint8Array;
  /** Both sides must give the same prologue or the handshake fails (§6). */
  prologue?: Uint8Array;
  /** A fresh 32-byte X25519 secret per call; the handshake takes ownership and wipes it. */
  ephemeralSecret: () => Uint8Array;
}

/** What a finished handshake hands over. */
export interface NoiseSession {
  /** Encrypts what we send. */
  send: CipherState;
  /** Decrypts what we receive. */
  receive: CipherState;
  /** The peer's proven static public key. */
  remoteStaticKey: Uint8Array;
  /** The final handshake hash `h` (channel binding, §11.2). */
  handshakeHash: Uint8Array;
}

type Token = 'e' | 's' | 'ee' | 'es' | 'se';

/** §7.5: XX. Message i is written by the initiator when i is even. */
const XX: readonly (readonly Token[])[] = [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']];

/** The HandshakeState of §5.3, fixed to the XX pattern. */
export class NoiseHandshake {
  private readonly suite: CryptoSuite;
  private readonly initiator: boolean;
  private readonly ss: SymmetricState;
  private readonly s: Uint8Array;
  private readonly sPub: Uint8Array;
  private readonly newEphemeral: () => Uint8Array;
  private e: Uint8Array | null = null;
  private ePub: Uint8Array | null = null;
  private re: Uint8Array | null = null;
  private rs: Uint8Array | null = null;
  /** Index into XX of the next message. */
  private step = 0;
  private error: NoiseError | null = null;
  private finished = false;

  constructor(options: NoiseHandshakeOptions) {
    checkKey('static secret', options.staticSecret);
    this.suite = options.suite;
    this.initiator = options.initiator;
    this.s = options.staticSecret;
    this.sPub = options.staticPublic ?? options.suite.x25519PublicKey(options.staticSecret);
    checkKey('static public key', this.sPub);
    this.newEphemeral = options.ephemeralSecret;
    this.ss = new SymmetricState(options.suite, NOISE_PROTOCOL_NAME);
    this.ss.mixHash(options.prologue ?? EMPTY);
  }

  /** True once all three messages are through and `finish()` may be called. */
  get complete(): boolean {
    return this.step === XX.length && this.error === null;
  }

  /** The failure that ended this handshake, if any. */
  get failure(): NoiseError | null {
    return this.error;
  }

  /** True when the next message is ours to write. */
  get ourTurn(): boolean {
    return this.step < XX.length && this.step % 2 === (this.initiator ? 0 : 1);
  }

  /** The peer's static key, once its `s` token was read (message 2 or 3). */
  get remoteStaticKey(): Uint8Array | null {
    return this.rs;
  }

  /**
   * The next handshake message, carrying `payload` (encrypted once a key exists). It fails
   * (final) only when a DH meets a low-order key the peer sent earlier: remote input.
   */
  writeMessage(payload: Uint8Array = EMPTY): NoiseResult<Uint8Array> {
    if (this.error !== null) return { ok: false, error: this.error };
    if (!this.ourTurn) throw new NoiseUsageError(`write out of turn at message ${this.step}`);
    const parts: Uint8Array[] = [];
    for (const token of XX[this.step] as readonly Token[]) {
      if (token === 'e') {
        const e = this.newEphemeral();
        checkKey('ephemeral secret', e);
        this.e = e;
        this.ePub = this.suite.x25519PublicKey(e);
        parts.push(this.ePub);
        this.ss.mixHash(this.ePub);
      } else if (token === 's') {
        parts.push(this.ss.encryptAndHash(this.sPub));
      } else {
        const dh = this.dhFor(token);
        if (!dh.ok) return this.fatal(dh.error.kind, dh.error.detail);
      }
    }
    parts.push(this.ss.encryptAndHash(payload));
    const message = parts.reduce(concat, EMPTY);
    if (message.length > NOISE_MESSAGE_MAX_BYTES) {
      throw new NoiseUsageError(`handshake message of ${message.length} bytes is over the limit`);
    }
    this.step++;
    this.wipeIfDone();
    return ok(message);
  }

  /** Reads the peer's next handshake message: its payload, or why not (final). */
  readMessage(message: Uint8Array): NoiseResult<Uint8Array> {
    if (this.error !== null) return { ok: false, error: this.error };
    if (this.step >= XX.length || this.ourTurn) {
      return this.fatal('out-of-order', `unexpected message at step ${this.step}`);
    }
    if (message.length > NOISE_MESSAGE_MAX_BYTES) {
      return this.fatal('bad-length', `message of ${message.length} bytes is over the limit`);
    }
    let offset = 0;
    for (const token of XX[this.step] as readonly Token[]) {
      if (token === 'e') {
        if (message.length - offset < NOISE_DH_BYTES) return this.fatal('bad-length', 'short e');
        this.re = message.slice(offset, offset + NOISE_DH_BYTES);
        offset += NOISE_DH_BYTES;
        this.ss.mixHash(this.re);
      } else if (token === 's') {
        const size = NOISE_DH_BYTES + (this.ss.cipher.hasKey() ? NOISE_TAG_BYTES : 0);
        if (message.length - offset < size) return this.fatal('bad-length', 'short s');
        const rs = this.ss.decryptAndHash(message.subarray(offset, offset + size));
        if (!rs.ok) return this.fatal(rs.error.kind, `static key: ${rs.error.detail}`);
        this.rs = rs.value;
        offset += size;
      } else {
        const dh = this.dhFor(token);
        if (!dh.ok) return this.fatal(dh.error.kind, dh.error.detail);
      }
    }
    const payload = this.ss.decryptAndHash(message.subarray(offset));
    if (!payload.ok) return this.fatal(payload.error.kind, `payload: ${payload.error.detail}`);
    this.step++;
    this.wipeIfDone();
    return payload;
  }

  /** Split (§5.2) after the last message: the transport states. Callable once. */
  finish(): NoiseSession {
    if (!this.complete || this.finished)
      throw new NoiseUsageError('finish: handshake not complete');
    this.finished = true;
    const [c1, c2] = this.ss.split();
    const handshakeHash = this.ss.h.slice();
    this.ss.destroy();
    const remoteStaticKey = this.rs as Uint8Array;
    return this.initiator
      ? { send: c1, receive: c2, remoteStaticKey, handshakeHash }
      : { send: c2, receive: c1, remoteStaticKey, handshakeHash };
  }

  /** Wipes every secret this handshake holds; safe to call at any time, more than once. */
  destroy(): void {
    this.e?.fill(0);
    this.e = null;
    this.ss.destroy();
  }

  /** The DH of an `ee`/`es`/`se` token, mixed into the key; the DH output is wiped. */
  private dhFor(token: 'ee' | 'es' | 'se'): NoiseResult<null> {
    // es: DH(initiator's e, responder's s); se: DH(initiator's s, responder's e).
    const useEphemeral = token === 'ee' || (token === 'es') === this.initiator;
    const remoteEphemeral = token === 'ee' || (token === 'se') === this.initiator;
    const local = useEphemeral ? this.e : this.s;
    const remote = remoteEphemeral ? this.re : this.rs;
    if (local === null || remote === null) throw new Error(`noise bug: ${token} without keys`);
    const shared = this.suite.x25519(local, remote);
    if (shared === null) return fail('bad-key', `${token}: low-order public key`);
    this.ss.mixKey(shared);
    shared.fill(0);
    return ok(null);
  }

  private wipeIfDone(): void {
    if (this.step === XX.length) {
      this.e?.fill(0);
      this.e = null;
    }
  }

  private fatal<T>(kind: NoiseErrorKind, detail: string): NoiseResult<T> {
    this.error = { kind, detail };
    this.destroy();
    return { ok: false, error: this.error };
  }
}
