import Database from 'better-sqlite3';
import type {
  Alias,
  CustomDomain,
  FunctionRecord,
  LayerVersion,
  Service,
  Trigger,
  Version,
} from '../model/index.js';
import { migrate } from './migrations.js';
import { SqliteAliasTable } from './sqlite-aliases.js';
import { SqliteAsyncQueue } from './sqlite-async.js';
import { SqliteAsyncConfigTable } from './sqlite-async-configs.js';
import { SqliteCapacityTable } from './sqlite-capacity.js';
import { SqliteCustomDomainTable } from './sqlite-custom-domains.js';
import { SqliteFunctionTable } from './sqlite-functions.js';
import { SqliteLayerTable } from './sqlite-layers.js';
import { SqliteServiceTable } from './sqlite-services.js';
import { SqliteTagTable } from './sqlite-tags.js';
import { SqliteTriggerTable } from './sqlite-triggers.js';
import { SqliteVersionTable } from './sqlite-versions.js';
import type {
  LayerListQuery,
  LayerVersionPage,
  ListQuery,
  MetaStore,
  Page,
  Stored,
  VersionQuery,
} from './types.js';

/**
 * The embedded default store: one SQLite file in WAL mode, one table class per resource. Every write goes
 * through this process (it owns the file), which is what lets the tables cache their hot reads.
 */
export class SqliteMetaStore implements MetaStore {
  readonly #db: Database.Database;
  readonly #services: SqliteServiceTable;
  readonly #functions: SqliteFunctionTable;
  readonly #triggers: SqliteTriggerTable;
  readonly #customDomains: SqliteCustomDomainTable;
  readonly #versions: SqliteVersionTable;
  readonly #aliases: SqliteAliasTable;
  readonly #layers: SqliteLayerTable;
  readonly #tags: SqliteTagTable;

  /** The durable async-invocation queue, in the same database. */
  readonly asyncQueue: SqliteAsyncQueue;
  /** Async invoke configs per function and qualifier, in the same database. */
  readonly asyncConfigs: SqliteAsyncConfigTable;
  readonly capacity: SqliteCapacityTable;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
    this.#services = new SqliteServiceTable(this.#db);
    this.#functions = new SqliteFunctionTable(this.#db, this.#services);
    this.#triggers = new SqliteTriggerTable(this.#db, this.#functions);
    this.#customDomains = new SqliteCustomDomainTable(this.#db);
    this.#versions = new SqliteVersionTable(this.#db, this.#services);
    this.#aliases = new SqliteAliasTable(this.#db, this.#services, this.#versions);
    this.#layers = new SqliteLayerTable(this.#db);
    this.#tags = new SqliteTagTable(this.#db);
    this.asyncQueue = new SqliteAsyncQueue(this.#db);
    this.asyncConfigs = new SqliteAsyncConfigTable(this.#db);
    this.capacity = new SqliteCapacityTable(this.#db);
  }

  async createService(service: Service): Promise<Stored<Service>> {
    return this.#services.create(service);
  }

  async getService(name: string): Promise<Stored<Service> | undefined> {
    return this.#services.get(name);
  }

  async updateService(service: Service, ifMatch?: string): Promise<Stored<Service>> {
    return this.#services.update(service, ifMatch);
  }

  async deleteService(name: string, ifMatch?: string): Promise<void> {
    this.#services.delete(name, ifMatch);
  }

  async listServices(query: ListQuery): Promise<Page<Stored<Service>>> {
    return this.#services.list(query);
  }

  async createFunction(fn: FunctionRecord): Promise<Stored<FunctionRecord>> {
    return this.#functions.create(fn);
  }

  async getFunction(serviceName: string, functionName: string): Promise<Stored<FunctionRecord> | undefined> {
    return this.#functions.get(serviceName, functionName);
  }

  async updateFunction(fn: FunctionRecord, ifMatch?: string): Promise<Stored<FunctionRecord>> {
    return this.#functions.update(fn, ifMatch);
  }

  async deleteFunction(
    serviceName: string,
    functionName: string,
    ifMatch?: string,
  ): Promise<Stored<FunctionRecord>> {
    // The function's triggers go with it (ON DELETE CASCADE), so its cached HTTP trigger must too.
    this.#triggers.forgetHttpTrigger(serviceName, functionName);
    return this.#functions.delete(serviceName, functionName, ifMatch);
  }

  async listFunctions(serviceName: string, query: ListQuery): Promise<Page<Stored<FunctionRecord>>> {
    return this.#functions.list(serviceName, query);
  }

  async codeReferences(sha256: string): Promise<number> {
    return (
      this.#functions.codeReferences(sha256) +
      this.#versions.codeReferences(sha256) +
      this.#layers.codeReferences(sha256)
    );
  }

  async createTrigger(trigger: Trigger): Promise<Stored<Trigger>> {
    return this.#triggers.create(trigger);
  }

  async getTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
  ): Promise<Stored<Trigger> | undefined> {
    return this.#triggers.get(serviceName, functionName, triggerName);
  }

  async updateTrigger(trigger: Trigger, ifMatch?: string): Promise<Stored<Trigger>> {
    return this.#triggers.update(trigger, ifMatch);
  }

  async deleteTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
    ifMatch?: string,
  ): Promise<void> {
    this.#triggers.delete(serviceName, functionName, triggerName, ifMatch);
  }

  async listTriggers(
    serviceName: string,
    functionName: string,
    query: ListQuery,
  ): Promise<Page<Stored<Trigger>>> {
    return this.#triggers.list(serviceName, functionName, query);
  }

  async httpTrigger(serviceName: string, functionName: string): Promise<Trigger | undefined> {
    return this.#triggers.http(serviceName, functionName);
  }

  async triggersOfType(type: string): Promise<Stored<Trigger>[]> {
    return this.#triggers.ofType(type);
  }

  async createCustomDomain(domain: CustomDomain): Promise<Stored<CustomDomain>> {
    return this.#customDomains.create(domain);
  }

  async getCustomDomain(name: string): Promise<Stored<CustomDomain> | undefined> {
    return this.#customDomains.get(name);
  }

  async updateCustomDomain(domain: CustomDomain, ifMatch?: string): Promise<Stored<CustomDomain>> {
    return this.#customDomains.update(domain, ifMatch);
  }

  async deleteCustomDomain(name: string, ifMatch?: string): Promise<void> {
    this.#customDomains.delete(name, ifMatch);
  }

  async listCustomDomains(query: ListQuery): Promise<Page<Stored<CustomDomain>>> {
    return this.#customDomains.list(query);
  }

  async publishVersion(
    draft: Omit<Version, 'versionId'>,
    unchanged: (last: Version) => boolean,
  ): Promise<Stored<Version>> {
    return this.#versions.publish(draft, unchanged);
  }

  async getVersion(serviceName: string, versionId: string): Promise<Stored<Version> | undefined> {
    return this.#versions.get(serviceName, versionId);
  }

  async listVersions(serviceName: string, query: VersionQuery): Promise<Page<Stored<Version>>> {
    return this.#versions.list(serviceName, query);
  }

  async deleteVersion(serviceName: string, versionId: string): Promise<void> {
    this.#versions.delete(serviceName, versionId);
  }

  async createAlias(alias: Alias): Promise<Stored<Alias>> {
    return this.#aliases.create(alias);
  }

  async getAlias(serviceName: string, aliasName: string): Promise<Stored<Alias> | undefined> {
    return this.#aliases.get(serviceName, aliasName);
  }

  async updateAlias(alias: Alias, ifMatch?: string): Promise<Stored<Alias>> {
    return this.#aliases.update(alias, ifMatch);
  }

  async deleteAlias(serviceName: string, aliasName: string, ifMatch?: string): Promise<void> {
    this.#aliases.delete(serviceName, aliasName, ifMatch);
  }

  async listAliases(serviceName: string, query: ListQuery): Promise<Page<Stored<Alias>>> {
    return this.#aliases.list(serviceName, query);
  }

  async publishLayerVersion(draft: Omit<LayerVersion, 'version' | 'acl'>): Promise<Stored<LayerVersion>> {
    return this.#layers.publish(draft);
  }

  async getLayerVersion(
    layerName: string,
    version: number,
    includeDeleted?: boolean,
  ): Promise<Stored<LayerVersion> | undefined> {
    return this.#layers.get(layerName, version, includeDeleted);
  }

  async listLayers(query: LayerListQuery): Promise<Page<Stored<LayerVersion>>> {
    return this.#layers.list(query);
  }

  async listLayerVersions(layerName: string, startVersion: number, limit: number): Promise<LayerVersionPage> {
    return this.#layers.listVersions(layerName, startVersion, limit);
  }

  async deleteLayerVersion(layerName: string, version: number): Promise<void> {
    this.#layers.delete(layerName, version);
  }

  async setLayerAcl(layerName: string, acl: number): Promise<void> {
    this.#layers.setAcl(layerName, acl);
  }

  async getTags(resource: string): Promise<Record<string, string>> {
    return this.#tags.get(resource);
  }

  async tagResource(resource: string, tags: Record<string, string>, max: number): Promise<void> {
    this.#tags.put(resource, tags, max);
  }

  async untagResource(resource: string, keys: string[] | 'all'): Promise<void> {
    this.#tags.remove(resource, keys);
  }

  /** Why the database cannot serve (closed, unreadable), or undefined when a read works (`/readyz`). */
  problem(): string | undefined {
    try {
      this.#db.prepare('SELECT count(*) FROM services WHERE 0').get();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
