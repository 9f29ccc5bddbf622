import { Counter, Gauge, type Registry } from 'prom-client';

/** One runtime's pre-warmed pool, as `/metrics` shows it (sandbox/prewarm's PrewarmStats). */
export interface PrewarmSample {
  runtime: string;
  ready: number;
  starting: number;
  takes: number;
  misses: number;
}

/**
 * `kumo_prewarm_sandboxes{runtime,state}` (ready / starting pool instances) and
 * `kumo_prewarm_starts_total{runtime,result}` (`take`: a start served from the pool; `miss`: a start of a pooled
 * runtime that found none ready, or whose specialisation failed), read from the pools at each scrape.
 */
export function watchPrewarm(registry: Registry, pools: () => PrewarmSample[]): void {
  new Gauge({
    name: 'kumo_prewarm_sandboxes',
    help: 'Pre-warmed generic instances by runtime and state (ready, starting)',
    labelNames: ['runtime', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const pool of pools()) {
        this.set({ runtime: pool.runtime, state: 'ready' }, pool.ready);
        this.set({ runtime: pool.runtime, state: 'starting' }, pool.starting);
      }
    },
  });
  new Counter({
    name: 'kumo_prewarm_starts_total',
    help: 'Instance starts of pooled runtimes: served from the pool (take) or not (miss)',
    labelNames: ['runtime', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const pool of pools()) {
        this.inc({ runtime: pool.runtime, result: 'take' }, pool.takes);
        this.inc({ runtime: pool.runtime, result: 'miss' }, pool.misses);
      }
    },
  });
}
