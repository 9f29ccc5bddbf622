/**
 * What went wrong with an image: `invalid` reference, `not-found` (repository or tag), `unauthorized`,
 * `unreachable` registry (refused, DNS, TLS, timeout), `too-large`, `unsupported` (platform, format), or
 * `failed` (anything else while pulling or unpacking).
 */
export type ImageErrorKind =
  | 'invalid'
  | 'not-found'
  | 'unauthorized'
  | 'unreachable'
  | 'too-large'
  | 'unsupported'
  | 'failed';

/** Raised by the image pipeline; the message names the image and says what to do. */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly kind: ImageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the registry could not be asked at all (so nothing is known about the image yet). */
  get isUnreachable(): boolean {
    return this.kind === 'unreachable';
  }
}
