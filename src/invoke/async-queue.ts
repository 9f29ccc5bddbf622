import { FcError, invalidArgument, LIMITS } from '../model/index.js';
import type { AsyncInvocation, AsyncQueueStore, AsyncStatus, Page } from '../store/index.js';
import type { InvokeTarget } from './resolve.js';

/** What FC accepts as `x-fc-stateful-async-invocation-id`: a plain token (it is also a path segment). */
const INVOCATION_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

const STATUSES: readonly AsyncStatus[] = ['Enqueued', 'Running', 'Succeeded', 'Failed', 'Stopped', 'Expired'];

/**
 * Accepts an asynchronous call: checks FC's async payload limit and persists it, so it is in the store before
 * the caller hears 202 (an accepted invocation survives a crash). The worker runs it later. A stateful
 * invocation id must be new for the function (FC's StatefulAsyncInvocationAlreadyExists otherwise).
 */
export async function enqueueAsync(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  call: { requestId: string; payload: Buffer; invocationId?: string },
): Promise<void> {
  const { payload, invocationId } = call;
  if (payload.length > LIMITS.asyncPayloadBytesMax) {
    throw new FcError(
      'EntityTooLarge',
      `payload size exceeds maximum allowed size (${LIMITS.asyncPayloadBytesMax} bytes): this async payload is ${payload.length} bytes`,
    );
  }
  if (invocationId !== undefined && !INVOCATION_ID.test(invocationId)) {
    throw invalidArgument(`x-fc-stateful-async-invocation-id must match ${INVOCATION_ID.source}`);
  }
  const now = Date.now();
  await queue.enqueue({
    id: call.requestId,
    invocationId: invocationId ?? call.requestId,
    serviceName: target.service.serviceName,
    functionName: target.fn.functionName,
    qualifier: target.qualifier,
    versionId: target.versionId,
    payload,
    status: 'Enqueued',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });
}

/** An async invocation of this function by its invocation id, or by the request id of the call that made it. */
export async function findAsyncInvocation(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  id: string,
): Promise<AsyncInvocation> {
  const serviceName = target.service.serviceName;
  const functionName = target.fn.functionName;
  // The request id of the accepted call finds it too (the invocation id only differs when the caller named one).
  const inv =
    (await queue.findInvocation(serviceName, functionName, id)) ??
    (await queue
      .getAsync(id)
      .then((found) =>
        found?.serviceName === serviceName && found.functionName === functionName ? found : undefined,
      ));
  if (!inv) throw new FcError('AsyncTaskNotFound', `no async invocation '${id}' for this function`);
  return inv;
}

/**
 * Stops an invocation of this function: one still queued (or waiting for a retry) ends Stopped at once; a running
 * one is flagged and `stopRunning` lets its worker cut the call short. A finished one cannot be stopped.
 */
export async function stopAsyncInvocation(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  id: string,
  stopRunning: (requestId: string) => void,
): Promise<void> {
  const inv = await findAsyncInvocation(queue, target, id);
  const result = await queue.requestStop(inv.serviceName, inv.functionName, inv.invocationId);
  if (result === 'missing')
    throw new FcError('AsyncTaskNotFound', `no async invocation '${id}' for this function`);
  if (result === 'finished') {
    throw invalidArgument(
      `async invocation '${id}' has already finished (${inv.status}) and cannot be stopped`,
    );
  }
  if (result === 'stopping') stopRunning(inv.id);
}

/** FC's ListStatefulAsyncInvocations query, as the API receives it. */
export interface AsyncListInput {
  qualifier?: string;
  status?: string;
  invocationIdPrefix?: string;
  startedTimeBegin?: string;
  startedTimeEnd?: string;
  sortOrderByTime?: string;
  limit?: string;
  nextToken?: string;
}

export async function listAsyncInvocations(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  input: AsyncListInput,
): Promise<Page<AsyncInvocation>> {
  const status = input.status || undefined;
  if (status !== undefined && !STATUSES.includes(status as AsyncStatus)) {
    throw invalidArgument(`status must be one of ${STATUSES.join(', ')}`);
  }
  const sort = (input.sortOrderByTime || 'desc').toLowerCase();
  if (sort !== 'asc' && sort !== 'desc') throw invalidArgument('sortOrderByTime must be asc or desc');
  const limit = input.limit ? Number(input.limit) : LIMITS.listLimitMax;
  if (!Number.isInteger(limit) || limit < 1) throw invalidArgument('limit must be a positive integer');
  return queue.listInvocations({
    serviceName: target.service.serviceName,
    functionName: target.fn.functionName,
    qualifier: input.qualifier,
    status: status as AsyncStatus | undefined,
    invocationIdPrefix: input.invocationIdPrefix || undefined,
    startedTimeBegin: epochMs(input.startedTimeBegin, 'startedTimeBegin'),
    startedTimeEnd: epochMs(input.startedTimeEnd, 'startedTimeEnd'),
    sortOrderByTime: sort,
    limit: Math.min(limit, LIMITS.listLimitMax),
    nextToken: input.nextToken || undefined,
  });
}

function epochMs(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms < 0) throw invalidArgument(`${name} must be epoch milliseconds`);
  return ms;
}

/** FC's StatefulAsyncInvocation record. */
export function toInvocationResponse(inv: AsyncInvocation, includePayload: boolean): Record<string, unknown> {
  return {
    invocationId: inv.invocationId,
    requestId: inv.id,
    serviceName: inv.serviceName,
    functionName: inv.functionName,
    qualifier: inv.qualifier,
    status: inv.status,
    attempts: inv.attempts,
    alreadyRetriedTimes: Math.max(0, inv.attempts - 1),
    startedTime: inv.createdAt,
    endTime: inv.endedAt,
    durationMs: inv.startedAt && inv.endedAt ? inv.endedAt - inv.startedAt : undefined,
    invocationErrorMessage: inv.error,
    returnPayload: inv.result?.toString(),
    ...(includePayload && { invocationPayload: inv.payload.toString() }),
  };
}
