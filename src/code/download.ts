import { createHmac, timingSafeEqual } from 'node:crypto';
import { FcError } from '../model/errors.js';

/** How long a code download URL stays valid. */
export const DOWNLOAD_TTL_SECONDS = 30 * 60;

/** A time-limited grant to download one code package, carried in the URL (`expires`, `signature`). */
export interface DownloadGrant {
  expires: number;
  signature: string;
}

/**
 * Signs and checks code-package download grants with the server's secret, so a download URL needs no other
 * authentication and works for anyone holding it until it expires (as FC's OSS URLs do).
 */
export class CodeDownloads {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  grant(sha256: string, now = Date.now()): DownloadGrant {
    const expires = Math.floor(now / 1000) + DOWNLOAD_TTL_SECONDS;
    return { expires, signature: this.#sign(sha256, expires) };
  }

  /** Throws AccessDenied unless the grant was made for this package and has not expired. */
  check(sha256: string | undefined, expires: number, signature: string, now = Date.now()): void {
    if (!sha256 || !Number.isInteger(expires) || !equal(this.#sign(sha256, expires), signature)) {
      throw new FcError('AccessDenied', 'the code download URL is invalid');
    }
    if (expires < now / 1000) throw new FcError('AccessDenied', 'the code download URL has expired');
  }

  #sign(sha256: string, expires: number): string {
    return createHmac('sha256', this.#secret)
      .update(`code-package\n${sha256}\n${expires}`)
      .digest('base64url');
  }
}

function equal(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
