export { HISTORY_MINUTES, MetricsHistory, type MinuteSample, type SeriesKey } from './history.js';
export { type AsyncAttemptResult, type InvocationOutcome, Metrics, type MetricsSources } from './metrics.js';
export { type PrewarmSample, watchPrewarm } from './prewarm.js';
