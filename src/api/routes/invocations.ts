import type { FastifyInstance } from 'fastify';
import { enqueueAsync, findAsyncInvocation, resolveTarget } from '../../invoke/index.js';
import { FcError, LIMITS } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { targetRef } from './common.js';

type Params = { Params: { service: string; function: string; id?: string } };

export function registerInvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${API_PREFIX}/services/:service/functions/:function`;

  app.post<Params>(
    `${base}/invocations`,
    { bodyLimit: LIMITS.syncPayloadBytesMax },
    async (request, reply) => {
      const invocationType = String(request.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
      if (invocationType !== 'sync' && invocationType !== 'async') {
        throw new FcError(
          'InvalidArgument',
          `x-fc-invocation-type must be Sync or Async, not '${invocationType}'`,
        );
      }
      const target = await resolveTarget(deps.store, targetRef(request));
      const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

      if (invocationType === 'async') {
        await enqueueAsync(deps.asyncQueue, target, { requestId: request.id, payload });
        deps.onAsyncEnqueued();
        const stateful = request.headers['x-fc-stateful-async-invocation-id'];
        if (typeof stateful === 'string') reply.header('x-fc-stateful-async-invocation-id', stateful);
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
    },
  );

  // FC's stateful async invocation record (FC_API.md §4.10), keyed by the request id of the async call.
  app.get<Params>(`${base}/stateful-async-invocations/:id`, async (request) => {
    const target = await resolveTarget(deps.store, targetRef(request));
    const inv = await findAsyncInvocation(deps.asyncQueue, target, request.params.id ?? '');
    return {
      invocationId: inv.id,
      requestId: inv.id,
      serviceName: inv.serviceName,
      functionName: inv.functionName,
      qualifier: inv.qualifier,
      status: inv.status,
      attempts: inv.attempts,
      startedTime: inv.startedAt,
      endTime: inv.endedAt,
      durationMs: inv.startedAt && inv.endedAt ? inv.endedAt - inv.startedAt : undefined,
      invocationErrorMessage: inv.error,
      returnPayload: inv.result?.toString(),
    };
  });
}
