import type Database from 'better-sqlite3';
import { FcError } from '../model/index.js';

/** Tags per resource (`services/{name}`): a key has one value; a resource's tags go with it. */
export class SqliteTagTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(resource: string): Record<string, string> {
    const rows = this.#db
      .prepare('SELECT key, value FROM resource_tags WHERE resource = ? ORDER BY key')
      .all(resource) as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  put(resource: string, tags: Record<string, string>, max: number): void {
    this.#db.transaction(() => {
      const upsert = this.#db.prepare(
        `INSERT INTO resource_tags (resource, key, value) VALUES (?, ?, ?)
         ON CONFLICT (resource, key) DO UPDATE SET value = excluded.value`,
      );
      for (const [key, value] of Object.entries(tags)) upsert.run(resource, key, value);
      const { n } = this.#db
        .prepare('SELECT count(*) AS n FROM resource_tags WHERE resource = ?')
        .get(resource) as { n: number };
      // Thrown inside the transaction, so nothing of this call is kept.
      if (n > max) {
        throw new FcError(
          'InvalidArgument',
          `a resource can have at most ${max} tags; ${resource} would have ${n}`,
        );
      }
    })();
  }

  remove(resource: string, keys: string[] | 'all'): void {
    if (keys === 'all') {
      this.#db.prepare('DELETE FROM resource_tags WHERE resource = ?').run(resource);
      return;
    }
    const remove = this.#db.prepare('DELETE FROM resource_tags WHERE resource = ? AND key = ?');
    this.#db.transaction(() => {
      for (const key of keys) remove.run(resource, key);
    })();
  }
}
