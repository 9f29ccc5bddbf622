import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MetricsHistory } from './history.js';

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

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];
const THROTTLE_CODES = ['ResourceThrottled', 'ResourceExhausted'];
const FUNCTION_LABELS = ['service', 'function', 'qualifier'] as const;

type Inc = { inc(value?: number): void };
type Observe = { observe(value: number): void };

/** The label children of one function qualifier, looked up once and reused by every call (no per-call labels). */
interface QualifierSeries {
  outcomes: Map<InvocationOutcome, Inc>;
  duration: Observe;
  coldStarts: Inc;
}

/**
 * One server's metrics: a prom-client registry of its own (tests run several servers in one process) and the
 * last hour per function for the console, both fed by the same observations.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly history: MetricsHistory;
  /** service → function → qualifier → label children. */
  readonly #series = new Map<string, Map<string, Map<string, QualifierSeries>>>();

  readonly #invocations: Counter<'service' | 'function' | 'qualifier' | 'outcome'>;
  readonly #duration: Histogram<'service' | 'function' | 'qualifier'>;
  readonly #coldStarts: Counter<'service' | 'function' | 'qualifier'>;
  readonly #coldStartDuration: Histogram<'outcome'>;
  readonly #instanceStops: Counter<'reason'>;
  readonly #throttles: Counter<'service' | 'function' | 'code'>;
  readonly #asyncAttempts: Counter<'result'>;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;

  constructor(options: { now?: () => number; processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.history = new MetricsHistory(options.now);
    this.#invocations = new Counter({
      name: 'kumo_invocations_total',
      help: 'Function invocations by how they ended',
      labelNames: [...FUNCTION_LABELS, 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'kumo_invocation_duration_seconds',
      help: 'Invocation duration, from taking a slot to the end of the answer (cold start included)',
      labelNames: FUNCTION_LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#coldStarts = new Counter({
      name: 'kumo_cold_starts_total',
      help: 'Invocations that waited for a new instance to start',
      labelNames: FUNCTION_LABELS,
      registers,
    });
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
    const series = this.#seriesOf(service, fn, qualifier);
    let counter = series.outcomes.get(outcome);
    if (!counter) {
      counter = this.#invocations.labels(service, fn, qualifier, outcome);
      series.outcomes.set(outcome, counter);
    }
    counter.inc();
    series.duration.observe(durationMs / 1000);
    if (coldStart) series.coldStarts.inc();
    this.history.record(service, fn, qualifier, durationMs, outcome !== 'success', coldStart);
  }

  /** No instance could take a call: counted as a throttle and as an invocation that never ran. */
  throttled(service: string, fn: string, qualifier: string, code: string): void {
    this.#throttles.labels(service, fn, code).inc();
    const series = this.#seriesOf(service, fn, qualifier);
    let counter = series.outcomes.get('throttled');
    if (!counter) {
      counter = this.#invocations.labels(service, fn, qualifier, 'throttled');
      series.outcomes.set('throttled', counter);
    }
    counter.inc();
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
    this.#httpRequests.labels(method, route, String(status)).inc();
    this.#httpDuration.labels(method, route).observe(durationMs / 1000);
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
    for (const [qualifier, series] of this.#series.get(service)?.get(fn) ?? []) {
      for (const outcome of series.outcomes.keys()) this.#invocations.remove(service, fn, qualifier, outcome);
      this.#duration.remove(service, fn, qualifier);
      this.#coldStarts.remove(service, fn, qualifier);
    }
    for (const code of THROTTLE_CODES) this.#throttles.remove(service, fn, code);
    this.#series.get(service)?.delete(fn);
    this.history.forget(service, fn);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #seriesOf(service: string, fn: string, qualifier: string): QualifierSeries {
    let functions = this.#series.get(service);
    if (!functions) {
      functions = new Map();
      this.#series.set(service, functions);
    }
    let qualifiers = functions.get(fn);
    if (!qualifiers) {
      qualifiers = new Map();
      functions.set(fn, qualifiers);
    }
    let series = qualifiers.get(qualifier);
    if (!series) {
      series = {
        outcomes: new Map(),
        duration: this.#duration.labels(service, fn, qualifier),
        coldStarts: this.#coldStarts.labels(service, fn, qualifier),
      };
      qualifiers.set(qualifier, series);
    }
    return series;
  }
}
