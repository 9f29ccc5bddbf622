import type pg from 'pg';
import type { OnDemandConfig, ProvisionConfig } from '../../model/index.js';
import type { CapacityFilter, CapacityKey, CapacityStore } from '../capacity-types.js';
import { pageInMemory } from '../paging.js';
import type { ListQuery, Page } from '../types.js';
import { rows, run } from './db.js';

type Kind = 'provision' | 'on-demand';

/** The sort and paging name of a config: FC pages these lists by resource. */
const nameOf = (key: CapacityKey) => `${key.serviceName}#${key.qualifier}#${key.functionName}`;

/**
 * The `capacity_configs` table, held in memory (CapacityStore's methods are synchronous: the call path reads
 * an on-demand cap without a round trip). Writes go to PostgreSQL in order, behind the memory; `flush()`
 * waits for them and reports the first that failed. `reload()` reads the table again (another node's writes).
 */
export class PgCapacityTable implements CapacityStore {
  readonly #pool: pg.Pool;
  #provision = new Map<string, ProvisionConfig>();
  #onDemand = new Map<string, OnDemandConfig>();
  #writes: Promise<void> = Promise.resolve();
  #failure: unknown;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  static async load(pool: pg.Pool): Promise<PgCapacityTable> {
    const table = new PgCapacityTable(pool);
    await table.reload();
    return table;
  }

  async reload(): Promise<void> {
    const found = await rows<{ kind: Kind; data: string }>(
      this.#pool,
      'SELECT kind, data FROM capacity_configs',
    );
    const provision = new Map<string, ProvisionConfig>();
    const onDemand = new Map<string, OnDemandConfig>();
    for (const row of found) {
      if (row.kind === 'provision') {
        const config = JSON.parse(row.data) as ProvisionConfig;
        provision.set(nameOf(config), config);
      } else {
        const config = JSON.parse(row.data) as OnDemandConfig;
        onDemand.set(nameOf(config), config);
      }
    }
    this.#provision = provision;
    this.#onDemand = onDemand;
  }

  /** Waits for every write made so far; throws the first one that failed. */
  async flush(): Promise<void> {
    await this.#writes;
    if (this.#failure !== undefined) throw this.#failure;
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

  #write(kind: Kind, config: CapacityKey): void {
    this.#enqueue(
      `INSERT INTO capacity_configs (kind, service, qualifier, function, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, service, qualifier, function) DO UPDATE SET data = excluded.data`,
      [kind, config.serviceName, config.qualifier, config.functionName, JSON.stringify(config)],
    );
  }

  #remove(kind: Kind, key: CapacityKey): void {
    this.#enqueue(
      'DELETE FROM capacity_configs WHERE kind = $1 AND service = $2 AND qualifier = $3 AND function = $4',
      [kind, key.serviceName, key.qualifier, key.functionName],
    );
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

function matches(filter: CapacityFilter): (key: CapacityKey) => boolean {
  return (key) =>
    (!filter.serviceName || key.serviceName === filter.serviceName) &&
    (!filter.qualifier || key.qualifier === filter.qualifier);
}
