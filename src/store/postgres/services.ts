import type pg from 'pg';
import { FcError, type Service } from '../../model/index.js';
import { checkEtag, etagOf } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';
import { FOREIGN_KEY_VIOLATION, listPage, one, Params, run, sqlState, transaction } from './db.js';
import { getStored } from './stored.js';

/** The `services` table. */
export class PgServiceTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(service: Service): Promise<Stored<Service>> {
    const etag = etagOf(service);
    const inserted = await run(
      this.#pool,
      'INSERT INTO services (name, data, etag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [service.serviceName, JSON.stringify(service), etag],
    );
    if (inserted === 0) {
      throw new FcError('ServiceAlreadyExists', `service '${service.serviceName}' already exists`);
    }
    return { value: service, etag };
  }

  get(name: string): Promise<Stored<Service> | undefined> {
    return getStored<Service>(this.#pool, 'SELECT name, data, etag FROM services WHERE name = $1', [name]);
  }

  update(service: Service, ifMatch?: string): Promise<Stored<Service>> {
    return transaction(this.#pool, async (db) => {
      await this.#checkEtag(db, service.serviceName, ifMatch);
      const etag = etagOf(service);
      await run(db, 'UPDATE services SET data = $1, etag = $2 WHERE name = $3', [
        JSON.stringify(service),
        etag,
        service.serviceName,
      ]);
      return { value: service, etag };
    });
  }

  /** Fails with ServiceNotEmpty while the service has functions, versions or aliases. */
  async delete(name: string, ifMatch?: string): Promise<void> {
    try {
      await transaction(this.#pool, async (db) => {
        await this.#checkEtag(db, name, ifMatch);
        for (const table of ['functions', 'versions', 'aliases'] as const) {
          const count = await one<{ n: number }>(
            db,
            `SELECT count(*) AS n FROM ${table} WHERE service = $1`,
            [name],
          );
          if (count && count.n > 0) throw notEmpty(name, `${count.n} ${table}`);
        }
        await run(db, 'DELETE FROM version_counters WHERE service = $1', [name]);
        await run(db, 'DELETE FROM services WHERE name = $1', [name]);
        await run(db, 'DELETE FROM resource_tags WHERE resource = $1', [`services/${name}`]);
      });
    } catch (error) {
      // A function created on another node between the count and the delete: the foreign key refuses.
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw notEmpty(name, 'functions, versions or aliases');
      throw error;
    }
  }

  list(query: ListQuery): Promise<Page<Stored<Service>>> {
    const params = new Params();
    let sql = 'SELECT name, data, etag FROM services WHERE true';
    for (const [key, value] of Object.entries(query.tags ?? {})) {
      sql += ` AND 'services/' || name IN (SELECT resource FROM resource_tags WHERE key = ${params.add(key)} AND value = ${params.add(value)})`;
    }
    return listPage(this.#pool, sql, params, query);
  }

  async #checkEtag(db: pg.PoolClient, name: string, ifMatch?: string): Promise<void> {
    const row = await one<{ etag: string }>(db, 'SELECT etag FROM services WHERE name = $1 FOR UPDATE', [
      name,
    ]);
    if (!row) throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
    checkEtag(row.etag, ifMatch);
  }
}

function notEmpty(name: string, what: string): FcError {
  return new FcError('ServiceNotEmpty', `service '${name}' still has ${what}; delete them first`);
}
