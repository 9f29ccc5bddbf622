import { createHash, createHmac, randomUUID } from 'node:crypto';

/**
 * Alibaba Cloud's V3 request signature (`ACS3-HMAC-SHA256`), as `@alicloud/openapi-core` computes it for
 * every FC 3.0 call (`Utils.getAuthorization`): one implementation for Kumo's verifier and for clients
 * (`kumo deploy` signs FC 3.0 calls with {@link signAcs3Request}).
 */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Header values as a client sets them or as Node parsed them (a repeated header: several values). */
export type Acs3Headers = Record<string, string | readonly string[] | undefined>;

export interface CanonicalRequestInput {
  method: string;
  /** The path as sent on the wire (percent-encoded), without the query. */
  path: string;
  /** Decoded query parameters; a repeated one as several values. */
  query: Record<string, string | readonly string[] | undefined>;
  headers: Acs3Headers;
  /** The lowercase names of the signed headers, sorted. */
  signedHeaders: readonly string[];
  /** hex(SHA-256(body)), the `x-acs-content-sha256` header. */
  payloadHash: string;
}

/** Which headers a signer signs: `host`, `content-type` and every `x-acs-*` header. */
export function isSignedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'host' || lower === 'content-type' || lower.startsWith('x-acs-');
}

/** RFC 3986 encoding as the SDK applies it to query values. */
export function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The path as the signature covers it (the SDK's `+`/`*`/`%7E` normalisation). */
export function canonicalUri(path: string): string {
  return (path || '/').replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

function canonicalQuery(query: CanonicalRequestInput['query']): string {
  const pairs: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : [...value].sort();
    for (const v of values) pairs.push(`${key}=${acsEncode(v)}`);
  }
  return pairs.join('&');
}

/** All values of a header (any casing of its name), trimmed. */
function headerValues(headers: Acs3Headers, lowerName: string): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== lowerName || value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) values.push(v.trim());
  }
  return values;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  const headerLines = input.signedHeaders
    .map((name) => `${name}:${headerValues(input.headers, name).sort().join(',')}\n`)
    .join('');
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    headerLines,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

export function acs3Signature(secret: string, canonical: string): string {
  return createHmac('sha256', secret).update(stringToSign(canonical)).digest('hex');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `20xx-xx-xxTxx:xx:xxZ`, the form of `x-acs-date`. */
export function acsTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export interface SignAcs3Input {
  method: string;
  /** The path as it will be sent (percent-encoded), e.g. `/2023-03-30/functions/s%24f`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Headers the request will carry; `host` (with the port when not the default) is required. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
  accessKeyId: string;
  accessKeySecret: string;
  /** A temporary key's token (sent as `x-acs-security-token`). */
  securityToken?: string;
  /** Defaults to now. */
  date?: Date;
}

/**
 * Signs a request as FC 3.0's SDK does. Returns the headers to send: the given ones plus `x-acs-date`,
 * `x-acs-signature-nonce`, `x-acs-content-sha256` (and `x-acs-security-token`) and `Authorization`.
 */
export function signAcs3Request(input: SignAcs3Input): Record<string, string> {
  const headers: Record<string, string> = {
    'x-acs-version': '2023-03-30',
    ...input.headers,
    'x-acs-date': acsTimestamp(input.date),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(input.body ?? ''),
  };
  if (input.securityToken) headers['x-acs-security-token'] = input.securityToken;
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'host')) {
    throw new Error('signAcs3Request: a host header is required (it is signed)');
  }
  const signedHeaders = [
    ...new Set(
      Object.keys(headers)
        .filter(isSignedHeader)
        .map((name) => name.toLowerCase()),
    ),
  ].sort();
  const canonical = canonicalRequest({
    method: input.method,
    path: input.path,
    query: input.query ?? {},
    headers,
    signedHeaders,
    payloadHash: headers['x-acs-content-sha256'] as string,
  });
  const signature = acs3Signature(input.accessKeySecret, canonical);
  headers.authorization = `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  return headers;
}
