import type { Metrics } from './metrics/index.js';
import type { Scheduler } from './scheduler/index.js';
import type { AsyncQueueStore, MetaStore } from './store/index.js';

/** What `/readyz` and the metrics' gauges read from the running server, and its draining switch. */
export class ServerHealth {
  #draining = false;

  constructor(
    readonly metrics: Metrics,
    readonly scheduler: Scheduler,
    readonly store: MetaStore & { asyncQueue: AsyncQueueStore },
    readonly storeProblem: () => Promise<string | undefined>,
  ) {
    metrics.watch({
      instancesByState: () => scheduler.instancesByState(),
      queuedCalls: () => scheduler.queuedCalls,
      asyncBacklog: () => store.asyncQueue.backlog(),
    });
  }

  /** `/readyz` answers 503 from now on, so a load balancer stops sending calls. */
  drain(): void {
    this.#draining = true;
  }

  /** Why the server should get no traffic now; empty when it is ready. */
  async notReady(): Promise<string[]> {
    const reasons: string[] = [];
    if (this.#draining) reasons.push('draining: the server is shutting down');
    const storeProblem = await this.storeProblem();
    if (storeProblem) reasons.push(`metadata store: ${storeProblem}`);
    const sandboxTrouble = this.scheduler.sandboxTrouble;
    if (sandboxTrouble) reasons.push(`sandbox: ${sandboxTrouble}`);
    return reasons;
  }

  /** A function changed: if it was deleted, its series go (a client churning names cannot grow them). */
  functionChanged(serviceName: string, functionName: string): void {
    void this.store.getFunction(serviceName, functionName).then(
      (fn) => fn || this.metrics.forget(serviceName, functionName),
      () => undefined,
    );
  }
}
