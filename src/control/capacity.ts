import { Cron } from 'croner';
import { ALIAS_MAIN_VERSION, LATEST, resolveTarget } from '../invoke/resolve.js';
import {
  FcError,
  invalidArgument,
  type OnDemandConfig,
  onDemandConfigBody,
  type ProvisionConfig,
  provisionConfigBody,
  SCHEDULE_PATTERN,
  validateInput,
} from '../model/index.js';
import type { CapacityFilter, CapacityKey, Page } from '../store/index.js';
import { type ControlDeps, timestamp } from './context.js';
import { type PageInput, pageQuery } from './list.js';

/** A provision config as `getProvisionConfig` answers: the config and what is running for it. */
export interface ProvisionView {
  config: ProvisionConfig;
  current: number;
  currentError: string;
}

/**
 * Provisioned instances (per alias or version: FC cannot provision LATEST, whose code changes under it) and
 * on-demand caps (per alias or LATEST: FC does not accept a version). Every target is bounded by the server's
 * per-function instance limit, so a huge target is refused instead of starting thousands of processes.
 */
export class CapacityControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async putProvision(key: CapacityKey, body: unknown): Promise<ProvisionView> {
    const fields = validateInput(provisionConfigBody, body);
    if (key.qualifier === LATEST) {
      throw invalidArgument(
        'provisioned instances need a published version or an alias: LATEST cannot be provisioned',
      );
    }
    await this.#requireFunction(key);
    const scheduledActions = fields.scheduledActions ?? [];
    const targetTrackingPolicies = fields.targetTrackingPolicies ?? [];
    this.#checkLimit('target', fields.target);
    for (const action of scheduledActions) {
      this.#checkLimit(`scheduledActions '${action.name}' target`, action.target);
      checkSchedule(action.name, action.scheduleExpression);
    }
    for (const policy of targetTrackingPolicies)
      this.#checkLimit(`targetTrackingPolicies '${policy.name}' maxCapacity`, policy.maxCapacity);
    const config: ProvisionConfig = {
      ...key,
      target: fields.target,
      scheduledActions,
      targetTrackingPolicies,
      alwaysAllocateCPU: fields.alwaysAllocateCPU ?? true,
      lastModifiedTime: timestamp(this.#deps),
    };
    this.#deps.store.capacity.putProvisionConfig(config);
    await this.#deps.store.capacity.flush();
    this.#deps.onProvisionChanged?.();
    return this.#view(config);
  }

  /** A function without a config reads as target 0 (nothing provisioned), as FC answers. */
  async getProvision(key: CapacityKey): Promise<ProvisionView> {
    if (key.qualifier === LATEST)
      throw invalidArgument('LATEST has no provisioned instances: name an alias or version');
    await this.#requireFunction(key);
    const config = this.#deps.store.capacity.getProvisionConfig(key) ?? {
      ...key,
      target: 0,
      scheduledActions: [],
      targetTrackingPolicies: [],
      alwaysAllocateCPU: true,
      lastModifiedTime: '',
    };
    return this.#view(config);
  }

  listProvision(filter: CapacityFilter, page: PageInput): Page<ProvisionView> {
    const list = this.#deps.store.capacity.listProvisionConfigs(checkFilter(filter), pageQuery(page));
    return { items: list.items.map((config) => this.#view(config)), nextToken: list.nextToken };
  }

  async putOnDemand(key: CapacityKey, body: unknown): Promise<OnDemandConfig> {
    const fields = validateInput(onDemandConfigBody, body);
    if (/^\d+$/.test(key.qualifier)) {
      throw invalidArgument('an on-demand config names an alias or LATEST, not a version');
    }
    await this.#requireFunction(key);
    this.#checkLimit('maximumInstanceCount', fields.maximumInstanceCount);
    const config: OnDemandConfig = {
      ...key,
      maximumInstanceCount: fields.maximumInstanceCount,
      lastModifiedTime: timestamp(this.#deps),
    };
    this.#deps.store.capacity.putOnDemandConfig(config);
    await this.#deps.store.capacity.flush();
    this.#deps.onProvisionChanged?.(); // other nodes and workers re-read their capacity configs
    return config;
  }

  async getOnDemand(key: CapacityKey): Promise<OnDemandConfig> {
    await this.#requireFunction(key);
    const config = this.#deps.store.capacity.getOnDemandConfig(key);
    if (!config) throw onDemandNotFound(key);
    return config;
  }

  async deleteOnDemand(key: CapacityKey): Promise<void> {
    await this.#requireFunction(key);
    if (!this.#deps.store.capacity.deleteOnDemandConfig(key)) throw onDemandNotFound(key);
    await this.#deps.store.capacity.flush();
    this.#deps.onProvisionChanged?.();
  }

  listOnDemand(filter: CapacityFilter, page: PageInput): Page<OnDemandConfig> {
    return this.#deps.store.capacity.listOnDemandConfigs(checkFilter(filter), pageQuery(page));
  }

  #view(config: ProvisionConfig): ProvisionView {
    const status = this.#deps.provisionStatus?.(config) ?? { current: 0, currentError: '' };
    return { config, ...status };
  }

  #checkLimit(what: string, value: number): void {
    const limit = this.#deps.maxInstancesPerFunction;
    if (limit !== undefined && value > limit) {
      throw new FcError(
        'LimitExceeded',
        `${what} ${value} exceeds this server's limit of ${limit} instances per function (KUMO_MAX_INSTANCES_PER_FUNCTION)`,
      );
    }
  }

  async #requireFunction(key: CapacityKey): Promise<void> {
    await resolveTarget(
      this.#deps.store,
      { serviceRef: key.serviceName, functionName: key.functionName, qualifier: key.qualifier },
      ALIAS_MAIN_VERSION,
    );
  }
}

/**
 * FC's rule for a qualifier with provisioned instances: it cannot be deleted until its provision configs are
 * set to target 0. Returns what deletes its remaining (idle) configs, to run once the qualifier is deleted.
 */
export function checkQualifierDeletable(
  deps: ControlDeps,
  serviceName: string,
  qualifier: string,
): () => void {
  const { capacity } = deps.store;
  const configs = capacity
    .allProvisionConfigs()
    .filter((c) => c.serviceName === serviceName && c.qualifier === qualifier);
  const active = configs.find(
    (c) => c.target > 0 || c.scheduledActions.length > 0 || c.targetTrackingPolicies.length > 0,
  );
  if (active) {
    throw invalidArgument(
      `'${serviceName}.${qualifier}' has provisioned instances for function '${active.functionName}': set its provision config's target to 0 (and remove its policies) first`,
    );
  }
  return () => {
    for (const config of configs) capacity.deleteProvisionConfig(config);
    const all = { limit: Number.MAX_SAFE_INTEGER };
    for (const config of capacity.listOnDemandConfigs({ serviceName, qualifier }, all).items)
      capacity.deleteOnDemandConfig(config);
    deps.onProvisionChanged?.();
  };
}

/**
 * A deleted function (or service) takes its LATEST on-demand configs along, so a function created later under
 * the same name does not inherit a cap. Its versions' and aliases' configs stay: a version still holds it.
 */
export function forgetLatestConfigs(deps: ControlDeps, serviceName: string, functionName?: string): void {
  const { capacity } = deps.store;
  const all = { limit: Number.MAX_SAFE_INTEGER };
  for (const config of capacity.listOnDemandConfigs({ serviceName, qualifier: LATEST }, all).items)
    if (functionName === undefined || config.functionName === functionName)
      capacity.deleteOnDemandConfig(config);
}

function checkSchedule(name: string, expression: string): void {
  const match = SCHEDULE_PATTERN.exec(expression.trim());
  try {
    if (match?.groups?.cron) new Cron(match.groups.cron.trim(), { timezone: 'Etc/UTC', paused: true });
    else if (Number.isNaN(Date.parse(match?.groups?.at ?? '')))
      throw new Error('at() needs an ISO-8601 time');
  } catch (error) {
    throw invalidArgument(`invalid scheduleExpression of '${name}': ${(error as Error).message}`);
  }
}

function checkFilter(filter: CapacityFilter): CapacityFilter {
  if (filter.qualifier && !filter.serviceName)
    throw invalidArgument('qualifier is given only with serviceName');
  return filter;
}

function onDemandNotFound(key: CapacityKey): FcError {
  return new FcError(
    'OnDemandConfigNotFound',
    `no on-demand config for function '${key.functionName}' of '${key.serviceName}.${key.qualifier}'`,
  );
}
