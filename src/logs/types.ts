import type { LogLimits } from './limits.js';

/** One line of a function's log, as stored and queried. */
export interface LogLine {
  /** Epoch milliseconds. */
  time: number;
  serviceName: string;
  functionName: string;
  qualifier: string;
  /** Empty when a line could not be attributed to a request (e.g. printed between calls). */
  requestId: string;
  instanceId: string;
  message: string;
}

export interface LogQuery {
  serviceName: string;
  functionName: string;
  requestId?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** Substring to look for. */
  text?: string;
  /** Return lines after this cursor (from a previous query), for `--tail`. */
  after?: number;
  limit: number;
  /** Several nodes: this node's lines only (docs/cluster.md); by default every live node's. */
  nodeOnly?: boolean;
}

export interface LogRecord extends LogLine {
  /** Monotonic cursor. */
  id: number;
}

/** Where function logs go. Appends are buffered and written off the request path. */
export interface LogStore {
  append(line: LogLine): void;
  /** Sees every line appended before it. */
  query(query: LogQuery): Promise<LogRecord[]>;
  close(): Promise<void>;
  /** What an instance may write (line size, rates); the defaults when absent. */
  readonly limits?: LogLimits;
}
