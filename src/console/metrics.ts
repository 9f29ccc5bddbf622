import type { MinuteSample, SeriesKey } from '../metrics/index.js';

/** What the console reads of the metrics history (src/metrics): the last minutes of one function. */
export interface MetricsHistory {
  series(key: SeriesKey, minutes: number): MinuteSample[];
}

/** The console's metrics answer: the last `minutes` minutes, oldest first, plus totals for a text summary. */
export function metricsAnswer(
  history: MetricsHistory,
  service: string,
  fn: string,
  minutes: number,
): { minutes: MinuteSample[]; totals: { calls: number; errors: number; coldStarts: number } } {
  const samples = [...history.series({ service, function: fn }, minutes)].sort((a, b) => a.t - b.t);
  const totals = { calls: 0, errors: 0, coldStarts: 0 };
  for (const s of samples) {
    totals.calls += s.calls;
    totals.errors += s.errors;
    totals.coldStarts += s.coldStarts;
  }
  return { minutes: samples, totals };
}
