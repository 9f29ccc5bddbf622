export type AsyncStatus = 'Enqueued' | 'Running' | 'Succeeded' | 'Failed';

/** One accepted asynchronous invocation: persisted before the 202 goes out, so it survives a restart. */
export interface AsyncInvocation {
  id: string;
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
}

/** The durable queue behind async invocations. */
export interface AsyncQueueStore {
  enqueue(invocation: AsyncInvocation): Promise<void>;
  /** Atomically takes the oldest due Enqueued invocation, marks it Running and counts the attempt it starts. */
  claimDue(now: number): Promise<AsyncInvocation | undefined>;
  /** Puts a Running invocation back for another attempt at `nextAttemptAt`. */
  retryLater(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  finish(
    id: string,
    status: 'Succeeded' | 'Failed',
    attempts: number,
    outcome: { result?: Buffer; error?: string },
  ): Promise<void>;
  getAsync(id: string): Promise<AsyncInvocation | undefined>;
  /** After a crash, invocations left Running are put back in the queue. */
  requeueRunning(): Promise<number>;
}
