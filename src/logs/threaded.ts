import { Worker } from 'node:worker_threads';
import { type LogBatch, LogBatchBuilder } from './batch.js';
import {
  DEFAULT_LOG_LIMITS,
  DEFAULT_LOG_RETENTION,
  LINE_OVERHEAD_BYTES,
  type LogLimits,
  type LogRetention,
} from './limits.js';
import type { RetentionResult } from './sqlite.js';
import type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';

export type ToWorker =
  | { type: 'append'; batch: LogBatch; bytes: number }
  | { type: 'query'; id: number; query: LogQuery }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'written'; bytes: number }
  | ({ type: 'retention'; error?: string } & RetentionResult)
  | { type: 'rows'; id: number; rows?: LogRecord[]; error?: string };

/** Lines are handed to the thread in batches: one message per this many ms instead of one per line. */
const BATCH_MS = 20;
/**
 * Lines handed to the thread and not yet written, at most (in line cost, see `LINE_OVERHEAD_BYTES`). Past it,
 * new lines are dropped and counted: whatever all instances together write, this thread's queue stays bounded.
 */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

export interface ThreadedLogStoreOptions {
  /** The thread died after start-up; lines appended from then on are lost, queries fail. */
  onFailure(error: Error): void;
  /** Lines were dropped because the thread fell behind; `lines` since the last report. */
  onBacklogDrop?(lines: number): void;
  /** A retention pass deleted lines or gave space back. */
  onRetention?(result: RetentionResult & { error?: string }): void;
  limits?: LogLimits;
  retention?: LogRetention;
}

// Built, the worker is worker.js. Run from source under tsx (tests, bench) it is worker.ts, and the thread has to
// register tsx's loader itself before importing it: loader hooks are not inherited by threads.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);
const workerEntry = (): URL | string =>
  FROM_SOURCE
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`
    : WORKER_URL;

/**
 * Function logs in SQLite on a worker thread (`worker.ts`). `append` only queues the line; a query goes to the
 * thread behind every line appended before it, so it sees them all. The thread also enforces retention.
 */
export class ThreadedLogStore implements LogStore {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(rows: LogRecord[]): void; reject(error: Error): void }>();
  readonly #batch = new LogBatchBuilder();
  #batchBytes = 0;
  /** Sent to the thread, not yet written. */
  #unwritten = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextId = 0;
  #failure: Error | undefined;
  readonly #exited: Promise<void>;
  readonly limits: LogLimits;

  /** Starts the thread and waits until it has opened (and migrated) the database. */
  static async open(file: string, options: ThreadedLogStoreOptions): Promise<ThreadedLogStore> {
    const store = new ThreadedLogStore(file, options);
    await store.#ready;
    return store;
  }

  readonly #ready: Promise<void>;
  #started = false;

  private constructor(
    file: string,
    readonly options: ThreadedLogStoreOptions,
  ) {
    this.limits = options.limits ?? DEFAULT_LOG_LIMITS;
    const retention = options.retention ?? DEFAULT_LOG_RETENTION;
    this.#worker = new Worker(workerEntry(), { workerData: { file, retention }, eval: FROM_SOURCE });
    this.#worker.unref(); // close() waits for it; a server that failed to start must not hang on it
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('error', (error) =>
        reject(new Error(`cannot open the log store ${file}: ${error.message}`)),
      );
      this.#worker.once('message', () => resolve());
    });
    this.#worker.on('message', (message: FromWorker) => this.#onMessage(message));
    this.#worker.on('error', (error) => {
      if (this.#started) options.onFailure(error); // before start-up, open() reports it
      this.#failure = error;
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  append(line: LogLine): void {
    const cost = line.message.length + LINE_OVERHEAD_BYTES;
    if (this.#unwritten + this.#batchBytes + cost > MAX_BACKLOG_BYTES) {
      this.#dropped++;
      return;
    }
    if (this.#dropped > 0) {
      this.options.onBacklogDrop?.(this.#dropped);
      this.#dropped = 0;
    }
    this.#batch.add(line);
    this.#batchBytes += cost;
    this.#timer ??= setTimeout(() => this.#send(), BATCH_MS);
  }

  query(query: LogQuery): Promise<LogRecord[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#send();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ type: 'query', id, query });
    });
  }

  /** Writes what is queued, closes the database and ends the thread. */
  async close(): Promise<void> {
    this.#send();
    this.#post({ type: 'close' });
    this.#worker.ref(); // keep the process alive until the last lines are written
    await this.#exited;
  }

  #onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.#started = true;
        return;
      case 'written':
        this.#unwritten -= message.bytes;
        return;
      case 'retention':
        this.options.onRetention?.(message);
        return;
      case 'rows': {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(`log query failed: ${message.error}`));
        else waiter?.resolve(message.rows ?? []);
      }
    }
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch.take();
    const bytes = this.#batchBytes;
    this.#batchBytes = 0;
    if (this.#failure) return;
    this.#unwritten += bytes;
    this.#post({ type: 'append', batch, bytes });
  }

  #post(message: ToWorker): void {
    if (!this.#failure) this.#worker.postMessage(message);
  }
}
