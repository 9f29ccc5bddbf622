import type pg from 'pg';
import { type CapacityKind, type CapacityRow, InMemoryCapacity } from '../capacity-memory.js';
import type { CapacityKey } from '../capacity-types.js';
import { rows, run } from './db.js';

const SELECT_ALL = 'SELECT kind, data FROM capacity_configs';

/**
 * The `capacity_configs` table in PostgreSQL, held in memory (see InMemoryCapacity). Writes go to PostgreSQL in
 * order, behind the memory; `flush()` waits for them and reports the first that failed. `reload()` reads the
 * table again (another node's writes).
 */
export class PgCapacityTable extends InMemoryCapacity {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool, found: CapacityRow[]) {
    super(new PgCapacityWrites(pool), found);
    this.#pool = pool;
  }

  static async load(pool: pg.Pool): Promise<PgCapacityTable> {
    return new PgCapacityTable(pool, await rows<CapacityRow>(pool, SELECT_ALL));
  }

  async reload(): Promise<void> {
    this.replace(await rows<CapacityRow>(this.#pool, SELECT_ALL));
  }
}

class PgCapacityWrites {
  readonly #pool: pg.Pool;
  #writes: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  write(kind: CapacityKind, config: CapacityKey): void {
    this.#enqueue(
      `INSERT INTO capacity_configs (kind, service, qualifier, function, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, service, qualifier, function) DO UPDATE SET data = excluded.data`,
      [kind, config.serviceName, config.qualifier, config.functionName, JSON.stringify(config)],
    );
  }

  remove(kind: CapacityKind, key: CapacityKey): void {
    this.#enqueue(
      'DELETE FROM capacity_configs WHERE kind = $1 AND service = $2 AND qualifier = $3 AND function = $4',
      [kind, key.serviceName, key.qualifier, key.functionName],
    );
  }

  /** Waits for every write made so far; throws (once) the first one that failed since the last flush. */
  async flush(): Promise<void> {
    await this.#writes;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Chains the write after the previous ones, so PostgreSQL sees them in the order they were made. */
  #enqueue(sql: string, values: unknown[]): void {
    this.#writes = this.#writes.then(async () => {
      try {
        await run(this.#pool, sql, values);
      } catch (error) {
        this.#failure ??= error;
      }
    });
  }
}
