import type { AccessKey } from '../api/auth.js';
import { FcError } from '../model/index.js';
import type { ConsoleSessions } from './sessions.js';

/**
 * The header every console request carries: a request without it is checked for an FC signature as any other,
 * so SDKs and curl see exactly what FC's API answers.
 */
export const CONSOLE_HEADER = 'x-kumo-console';
/**
 * The session token, sent by the console page on every call. It is never a cookie: functions serve pages on the
 * console's own origin (the proxy paths), and an ambient credential would let any such page act as the person
 * signed in (docs/console.md). The page keeps the token in memory only.
 */
export const SESSION_HEADER = 'x-kumo-console-session';

type Headers = Record<string, string | string[] | undefined>;

/** Whether the request says it comes from the console (the header, exactly `1`). */
export function isConsoleRequest(headers: Headers): boolean {
  return headers[CONSOLE_HEADER] === '1';
}

/** The session token the request carries, if any (one header value only: a list is no token). */
export function sessionIdOf(headers: Headers): string | undefined {
  const token = headers[SESSION_HEADER];
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * The access key behind a console request: undefined when the request is not a console one (no header), so
 * the caller falls back to the FC signature; a console request without a live session is refused.
 */
export function consoleKeyOf(headers: Headers, sessions: ConsoleSessions): AccessKey | undefined {
  if (!isConsoleRequest(headers)) return undefined;
  const session = sessions.keyOf(sessionIdOf(headers));
  if (session === undefined) {
    throw new FcError('AccessDenied', 'the console session is missing or has expired; sign in again');
  }
  return session.key;
}

/**
 * The request's headers without a console session token: an HTTP function behind the proxy paths never sees
 * one (it would be a key to the account for a function that has only its service's rights).
 */
export function withoutConsoleSession<T extends Headers>(headers: T): T {
  if (headers[SESSION_HEADER] === undefined) return headers;
  const copy: Headers = { ...headers };
  delete copy[SESSION_HEADER];
  return copy as T;
}

/** Node's `rawHeaders` (name, value, …) without a console session token, for FC 3.0's HTTP event. */
export function rawWithoutConsoleSession(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (name.toLowerCase() !== SESSION_HEADER) kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}

/**
 * Response headers a function may not send through the proxy paths, which share the console's origin:
 * `Service-Worker-Allowed` would let a function's service worker take scope `/` (the console page itself), and
 * its own `Cross-Origin-Opener-Policy: same-origin` would match the console's, so a console window the function
 * page opens would stay scriptable by it.
 */
const ORIGIN_WIDE_HEADERS = new Set(['service-worker-allowed', 'cross-origin-opener-policy']);

/** A function's response headers without those that reach beyond its own paths on the shared origin. */
export function withoutOriginWideHeaders(
  headers: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const names = Object.keys(headers).filter((h) => ORIGIN_WIDE_HEADERS.has(h.toLowerCase()));
  if (names.length === 0) return headers;
  const copy = { ...headers };
  for (const name of names) delete copy[name];
  return copy;
}
