import { Worker } from 'node:worker_threads';
import type { LogLine, LogQuery, LogRecord, LogStore } from './types.js';

export type ToWorker =
  | { type: 'append'; lines: LogLine[] }
  | { type: 'query'; id: number; query: LogQuery }
  | { type: 'close' };

type FromWorker = { type: 'ready' } | { type: 'rows'; id: number; rows?: LogRecord[]; error?: string };

/** Lines are handed to the thread in batches: one message per this many ms instead of one per line. */
const BATCH_MS = 20;

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
 * thread behind every line appended before it, so it sees them all.
 */
export class ThreadedLogStore implements LogStore {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(rows: LogRecord[]): void; reject(error: Error): void }>();
  #batch: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextId = 0;
  #failure: Error | undefined;
  readonly #exited: Promise<void>;

  /** Starts the thread and waits until it has opened (and migrated) the database. */
  /** `onFailure`: the thread died after start-up; lines appended from then on are lost, queries fail. */
  static async open(file: string, onFailure: (error: Error) => void): Promise<ThreadedLogStore> {
    const store = new ThreadedLogStore(file, onFailure);
    await store.#ready;
    return store;
  }

  readonly #ready: Promise<void>;
  #started = false;

  private constructor(file: string, onFailure: (error: Error) => void) {
    this.#worker = new Worker(workerEntry(), { workerData: { file }, eval: FROM_SOURCE });
    this.#worker.unref(); // close() waits for it; a server that failed to start must not hang on it
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('error', (error) =>
        reject(new Error(`cannot open the log store ${file}: ${error.message}`)),
      );
      this.#worker.once('message', () => resolve());
    });
    this.#worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        this.#started = true;
        return;
      }
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`log query failed: ${message.error}`));
      else waiter?.resolve(message.rows ?? []);
    });
    this.#worker.on('error', (error) => {
      if (this.#started) onFailure(error); // before start-up, open() reports it
      this.#failure = error;
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  append(line: LogLine): void {
    this.#batch.push(line);
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

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.length === 0) return;
    const lines = this.#batch;
    this.#batch = [];
    this.#post({ type: 'append', lines });
  }

  #post(message: ToWorker): void {
    if (!this.#failure) this.#worker.postMessage(message);
  }
}
