import { createHmac, timingSafeEqual } from 'node:crypto';

export type HeaderBag = Record<string, string | string[] | undefined>;

/** FC's `CanonicalizedFCHeaders`: every `x-fc-*` header, lowercased and sorted, as `name:value\n`. */
function canonicalHeaders(headers: HeaderBag): string {
  const names: string[] = [];
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-fc-')) names.push(lower);
  }
  names.sort();
  let text = '';
  for (const name of names) text += `${name}:${headerValue(headers, name)}\n`;
  return text;
}

function headerValue(headers: HeaderBag, name: string): string {
  const value = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/**
 * `CanonicalizedResource`: the path, and for `/proxy/` paths a `\n` followed by the sorted `k=v` query lines
 * (the `\n` is there even with no query).
 */
export function canonicalResource(
  path: string,
  query: URLSearchParams | undefined,
  isProxy: boolean,
): string {
  if (!isProxy) return path;
  const lines: string[] = [];
  for (const [key, value] of query ?? []) {
    if (key === 'x-fc-signature') continue;
    lines.push(`${key}=${value}`);
  }
  return `${path}\n${lines.sort().join('\n')}`;
}

/** `base64(HMAC-SHA256(secret, VERB\nContent-MD5\nContent-Type\nDate\n<FC headers><resource>))`. */
export function sign(
  secret: string,
  method: string,
  headers: HeaderBag,
  resource: string,
  date?: string,
): string {
  const text = [
    method.toUpperCase(),
    headerValue(headers, 'content-md5'),
    headerValue(headers, 'content-type'),
    date ?? headerValue(headers, 'date'),
    '',
  ].join('\n');
  return createHmac('sha256', secret)
    .update(text + canonicalHeaders(headers) + resource)
    .digest('base64');
}

export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses `FC <accessKeyId>:<signature>`. */
export function parseAuthorization(
  value: string | undefined,
): { accessKeyId: string; signature: string } | undefined {
  const match = /^FC\s+([^:\s]+):(\S+)$/.exec(value?.trim() ?? '');
  return match ? { accessKeyId: match[1] as string, signature: match[2] as string } : undefined;
}
