export { InstanceLogCapture, type InstanceLogMeta, RequestLog } from './capture.js';
export { ThreadedLogStore } from './threaded.js';
export type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';
