import type { AsyncConfig } from '../model/index.js';
import type { Page } from './types.js';

/** FC's names for the states of an async invocation (FC_API.md §4.10). */
export type AsyncStatus = 'Enqueued' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped' | 'Expired';
export type FinalAsyncStatus = 'Succeeded' | 'Failed' | 'Stopped' | 'Expired';

/** One accepted asynchronous invocation: persisted before the 202 goes out, so it survives a restart. */
export interface AsyncInvocation {
  /** The request id of the call that was accepted. */
  id: string;
  /** The caller's `x-fc-stateful-async-invocation-id`, else the request id; unique per function. */
  invocationId: string;
  serviceName: string;
  functionName: string;
  qualifier: string;
  /** The version the qualifier named when the call was accepted (an alias change does not re-route it). */
  versionId?: string;
  payload: Buffer;
  status: AsyncStatus;
  /** Attempts started so far, the one running included (counted when claimed, so a crash cannot lose one). */
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  error?: string;
  result?: Buffer;
  /** A client asked to stop it while it ran: it ends Stopped and is not retried. */
  stopRequested?: boolean;
  /** Set on a destination delivery: the request id of the invocation it reports on (never forwarded again). */
  origin?: string;
}

/** FC's ListStatefulAsyncInvocations filters, on one function. */
export interface AsyncListQuery {
  serviceName: string;
  functionName: string;
  /** Only invocations made through this qualifier. */
  qualifier?: string;
  status?: AsyncStatus;
  invocationIdPrefix?: string;
  /** Accept time bounds, epoch milliseconds, inclusive. */
  startedTimeBegin?: number;
  startedTimeEnd?: number;
  sortOrderByTime: 'asc' | 'desc';
  limit: number;
  nextToken?: string;
}

/** What a stop request found. */
export type StopResult = 'stopped' | 'stopping' | 'finished' | 'missing';

/** The durable queue behind async invocations. */
export interface AsyncQueueStore {
  /** Fails with StatefulAsyncInvocationAlreadyExists when the function already has this invocation id. */
  enqueue(invocation: AsyncInvocation): Promise<void>;
  /** Atomically takes the oldest due Enqueued invocation, marks it Running and counts the attempt it starts. */
  claimDue(now: number): Promise<AsyncInvocation | undefined>;
  /** Puts a Running invocation back for another attempt at `nextAttemptAt` (Stopped if a stop was asked). */
  retryLater(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Ends an invocation and, in the same transaction, enqueues its destination delivery if there is one. */
  finish(
    id: string,
    status: FinalAsyncStatus,
    attempts: number,
    outcome: { result?: Buffer; error?: string },
    delivery?: AsyncInvocation,
  ): Promise<void>;
  getAsync(id: string): Promise<AsyncInvocation | undefined>;
  /** By the function and its invocation id (FC's stateful invocation API). */
  findInvocation(
    serviceName: string,
    functionName: string,
    invocationId: string,
  ): Promise<AsyncInvocation | undefined>;
  listInvocations(query: AsyncListQuery): Promise<Page<AsyncInvocation>>;
  /** An Enqueued invocation becomes Stopped at once; a Running one is flagged for its worker to stop it. */
  requestStop(serviceName: string, functionName: string, invocationId: string): Promise<StopResult>;
  isStopRequested(id: string): Promise<boolean>;
  /** After a crash: invocations left Running are put back in the queue (Stopped when a stop was asked). */
  requeueRunning(): Promise<number>;
  /** Invocations waiting (Enqueued, retries included) and Running: the metrics' backlog gauge. */
  backlog(): Promise<{ enqueued: number; running: number }>;
  /**
   * Keeps this process's claim on the invocations it is running (called every few seconds while they run) and
   * answers the ids whose claim is gone (finished, stopped, or taken by another node after the lease expired).
   * Several nodes: the lease's expiry moves forward. One node: the claim lasts as long as the process (a restart
   * requeues with `requeueRunning`), so this only reports the ids that are no longer Running.
   */
  renewLeases(ids: readonly string[]): Promise<string[]>;
}

/** Async invoke configs, one per function and qualifier. */
export interface AsyncConfigStore {
  putConfig(config: AsyncConfig): Promise<AsyncConfig>;
  getConfig(serviceName: string, functionName: string, qualifier: string): Promise<AsyncConfig | undefined>;
  /** False when there was none. */
  deleteConfig(serviceName: string, functionName: string, qualifier: string): Promise<boolean>;
  listConfigs(
    serviceName: string,
    functionName: string,
    query: { limit: number; nextToken?: string },
  ): Promise<Page<AsyncConfig>>;
}
