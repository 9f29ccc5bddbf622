/** What the primary and its workers tell each other over node:cluster's IPC channel. */
export type WorkerMessage =
  /** worker → primary: it listens (the shared port) and answers its own address too (`privateUrl`). */
  | { kumo: 'listening'; index: number; url: string; privateUrl: string }
  /** worker → primary: its on-demand instances per pool key of functions with a maximumInstanceCount. */
  | { kumo: 'counts'; counts: Record<string, number> }
  /** primary → worker: the other workers' on-demand instances per pool key, summed. */
  | { kumo: 'others'; counts: Record<string, number> };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { kumo?: unknown }).kumo === 'string'
  );
}

/** Set in a worker's environment by the primary: its index (1-based) and the number of workers. */
export const WORKER_INDEX_ENV = 'KUMO_WORKER_INDEX';
export const WORKER_COUNT_ENV = 'KUMO_WORKER_COUNT';

/** In a worker process: its index and the number of workers, from the environment the primary gave it. */
export function workerIndexOf(env: NodeJS.ProcessEnv): { index: number; count: number } | undefined {
  const index = Number(env[WORKER_INDEX_ENV]);
  const count = Number(env[WORKER_COUNT_ENV]);
  return Number.isInteger(index) && index >= 1 && Number.isInteger(count) && count >= index
    ? { index, count }
    : undefined;
}
