import { createHash } from 'node:crypto';
import { FcError } from '../model/index.js';
import { canonicalResource, type HeaderBag, parseAuthorization, sign, signaturesEqual } from './signature.js';

export interface AccessKey {
  secret: string;
  /** Epoch ms after which the key is refused (temporary credentials). */
  expiresAt?: number;
  /** Temporary keys must come with their token in `x-fc-security-token`. */
  securityToken?: string;
  /** Temporary keys handed to a function may only read and invoke in that function's service (authorize.ts). */
  serviceName?: string;
}

/** Access keys the server accepts: the root pair, plus temporary ones handed to instances and calls. */
export class KeyRing {
  readonly #keys = new Map<string, AccessKey>();
  #addsSincePurge = 0;

  add(accessKeyId: string, key: AccessKey): void {
    this.#keys.set(accessKeyId, key);
    if (++this.#addsSincePurge >= 1000) this.#purgeExpired();
  }

  remove(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }

  get(accessKeyId: string, now = Date.now()): AccessKey | undefined {
    const key = this.#keys.get(accessKeyId);
    if (key?.expiresAt !== undefined && key.expiresAt <= now) {
      this.#keys.delete(accessKeyId);
      return undefined;
    }
    return key;
  }

  #purgeExpired(): void {
    this.#addsSincePurge = 0;
    const now = Date.now();
    for (const [id, key] of this.#keys)
      if (key.expiresAt !== undefined && key.expiresAt <= now) this.#keys.delete(id);
  }
}

export interface SignedRequest {
  method: string;
  /** The raw request target, path and query, as received. */
  url: string;
  headers: HeaderBag;
}

export interface VerifyOptions {
  /**
   * The resource paths the signature may cover. Default: the decoded path only, which is exactly what the
   * router matched (the raw target was checked by `checkRequestTarget`). The HTTP gateway also accepts the
   * raw path, since clients sign a function's own path either way.
   */
  paths?: readonly string[];
  now?: number;
}

/** FC refuses a signed request whose date is further than this from its clock (replays, wrong clocks). */
export const SIGNATURE_MAX_SKEW_MS = 15 * 60_000;

/** Verifies `Authorization: FC ak:sig` (FC_API.md §2); throws the FC error the caller should see. */
export function verifyFcSignature(
  request: SignedRequest,
  keys: KeyRing,
  options: VerifyOptions = {},
): AccessKey {
  const header = request.headers.authorization;
  const auth = parseAuthorization(Array.isArray(header) ? header[0] : header);
  if (!auth) {
    throw new FcError('MissingRequiredHeader', 'required HTTP header Authorization was not specified');
  }
  const now = options.now ?? Date.now();
  const key = keys.get(auth.accessKeyId, now);
  if (key === undefined) {
    throw new FcError('InvalidAccessKeyID', `invalid access key ID '${auth.accessKeyId}'.`);
  }
  const [rawPath = '/', rawQuery] = request.url.split('?', 2);
  const isProxy = rawPath.includes('/proxy/');
  // Only proxy paths sign their query (canonicalResource).
  const query = isProxy ? new URLSearchParams(rawQuery ?? '') : undefined;
  const paths = options.paths ?? [rawPath.includes('%') ? safeDecode(rawPath) : rawPath];
  const matches = paths.some((path) =>
    signaturesEqual(
      sign(key.secret, request.method, request.headers, canonicalResource(path, query, isProxy)),
      auth.signature,
    ),
  );
  if (!matches) {
    throw new FcError(
      'SignatureNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
    );
  }
  checkSignedDate(request.headers, now);
  checkSecurityToken(key, request);
  return key;
}

/** The signed `x-fc-date` (or else `Date`) must be within {@link SIGNATURE_MAX_SKEW_MS} of the server clock. */
function checkSignedDate(headers: HeaderBag, now: number): void {
  const value = firstHeader(headers, 'x-fc-date') ?? firstHeader(headers, 'date');
  if (value === undefined || value === '') {
    throw new FcError('MissingRequiredHeader', 'required HTTP header Date was not specified');
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new FcError('InvalidArgument', `the Date header '${value}' is not a date`);
  if (Math.abs(now - time) > SIGNATURE_MAX_SKEW_MS) {
    throw new FcError(
      'RequestTimeTooSkewed',
      `the request date ${new Date(time).toISOString()} is more than ${SIGNATURE_MAX_SKEW_MS / 60_000} minutes from the server time ${new Date(now).toISOString()}`,
    );
  }
}

function checkSecurityToken(key: AccessKey, request: SignedRequest): void {
  const token = request.headers['x-fc-security-token'];
  if (key.securityToken !== undefined && token !== key.securityToken) {
    throw new FcError(
      'AccessDenied',
      'temporary credentials need their security token in x-fc-security-token',
    );
  }
}

/**
 * A `Content-MD5` header, when sent, must be the body's: the signature covers the header, so this is what
 * binds the body to the signature. FC's SDKs send base64 of the hex digest; RFC 1864's base64 of the raw
 * digest is accepted too.
 */
export function checkContentMd5(headers: HeaderBag, body: Buffer): void {
  const given = firstHeader(headers, 'content-md5');
  if (given === undefined) return;
  const digest = createHash('md5').update(body).digest();
  const accepted = [Buffer.from(digest.toString('hex')).toString('base64'), digest.toString('base64')];
  if (!accepted.some((expected) => signaturesEqual(expected, given.trim()))) {
    throw new FcError('InvalidArgument', 'the Content-MD5 header does not match the request body');
  }
}

function firstHeader(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
