import { timingSafeEqual } from 'node:crypto';
import { FcError } from '../../model/index.js';
import { type AccessKey, type KeyRing, SIGNATURE_MAX_SKEW_MS } from '../auth.js';
import type { NonceWindow } from './nonces.js';
import { ACS3_ALGORITHM, type Acs3Headers, acs3Signature, canonicalRequest, sha256Hex } from './sign.js';

export interface Acs3Request {
  method: string;
  /** The request target as received: percent-encoded path and query. */
  url: string;
  /** Header values by lowercase name; a repeated header as several values (see {@link headersFromRaw}). */
  headers: Acs3Headers;
}

export interface Acs3VerifyOptions {
  now?: number;
  /** Refuses a nonce seen before within the date window; omitted, replays are not checked. */
  nonces?: NonceWindow;
}

/** Headers every FC 3.0 signature must cover: without them a signature could be replayed or moved. */
const REQUIRED_SIGNED = ['host', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-signature-nonce'];

/** Node's `rawHeaders` as lowercase name → every value, so a repeated header is signed as the SDK signs it. */
export function headersFromRaw(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const values = headers[name] ?? [];
    values.push(rawHeaders[i + 1] as string);
    headers[name] = values;
  }
  return headers;
}

/**
 * Verifies `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` over the request's
 * method, path, query and signed headers (the body is bound by {@link checkContentSha256} once read).
 * Throws the FC error the caller should see; returns the key that signed.
 */
export function verifyAcs3Signature(
  request: Acs3Request,
  keys: KeyRing,
  options: Acs3VerifyOptions = {},
): AccessKey & { accessKeyId: string } {
  const auth = parseAcs3Authorization(first(request.headers, 'authorization'));
  const now = options.now ?? Date.now();
  const key = keys.get(auth.accessKeyId, now);
  if (key === undefined) {
    throw new FcError('InvalidAccessKeyID', `invalid access key ID '${auth.accessKeyId}'.`);
  }
  const signed = new Set(auth.signedHeaders);
  for (const name of Object.keys(request.headers)) {
    const lower = name.toLowerCase();
    if ((lower.startsWith('x-acs-') || lower === 'content-type') && !signed.has(lower)) {
      throw unsigned(lower);
    }
  }
  for (const name of REQUIRED_SIGNED) {
    if (!signed.has(name)) throw unsigned(name);
    if (first(request.headers, name) === undefined) {
      throw new FcError('MissingRequiredHeader', `required HTTP header ${name} was not specified`);
    }
  }
  const [path = '/', rawQuery = ''] = request.url.split('?', 2);
  const canonical = canonicalRequest({
    method: request.method,
    path,
    query: parseQuery(rawQuery),
    headers: request.headers,
    signedHeaders: [...auth.signedHeaders].sort(),
    payloadHash: first(request.headers, 'x-acs-content-sha256') ?? '',
  });
  if (!hexEqual(acs3Signature(key.secret, canonical), auth.signature)) {
    throw new FcError(
      'SignatureNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
    );
  }
  const date = checkAcsDate(first(request.headers, 'x-acs-date') ?? '', now);
  if (
    key.securityToken !== undefined &&
    first(request.headers, 'x-acs-security-token') !== key.securityToken
  ) {
    throw new FcError(
      'AccessDenied',
      'temporary credentials need their security token in x-acs-security-token',
    );
  }
  options.nonces?.claim(
    `${auth.accessKeyId}\n${first(request.headers, 'x-acs-signature-nonce')}`,
    date + SIGNATURE_MAX_SKEW_MS,
    now,
    key.expiresAt !== undefined,
  );
  return { ...key, accessKeyId: auth.accessKeyId };
}

/** The body must be the one the signature covers (`x-acs-content-sha256` is signed). */
export function checkContentSha256(headers: Acs3Headers, body: Buffer): void {
  const given = first(headers, 'x-acs-content-sha256') ?? '';
  if (!hexEqual(sha256Hex(body), given.toLowerCase())) {
    throw new FcError('InvalidArgument', 'the x-acs-content-sha256 header does not match the request body');
  }
}

interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

function parseAcs3Authorization(header: string | undefined): Acs3Authorization {
  if (header === undefined || header === '') {
    throw new FcError('MissingRequiredHeader', 'required HTTP header Authorization was not specified');
  }
  const prefix = `${ACS3_ALGORITHM} `;
  if (!header.startsWith(prefix)) {
    throw new FcError(
      'InvalidArgument',
      `the /2023-03-30 API takes ${ACS3_ALGORITHM} signatures only (FC 2.0's 'FC ak:sig' is for /2016-08-15)`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const accessKeyId = fields.get('Credential') ?? '';
  const signature = fields.get('Signature') ?? '';
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter((h) => h !== '');
  if (accessKeyId === '' || signature === '' || signedHeaders.length === 0) {
    throw new FcError(
      'InvalidArgument',
      'the Authorization header must read ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>',
    );
  }
  return { accessKeyId, signedHeaders: signedHeaders.map((h) => h.toLowerCase()), signature };
}

/** `x-acs-date` must be ISO-8601 UTC within {@link SIGNATURE_MAX_SKEW_MS} of the server clock. */
function checkAcsDate(value: string, now: number): number {
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new FcError(
      'InvalidArgument',
      `x-acs-date '${value}' is not a UTC time such as 2026-12-01T04:00:00Z`,
    );
  }
  if (Math.abs(now - time) > SIGNATURE_MAX_SKEW_MS) {
    throw new FcError(
      'RequestTimeTooSkewed',
      `the request date ${new Date(time).toISOString()} is more than ${SIGNATURE_MAX_SKEW_MS / 60_000} minutes from the server time ${new Date(now).toISOString()}`,
    );
  }
  return time;
}

function parseQuery(raw: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) query[key] = [...(query[key] ?? []), value];
  return query;
}

function first(headers: Acs3Headers, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

const unsigned = (name: string) =>
  new FcError('InvalidArgument', `the header ${name} must be listed in the signature's SignedHeaders`);

function hexEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
