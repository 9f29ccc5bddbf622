import type Database from 'better-sqlite3';
import { FcError, type Trigger } from '../model/index.js';
import type { SqliteFunctionTable } from './sqlite-functions.js';
import { checkEtag, etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import type { ListQuery, Page, Stored } from './types.js';

/** The `triggers` table. A function's HTTP trigger is cached: the gateway reads it on every request. */
export class SqliteTriggerTable {
  readonly #db: Database.Database;
  readonly #functions: SqliteFunctionTable;
  /**
   * `service/function` → its HTTP trigger, or null for an existing function with none; dropped by every
   * trigger write and by the function's deletion.
   */
  readonly #httpTriggers = new Map<string, Trigger | null>();
  /** Prepared once and reused: this lookup runs on every HTTP request. */
  readonly #selectHttp: Database.Statement;

  constructor(db: Database.Database, functions: SqliteFunctionTable) {
    this.#db = db;
    this.#functions = functions;
    this.#selectHttp = db.prepare(
      `SELECT name, data, etag FROM triggers WHERE service = ? AND function = ? AND type = 'http'
       ORDER BY name LIMIT 1`,
    );
  }

  create(trigger: Trigger): Stored<Trigger> {
    this.forgetHttpTrigger(trigger.serviceName, trigger.functionName);
    return this.#db.transaction(() => {
      this.#functions.requireExists(trigger.serviceName, trigger.functionName);
      const etag = etagOf(trigger);
      const result = this.#db
        .prepare(
          `INSERT INTO triggers (service, function, name, type, data, etag) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(
          trigger.serviceName,
          trigger.functionName,
          trigger.triggerName,
          trigger.triggerType,
          JSON.stringify(trigger),
          etag,
        );
      if (result.changes === 0) {
        throw new FcError('TriggerAlreadyExists', `trigger '${trigger.triggerName}' already exists`);
      }
      return { value: trigger, etag };
    })();
  }

  get(serviceName: string, functionName: string, triggerName: string): Stored<Trigger> | undefined {
    const row = this.#db
      .prepare('SELECT name, data, etag FROM triggers WHERE service = ? AND function = ? AND name = ?')
      .get(serviceName, functionName, triggerName) as Row | undefined;
    return row && fromRow<Trigger>(row);
  }

  update(trigger: Trigger, ifMatch?: string): Stored<Trigger> {
    this.forgetHttpTrigger(trigger.serviceName, trigger.functionName);
    return this.#db.transaction(() => {
      this.#checkEtag(trigger.serviceName, trigger.functionName, trigger.triggerName, ifMatch);
      const etag = etagOf(trigger);
      this.#db
        .prepare('UPDATE triggers SET data = ?, etag = ? WHERE service = ? AND function = ? AND name = ?')
        .run(JSON.stringify(trigger), etag, trigger.serviceName, trigger.functionName, trigger.triggerName);
      return { value: trigger, etag };
    })();
  }

  delete(serviceName: string, functionName: string, triggerName: string, ifMatch?: string): void {
    this.forgetHttpTrigger(serviceName, functionName);
    this.#db.transaction(() => {
      this.#checkEtag(serviceName, functionName, triggerName, ifMatch);
      this.#db
        .prepare('DELETE FROM triggers WHERE service = ? AND function = ? AND name = ?')
        .run(serviceName, functionName, triggerName);
    })();
  }

  list(serviceName: string, functionName: string, query: ListQuery): Page<Stored<Trigger>> {
    this.#functions.requireExists(serviceName, functionName);
    return listPage(
      this.#db,
      'SELECT name, data, etag FROM triggers WHERE service = ? AND function = ?',
      [serviceName, functionName],
      query,
    );
  }

  /** The function's HTTP trigger (the first by name), frozen, or undefined for none. */
  http(serviceName: string, functionName: string): Trigger | undefined {
    const key = `${serviceName}/${functionName}`;
    let trigger = this.#httpTriggers.get(key);
    if (trigger === undefined) {
      const row = this.#selectHttp.get(serviceName, functionName) as Row | undefined;
      trigger = row ? Object.freeze(fromRow<Trigger>(row).value) : null;
      // "None" only for a function that exists: the gateway asks before it knows the names are real, and
      // caching misses for made-up names would grow the map without bound.
      if (row || this.#functions.get(serviceName, functionName)) this.#httpTriggers.set(key, trigger);
    }
    return trigger ?? undefined;
  }

  ofType(type: string): Stored<Trigger>[] {
    const rows = this.#db.prepare('SELECT name, data, etag FROM triggers WHERE type = ?').all(type) as Row[];
    return rows.map((row) => fromRow<Trigger>(row));
  }

  /** Drops the cached HTTP trigger of a function: call before any write to its triggers or to the function. */
  forgetHttpTrigger(serviceName: string, functionName: string): void {
    this.#httpTriggers.delete(`${serviceName}/${functionName}`);
  }

  #checkEtag(serviceName: string, functionName: string, triggerName: string, ifMatch?: string): void {
    this.#functions.requireExists(serviceName, functionName);
    const row = this.#db
      .prepare('SELECT etag FROM triggers WHERE service = ? AND function = ? AND name = ?')
      .get(serviceName, functionName, triggerName) as { etag: string } | undefined;
    if (!row) {
      throw new FcError(
        'TriggerNotFound',
        `trigger '${triggerName}' does not exist on function '${functionName}'`,
      );
    }
    checkEtag(row.etag, ifMatch);
  }
}
