import type pg from 'pg';
import type {
  Alias,
  CustomDomain,
  FunctionRecord,
  LayerVersion,
  Service,
  Trigger,
  Version,
} from '../../model/index.js';
import type {
  LayerListQuery,
  LayerVersionPage,
  ListQuery,
  MetaStore,
  Page,
  Stored,
  VersionQuery,
} from '../types.js';
import { PgAliasTable } from './aliases.js';
import { PgAsyncConfigTable } from './async-configs.js';
import { PgAsyncQueue } from './async-queue.js';
import { PgCapacityTable } from './capacity.js';
import { PgCodeBlobs } from './code-blobs.js';
import { PgCustomDomainTable } from './custom-domains.js';
import { createPool, one } from './db.js';
import { PgFunctionTable } from './functions.js';
import { PgLayerTable } from './layers.js';
import { migratePostgres } from './migrations.js';
import { PgServiceTable } from './services.js';
import { PgSettings } from './settings.js';
import { PgTagTable } from './tags.js';
import { PgTriggerTable } from './triggers.js';
import { PgVersionTable } from './versions.js';

export interface PostgresStoreOptions {
  /** Connections in this node's pool (default 10). */
  poolSize?: number;
}

/**
 * The shared store for several Kumo nodes: the same MetaStore as SQLite's on PostgreSQL. Nothing is cached
 * here (another node may write at any time); every call is one query or one transaction.
 */
export class PostgresMetaStore implements MetaStore {
  /** The node's connection pool (for subsystems built on the same database, e.g. cluster coordination). */
  readonly pool: pg.Pool;
  readonly asyncQueue: PgAsyncQueue;
  readonly asyncConfigs: PgAsyncConfigTable;
  readonly capacity: PgCapacityTable;
  /** Code packages and layer zips, once for every node. */
  readonly codeBlobs: PgCodeBlobs;
  /** Values every node shares (the root credentials). */
  readonly settings: PgSettings;
  readonly #services: PgServiceTable;
  readonly #functions: PgFunctionTable;
  readonly #triggers: PgTriggerTable;
  readonly #customDomains: PgCustomDomainTable;
  readonly #versions: PgVersionTable;
  readonly #aliases: PgAliasTable;
  readonly #layers: PgLayerTable;
  readonly #tags: PgTagTable;
  #closed = false;

  private constructor(pool: pg.Pool, capacity: PgCapacityTable) {
    this.pool = pool;
    this.capacity = capacity;
    this.asyncQueue = new PgAsyncQueue(pool);
    this.asyncConfigs = new PgAsyncConfigTable(pool);
    this.codeBlobs = new PgCodeBlobs(pool);
    this.settings = new PgSettings(pool);
    this.#services = new PgServiceTable(pool);
    this.#functions = new PgFunctionTable(pool);
    this.#triggers = new PgTriggerTable(pool);
    this.#customDomains = new PgCustomDomainTable(pool);
    this.#versions = new PgVersionTable(pool);
    this.#aliases = new PgAliasTable(pool);
    this.#layers = new PgLayerTable(pool);
    this.#tags = new PgTagTable(pool);
  }

  /** Connects to `url` (`postgres://…`), migrates the schema (safely, with other nodes starting) and loads. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresMetaStore> {
    const pool = createPool(url, options.poolSize);
    try {
      await migratePostgres(pool);
      return new PostgresMetaStore(pool, await PgCapacityTable.load(pool));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  createService(service: Service): Promise<Stored<Service>> {
    return this.#services.create(service);
  }

  getService(name: string): Promise<Stored<Service> | undefined> {
    return this.#services.get(name);
  }

  updateService(service: Service, ifMatch?: string): Promise<Stored<Service>> {
    return this.#services.update(service, ifMatch);
  }

  deleteService(name: string, ifMatch?: string): Promise<void> {
    return this.#services.delete(name, ifMatch);
  }

  listServices(query: ListQuery): Promise<Page<Stored<Service>>> {
    return this.#services.list(query);
  }

  createFunction(fn: FunctionRecord): Promise<Stored<FunctionRecord>> {
    return this.#functions.create(fn);
  }

  getFunction(serviceName: string, functionName: string): Promise<Stored<FunctionRecord> | undefined> {
    return this.#functions.get(serviceName, functionName);
  }

  updateFunction(fn: FunctionRecord, ifMatch?: string): Promise<Stored<FunctionRecord>> {
    return this.#functions.update(fn, ifMatch);
  }

  deleteFunction(
    serviceName: string,
    functionName: string,
    ifMatch?: string,
  ): Promise<Stored<FunctionRecord>> {
    return this.#functions.delete(serviceName, functionName, ifMatch);
  }

  listFunctions(serviceName: string, query: ListQuery): Promise<Page<Stored<FunctionRecord>>> {
    return this.#functions.list(serviceName, query);
  }

  async codeReferences(sha256: string): Promise<number> {
    const row = await one<{ n: number }>(
      this.pool,
      `SELECT (SELECT count(*) FROM functions WHERE code_sha256 = $1)
            + (SELECT count(*) FROM version_code WHERE code_sha256 = $1)
            + (SELECT count(*) FROM layer_versions WHERE code_sha256 = $1) AS n`,
      [sha256],
    );
    return row?.n ?? 0;
  }

  createTrigger(trigger: Trigger): Promise<Stored<Trigger>> {
    return this.#triggers.create(trigger);
  }

  getTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
  ): Promise<Stored<Trigger> | undefined> {
    return this.#triggers.get(serviceName, functionName, triggerName);
  }

  updateTrigger(trigger: Trigger, ifMatch?: string): Promise<Stored<Trigger>> {
    return this.#triggers.update(trigger, ifMatch);
  }

  deleteTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
    ifMatch?: string,
  ): Promise<void> {
    return this.#triggers.delete(serviceName, functionName, triggerName, ifMatch);
  }

  listTriggers(serviceName: string, functionName: string, query: ListQuery): Promise<Page<Stored<Trigger>>> {
    return this.#triggers.list(serviceName, functionName, query);
  }

  httpTrigger(serviceName: string, functionName: string): Promise<Trigger | undefined> {
    return this.#triggers.http(serviceName, functionName);
  }

  triggersOfType(type: string): Promise<Stored<Trigger>[]> {
    return this.#triggers.ofType(type);
  }

  createCustomDomain(domain: CustomDomain): Promise<Stored<CustomDomain>> {
    return this.#customDomains.create(domain);
  }

  getCustomDomain(name: string): Promise<Stored<CustomDomain> | undefined> {
    return this.#customDomains.get(name);
  }

  updateCustomDomain(domain: CustomDomain, ifMatch?: string): Promise<Stored<CustomDomain>> {
    return this.#customDomains.update(domain, ifMatch);
  }

  deleteCustomDomain(name: string, ifMatch?: string): Promise<void> {
    return this.#customDomains.delete(name, ifMatch);
  }

  listCustomDomains(query: ListQuery): Promise<Page<Stored<CustomDomain>>> {
    return this.#customDomains.list(query);
  }

  publishVersion(
    draft: Omit<Version, 'versionId'>,
    unchanged: (last: Version) => boolean,
  ): Promise<Stored<Version>> {
    return this.#versions.publish(draft, unchanged);
  }

  getVersion(serviceName: string, versionId: string): Promise<Stored<Version> | undefined> {
    return this.#versions.get(serviceName, versionId);
  }

  listVersions(serviceName: string, query: VersionQuery): Promise<Page<Stored<Version>>> {
    return this.#versions.list(serviceName, query);
  }

  deleteVersion(serviceName: string, versionId: string): Promise<void> {
    return this.#versions.delete(serviceName, versionId);
  }

  createAlias(alias: Alias): Promise<Stored<Alias>> {
    return this.#aliases.create(alias);
  }

  getAlias(serviceName: string, aliasName: string): Promise<Stored<Alias> | undefined> {
    return this.#aliases.get(serviceName, aliasName);
  }

  updateAlias(alias: Alias, ifMatch?: string): Promise<Stored<Alias>> {
    return this.#aliases.update(alias, ifMatch);
  }

  deleteAlias(serviceName: string, aliasName: string, ifMatch?: string): Promise<void> {
    return this.#aliases.delete(serviceName, aliasName, ifMatch);
  }

  listAliases(serviceName: string, query: ListQuery): Promise<Page<Stored<Alias>>> {
    return this.#aliases.list(serviceName, query);
  }

  publishLayerVersion(draft: Omit<LayerVersion, 'version' | 'acl'>): Promise<Stored<LayerVersion>> {
    return this.#layers.publish(draft);
  }

  getLayerVersion(
    layerName: string,
    version: number,
    includeDeleted?: boolean,
  ): Promise<Stored<LayerVersion> | undefined> {
    return this.#layers.get(layerName, version, includeDeleted);
  }

  listLayers(query: LayerListQuery): Promise<Page<Stored<LayerVersion>>> {
    return this.#layers.list(query);
  }

  listLayerVersions(layerName: string, startVersion: number, limit: number): Promise<LayerVersionPage> {
    return this.#layers.listVersions(layerName, startVersion, limit);
  }

  deleteLayerVersion(layerName: string, version: number): Promise<void> {
    return this.#layers.delete(layerName, version);
  }

  setLayerAcl(layerName: string, acl: number): Promise<void> {
    return this.#layers.setAcl(layerName, acl);
  }

  getTags(resource: string): Promise<Record<string, string>> {
    return this.#tags.get(resource);
  }

  tagResource(resource: string, tags: Record<string, string>, max: number): Promise<void> {
    return this.#tags.put(resource, tags, max);
  }

  untagResource(resource: string, keys: string[] | 'all'): Promise<void> {
    return this.#tags.remove(resource, keys);
  }

  /** Waits for the capacity writes still on their way, then closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.capacity.flush().catch(() => undefined);
    await this.pool.end();
  }
}
