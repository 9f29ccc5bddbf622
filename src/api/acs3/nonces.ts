import { FcError } from '../../model/index.js';

/**
 * Signature nonces seen while their request's date is still acceptable: a replayed request (same key and
 * nonce) is refused. Bounded: expired nonces are dropped, and when the window is full new requests are
 * refused (throttled) rather than letting an old nonce go early, which would allow its replay.
 */
export class NonceWindow {
  readonly #expiries = new Map<string, number>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  get size(): number {
    return this.#expiries.size;
  }

  /** Records `nonce` until `expiresAt` (epoch ms); throws if it is still recorded. */
  claim(nonce: string, expiresAt: number, now = Date.now()): void {
    const seen = this.#expiries.get(nonce);
    if (seen !== undefined && seen > now) {
      throw new FcError('SignatureNonceUsed', 'the x-acs-signature-nonce of this request was already used');
    }
    if (this.#expiries.size >= this.#max) this.#purge(now);
    if (this.#expiries.size >= this.#max) {
      throw new FcError(
        'ResourceThrottled',
        'too many signed requests within the signature window; retry in a few seconds',
      );
    }
    this.#expiries.set(nonce, expiresAt);
  }

  #purge(now: number): void {
    for (const [nonce, expiresAt] of this.#expiries) if (expiresAt <= now) this.#expiries.delete(nonce);
  }
}
