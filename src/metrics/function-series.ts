import type { InvocationOutcome } from './metrics.js';
import { inner } from './nested.js';

const OUTCOMES: readonly InvocationOutcome[] = [
  'success',
  'handled_error',
  'unhandled_error',
  'timeout',
  'crashed',
  'oom',
  'stopped',
  'too_large',
  'throttled',
  'platform_error',
];
const OUTCOME_INDEX = new Map(OUTCOMES.map((outcome, index) => [outcome, index]));
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** One function qualifier's counts: plain numbers and typed arrays, so a call allocates nothing. */
interface QualifierStats {
  /** `service="…",function="…",qualifier="…"`, escaped once. */
  labels: string;
  outcomes: Float64Array;
  buckets: Float64Array;
  sum: number;
  count: number;
  coldStarts: number;
}

/**
 * The per-function families (invocations, duration histogram, cold starts) kept outside prom-client: its
 * generic path hashes the labels on every observation and builds an object per bucket at every scrape, which
 * with a thousand functions (twenty thousand lines) costs more than a scrape may. Written in the same format.
 */
export class FunctionSeries {
  readonly #services = new Map<string, Map<string, Map<string, QualifierStats>>>();

  record(
    service: string,
    fn: string,
    qualifier: string,
    outcome: InvocationOutcome,
    seconds?: number,
    cold = false,
  ): void {
    const stats = this.#statsOf(service, fn, qualifier);
    const index = OUTCOME_INDEX.get(outcome) ?? 0;
    stats.outcomes[index] = (stats.outcomes[index] as number) + 1;
    if (cold) stats.coldStarts++;
    if (seconds === undefined) return;
    stats.count++;
    stats.sum += seconds;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] as number)) bucket++;
    stats.buckets[bucket] = (stats.buckets[bucket] as number) + 1;
  }

  forget(service: string, fn: string): void {
    const functions = this.#services.get(service);
    functions?.delete(fn);
    if (functions?.size === 0) this.#services.delete(service);
  }

  /** The three families in the Prometheus text format. */
  text(): string {
    const invocations: string[] = [
      '# HELP kumo_invocations_total Function invocations by how they ended',
      '# TYPE kumo_invocations_total counter',
    ];
    const durations: string[] = [
      '# HELP kumo_invocation_duration_seconds Invocation duration, from taking a slot to the end of the answer (cold start included)',
      '# TYPE kumo_invocation_duration_seconds histogram',
    ];
    const coldStarts: string[] = [
      '# HELP kumo_cold_starts_total Invocations that waited for a new instance to start',
      '# TYPE kumo_cold_starts_total counter',
    ];
    for (const functions of this.#services.values()) {
      for (const qualifiers of functions.values()) {
        for (const stats of qualifiers.values()) {
          const { labels } = stats;
          for (let i = 0; i < OUTCOMES.length; i++) {
            const value = stats.outcomes[i] as number;
            if (value > 0)
              invocations.push(`kumo_invocations_total{${labels},outcome="${OUTCOMES[i]}"} ${value}`);
          }
          let cumulative = 0;
          for (let i = 0; i < DURATION_BUCKETS.length; i++) {
            cumulative += stats.buckets[i] as number;
            durations.push(
              `kumo_invocation_duration_seconds_bucket{${labels},le="${DURATION_BUCKETS[i]}"} ${cumulative}`,
            );
          }
          durations.push(`kumo_invocation_duration_seconds_bucket{${labels},le="+Inf"} ${stats.count}`);
          durations.push(`kumo_invocation_duration_seconds_sum{${labels}} ${stats.sum}`);
          durations.push(`kumo_invocation_duration_seconds_count{${labels}} ${stats.count}`);
          coldStarts.push(`kumo_cold_starts_total{${labels}} ${stats.coldStarts}`);
        }
      }
    }
    return `${invocations.join('\n')}\n\n${durations.join('\n')}\n\n${coldStarts.join('\n')}\n`;
  }

  #statsOf(service: string, fn: string, qualifier: string): QualifierStats {
    const qualifiers = inner(inner(this.#services, service), fn);
    let stats = qualifiers.get(qualifier);
    if (!stats) {
      stats = {
        labels: `service="${escapeLabel(service)}",function="${escapeLabel(fn)}",qualifier="${escapeLabel(qualifier)}"`,
        outcomes: new Float64Array(OUTCOMES.length),
        buckets: new Float64Array(DURATION_BUCKETS.length + 1),
        sum: 0,
        count: 0,
        coldStarts: 0,
      };
      qualifiers.set(qualifier, stats);
    }
    return stats;
  }
}

/** A label value as the text format wants it. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
