import { randomUUID } from 'node:crypto';
import type { Cron } from 'croner';
import type { Logger } from 'pino';
import { type Invoker, isTargetGone, resolveTarget } from '../invoke/index.js';
import type { TimerTriggerConfig, Trigger } from '../model/index.js';
import type { MetaStore } from '../store/index.js';
import { createCron, timerTick } from './cron.js';

/** Decides which node fires a tick (several nodes sharing PostgreSQL); true when this node must fire it. */
export type TickClaim = (triggerKey: string, tick: number) => Promise<boolean>;

/**
 * Fires timer triggers: each enabled trigger has a cron job that invokes its function with FC's timer event
 * `{triggerTime, triggerName, payload}`. Firings missed while Kumo was down are not replayed. With several nodes,
 * every node runs every timer and `claimTick` lets exactly one of them fire each tick.
 */
export class TimerTriggers {
  readonly #jobs = new Map<string, Cron>();

  constructor(
    readonly store: MetaStore,
    readonly invoker: Invoker,
    readonly logger: Logger,
    readonly claimTick?: TickClaim,
  ) {}

  async start(): Promise<void> {
    for (const { value } of await this.store.triggersOfType('timer')) this.update(value);
  }

  /** (Re)schedules a trigger after it changed; stops it when deleted or disabled. */
  update(trigger: Trigger, deleted = false): void {
    if (trigger.triggerType !== 'timer') return;
    const key = `${trigger.serviceName}/${trigger.functionName}/${trigger.triggerName}`;
    this.#jobs.get(key)?.stop();
    this.#jobs.delete(key);
    const config = trigger.triggerConfig as TimerTriggerConfig;
    if (deleted || !config.enable) return;
    const job = createCron(config.cronExpression, () => void this.#fire(trigger, config, key));
    this.#jobs.set(key, job);
    job.resume();
  }

  close(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  async #fire(trigger: Trigger, config: TimerTriggerConfig, key: string): Promise<void> {
    const requestId = randomUUID();
    const startedAt = performance.now();
    try {
      const tick = timerTick(config.cronExpression, Date.now());
      if (this.claimTick && !(await this.claimTick(key, tick))) return;
      const ref = {
        serviceRef: trigger.serviceName,
        functionName: trigger.functionName,
        qualifier: trigger.qualifier,
      };
      const target = await resolveTarget(this.store, ref).catch((error: unknown) => {
        if (isTargetGone(error)) return undefined;
        throw error;
      });
      if (!target) {
        // The function is gone (its triggers went with it): stop firing.
        this.update(trigger, true);
        return;
      }
      const event = {
        triggerTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        triggerName: trigger.triggerName,
        payload: config.payload ?? '',
      };
      const result = await this.invoker.invoke({
        requestId,
        service: target.service,
        fn: target.fn,
        revision: target.revision,
        qualifier: target.qualifier,
        versionId: target.versionId,
        payload: Buffer.from(JSON.stringify(event)),
        tailLogs: false,
      });
      const errorType = result.headers['x-fc-error-type'];
      const line = {
        event: 'timer',
        trigger: `${trigger.serviceName}/${trigger.functionName}/${trigger.triggerName}`,
        requestId,
        durationMs: Math.round(performance.now() - startedAt),
        errorType,
      };
      if (errorType) this.logger.warn(line, 'timer invocation failed');
      else this.logger.info(line, 'timer trigger fired');
    } catch (error) {
      this.logger.warn(
        { err: error, requestId, trigger: trigger.triggerName },
        'timer trigger could not invoke its function',
      );
    }
  }
}
