import type pg from 'pg';
import { FcError } from '../../model/index.js';
import { one, rows, run, transaction } from './db.js';

/** Tags per resource (`services/{name}`): a key has one value; a resource's tags go with it. */
export class PgTagTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(resource: string): Promise<Record<string, string>> {
    const found = await rows<{ key: string; value: string }>(
      this.#pool,
      'SELECT key, value FROM resource_tags WHERE resource = $1 ORDER BY key',
      [resource],
    );
    return Object.fromEntries(found.map((r) => [r.key, r.value]));
  }

  async put(resource: string, tags: Record<string, string>, max: number): Promise<void> {
    await transaction(this.#pool, async (db) => {
      // Tag writes to one resource take turns, so two of them cannot both pass the count below.
      await run(db, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`kumo-tags:${resource}`]);
      for (const [key, value] of Object.entries(tags)) {
        await run(
          db,
          `INSERT INTO resource_tags (resource, key, value) VALUES ($1, $2, $3)
           ON CONFLICT (resource, key) DO UPDATE SET value = excluded.value`,
          [resource, key, value],
        );
      }
      const count = await one<{ n: number }>(
        db,
        'SELECT count(*) AS n FROM resource_tags WHERE resource = $1',
        [resource],
      );
      const n = count?.n ?? 0;
      // Thrown inside the transaction, so nothing of this call is kept.
      if (n > max) {
        throw new FcError(
          'InvalidArgument',
          `a resource can have at most ${max} tags; ${resource} would have ${n}`,
        );
      }
    });
  }

  async remove(resource: string, keys: string[] | 'all'): Promise<void> {
    if (keys === 'all') {
      await run(this.#pool, 'DELETE FROM resource_tags WHERE resource = $1', [resource]);
      return;
    }
    await run(this.#pool, 'DELETE FROM resource_tags WHERE resource = $1 AND key = ANY($2::text[])', [
      resource,
      keys,
    ]);
  }
}
