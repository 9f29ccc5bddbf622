import type { FcError } from '../model/index.js';

interface Waiter {
  wake(): void;
}

/**
 * Calls waiting for a slot, per pool, bounded in number (`maxQueued` across all pools) and in time (each
 * call's deadline). A woken call looks for a slot again; it is not handed one.
 */
export class WaitQueue {
  readonly #waiters = new Map<string, Waiter[]>();
  #queued = 0;

  constructor(readonly maxQueued: number) {}

  /**
   * Waits until `wake` is called for the pool or the deadline passes. Throws at once when the queue is full or
   * the deadline has passed: `refusal` is the error saying why no slot was free.
   */
  async wait(poolKey: string, deadline: number, refusal: () => FcError): Promise<void> {
    if (this.#queued >= this.maxQueued || Date.now() >= deadline) throw refusal();
    await this.#park(poolKey, deadline);
  }

  /**
   * Waits like `wait` until `until` when there is room in the queue and time left, else returns undefined
   * synchronously: a call that may start an instance but would rather take a busy one's slot (scale-out.ts).
   * `again`: the call waited already and was woken without getting a slot; it waits at the head of the line.
   */
  hold(poolKey: string, until: number, again = false): Promise<void> | undefined {
    if (this.#queued >= this.maxQueued || Date.now() >= until) return undefined;
    return this.#park(poolKey, until, again);
  }

  async #park(poolKey: string, deadline: number, first = false): Promise<void> {
    this.#queued++;
    try {
      await new Promise<void>((resolve) => {
        const waiters = this.#waiters.get(poolKey) ?? [];
        this.#waiters.set(poolKey, waiters);
        const timer = setTimeout(() => waiter.wake(), Math.max(0, deadline - Date.now()));
        const waiter: Waiter = {
          wake: () => {
            clearTimeout(timer);
            const index = waiters.indexOf(waiter);
            if (index >= 0) waiters.splice(index, 1);
            if (waiters.length === 0 && this.#waiters.get(poolKey) === waiters) this.#waiters.delete(poolKey);
            resolve();
          },
        };
        if (first) waiters.unshift(waiter);
        else waiters.push(waiter);
      });
    } finally {
      this.#queued--;
    }
  }

  /** A slot of the pool freed up: its first waiter looks again. */
  wake(poolKey: string): void {
    this.#waiters.get(poolKey)?.[0]?.wake();
  }

  /** A global slot freed up (an instance stopped or a start ended): any pool's first waiter may start one. */
  wakeEveryPool(): void {
    for (const key of [...this.#waiters.keys()]) this.wake(key);
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const waiters of [...this.#waiters.values()]) for (const waiter of [...waiters]) waiter.wake();
  }

  get size(): number {
    return this.#queued;
  }
}
