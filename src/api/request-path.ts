import { FcError } from '../model/index.js';
import { safeDecode } from './auth.js';
import { API_PREFIX } from './context.js';

const PROXY_PREFIX = `${API_PREFIX}/proxy/`;
/** `getLayerVersionByArn` sends the ARN as one `encodeURIComponent` segment (its `:` and `/` encoded). */
const LAYER_ARN_PREFIX = `${API_PREFIX}/layerarn/`;

/**
 * Characters a path segment may carry unencoded (RFC 3986 `pchar`): encoding one of them changes nothing
 * for a router but lets raw text and decoded route disagree, so the management API refuses it.
 */
const NEEDS_NO_ENCODING = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
/** Encoded bytes that would change the path's structure once decoded: / \ ? # % and control characters. */
const STRUCTURAL = new Set(['2f', '5c', '3f', '23', '25', '7f']);

/**
 * Refuses, before routing, any request whose raw target and routed path could disagree: the authorization
 * and the signature are checked against the routed path, so there must be only one way to read it.
 *
 * - every request: a target that is not a path (absolute-form), `#`, raw control characters (a custom
 *   domain's paths are otherwise the function's business);
 * - `/2016-08-15/…` (the management API and the HTTP proxy): malformed percent-encoding, encoded control
 *   characters (NUL included), backslashes (raw or `%5C`), dot segments (raw or encoded);
 * - the management API and the `/2016-08-15/proxy/<service>/<function>` head of proxy paths (the tail is the
 *   function's own path): double slashes, encoded separators (`%2F`, `%3F`, `%23`, `%25`) and
 *   percent-encoding of characters that need none.
 *
 * A path is the API's when it starts with `/2016-08-15/` raw *or* decoded (the router decodes).
 */
export function checkRequestTarget(rawUrl: string): void {
  if (!rawUrl.startsWith('/')) refuse('the request target must be a path starting with /');
  if (rawUrl.includes('#')) refuse("the request target must not contain '#'");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(rawUrl)) refuse('the request target must not contain control characters');
  const query = rawUrl.indexOf('?');
  const path = query < 0 ? rawUrl : rawUrl.slice(0, query);
  // Decoded too: the router decodes, so `/%32016-08-15/services` is an API path as well.
  const decoded = safeDecode(path);
  if (!path.startsWith(`${API_PREFIX}/`) && !decoded.startsWith(`${API_PREFIX}/`)) return;
  // What every SDK sends: nothing encoded, no backslash, no empty or dot segment; none of the checks below can refuse.
  if (!/%|\\|\/\/|\/\./.test(path)) return;

  const encoded = [...path.matchAll(/%(.{0,2})/g)].map((m) => m[1] ?? '');
  if (encoded.some((hex) => !/^[0-9a-fA-F]{2}$/.test(hex))) refuse('the path has malformed percent-encoding');
  if (encoded.some((hex) => Number.parseInt(hex, 16) < 0x20)) refuse('the path encodes a control character');
  if (path.includes('\\') || encoded.some((hex) => hex.toLowerCase() === '5c')) {
    refuse('the path must not contain backslashes');
  }
  const segments = path.split('/');
  if (segments.some((s) => isDotSegment(s))) refuse("the path must not contain '.' or '..' segments");
  // Of a proxy path only `/2016-08-15/proxy/<service>/<function>` is Kumo's; the rest is the function's. A
  // layer ARN segment is decoded once by the router and then read strictly by parseLayerArn.
  const own = decoded.startsWith(PROXY_PREFIX)
    ? segments.slice(0, 5).join('/')
    : path.startsWith(LAYER_ARN_PREFIX) && segments.length === 4
      ? segments.slice(0, 3).join('/')
      : path;
  if (own.includes('//')) refuse('the path must not contain empty segments (//)');
  for (const [, hex = ''] of own.matchAll(/%(.{2})/g)) {
    const lower = hex.toLowerCase();
    if (STRUCTURAL.has(lower))
      refuse(`the path must not encode '${String.fromCharCode(Number.parseInt(hex, 16))}'`);
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    if (NEEDS_NO_ENCODING.test(char)) refuse(`the path encodes '${char}' (%${hex}), which needs no encoding`);
  }
}

function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}

function refuse(reason: string): never {
  throw new FcError('InvalidArgument', `${reason}; send the path as FC's SDKs do, without encoding tricks`);
}
