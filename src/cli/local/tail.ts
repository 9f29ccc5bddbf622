import type { FcClient } from '../client.js';

interface LogLine {
  id: number;
  message: string;
}

const INTERVAL_MS = 250;

/**
 * Follows the stored logs of some functions (more can be added while it runs), printing each new line prefixed
 * with its function. Stops with the returned function.
 */
export class LogTail {
  readonly #client: FcClient;
  readonly #print: (line: string) => void;
  readonly #after = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(client: FcClient, print: (line: string) => void) {
    this.#client = client;
    this.#print = print;
  }

  /** Starts following `service/function` (from its first line: the server is fresh). */
  follow(target: string): void {
    if (!this.#after.has(target)) this.#after.set(target, 0);
    if (!this.#timer && !this.#stopped) this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#poll().finally(() => {
        if (!this.#stopped) this.#schedule();
      });
    }, INTERVAL_MS);
  }

  async #poll(): Promise<void> {
    for (const [target, after] of this.#after) {
      const [service, fn] = target.split('/');
      try {
        const { logs } = await this.#client.json<{ logs: LogLine[] }>(
          'GET',
          `/services/${service}/functions/${fn}/logs?after=${after}`,
        );
        for (const line of logs) {
          if (this.#stopped) return;
          this.#print(`[${target}] ${line.message}`);
          this.#after.set(target, line.id);
        }
      } catch {
        // The function may be between a delete and a re-create while the template changes: try again next time.
      }
    }
  }
}
