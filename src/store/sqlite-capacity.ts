import type Database from 'better-sqlite3';
import type { OnDemandConfig, ProvisionConfig } from '../model/index.js';
import type { CapacityFilter, CapacityKey, CapacityStore } from './capacity-types.js';
import { pageInMemory } from './paging.js';
import type { ListQuery, Page } from './types.js';

type Kind = 'provision' | 'on-demand';

/** The sort and paging name of a config: FC pages these lists by resource. */
const nameOf = (key: CapacityKey) => `${key.serviceName}#${key.qualifier}#${key.functionName}`;

/** The `capacity_configs` table, held in memory as well (see CapacityStore). */
export class SqliteCapacityTable implements CapacityStore {
  readonly #db: Database.Database;
  readonly #provision = new Map<string, ProvisionConfig>();
  readonly #onDemand = new Map<string, OnDemandConfig>();

  constructor(db: Database.Database) {
    this.#db = db;
    const rows = db.prepare('SELECT kind, data FROM capacity_configs').all() as Array<{
      kind: Kind;
      data: string;
    }>;
    for (const row of rows) {
      if (row.kind === 'provision') {
        const config = JSON.parse(row.data) as ProvisionConfig;
        this.#provision.set(nameOf(config), config);
      } else {
        const config = JSON.parse(row.data) as OnDemandConfig;
        this.#onDemand.set(nameOf(config), config);
      }
    }
  }

  putProvisionConfig(config: ProvisionConfig): void {
    this.#write('provision', config);
    this.#provision.set(nameOf(config), config);
  }

  getProvisionConfig(key: CapacityKey): ProvisionConfig | undefined {
    return this.#provision.get(nameOf(key));
  }

  deleteProvisionConfig(key: CapacityKey): void {
    this.#remove('provision', key);
    this.#provision.delete(nameOf(key));
  }

  listProvisionConfigs(filter: CapacityFilter, query: ListQuery): Page<ProvisionConfig> {
    return pageInMemory([...this.#provision.values()].filter(matches(filter)), nameOf, query);
  }

  allProvisionConfigs(): ProvisionConfig[] {
    return [...this.#provision.values()];
  }

  putOnDemandConfig(config: OnDemandConfig): void {
    this.#write('on-demand', config);
    this.#onDemand.set(nameOf(config), config);
  }

  getOnDemandConfig(key: CapacityKey): OnDemandConfig | undefined {
    return this.#onDemand.get(nameOf(key));
  }

  deleteOnDemandConfig(key: CapacityKey): boolean {
    this.#remove('on-demand', key);
    return this.#onDemand.delete(nameOf(key));
  }

  listOnDemandConfigs(filter: CapacityFilter, query: ListQuery): Page<OnDemandConfig> {
    return pageInMemory([...this.#onDemand.values()].filter(matches(filter)), nameOf, query);
  }

  /** Every write is synchronous here: durable when it returns. */
  async flush(): Promise<void> {}

  #write(kind: Kind, config: CapacityKey): void {
    this.#db
      .prepare(
        `INSERT INTO capacity_configs (kind, service, qualifier, function, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, service, qualifier, function) DO UPDATE SET data = excluded.data`,
      )
      .run(kind, config.serviceName, config.qualifier, config.functionName, JSON.stringify(config));
  }

  #remove(kind: Kind, key: CapacityKey): void {
    this.#db
      .prepare(
        'DELETE FROM capacity_configs WHERE kind = ? AND service = ? AND qualifier = ? AND function = ?',
      )
      .run(kind, key.serviceName, key.qualifier, key.functionName);
  }
}

function matches(filter: CapacityFilter): (key: CapacityKey) => boolean {
  return (key) =>
    (!filter.serviceName || key.serviceName === filter.serviceName) &&
    (!filter.qualifier || key.qualifier === filter.qualifier);
}
