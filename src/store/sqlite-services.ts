import type Database from 'better-sqlite3';
import { FcError, type Service } from '../model/index.js';
import { checkEtag, etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import { StoredCache } from './stored-cache.js';
import type { ListQuery, Page, Stored } from './types.js';

/** The `services` table; reads are cached because every invocation looks its service up. */
export class SqliteServiceTable {
  readonly #db: Database.Database;
  readonly #cache = new StoredCache<Service>();
  /** Prepared once and reused: this lookup runs on every invocation. */
  readonly #selectByName: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#selectByName = db.prepare('SELECT name, data, etag FROM services WHERE name = ?');
  }

  create(service: Service): Stored<Service> {
    this.#cache.drop(service.serviceName);
    const etag = etagOf(service);
    const result = this.#db
      .prepare('INSERT INTO services (name, data, etag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(service.serviceName, JSON.stringify(service), etag);
    if (result.changes === 0) {
      throw new FcError('ServiceAlreadyExists', `service '${service.serviceName}' already exists`);
    }
    return { value: service, etag };
  }

  get(name: string): Stored<Service> | undefined {
    return this.#cache.get(name, () => {
      const row = this.#selectByName.get(name) as Row | undefined;
      return row && fromRow<Service>(row);
    });
  }

  update(service: Service, ifMatch?: string): Stored<Service> {
    this.#cache.drop(service.serviceName);
    return this.#db.transaction(() => {
      this.#checkEtag(service.serviceName, ifMatch);
      const etag = etagOf(service);
      this.#db
        .prepare('UPDATE services SET data = ?, etag = ? WHERE name = ?')
        .run(JSON.stringify(service), etag, service.serviceName);
      return { value: service, etag };
    })();
  }

  /** Fails with ServiceNotEmpty while the service has functions, versions or aliases. */
  delete(name: string, ifMatch?: string): void {
    this.#cache.drop(name);
    this.#db.transaction(() => {
      this.#checkEtag(name, ifMatch);
      for (const table of ['functions', 'versions', 'aliases'] as const) {
        const count = this.#db.prepare(`SELECT count(*) AS n FROM ${table} WHERE service = ?`).get(name) as {
          n: number;
        };
        if (count.n > 0) {
          throw new FcError(
            'ServiceNotEmpty',
            `service '${name}' still has ${count.n} ${table}; delete them first`,
          );
        }
      }
      this.#db.prepare('DELETE FROM version_counters WHERE service = ?').run(name);
      this.#db.prepare('DELETE FROM services WHERE name = ?').run(name);
      this.#db.prepare('DELETE FROM resource_tags WHERE resource = ?').run(`services/${name}`);
    })();
  }

  list(query: ListQuery): Page<Stored<Service>> {
    let sql = 'SELECT name, data, etag FROM services WHERE 1 = 1';
    const args: string[] = [];
    for (const [key, value] of Object.entries(query.tags ?? {})) {
      sql += ` AND 'services/' || name IN (SELECT resource FROM resource_tags WHERE key = ? AND value = ?)`;
      args.push(key, value);
    }
    return listPage(this.#db, sql, args, query);
  }

  /** Throws ServiceNotFound unless the service exists (reads the table, not the cache, inside transactions). */
  requireExists(name: string): void {
    if (!this.#db.prepare('SELECT 1 FROM services WHERE name = ?').get(name)) {
      throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
    }
  }

  #checkEtag(name: string, ifMatch?: string): void {
    const row = this.#db.prepare('SELECT etag FROM services WHERE name = ?').get(name) as
      | { etag: string }
      | undefined;
    if (!row) throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
    checkEtag(row.etag, ifMatch);
  }
}
