import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enqueueAsync, type InvokeTarget, resolveTarget } from '../../invoke/index.js';
import { FcError, LIMITS } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { targetRef } from './common.js';

type Params = { Params: { service: string; function: string } };

export function registerInvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${API_PREFIX}/services/:service/functions/:function`;

  app.post<Params>(`${base}/invocations`, { bodyLimit: LIMITS.syncPayloadBytesMax }, async (request, reply) =>
    answerInvocation(deps, request, reply, {
      target: () => resolveTarget(deps.store, targetRef(request)),
      // FC 2.0 names a stateful async invocation with this header (FC 3.0: x-fc-async-task-id).
      invocationIdHeader: 'x-fc-stateful-async-invocation-id',
    }),
  );
}

/**
 * One invocation request, FC 2.0's or FC 3.0's: `x-fc-invocation-type` Sync (with `x-fc-log-type: Tail`) or
 * Async (queued; the caller may name it with `invocationIdHeader`, echoed back).
 */
export async function answerInvocation(
  deps: ApiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  how: { target: () => Promise<InvokeTarget>; invocationIdHeader: string },
): Promise<FastifyReply> {
  const invocationType = String(request.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
  if (invocationType !== 'sync' && invocationType !== 'async') {
    throw new FcError(
      'InvalidArgument',
      `x-fc-invocation-type must be Sync or Async, not '${invocationType}'`,
    );
  }
  const target = await how.target();
  const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

  if (invocationType === 'async') {
    const named = request.headers[how.invocationIdHeader];
    const invocationId = typeof named === 'string' && named !== '' ? named : undefined;
    await enqueueAsync(deps.asyncQueue, target, { requestId: request.id, payload, invocationId });
    deps.onAsyncEnqueued();
    if (invocationId) reply.header(how.invocationIdHeader, invocationId);
    return reply.status(202).send('');
  }

  const result = await deps.invoker.invoke({
    requestId: request.id,
    service: target.service,
    fn: target.fn,
    revision: target.revision,
    qualifier: target.qualifier,
    versionId: target.versionId,
    payload,
    tailLogs: String(request.headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail',
  });
  return reply.status(200).headers(result.headers).send(result.body);
}
