import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  type CustomDomain,
  FcError,
  type FunctionRecord,
  type Service,
  type Trigger,
} from '../model/index.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteAsyncQueue } from './sqlite-async.js';
import type { ListQuery, MetaStore, Page, Stored } from './types.js';

interface Row {
  name: string;
  data: string;
  etag: string;
}

/** The embedded default store: one SQLite file in WAL mode. */
export class SqliteMetaStore implements MetaStore {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #lookups = new Map<string, Stored<unknown>>();
  /** `service/function` → its HTTP trigger, or null for none; dropped by every trigger or function write. */
  readonly #httpTriggers = new Map<string, Trigger | null>();

  /** The durable async-invocation queue, in the same database. */
  readonly asyncQueue: SqliteAsyncQueue;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
    this.asyncQueue = new SqliteAsyncQueue(this.#db);
  }

  async createService(service: Service): Promise<Stored<Service>> {
    this.#lookups.delete(`s/${service.serviceName}`);
    const etag = etagOf(service);
    const result = this.#db
      .prepare('INSERT INTO services (name, data, etag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(service.serviceName, JSON.stringify(service), etag);
    if (result.changes === 0) {
      throw new FcError('ServiceAlreadyExists', `service '${service.serviceName}' already exists`);
    }
    return { value: service, etag };
  }

  async getService(name: string): Promise<Stored<Service> | undefined> {
    return this.#cached(`s/${name}`, () => {
      const row = this.#statement('SELECT name, data, etag FROM services WHERE name = ?').get(name) as
        | Row
        | undefined;
      return row && fromRow<Service>(row);
    });
  }

  async updateService(service: Service, ifMatch?: string): Promise<Stored<Service>> {
    this.#lookups.delete(`s/${service.serviceName}`);
    return this.#db.transaction(() => {
      this.#checkServiceEtag(service.serviceName, ifMatch);
      const etag = etagOf(service);
      this.#db
        .prepare('UPDATE services SET data = ?, etag = ? WHERE name = ?')
        .run(JSON.stringify(service), etag, service.serviceName);
      return { value: service, etag };
    })();
  }

  async deleteService(name: string, ifMatch?: string): Promise<void> {
    this.#lookups.delete(`s/${name}`);
    this.#db.transaction(() => {
      this.#checkServiceEtag(name, ifMatch);
      const count = this.#db.prepare('SELECT count(*) AS n FROM functions WHERE service = ?').get(name) as {
        n: number;
      };
      if (count.n > 0) {
        throw new FcError(
          'ServiceNotEmpty',
          `service '${name}' still has ${count.n} function(s); delete them first`,
        );
      }
      this.#db.prepare('DELETE FROM services WHERE name = ?').run(name);
    })();
  }

  async listServices(query: ListQuery): Promise<Page<Stored<Service>>> {
    return this.#list('SELECT name, data, etag FROM services WHERE 1 = 1', [], query);
  }

  async createFunction(fn: FunctionRecord): Promise<Stored<FunctionRecord>> {
    this.#lookups.delete(`f/${fn.serviceName}/${fn.functionName}`);
    return this.#db.transaction(() => {
      this.#requireService(fn.serviceName);
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

  async getFunction(serviceName: string, functionName: string): Promise<Stored<FunctionRecord> | undefined> {
    return this.#cached(`f/${serviceName}/${functionName}`, () => {
      const row = this.#statement(
        'SELECT name, data, etag FROM functions WHERE service = ? AND name = ?',
      ).get(serviceName, functionName) as Row | undefined;
      return row && fromRow<FunctionRecord>(row);
    });
  }

  async updateFunction(fn: FunctionRecord, ifMatch?: string): Promise<Stored<FunctionRecord>> {
    this.#lookups.delete(`f/${fn.serviceName}/${fn.functionName}`);
    return this.#db.transaction(() => {
      this.#checkFunctionEtag(fn.serviceName, fn.functionName, ifMatch);
      const etag = etagOf(fn);
      this.#db
        .prepare('UPDATE functions SET code_sha256 = ?, data = ?, etag = ? WHERE service = ? AND name = ?')
        .run(fn.code?.sha256 ?? null, JSON.stringify(fn), etag, fn.serviceName, fn.functionName);
      return { value: fn, etag };
    })();
  }

  async deleteFunction(
    serviceName: string,
    functionName: string,
    ifMatch?: string,
  ): Promise<Stored<FunctionRecord>> {
    this.#lookups.delete(`f/${serviceName}/${functionName}`);
    this.#httpTriggers.delete(`${serviceName}/${functionName}`);
    return this.#db.transaction(() => {
      const stored = this.#checkFunctionEtag(serviceName, functionName, ifMatch);
      this.#db.prepare('DELETE FROM functions WHERE service = ? AND name = ?').run(serviceName, functionName);
      return stored;
    })();
  }

  async listFunctions(serviceName: string, query: ListQuery): Promise<Page<Stored<FunctionRecord>>> {
    this.#requireService(serviceName);
    return this.#list('SELECT name, data, etag FROM functions WHERE service = ?', [serviceName], query);
  }

  async codeReferences(sha256: string): Promise<number> {
    const row = this.#db.prepare('SELECT count(*) AS n FROM functions WHERE code_sha256 = ?').get(sha256) as {
      n: number;
    };
    return row.n;
  }

  async createTrigger(trigger: Trigger): Promise<Stored<Trigger>> {
    this.#httpTriggers.delete(`${trigger.serviceName}/${trigger.functionName}`);
    return this.#db.transaction(() => {
      this.#checkFunctionEtag(trigger.serviceName, trigger.functionName);
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

  async getTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
  ): Promise<Stored<Trigger> | undefined> {
    const row = this.#db
      .prepare('SELECT name, data, etag FROM triggers WHERE service = ? AND function = ? AND name = ?')
      .get(serviceName, functionName, triggerName) as Row | undefined;
    return row && fromRow<Trigger>(row);
  }

  async updateTrigger(trigger: Trigger, ifMatch?: string): Promise<Stored<Trigger>> {
    this.#httpTriggers.delete(`${trigger.serviceName}/${trigger.functionName}`);
    return this.#db.transaction(() => {
      this.#checkTriggerEtag(trigger.serviceName, trigger.functionName, trigger.triggerName, ifMatch);
      const etag = etagOf(trigger);
      this.#db
        .prepare('UPDATE triggers SET data = ?, etag = ? WHERE service = ? AND function = ? AND name = ?')
        .run(JSON.stringify(trigger), etag, trigger.serviceName, trigger.functionName, trigger.triggerName);
      return { value: trigger, etag };
    })();
  }

  async deleteTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
    ifMatch?: string,
  ): Promise<void> {
    this.#httpTriggers.delete(`${serviceName}/${functionName}`);
    this.#db.transaction(() => {
      this.#checkTriggerEtag(serviceName, functionName, triggerName, ifMatch);
      this.#db
        .prepare('DELETE FROM triggers WHERE service = ? AND function = ? AND name = ?')
        .run(serviceName, functionName, triggerName);
    })();
  }

  async listTriggers(
    serviceName: string,
    functionName: string,
    query: ListQuery,
  ): Promise<Page<Stored<Trigger>>> {
    this.#checkFunctionEtag(serviceName, functionName);
    return this.#list(
      'SELECT name, data, etag FROM triggers WHERE service = ? AND function = ?',
      [serviceName, functionName],
      query,
    );
  }

  async httpTrigger(serviceName: string, functionName: string): Promise<Trigger | undefined> {
    const key = `${serviceName}/${functionName}`;
    let trigger = this.#httpTriggers.get(key);
    if (trigger === undefined) {
      const row = this.#statement(
        `SELECT name, data, etag FROM triggers WHERE service = ? AND function = ? AND type = 'http'
         ORDER BY name LIMIT 1`,
      ).get(serviceName, functionName) as Row | undefined;
      trigger = row ? Object.freeze(fromRow<Trigger>(row).value) : null;
      this.#httpTriggers.set(key, trigger);
    }
    return trigger ?? undefined;
  }

  async triggersOfType(type: string): Promise<Stored<Trigger>[]> {
    const rows = this.#db.prepare('SELECT name, data, etag FROM triggers WHERE type = ?').all(type) as Row[];
    return rows.map((row) => fromRow<Trigger>(row));
  }

  async createCustomDomain(domain: CustomDomain): Promise<Stored<CustomDomain>> {
    const etag = etagOf(domain);
    const result = this.#db
      .prepare('INSERT INTO custom_domains (name, data, etag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(domain.domainName, JSON.stringify(domain), etag);
    if (result.changes === 0) {
      throw new FcError('DomainNameAlreadyExists', `custom domain '${domain.domainName}' already exists`);
    }
    return { value: domain, etag };
  }

  async getCustomDomain(name: string): Promise<Stored<CustomDomain> | undefined> {
    const row = this.#db.prepare('SELECT name, data, etag FROM custom_domains WHERE name = ?').get(name) as
      | Row
      | undefined;
    return row && fromRow<CustomDomain>(row);
  }

  async updateCustomDomain(domain: CustomDomain, ifMatch?: string): Promise<Stored<CustomDomain>> {
    return this.#db.transaction(() => {
      this.#checkDomainEtag(domain.domainName, ifMatch);
      const etag = etagOf(domain);
      this.#db
        .prepare('UPDATE custom_domains SET data = ?, etag = ? WHERE name = ?')
        .run(JSON.stringify(domain), etag, domain.domainName);
      return { value: domain, etag };
    })();
  }

  async deleteCustomDomain(name: string, ifMatch?: string): Promise<void> {
    this.#db.transaction(() => {
      this.#checkDomainEtag(name, ifMatch);
      this.#db.prepare('DELETE FROM custom_domains WHERE name = ?').run(name);
    })();
  }

  async listCustomDomains(query: ListQuery): Promise<Page<Stored<CustomDomain>>> {
    return this.#list('SELECT name, data, etag FROM custom_domains WHERE 1 = 1', [], query);
  }

  #checkDomainEtag(name: string, ifMatch?: string): void {
    const row = this.#db.prepare('SELECT etag FROM custom_domains WHERE name = ?').get(name) as
      | { etag: string }
      | undefined;
    if (!row) throw new FcError('DomainNameNotFound', `custom domain '${name}' does not exist`);
    checkEtag(row.etag, ifMatch);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /**
   * Services and functions are read on every invocation: keep the parsed rows. Every write goes through this
   * class (one process owns the file) and drops its entry first, so the cache never serves a stale row.
   */
  #cached<T>(key: string, load: () => Stored<T> | undefined): Stored<T> | undefined {
    const hit = this.#lookups.get(key);
    if (hit) return hit as Stored<T>;
    const value = load();
    // Only rows that exist: caching misses would let lookups of made-up names grow the map without bound.
    if (value) this.#lookups.set(key, { ...value, value: Object.freeze(value.value) });
    return value;
  }

  /** Prepared once and reused: these lookups run on every invocation. */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #list<T>(base: string, params: unknown[], query: ListQuery): Page<Stored<T>> {
    let sql = base;
    const args = [...params];
    if (query.prefix) {
      sql += ` AND substr(name, 1, ?) = ?`;
      args.push(query.prefix.length, query.prefix);
    }
    const from = [query.startKey, decodeToken(query.nextToken)]
      .filter((k): k is string => !!k)
      .sort()
      .pop();
    if (from !== undefined) {
      sql += ' AND name >= ?';
      args.push(from);
    }
    sql += ' ORDER BY name LIMIT ?';
    args.push(query.limit + 1);
    const rows = this.#db.prepare(sql).all(...args) as Row[];
    const more = rows.length > query.limit ? rows.pop() : undefined;
    return {
      items: rows.map((row) => fromRow<T>(row)),
      nextToken: more ? Buffer.from(more.name).toString('base64url') : undefined,
    };
  }

  #requireService(name: string): void {
    if (!this.#db.prepare('SELECT 1 FROM services WHERE name = ?').get(name)) {
      throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
    }
  }

  #checkServiceEtag(name: string, ifMatch?: string): void {
    const row = this.#db.prepare('SELECT etag FROM services WHERE name = ?').get(name) as
      | { etag: string }
      | undefined;
    if (!row) throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
    checkEtag(row.etag, ifMatch);
  }

  #checkTriggerEtag(serviceName: string, functionName: string, triggerName: string, ifMatch?: string): void {
    this.#checkFunctionEtag(serviceName, functionName);
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

  #checkFunctionEtag(serviceName: string, functionName: string, ifMatch?: string): Stored<FunctionRecord> {
    this.#requireService(serviceName);
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

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the metadata store is at schema version ${current}, newer than this Kumo knows`);
  }
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] as string);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

function etagOf(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

function fromRow<T>(row: Row): Stored<T> {
  return { value: JSON.parse(row.data) as T, etag: row.etag };
}

/** `ifMatch` is a bare etag (the control layer reads HTTP's If-Match forms); undefined matches anything. */
function checkEtag(actual: string, ifMatch?: string): void {
  if (ifMatch !== undefined && ifMatch !== actual) {
    throw new FcError(
      'PreconditionFailed',
      `If-Match '${ifMatch}' does not match the current etag '${actual}'`,
    );
  }
}

function decodeToken(token?: string): string | undefined {
  return token ? Buffer.from(token, 'base64url').toString() : undefined;
}
