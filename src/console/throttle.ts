import { FcError } from '../model/index.js';

export interface ThrottleLimits {
  /** Failed sign-ins one client address may make per window. */
  perClient: number;
  /** Failed sign-ins all clients together may make per window (a spread-out guess is bounded too). */
  total: number;
  windowMs: number;
  /** Client addresses remembered at most (the oldest are forgotten first). */
  maxClients: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perClient: 10,
  total: 100,
  windowMs: 15 * 60_000,
  maxClients: 10_000,
};

interface Window {
  startedAt: number;
  failures: number;
}

/** Bounds guessing of access key pairs at the console's sign-in: fixed windows per address and overall. */
export class SignInThrottle {
  readonly #limits: ThrottleLimits;
  readonly #clients = new Map<string, Window>();
  #total: Window = { startedAt: 0, failures: 0 };

  constructor(limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
    this.#limits = limits;
  }

  /** Throws while the client (or everyone) has used up the window's failures. */
  check(client: string, now: number): void {
    const own = this.#current(this.#clients.get(client), now);
    const total = this.#current(this.#total, now);
    const blocked =
      own.failures >= this.#limits.perClient ? own : total.failures >= this.#limits.total ? total : undefined;
    if (blocked !== undefined) {
      const seconds = Math.ceil((blocked.startedAt + this.#limits.windowMs - now) / 1000);
      throw new FcError(
        'TooManySignInAttempts',
        `too many failed sign-ins; try again in ${seconds} s (or use the API with a signed request)`,
      );
    }
  }

  fail(client: string, now: number): void {
    const own = this.#current(this.#clients.get(client), now);
    own.failures++;
    this.#clients.delete(client);
    this.#clients.set(client, own);
    while (this.#clients.size > this.#limits.maxClients) {
      const oldest = this.#clients.keys().next().value;
      if (oldest === undefined) break;
      this.#clients.delete(oldest);
    }
    this.#total = this.#current(this.#total, now);
    this.#total.failures++;
  }

  succeed(client: string): void {
    this.#clients.delete(client);
  }

  #current(window: Window | undefined, now: number): Window {
    if (window === undefined || now - window.startedAt >= this.#limits.windowMs) {
      return { startedAt: now, failures: 0 };
    }
    return window;
  }
}
