import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** What should come true, for the failure message: e.g. `'the idle instance is stopped'`. */
  what: string;
  /** How long to keep trying; generous, because a test waits only as long as the condition takes. */
  timeoutMs?: number;
  /** Pause between two checks. */
  intervalMs?: number;
  /** More state to print when it times out (e.g. a child's output so far). */
  detail?: () => string;
}

/**
 * Checks `condition` until it returns a truthy value and returns that value. A condition that throws counts as
 * not yet; after `timeoutMs` this throws an error naming what never happened, with the last error or value seen.
 * Tests wait with this instead of a fixed sleep: as fast as the system allows, and no flake on a slow machine.
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  { what, timeoutMs = 15_000, intervalMs = 25, detail }: UntilOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last = 'never checked';
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
      last = `last value: ${String(value)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) {
      const more = detail ? `\n${detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what} (${last})${more}`);
    }
    await sleep(intervalMs);
  }
}
