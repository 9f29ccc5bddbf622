import type Database from 'better-sqlite3';
import { FcError, type FunctionRecord } from '../model/index.js';
import { checkEtag, etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import type { SqliteServiceTable } from './sqlite-services.js';
import { StoredCache } from './stored-cache.js';
import type { ListQuery, Page, Stored } from './types.js';

/** The `functions` table; reads are cached because every invocation looks its function up. */
export class SqliteFunctionTable {
  readonly #db: Database.Database;
  readonly #services: SqliteServiceTable;
  /** Keyed `service/function`. */
  readonly #cache = new StoredCache<FunctionRecord>();
  /** Prepared once and reused: this lookup runs on every invocation. */
  readonly #selectByName: Database.Statement;

  constructor(db: Database.Database, services: SqliteServiceTable) {
    this.#db = db;
    this.#services = services;
    this.#selectByName = db.prepare('SELECT name, data, etag FROM functions WHERE service = ? AND name = ?');
  }

  create(fn: FunctionRecord): Stored<FunctionRecord> {
    this.#cache.drop(`${fn.serviceName}/${fn.functionName}`);
    return this.#db.transaction(() => {
      this.#services.requireExists(fn.serviceName);
      const etag = etagOf(fn);
      const result = this.#db
        .prepare(
          `INSERT INTO functions (service, name, code_sha256, data, etag) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(fn.serviceName, fn.functionName, fn.code?.sha256 ?? null, JSON.stringify(fn), etag);
      if (result.changes === 0) {
        throw new FcError(
          'FunctionAlreadyExists',
          `function '${fn.functionName}' already exists in service '${fn.serviceName}'`,
        );
      }
      return { value: fn, etag };
    })();
  }

  get(serviceName: string, functionName: string): Stored<FunctionRecord> | undefined {
    return this.#cache.get(`${serviceName}/${functionName}`, () => {
      const row = this.#selectByName.get(serviceName, functionName) as Row | undefined;
      return row && fromRow<FunctionRecord>(row);
    });
  }

  update(fn: FunctionRecord, ifMatch?: string): Stored<FunctionRecord> {
    this.#cache.drop(`${fn.serviceName}/${fn.functionName}`);
    return this.#db.transaction(() => {
      this.#current(fn.serviceName, fn.functionName, ifMatch);
      const etag = etagOf(fn);
      this.#db
        .prepare('UPDATE functions SET code_sha256 = ?, data = ?, etag = ? WHERE service = ? AND name = ?')
        .run(fn.code?.sha256 ?? null, JSON.stringify(fn), etag, fn.serviceName, fn.functionName);
      return { value: fn, etag };
    })();
  }

  /** Returns the deleted record; its triggers go with it (ON DELETE CASCADE). */
  delete(serviceName: string, functionName: string, ifMatch?: string): Stored<FunctionRecord> {
    this.#cache.drop(`${serviceName}/${functionName}`);
    return this.#db.transaction(() => {
      const stored = this.#current(serviceName, functionName, ifMatch);
      this.#db.prepare('DELETE FROM functions WHERE service = ? AND name = ?').run(serviceName, functionName);
      return stored;
    })();
  }

  list(serviceName: string, query: ListQuery): Page<Stored<FunctionRecord>> {
    this.#services.requireExists(serviceName);
    return listPage(
      this.#db,
      'SELECT name, data, etag FROM functions WHERE service = ?',
      [serviceName],
      query,
    );
  }

  /** How many functions use this code package. */
  codeReferences(sha256: string): number {
    const row = this.#db.prepare('SELECT count(*) AS n FROM functions WHERE code_sha256 = ?').get(sha256) as {
      n: number;
    };
    return row.n;
  }

  /** Throws ServiceNotFound or FunctionNotFound unless both exist (reads the table, not the cache). */
  requireExists(serviceName: string, functionName: string): void {
    this.#current(serviceName, functionName);
  }

  /** The stored record, read inside the caller's transaction; with `ifMatch`, it must carry that etag. */
  #current(serviceName: string, functionName: string, ifMatch?: string): Stored<FunctionRecord> {
    this.#services.requireExists(serviceName);
    const row = this.#db
      .prepare('SELECT name, data, etag FROM functions WHERE service = ? AND name = ?')
      .get(serviceName, functionName) as Row | undefined;
    if (!row) {
      throw new FcError(
        'FunctionNotFound',
        `function '${functionName}' does not exist in service '${serviceName}'`,
      );
    }
    checkEtag(row.etag, ifMatch);
    return fromRow<FunctionRecord>(row);
  }
}
