import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

/**
 * FC's front end is written in Go and writes header names in Go's canonical form (`Content-Length`,
 * `X-Fc-Request-Id`). undici keeps the names Kumo passes as they are, but writes the few it manages itself in
 * lower case (`host`, `connection`, `content-length`, `transfer-encoding`), and a hand-written runtime that
 * looks for `Content-Length` byte for byte then reads no body. This connector gives every instance socket a
 * `write` that rewrites those names in the request head undici writes (one latin1 string that starts with the
 * request line; bodies are written apart, as Buffers).
 */
const UNDICI_NAMES = /\r\n(host|connection|content-length|transfer-encoding|upgrade):/g;
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.1\r\n/;

/** Names already converted; bounded, since clients choose the names. */
const canonicalNames = new Map<string, string>();
const CANONICAL_NAMES_MAX = 1024;

/** Go's textproto.CanonicalMIMEHeaderKey (`x-fc-request-id` → `X-Fc-Request-Id`), memoised: it runs per header per call. */
export function canonicalName(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    if (canonicalNames.size >= CANONICAL_NAMES_MAX) canonicalNames.clear();
    canonical = toCanonical(name);
    canonicalNames.set(name, canonical);
  }
  return canonical;
}

function toCanonical(name: string): string {
  // Names with characters outside a token are left alone.
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** The only names `UNDICI_NAMES` matches, canonical: a lookup instead of `canonicalName` on every request. */
const CANONICAL_UNDICI_NAMES: Readonly<Record<string, string>> = {
  host: 'Host',
  connection: 'Connection',
  'content-length': 'Content-Length',
  'transfer-encoding': 'Transfer-Encoding',
  upgrade: 'Upgrade',
};

/**
 * undici announces `connection: keep-alive`; Go's client (FC's front end) does not, HTTP/1.1 being persistent
 * anyway, so a function never sees that hop-by-hop header in its request (issue 24).
 */
const KEEP_ALIVE_LINE = /\r\nconnection: keep-alive(?=\r\n)/;

function canonicalHead(head: string): string {
  const end = head.indexOf('\r\n\r\n');
  const names = (end < 0 ? head : head.slice(0, end)).replace(KEEP_ALIVE_LINE, '');
  return (
    names.replace(UNDICI_NAMES, (_, name: string) => `\r\n${CANONICAL_UNDICI_NAMES[name] ?? name}:`) +
    (end < 0 ? '' : head.slice(end))
  );
}

const plain = buildConnector({});

/** undici's plain TCP connector, with the request-head rewriting described above. */
export const canonicalHeadConnector: buildConnector.connector = (options, callback) => {
  plain(options, (...result) => {
    const socket = result[1];
    if (socket) rewriteHeads(socket);
    callback(...result);
  });
};

function rewriteHeads(socket: Socket): void {
  const write = socket.write;
  // biome-ignore lint/suspicious/noExplicitAny: write's overloads cannot be forwarded in a typed way
  socket.write = function (this: Socket, chunk: unknown, ...rest: any[]): boolean {
    const head = typeof chunk === 'string' && REQUEST_LINE.test(chunk) ? canonicalHead(chunk) : chunk;
    return write.call(this, head as string, ...rest);
  } as Socket['write'];
}
