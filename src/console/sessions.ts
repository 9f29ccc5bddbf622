import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccessKey, KeyRing } from '../api/auth.js';
import { FcError } from '../model/index.js';
import { SignInThrottle } from './throttle.js';

export interface SessionLimits {
  /** A session ends this long after sign-in, whatever its use. */
  maxAgeMs: number;
  /** A session unused for this long ends. */
  idleMs: number;
  /** Live sessions at most; signing in beyond it ends the least recently used one. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxAgeMs: 8 * 3_600_000,
  idleMs: 3_600_000,
  maxSessions: 1000,
};

interface Session {
  accessKeyId: string;
  /** The secret signed in with: a key whose secret changed (or that was removed) ends its sessions. */
  secretDigest: Buffer;
  expiresAt: number;
  lastUsedAt: number;
}

export interface SignedInSession {
  /** The session token: random, shown once, stored only as its SHA-256. */
  id: string;
  accessKeyId: string;
  expiresAt: number;
}

/**
 * The console's server-side sessions. A browser exchanges an access key pair once for a random session id
 * (a token the page keeps in memory); the map holds only its digest, so neither a timing probe on lookups nor a
 * dump of memory gives a usable token. Every use checks the key is still in the key ring with the same secret.
 */
export class ConsoleSessions {
  readonly #keys: KeyRing;
  readonly #limits: SessionLimits;
  readonly #throttle: SignInThrottle;
  /** Keyed by the SHA-256 (hex) of the session id; Map order is least recently used first. */
  readonly #sessions = new Map<string, Session>();

  constructor(
    keys: KeyRing,
    limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    throttle = new SignInThrottle(),
  ) {
    this.#keys = keys;
    this.#limits = limits;
    this.#throttle = throttle;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Checks the pair as a signature check would (known key, unexpired, same secret, no temporary key without its
   * token), bounded per client address, and opens a fresh session: an id the client brought is never reused.
   */
  signIn(client: string, accessKeyId: string, accessKeySecret: string, now = Date.now()): SignedInSession {
    this.#throttle.check(client, now);
    const key = this.#keys.get(accessKeyId, now);
    if (key === undefined || !sameSecret(key.secret, accessKeySecret)) {
      this.#throttle.fail(client, now);
      throw new FcError('SignatureNotMatch', 'the access key ID or secret is wrong');
    }
    if (key.securityToken !== undefined) {
      // Temporary keys belong to functions; the console is for people with the account's key.
      throw new FcError('AccessDenied', 'temporary credentials cannot sign in to the console');
    }
    this.#throttle.succeed(client);
    this.#purge(now);
    while (this.#sessions.size >= this.#limits.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(now + this.#limits.maxAgeMs, key.expiresAt ?? Number.POSITIVE_INFINITY);
    this.#sessions.set(digest(id), {
      accessKeyId,
      secretDigest: secretDigest(key.secret),
      expiresAt,
      lastUsedAt: now,
    });
    return { id, accessKeyId, expiresAt };
  }

  /** The key behind a live session, or undefined (unknown, expired, idle too long, key gone or changed). */
  keyOf(id: string | undefined, now = Date.now()): { accessKeyId: string; key: AccessKey } | undefined {
    if (id === undefined || id === '') return undefined;
    const hash = digest(id);
    const session = this.#sessions.get(hash);
    if (session === undefined) return undefined;
    const key = this.#keys.get(session.accessKeyId, now);
    if (
      now >= session.expiresAt ||
      now - session.lastUsedAt >= this.#limits.idleMs ||
      key === undefined ||
      !timingSafeEqual(secretDigest(key.secret), session.secretDigest)
    ) {
      this.#sessions.delete(hash);
      return undefined;
    }
    session.lastUsedAt = now;
    this.#sessions.delete(hash);
    this.#sessions.set(hash, session);
    return { accessKeyId: session.accessKeyId, key };
  }

  /** Whether the session is live, without counting as a use (a long-running tail does not keep it alive). */
  isLive(id: string, now = Date.now()): boolean {
    const session = this.#sessions.get(digest(id));
    const key = session && this.#keys.get(session.accessKeyId, now);
    return (
      session !== undefined &&
      key !== undefined &&
      now < session.expiresAt &&
      now - session.lastUsedAt < this.#limits.idleMs &&
      timingSafeEqual(secretDigest(key.secret), session.secretDigest)
    );
  }

  signOut(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(digest(id));
  }

  #purge(now: number): void {
    for (const [hash, session] of this.#sessions) {
      if (now >= session.expiresAt || now - session.lastUsedAt >= this.#limits.idleMs) {
        this.#sessions.delete(hash);
      }
    }
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function sameSecret(expected: string, given: string): boolean {
  return timingSafeEqual(secretDigest(expected), secretDigest(given));
}
