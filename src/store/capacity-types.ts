import type { OnDemandConfig, ProvisionConfig } from '../model/index.js';
import type { ListQuery, Page } from './types.js';

/** Which function and qualifier a capacity config belongs to. */
export interface CapacityKey {
  serviceName: string;
  qualifier: string;
  functionName: string;
}

/** FC's list filters: `serviceName` and `qualifier` (a qualifier only together with a service). */
export interface CapacityFilter {
  serviceName?: string;
  qualifier?: string;
}

/**
 * Provision and on-demand configs. Few and small, so the store holds them all in memory (written through to
 * the database): the call path reads a qualifier's on-demand cap without a round trip.
 */
export interface CapacityStore {
  putProvisionConfig(config: ProvisionConfig): void;
  getProvisionConfig(key: CapacityKey): ProvisionConfig | undefined;
  deleteProvisionConfig(key: CapacityKey): void;
  listProvisionConfigs(filter: CapacityFilter, query: ListQuery): Page<ProvisionConfig>;
  /** Every provision config (the provisioner reconciles them all). */
  allProvisionConfigs(): ProvisionConfig[];

  putOnDemandConfig(config: OnDemandConfig): void;
  getOnDemandConfig(key: CapacityKey): OnDemandConfig | undefined;
  /** False when there was none. */
  deleteOnDemandConfig(key: CapacityKey): boolean;
  listOnDemandConfigs(filter: CapacityFilter, query: ListQuery): Page<OnDemandConfig>;

  /** Resolves once the writes made so far are durable (a store writing behind its memory); throws if one failed. */
  flush(): Promise<void>;
}
