import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { FunctionSeries } from './function-series.js';
import { MetricsHistory } from './history.js';
import { inner } from './nested.js';

/**
 * How an invocation ended. `timeout`, `crashed` (the instance died), `oom`, `stopped` and `too_large` are
 * unhandled errors the caller sees as such; `throttled` and `platform_error` never reached a function.
 */
export type InvocationOutcome =
  | 'success'
  | 'handled_error'
  | 'unhandled_error'
  | 'timeout'
  | 'crashed'
  | 'oom'
  | 'stopped'
  | 'too_large'
  | 'throttled'
  | 'platform_error';

/** How one async attempt ended. */
export type AsyncAttemptResult = 'succeeded' | 'retried' | 'failed' | 'throttled' | 'expired' | 'stopped';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  /** Instances by state (`starting`, `ready`, `retiring` …). */
  instancesByState(): Record<string, number>;
  /** Calls waiting for a slot. */
  queuedCalls(): number;
  /** Async invocations waiting (`Enqueued`) and running. */
  asyncBacklog(): Promise<{ enqueued: number; running: number }> | { enqueued: number; running: number };
}

const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];
const THROTTLE_CODES = ['ResourceThrottled', 'ResourceExhausted'];

interface HttpChildren {
  duration: { observe(seconds: number): void };
  byStatus: Map<number, { inc(): void }>;
}

/**
 * One server's metrics: a prom-client registry of its own (tests run several servers in one process) and the
 * last hour per function for the console, both fed by the same observations.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly history: MetricsHistory;
  /** Invocations, durations and cold starts per function: the hot path, kept out of prom-client. */
  readonly #functions = new FunctionSeries();
  readonly #coldStartDuration: Histogram<'outcome'>;
  readonly #instanceStops: Counter<'reason'>;
  readonly #throttles: Counter<'service' | 'function' | 'code'>;
  readonly #asyncAttempts: Counter<'result'>;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #httpChildren = new Map<string, Map<string, HttpChildren>>();

  constructor(options: { now?: () => number; processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.history = new MetricsHistory(options.now);
    this.#coldStartDuration = new Histogram({
      name: 'kumo_instance_start_duration_seconds',
      help: 'Time to start an instance until its port accepts connections, by outcome (ok, failed)',
      labelNames: ['outcome'],
      buckets: START_BUCKETS,
      registers,
    });
    this.#instanceStops = new Counter({
      name: 'kumo_instance_stops_total',
      help: 'Instances stopped, by reason (idle, retired, timeout, crashed, oom, shutdown …)',
      labelNames: ['reason'],
      registers,
    });
    this.#throttles = new Counter({
      name: 'kumo_throttles_total',
      help: 'Calls refused for want of an instance (ResourceThrottled, ResourceExhausted)',
      labelNames: ['service', 'function', 'code'],
      registers,
    });
    this.#asyncAttempts = new Counter({
      name: 'kumo_async_attempts_total',
      help: 'Async invocation attempts by result (retried: another attempt is scheduled)',
      labelNames: ['result'],
      registers,
    });
    this.#httpRequests = new Counter({
      name: 'kumo_http_requests_total',
      help: 'HTTP requests by route pattern (never the raw path) and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'kumo_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** An invocation ended (any kind: sync, async attempt, timer, HTTP trigger). */
  invocation(
    service: string,
    fn: string,
    qualifier: string,
    outcome: InvocationOutcome,
    durationMs: number,
    coldStart: boolean,
  ): void {
    this.#functions.record(service, fn, qualifier, outcome, durationMs / 1000, coldStart);
    this.history.record(service, fn, qualifier, durationMs, outcome !== 'success', coldStart);
  }

  /** No instance could take a call: counted as a throttle and as an invocation that never ran. */
  throttled(service: string, fn: string, qualifier: string, code: string): void {
    this.#throttles.labels(service, fn, code).inc();
    this.#functions.record(service, fn, qualifier, 'throttled');
  }

  instanceStarted(durationMs: number, ok: boolean): void {
    this.#coldStartDuration.labels(ok ? 'ok' : 'failed').observe(durationMs / 1000);
  }

  instanceStopped(reason: string): void {
    this.#instanceStops.labels(reason).inc();
  }

  asyncAttempt(result: AsyncAttemptResult): void {
    this.#asyncAttempts.labels(result).inc();
  }

  httpRequest(method: string, route: string, status: number, durationMs: number): void {
    // Label children cached by method → route → status (all bounded): no label object built per request.
    const routes = inner(this.#httpChildren, method);
    let children = routes.get(route);
    if (!children) {
      children = { duration: this.#httpDuration.labels(method, route), byStatus: new Map() };
      routes.set(route, children);
    }
    let counter = children.byStatus.get(status);
    if (!counter) {
      counter = this.#httpRequests.labels(method, route, String(status));
      children.byStatus.set(status, counter);
    }
    counter.inc();
    children.duration.observe(durationMs / 1000);
  }

  /** Gauges read at scrape time from the scheduler and the async queue. */
  watch(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'kumo_instances',
      help: 'Instances by state (starting, ready, retiring, stopping)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, count] of Object.entries(sources.instancesByState())) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'kumo_queued_calls',
      help: 'Calls waiting for an instance slot',
      registers,
      collect() {
        this.set(sources.queuedCalls());
      },
    });
    new Gauge({
      name: 'kumo_async_backlog',
      help: 'Async invocations waiting (enqueued, retries included) and running',
      labelNames: ['status'],
      registers,
      async collect() {
        const backlog = await sources.asyncBacklog();
        this.set({ status: 'enqueued' }, backlog.enqueued);
        this.set({ status: 'running' }, backlog.running);
      },
    });
  }

  /** The function was deleted: its series and history go (a hostile client cannot grow them by churning names). */
  forget(service: string, fn: string): void {
    this.#functions.forget(service, fn);
    for (const code of THROTTLE_CODES) this.#throttles.remove(service, fn, code);
    this.history.forget(service, fn);
  }

  /** The Prometheus text exposition: the per-function families, then prom-client's registry. */
  async text(): Promise<string> {
    return `${this.#functions.text()}\n${await this.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
