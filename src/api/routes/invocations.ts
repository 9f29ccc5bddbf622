import type { FastifyInstance } from 'fastify';
import { FcError, LIMITS } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { parseServiceRef } from './common.js';
import { getFunctionOrThrow, getServiceAndFunction } from './functions.js';

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
      const { serviceName, qualifier } = parseServiceRef(request.params.service);
      const { service, fn: stored } = await getServiceAndFunction(deps, request.params);
      const { value: fn, etag } = stored;
      const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

      if (invocationType === 'async') {
        if (payload.length > LIMITS.asyncPayloadBytesMax) {
          throw new FcError(
            'EntityTooLarge',
            `an async payload may be at most ${LIMITS.asyncPayloadBytesMax} bytes, this one is ${payload.length}`,
          );
        }
        // In the store before the 202 goes out: an accepted invocation survives a crash.
        await deps.asyncQueue.enqueue({
          id: request.id,
          serviceName,
          functionName: fn.functionName,
          qualifier,
          payload,
          status: 'Enqueued',
          attempts: 0,
          nextAttemptAt: Date.now(),
          createdAt: Date.now(),
        });
        deps.onAsyncEnqueued();
        const stateful = request.headers['x-fc-stateful-async-invocation-id'];
        if (typeof stateful === 'string') reply.header('x-fc-stateful-async-invocation-id', stateful);
        return reply.status(202).send('');
      }

      const result = await deps.invoker.invoke({
        requestId: request.id,
        service,
        fn,
        revision: etag,
        qualifier,
        payload,
        tailLogs: String(request.headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail',
      });
      return reply.status(200).headers(result.headers).send(result.body);
    },
  );

  // FC's stateful async invocation record (FC_API.md §4.10), keyed by the request id of the async call.
  app.get<Params>(`${base}/stateful-async-invocations/:id`, async (request) => {
    const { value: fn } = await getFunctionOrThrow(deps, request.params);
    const inv = await deps.asyncQueue.getAsync(request.params.id ?? '');
    if (!inv || inv.functionName !== fn.functionName || inv.serviceName !== fn.serviceName) {
      throw new FcError('AsyncTaskNotFound', `no async invocation '${request.params.id}' for this function`);
    }
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
