import { randomUUID } from 'node:crypto';
import { resolveTarget } from '../invoke/resolve.js';
import {
  checkTriggerType,
  createTriggerBody,
  FcError,
  parseTriggerConfig,
  type TimerTriggerConfig,
  type Trigger,
  updateTriggerBody,
  validateInput,
} from '../model/index.js';
import type { MetaStore, Page, Stored } from '../store/index.js';
// cron.js itself: the triggers index also carries the timer scheduler, which the control layer does not use.
import { createCron } from '../triggers/cron.js';
import { type ControlDeps, expectedEtag, timestamp, type WriteOptions, writableFunction } from './context.js';
import type { FunctionKey } from './functions.js';
import { type PageInput, pageQuery } from './list.js';

export interface TriggerKey extends FunctionKey {
  triggerName: string;
}

/** Triggers: types Kumo can fire, their configs, and rescheduling timers after a change. */
export class TriggerControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** `body`: the create fields in any key casing (`triggerConfig` as an object or a JSON string). */
  async create(key: FunctionKey, body: unknown): Promise<Stored<Trigger>> {
    const { fn } = await writableFunction(this.#deps.store, key);
    const fields = validateInput(createTriggerBody, body);
    const triggerType = checkTriggerType(fields.triggerType);
    const time = timestamp(this.#deps);
    const trigger: Trigger = {
      ...fields,
      serviceName: fn.serviceName,
      functionName: fn.functionName,
      triggerType,
      triggerConfig: parseTriggerConfig(triggerType, fields.triggerConfig ?? {}),
      triggerId: randomUUID(),
      createdTime: time,
      lastModifiedTime: time,
    };
    await checkTrigger(this.#deps.store, trigger);
    const stored = await this.#deps.store.createTrigger(trigger);
    this.#deps.onTriggerChanged?.(stored.value);
    return stored;
  }

  async get(key: TriggerKey): Promise<Stored<Trigger>> {
    const { fn } = await writableFunction(this.#deps.store, key);
    const stored = await this.#deps.store.getTrigger(fn.serviceName, fn.functionName, key.triggerName);
    if (!stored) {
      throw new FcError(
        'TriggerNotFound',
        `trigger '${key.triggerName}' does not exist on function '${fn.functionName}'`,
      );
    }
    return stored;
  }

  async list(key: FunctionKey, page: PageInput): Promise<Page<Stored<Trigger>>> {
    const query = pageQuery(page);
    const { fn } = await writableFunction(this.#deps.store, key);
    return this.#deps.store.listTriggers(fn.serviceName, fn.functionName, query);
  }

  /** Merges the given fields; the type cannot change, a new `triggerConfig` replaces the old one whole. */
  async update(key: TriggerKey, body: unknown, options: WriteOptions = {}): Promise<Stored<Trigger>> {
    const current = await this.get(key);
    const changes = validateInput(updateTriggerBody, body);
    const type = current.value.triggerType;
    if (changes.triggerType && checkTriggerType(changes.triggerType) !== type) {
      throw new FcError(
        'InvalidArgument',
        'triggerType cannot change: delete the trigger and create a new one',
      );
    }
    const trigger: Trigger = {
      ...current.value,
      ...changes,
      triggerType: type,
      triggerConfig:
        changes.triggerConfig === undefined
          ? current.value.triggerConfig
          : parseTriggerConfig(type, changes.triggerConfig),
      lastModifiedTime: timestamp(this.#deps),
    };
    await checkTrigger(this.#deps.store, trigger);
    const stored = await this.#deps.store.updateTrigger(trigger, expectedEtag(options));
    this.#deps.onTriggerChanged?.(stored.value);
    return stored;
  }

  async delete(key: TriggerKey, options: WriteOptions = {}): Promise<void> {
    const { value } = await this.get(key);
    await this.#deps.store.deleteTrigger(
      value.serviceName,
      value.functionName,
      value.triggerName,
      expectedEtag(options),
    );
    this.#deps.onTriggerChanged?.(value, true);
  }
}

/** Checks what the schema cannot: the cron syntax, and that the qualifier the trigger fires exists. */
async function checkTrigger(store: MetaStore, trigger: Trigger): Promise<void> {
  if (trigger.triggerType === 'timer') {
    createCron((trigger.triggerConfig as TimerTriggerConfig).cronExpression, () => undefined).stop();
  }
  if (!trigger.qualifier) return;
  const ref = { serviceRef: trigger.serviceName, functionName: trigger.functionName };
  await resolveTarget(store, { ...ref, qualifier: trigger.qualifier }).catch((error: unknown) => {
    if (!(error instanceof FcError) || (error.code !== 'VersionNotFound' && error.code !== 'AliasNotFound')) {
      throw error;
    }
    throw new FcError('InvalidArgument', `qualifier '${trigger.qualifier}' does not exist: ${error.message}`);
  });
}
