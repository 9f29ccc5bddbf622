export { type InstanceLogMeta, InstanceLogCapture, RequestLog } from './capture.js';
export { SqliteLogStore } from './sqlite.js';
export type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';
