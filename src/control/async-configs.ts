import { resolveTarget } from '../invoke/resolve.js';
import {
  type AsyncConfig,
  FcError,
  parseFunctionDestination,
  putAsyncConfigBody,
  validateInput,
} from '../model/index.js';
import type { Page } from '../store/index.js';
import { type ControlDeps, timestamp } from './context.js';
import type { FunctionKey } from './functions.js';
import { type PageInput, pageQuery } from './list.js';

/**
 * Async invoke configs, one per function and qualifier (LATEST, a version or an alias) as FC keeps them: retries,
 * event age, stateful invocations and destinations. A destination must be a function of this server's account
 * and region; products Kumo cannot reach are refused here rather than accepted and never delivered.
 */
export class AsyncConfigControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** Replaces the qualifier's config (fields not given take FC's defaults), keeping its creation time. */
  async put(key: FunctionKey, body: unknown): Promise<AsyncConfig> {
    const fields = validateInput(putAsyncConfigBody, body);
    await this.#requireFunction(key);
    const home = { region: this.#deps.region ?? 'local', accountId: this.#deps.accountId };
    const onSuccess = fields.destinationConfig?.onSuccess?.destination;
    const onFailure = fields.destinationConfig?.onFailure?.destination;
    for (const arn of [onSuccess, onFailure]) if (arn) parseFunctionDestination(arn, home);
    const { serviceName, functionName } = key;
    const qualifier = key.qualifier ?? 'LATEST';
    const existing = await this.#deps.asyncConfigs.getConfig(serviceName, functionName, qualifier);
    const time = timestamp(this.#deps);
    return this.#deps.asyncConfigs.putConfig({
      serviceName,
      functionName,
      qualifier,
      ...(fields.maxAsyncEventAgeInSeconds !== undefined && {
        maxAsyncEventAgeInSeconds: fields.maxAsyncEventAgeInSeconds,
      }),
      ...(fields.maxAsyncRetryAttempts !== undefined && {
        maxAsyncRetryAttempts: fields.maxAsyncRetryAttempts,
      }),
      statefulInvocation: fields.statefulInvocation ?? false,
      destinationConfig: {
        ...(onSuccess && { onSuccess: { destination: onSuccess } }),
        ...(onFailure && { onFailure: { destination: onFailure } }),
      },
      createdTime: existing?.createdTime ?? time,
      lastModifiedTime: time,
    });
  }

  async get(key: FunctionKey): Promise<AsyncConfig> {
    await this.#requireFunction(key);
    const { asyncConfigs } = this.#deps;
    const config = await asyncConfigs.getConfig(key.serviceName, key.functionName, key.qualifier ?? 'LATEST');
    if (!config) throw notExists(key);
    return config;
  }

  async delete(key: FunctionKey): Promise<void> {
    await this.#requireFunction(key);
    const { asyncConfigs } = this.#deps;
    if (!(await asyncConfigs.deleteConfig(key.serviceName, key.functionName, key.qualifier ?? 'LATEST')))
      throw notExists(key);
  }

  /** Every qualifier's config of one function, in qualifier order. */
  async list(serviceName: string, functionName: string, input: PageInput): Promise<Page<AsyncConfig>> {
    await this.#requireFunction({ serviceName, functionName, qualifier: 'LATEST' });
    const { limit, nextToken } = pageQuery(input);
    return this.#deps.asyncConfigs.listConfigs(serviceName, functionName, { limit, nextToken });
  }

  /** The function must exist at the qualifier (FC's ServiceNotFound, FunctionNotFound, AliasNotFound …). */
  async #requireFunction(key: FunctionKey): Promise<void> {
    await resolveTarget(this.#deps.store, {
      serviceRef: key.serviceName,
      functionName: key.functionName,
      qualifier: key.qualifier,
    });
  }
}

function notExists(key: FunctionKey): FcError {
  return new FcError(
    'AsyncConfigNotExists',
    `function ${key.serviceName}/${key.functionName} has no async invoke config for qualifier '${key.qualifier ?? 'LATEST'}'`,
  );
}
