export { InstanceLogCapture, type InstanceLogMeta, RequestLog } from './capture.js';
export {
  DEFAULT_LOG_LIMITS,
  DEFAULT_LOG_RETENTION,
  type LogLimits,
  type LogRetention,
} from './limits.js';
export { ThreadedLogStore, type ThreadedLogStoreOptions } from './threaded.js';
export type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';
