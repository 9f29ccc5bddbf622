import type Database from 'better-sqlite3';
import { type CapacityKind, type CapacityRow, InMemoryCapacity } from './capacity-memory.js';
import type { CapacityKey } from './capacity-types.js';

/** The `capacity_configs` table in SQLite, held in memory as well (see InMemoryCapacity). */
export class SqliteCapacityTable extends InMemoryCapacity {
  constructor(db: Database.Database) {
    const rows = db.prepare('SELECT kind, data FROM capacity_configs').all() as CapacityRow[];
    super(new SqliteCapacityWrites(db), rows);
  }
}

/** Every write is synchronous here: durable when it returns. */
class SqliteCapacityWrites {
  constructor(readonly db: Database.Database) {}

  write(kind: CapacityKind, config: CapacityKey): void {
    this.db
      .prepare(
        `INSERT INTO capacity_configs (kind, service, qualifier, function, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, service, qualifier, function) DO UPDATE SET data = excluded.data`,
      )
      .run(kind, config.serviceName, config.qualifier, config.functionName, JSON.stringify(config));
  }

  remove(kind: CapacityKind, key: CapacityKey): void {
    this.db
      .prepare(
        'DELETE FROM capacity_configs WHERE kind = ? AND service = ? AND qualifier = ? AND function = ?',
      )
      .run(kind, key.serviceName, key.qualifier, key.functionName);
  }

  async flush(): Promise<void> {}
}
