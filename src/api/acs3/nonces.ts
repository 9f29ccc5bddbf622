import { FcError } from '../../model/index.js';

/**
 * Signature nonces seen while their request's date is still acceptable: a replayed request (same key and
 * nonce) is refused. Bounded: expired nonces are dropped first. When the window is still full, the oldest
 * nonce of a temporary key (a function's) makes room, so a hostile function flooding signed requests
 * cannot lock the account's own key out; a full window of the account key's nonces refuses new requests
 * (throttled) rather than forgetting one early, which would allow its replay.
 */
export class NonceWindow {
  /** Nonces of the account's keys: never forgotten before they expire. */
  readonly #kept = new Map<string, number>();
  /** Nonces of temporary keys, oldest first: the first to go when the window is full. */
  readonly #evictable = new Map<string, number>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  get size(): number {
    return this.#kept.size + this.#evictable.size;
  }

  /** Records `nonce` until `expiresAt` (epoch ms); throws if it is still recorded. */
  claim(nonce: string, expiresAt: number, now = Date.now(), temporary = false): void {
    const seen = this.#kept.get(nonce) ?? this.#evictable.get(nonce);
    if (seen !== undefined && seen > now) {
      throw new FcError('SignatureNonceUsed', 'the x-acs-signature-nonce of this request was already used');
    }
    if (this.size >= this.#max) this.#purge(now);
    if (this.size >= this.#max) {
      const oldest = this.#evictable.keys().next();
      if (oldest.done) {
        throw new FcError(
          'ResourceThrottled',
          'too many signed requests within the signature window; retry in a few seconds',
        );
      }
      this.#evictable.delete(oldest.value);
    }
    (temporary ? this.#evictable : this.#kept).set(nonce, expiresAt);
  }

  #purge(now: number): void {
    for (const map of [this.#kept, this.#evictable]) {
      for (const [nonce, expiresAt] of map) if (expiresAt <= now) map.delete(nonce);
    }
  }
}
