import { FcError, LIMITS } from '../model/index.js';
import type { AsyncInvocation, AsyncQueueStore } from '../store/index.js';
import type { InvokeTarget } from './resolve.js';

/**
 * Accepts an asynchronous call: checks FC's async payload limit and persists it, so it is in the store before
 * the caller hears 202 (an accepted invocation survives a crash). The worker runs it later.
 */
export async function enqueueAsync(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  call: { requestId: string; payload: Buffer },
): Promise<void> {
  const { payload } = call;
  if (payload.length > LIMITS.asyncPayloadBytesMax) {
    throw new FcError(
      'EntityTooLarge',
      `payload size exceeds maximum allowed size (${LIMITS.asyncPayloadBytesMax} bytes): this async payload is ${payload.length} bytes`,
    );
  }
  const now = Date.now();
  await queue.enqueue({
    id: call.requestId,
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

/** An async invocation of this function by its request id, or AsyncTaskNotFound. */
export async function findAsyncInvocation(
  queue: AsyncQueueStore,
  target: InvokeTarget,
  id: string,
): Promise<AsyncInvocation> {
  const inv = await queue.getAsync(id);
  if (!inv || inv.functionName !== target.fn.functionName || inv.serviceName !== target.service.serviceName) {
    throw new FcError('AsyncTaskNotFound', `no async invocation '${id}' for this function`);
  }
  return inv;
}
