/** One minute of a function's calls, as the metrics history keeps it (src/metrics). */
export interface MinuteSample {
  /** Epoch ms of the minute's start. */
  t: number;
  calls: number;
  errors: number;
  coldStarts: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface MetricsHistory {
  series(
    target: { service: string; function: string; qualifier?: string },
    minutes: number,
  ): MinuteSample[] | Promise<MinuteSample[]>;
}

/** The console's metrics answer: the last `minutes` minutes, oldest first, plus totals for a text summary. */
export async function metricsAnswer(
  history: MetricsHistory,
  service: string,
  fn: string,
  minutes: number,
): Promise<{ minutes: MinuteSample[]; totals: { calls: number; errors: number; coldStarts: number } }> {
  const samples = [...(await history.series({ service, function: fn }, minutes))].sort((a, b) => a.t - b.t);
  const totals = { calls: 0, errors: 0, coldStarts: 0 };
  for (const s of samples) {
    totals.calls += s.calls;
    totals.errors += s.errors;
    totals.coldStarts += s.coldStarts;
  }
  return { minutes: samples, totals };
}
