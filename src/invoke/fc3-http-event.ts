import { canonicalName } from '../scheduler/index.js';
import { HOP_BY_HOP } from './http-common.js';

/** FC 3.0's HTTP trigger event for a built-in runtime's event handler (docs: http-trigger-invoking-function). */
export interface Fc3HttpEvent {
  version: 'v1';
  /** The path as the client sent it (URL-encoded), without the query. */
  rawPath: string;
  body: string;
  isBase64Encoded: boolean;
  /** Header names in Go's canonical form; repeated headers joined with `,`. */
  headers: Record<string, string>;
  /** Repeated parameters joined with `,`. */
  queryParameters: Record<string, string>;
  requestContext: {
    accountId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    time: string;
    timeEpoch: string;
  };
}

export interface HttpEventInput {
  method: string;
  /** Path and query as the function sees them (`/a%20b?x=1&x=2`). */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value … in the order they came. */
  rawHeaders: readonly string[];
  body: Buffer | null;
  clientIp: string;
  /** `1.1`, `1.0` … (Node's `httpVersion`). */
  httpVersion: string;
  requestId: string;
  accountId: string;
  now?: Date;
}

/** Hop-by-hop headers (and what only the platform's own framing means): not part of the request the function sees. */
const DROPPED = new Set<string>(HOP_BY_HOP);

/** Content types whose bodies are text: everything else is binary and goes Base64-encoded. */
const TEXT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|yaml|x-yaml)$/,
  /^application\/[\w.+-]+\+(json|xml)$/,
];

/** True when a body of `contentType` goes to the function as text (a missing type counts as text). */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === '' || TEXT_TYPES.some((pattern) => pattern.test(type));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text when its content type is textual and its bytes are valid UTF-8, else Base64. */
export function encodeEventBody(
  body: Buffer | null,
  contentType: string | undefined,
): { body: string; isBase64Encoded: boolean } {
  if (!body || body.length === 0) return { body: '', isBase64Encoded: false };
  if (isTextContentType(contentType)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // declared text but not UTF-8: the bytes must reach the function unchanged
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

/** Repeated values joined with `,`, as FC 3.0 does for headers and query parameters. */
function joinValues(pairs: Iterable<[string, string]>): Record<string, string> {
  // No prototype: a client's `__proto__` parameter is one more key, not a prototype.
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) out[name] = name in out ? `${out[name]},${value}` : value;
  return out;
}

function* headerPairs(rawHeaders: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (DROPPED.has(lower) || lower.startsWith('x-fc-')) continue;
    yield [canonicalName(name), rawHeaders[i + 1] ?? ''];
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed percent-encoding: the function gets it as sent
  }
}

/** `api.example.com:8780` → `api.example.com`; the prefix is its first label (none for an IP address). */
function domainOf(host: string): { domainName: string; domainPrefix: string } {
  const domainName = host.startsWith('[') ? host.replace(/(\]):\d+$/, '$1') : host.replace(/:\d+$/, '');
  const isAddress = /^[\d.]+$/.test(domainName) || domainName.startsWith('[');
  return { domainName, domainPrefix: isAddress ? '' : (domainName.split('.', 1)[0] ?? '') };
}

/** Builds the event an FC 3.0 HTTP trigger hands a built-in runtime's handler. */
export function buildHttpEvent(input: HttpEventInput): Fc3HttpEvent {
  const question = input.url.indexOf('?');
  const rawPath = (question < 0 ? input.url : input.url.slice(0, question)) || '/';
  const query = question < 0 ? '' : input.url.slice(question + 1);
  const headers = joinValues(headerPairs(input.rawHeaders));
  const lowerValue = (name: string) => {
    for (let i = 0; i + 1 < input.rawHeaders.length; i += 2)
      if (input.rawHeaders[i]?.toLowerCase() === name) return input.rawHeaders[i + 1];
    return undefined;
  };
  const now = input.now ?? new Date();
  return {
    version: 'v1',
    rawPath,
    ...encodeEventBody(input.body, lowerValue('content-type')),
    headers,
    queryParameters: joinValues(new URLSearchParams(query)),
    requestContext: {
      accountId: input.accountId,
      ...domainOf(lowerValue('host') ?? ''),
      http: {
        method: input.method,
        path: decodePath(rawPath),
        protocol: `HTTP/${input.httpVersion}`,
        sourceIp: input.clientIp,
        userAgent: lowerValue('user-agent') ?? '',
      },
      requestId: input.requestId,
      time: `${now.toISOString().slice(0, 19)}Z`,
      timeEpoch: String(now.getTime()),
    },
  };
}
