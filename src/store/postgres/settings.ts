import type pg from 'pg';
import { one, run } from './db.js';

/**
 * Small named values every node must agree on (the account and root key pair). The first node to write one
 * wins; the others read the winner's value.
 */
export class PgSettings {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(key: string): Promise<string | undefined> {
    return (await one<{ value: string }>(this.#pool, 'SELECT value FROM settings WHERE key = $1', [key]))
      ?.value;
  }

  /** The stored value, or `make()`'s when none was; `created` says this call stored it. */
  async getOrCreate(key: string, make: () => string): Promise<{ value: string; created: boolean }> {
    const candidate = make();
    const inserted = await run(
      this.#pool,
      'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [key, candidate],
    );
    if (inserted > 0) return { value: candidate, created: true };
    const value = await this.get(key);
    if (value === undefined) throw new Error(`setting ${key} vanished while it was being read`);
    return { value, created: false };
  }
}
