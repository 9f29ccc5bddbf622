import type Database from 'better-sqlite3';
import { type Alias, FcError } from '../model/index.js';
import { checkEtag, etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import type { SqliteServiceTable } from './sqlite-services.js';
import type { SqliteVersionTable } from './sqlite-versions.js';
import { StoredCache } from './stored-cache.js';
import type { ListQuery, Page, Stored } from './types.js';

/** The `aliases` table; reads are cached because a call through an alias looks it up. */
export class SqliteAliasTable {
  readonly #db: Database.Database;
  readonly #services: SqliteServiceTable;
  readonly #versions: SqliteVersionTable;
  /** Keyed `service/alias`. */
  readonly #cache = new StoredCache<Alias>();

  constructor(db: Database.Database, services: SqliteServiceTable, versions: SqliteVersionTable) {
    this.#db = db;
    this.#services = services;
    this.#versions = versions;
  }

  create(alias: Alias): Stored<Alias> {
    this.#cache.drop(`${alias.serviceName}/${alias.aliasName}`);
    return this.#db.transaction(() => {
      this.#services.requireExists(alias.serviceName);
      this.#requireVersions(alias);
      const etag = etagOf(alias);
      const result = this.#db
        .prepare(
          `INSERT INTO aliases (service, name, version, extra_version, data, etag) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(...this.#columns(alias), JSON.stringify(alias), etag);
      if (result.changes === 0) {
        throw new FcError(
          'AliasAlreadyExists',
          `alias '${alias.aliasName}' of service '${alias.serviceName}' already exists`,
        );
      }
      return { value: alias, etag };
    })();
  }

  get(serviceName: string, aliasName: string): Stored<Alias> | undefined {
    return this.#cache.get(`${serviceName}/${aliasName}`, () => {
      const row = this.#db
        .prepare('SELECT name, data, etag FROM aliases WHERE service = ? AND name = ?')
        .get(serviceName, aliasName) as Row | undefined;
      return row && fromRow<Alias>(row);
    });
  }

  update(alias: Alias, ifMatch?: string): Stored<Alias> {
    this.#cache.drop(`${alias.serviceName}/${alias.aliasName}`);
    return this.#db.transaction(() => {
      this.#current(alias.serviceName, alias.aliasName, ifMatch);
      this.#requireVersions(alias);
      const etag = etagOf(alias);
      const [service, name, version, extra] = this.#columns(alias);
      this.#db
        .prepare(
          'UPDATE aliases SET version = ?, extra_version = ?, data = ?, etag = ? WHERE service = ? AND name = ?',
        )
        .run(version, extra, JSON.stringify(alias), etag, service, name);
      return { value: alias, etag };
    })();
  }

  delete(serviceName: string, aliasName: string, ifMatch?: string): void {
    this.#cache.drop(`${serviceName}/${aliasName}`);
    this.#db.transaction(() => {
      this.#current(serviceName, aliasName, ifMatch);
      this.#db.prepare('DELETE FROM aliases WHERE service = ? AND name = ?').run(serviceName, aliasName);
    })();
  }

  list(serviceName: string, query: ListQuery): Page<Stored<Alias>> {
    this.#services.requireExists(serviceName);
    return listPage(this.#db, 'SELECT name, data, etag FROM aliases WHERE service = ?', [serviceName], query);
  }

  #columns(alias: Alias): [string, string, number, number | null] {
    const extra = Object.keys(alias.additionalVersionWeight)[0];
    return [alias.serviceName, alias.aliasName, Number(alias.versionId), extra ? Number(extra) : null];
  }

  #requireVersions(alias: Alias): void {
    for (const id of [alias.versionId, ...Object.keys(alias.additionalVersionWeight)]) {
      this.#versions.requireExists(alias.serviceName, id);
    }
  }

  #current(serviceName: string, aliasName: string, ifMatch?: string): Stored<Alias> {
    this.#services.requireExists(serviceName);
    const row = this.#db
      .prepare('SELECT name, data, etag FROM aliases WHERE service = ? AND name = ?')
      .get(serviceName, aliasName) as Row | undefined;
    if (!row) {
      throw new FcError('AliasNotFound', `alias '${aliasName}' of service '${serviceName}' does not exist`);
    }
    checkEtag(row.etag, ifMatch);
    return fromRow<Alias>(row);
  }
}
