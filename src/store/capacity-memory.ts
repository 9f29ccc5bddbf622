import type { OnDemandConfig, ProvisionConfig } from '../model/index.js';
import type { CapacityFilter, CapacityKey, CapacityStore } from './capacity-types.js';
import { pageInMemory } from './paging.js';
import type { ListQuery, Page } from './types.js';

export type CapacityKind = 'provision' | 'on-demand';

/** A row of the `capacity_configs` table, as both stores keep it. */
export interface CapacityRow {
  kind: CapacityKind;
  data: string;
}

/** Where a capacity table's writes go: the memory is the read side, the database the durable one. */
export interface CapacityWrites {
  write(kind: CapacityKind, config: CapacityKey): void;
  remove(kind: CapacityKind, key: CapacityKey): void;
  /** Resolves once every write made so far is durable (throws the first that failed). */
  flush(): Promise<void>;
}

/** The sort and paging name of a config: FC pages these lists by resource. */
const nameOf = (key: CapacityKey) => `${key.serviceName}#${key.qualifier}#${key.functionName}`;

/**
 * The `capacity_configs` table held in memory (CapacityStore's methods are synchronous: the call path reads an
 * on-demand cap without a round trip), every change written through to the store's database.
 */
export class InMemoryCapacity implements CapacityStore {
  readonly #writes: CapacityWrites;
  #provision = new Map<string, ProvisionConfig>();
  #onDemand = new Map<string, OnDemandConfig>();

  constructor(writes: CapacityWrites, rows: readonly CapacityRow[]) {
    this.#writes = writes;
    this.replace(rows);
  }

  /** Replaces what is held with the table's rows (e.g. read again after another node's writes). */
  protected replace(rows: readonly CapacityRow[]): void {
    const provision = new Map<string, ProvisionConfig>();
    const onDemand = new Map<string, OnDemandConfig>();
    for (const row of rows) {
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

  flush(): Promise<void> {
    return this.#writes.flush();
  }

  putProvisionConfig(config: ProvisionConfig): void {
    this.#writes.write('provision', config);
    this.#provision.set(nameOf(config), config);
  }

  getProvisionConfig(key: CapacityKey): ProvisionConfig | undefined {
    return this.#provision.get(nameOf(key));
  }

  deleteProvisionConfig(key: CapacityKey): void {
    this.#writes.remove('provision', key);
    this.#provision.delete(nameOf(key));
  }

  listProvisionConfigs(filter: CapacityFilter, query: ListQuery): Page<ProvisionConfig> {
    return pageInMemory([...this.#provision.values()].filter(matches(filter)), nameOf, query);
  }

  allProvisionConfigs(): ProvisionConfig[] {
    return [...this.#provision.values()];
  }

  putOnDemandConfig(config: OnDemandConfig): void {
    this.#writes.write('on-demand', config);
    this.#onDemand.set(nameOf(config), config);
  }

  getOnDemandConfig(key: CapacityKey): OnDemandConfig | undefined {
    return this.#onDemand.get(nameOf(key));
  }

  deleteOnDemandConfig(key: CapacityKey): boolean {
    this.#writes.remove('on-demand', key);
    return this.#onDemand.delete(nameOf(key));
  }

  listOnDemandConfigs(filter: CapacityFilter, query: ListQuery): Page<OnDemandConfig> {
    return pageInMemory([...this.#onDemand.values()].filter(matches(filter)), nameOf, query);
  }
}

function matches(filter: CapacityFilter): (key: CapacityKey) => boolean {
  return (key) =>
    (!filter.serviceName || key.serviceName === filter.serviceName) &&
    (!filter.qualifier || key.qualifier === filter.qualifier);
}
