export { InstanceLogCapture, type InstanceLogMeta, RequestLog } from './capture.js';
export { SqliteLogStore } from './sqlite.js';
export type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';
