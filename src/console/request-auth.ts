import type { AccessKey } from '../api/auth.js';
import { FcError } from '../model/index.js';
import type { ConsoleSessions } from './sessions.js';

/**
 * The header every console request carries. A page on another origin cannot add it without a CORS preflight,
 * which Kumo never grants: with SameSite=Strict this is the console's CSRF defence, and it is also what makes the
 * session cookie count at all (a request without it is checked for an FC signature as any other).
 */
export const CONSOLE_HEADER = 'x-kumo-console';
export const SESSION_COOKIE = 'kumo_console';

type Headers = Record<string, string | string[] | undefined>;

/** Whether the request says it comes from the console (the header, exactly `1`). */
export function isConsoleRequest(headers: Headers): boolean {
  return headers[CONSOLE_HEADER] === '1';
}

/** The session id in the request's cookie, if any (the last one wins if a client sends several). */
export function sessionIdOf(headers: Headers): string | undefined {
  const cookie = headers.cookie;
  let found: string | undefined;
  for (const part of (Array.isArray(cookie) ? cookie.join(';') : (cookie ?? '')).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) found = part.slice(eq + 1).trim();
  }
  return found;
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

/** `Set-Cookie` for a new session (HttpOnly, SameSite=Strict, whole origin, Secure over HTTPS). */
export function sessionCookieHeader(id: string, maxAgeMs: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/**
 * The request's headers without the console's cookie: an HTTP function behind the proxy paths never sees a
 * console session id (it would be a key to the account for a function that has only its service's rights).
 */
export function withoutConsoleCookie<T extends Headers>(headers: T): T {
  const cookie = headers.cookie;
  if (cookie === undefined || !String(cookie).includes(SESSION_COOKIE)) return headers;
  const kept = (Array.isArray(cookie) ? cookie.join(';') : cookie)
    .split(';')
    .filter((part) => part.split('=', 1)[0]?.trim() !== SESSION_COOKIE)
    .join(';')
    .trim();
  const copy: Headers = { ...headers };
  if (kept === '') delete copy.cookie;
  else copy.cookie = kept;
  return copy as T;
}

/** A function's response headers without a `Set-Cookie` for the console's cookie (no planting a session). */
export function withoutConsoleSetCookie(
  headers: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const name = Object.keys(headers).find((h) => h.toLowerCase() === 'set-cookie');
  if (name === undefined) return headers;
  const values = ([] as string[]).concat(headers[name] ?? []);
  const kept = values.filter((value) => value.split('=', 1)[0]?.trim() !== SESSION_COOKIE);
  if (kept.length === values.length) return headers;
  const copy = { ...headers };
  if (kept.length === 0) delete copy[name];
  else copy[name] = kept;
  return copy;
}
